/**
 * `renderPlainText`: the resume model as plain text for pasting into the text
 * boxes of applicant tracking systems. Name, label and contact line, then each
 * section under its heading in capitals, entries separated by a blank line,
 * bullets as "- ". No wrapping: the text box wraps. Same facts, same order as
 * the PDF, because both come from the same model.
 */
import type { ResumeModel, Run } from './resume-model.ts';

const spell = (runs: readonly Run[]): string =>
  runs
    .map((run) => run.text)
    .join('')
    .trim();

export function renderPlainText(model: ResumeModel): string {
  const blocks: string[][] = [];
  const header = [model.name, model.label, spell(model.contact)].filter(
    (line): line is string => line !== undefined && line !== '',
  );
  if (header.length > 0) blocks.push(header);
  for (const section of model.sections) {
    const lines = section.heading === '' ? [] : [section.heading.toUpperCase()];
    section.entries.forEach((entry, index) => {
      // Dense entries (skills, languages…) are one line each, without a gap.
      if (index > 0 && !section.dense) lines.push('');
      for (const paragraph of entry.paragraphs) {
        const text = spell(paragraph.runs);
        lines.push(paragraph.role === 'bullet' ? `- ${text}` : text);
      }
    });
    blocks.push(lines);
  }
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
