/** HTML job descriptions to clean text (html-to-text), keeping paragraphs and list items. */
import { decodeHTML } from 'entities';
import { convert } from 'html-to-text';

const OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable' },
  ],
};

/** Converts HTML to text; collapses runs of blank lines. */
export function htmlToCleanText(html: string): string {
  return convert(html, OPTIONS)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Greenhouse sends `content` as HTML-escaped HTML (`&lt;p&gt;`): unescape once,
 * then convert.
 */
export function escapedHtmlToCleanText(escaped: string): string {
  return htmlToCleanText(decodeHTML(escaped));
}
