/** A job source's filters: which of a board's postings a follower gets. */
import { z } from 'zod';

export const sourceFiltersSchema = z
  .object({
    /** Any of these words in the title or description (case-insensitive). */
    keywords: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    /** Any of these in the location (case-insensitive). */
    locations: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    /** `true`: remote only; `false`: not remote only. */
    remote: z.boolean().optional(),
  })
  .strict();

export type SourceFilters = z.infer<typeof sourceFiltersSchema>;

export function passesFilters(
  filters: SourceFilters,
  posting: { title: string; description: string; location: string | null; remote: boolean | null },
): boolean {
  if (filters.keywords?.length) {
    const text = `${posting.title}\n${posting.description}`.toLowerCase();
    if (!filters.keywords.some((keyword) => text.includes(keyword.toLowerCase()))) return false;
  }
  if (filters.locations?.length) {
    const location = (posting.location ?? '').toLowerCase();
    if (!filters.locations.some((wanted) => location.includes(wanted.toLowerCase()))) return false;
  }
  if (filters.remote === true && posting.remote !== true) return false;
  if (filters.remote === false && posting.remote === true) return false;
  return true;
}
