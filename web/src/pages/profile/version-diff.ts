/** Two stored profile versions compared line by line. */
import { diffLines } from 'diff';

/** One line of a version diff: added, removed or unchanged text. */
export interface DiffLine {
  kind: 'added' | 'removed' | 'same';
  text: string;
}

const pretty = (text: string): string => {
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text;
  }
};

/**
 * The line diff between two stored versions, both pretty-printed first so a
 * version imported minified compares with one saved by the editor. Runs of
 * unchanged lines longer than `context` × 2 are folded to their ends.
 */
export function versionDiff(older: string, newer: string, context = 3): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const part of diffLines(pretty(older), pretty(newer))) {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    const texts = part.value.replace(/\n$/, '').split('\n');
    if (kind === 'same' && texts.length > context * 2 + 1) {
      for (const text of texts.slice(0, context)) lines.push({ kind, text });
      lines.push({ kind, text: `⋯ ${texts.length - context * 2} unchanged lines` });
      for (const text of texts.slice(-context)) lines.push({ kind, text });
    } else {
      for (const text of texts) lines.push({ kind, text });
    }
  }
  return lines;
}
