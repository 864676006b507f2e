/** HTML job descriptions to clean text (html-to-text), keeping paragraphs and list items. */
import { decodeHTML } from 'entities';
import { compile } from 'html-to-text';

// Compiled once: `convert` compiles its options (a selector decision tree) on every call,
// which was most of the time of converting a board's postings.
const convert = compile({
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
});

/** Converts HTML to text; collapses runs of blank lines. */
export function htmlToCleanText(html: string): string {
  return convert(html)
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
