/**
 * Date display for resumes: ISO dates (`2019-03-01`, `2019-03`, `2019`) become
 * `Mar 2019` or `2019`; anything else (`Spring 2020`) is shown as written.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-\d{2}(?:T.*)?)?)?$/;

export function formatDate(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const match = ISO_DATE.exec(trimmed);
  if (!match) return trimmed;
  const month = match[2] ? MONTHS[Number(match[2]) - 1] : undefined;
  return month ? `${month} ${match[1]}` : match[1];
}

/** `Jan 2019 – Present` when only the start is known; the single date when both are equal. */
export function formatDateRange(
  start: string | null | undefined,
  end: string | null | undefined,
): string | undefined {
  const from = formatDate(start);
  const to = formatDate(end);
  if (from && to) return from === to ? from : `${from} – ${to}`;
  if (from) return `${from} – Present`;
  return to;
}
