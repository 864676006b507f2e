/**
 * Test helpers around poppler-utils: `pdftotext` is what an ATS-style parser
 * sees, `pdfinfo` gives page count and metadata. Both read a temporary file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function withPdfFile<T>(pdf: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'pdf-test-'));
  const path = join(dir, 'doc.pdf');
  try {
    await writeFile(path, pdf);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TextOptions {
  layout?: boolean;
  page?: number;
}

export function pdfToText(pdf: Uint8Array, options: TextOptions = {}): Promise<string> {
  return withPdfFile(pdf, async (path) => {
    const args = ['-enc', 'UTF-8'];
    if (options.layout) args.push('-layout');
    if (options.page) args.push('-f', String(options.page), '-l', String(options.page));
    const { stdout } = await run('pdftotext', [...args, path, '-'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  });
}

export async function pdfInfo(pdf: Uint8Array): Promise<Record<string, string>> {
  return withPdfFile(pdf, async (path) => {
    const { stdout } = await run('pdfinfo', ['-enc', 'UTF-8', path]);
    const info: Record<string, string> = {};
    for (const line of stdout.split('\n')) {
      const match = /^([^:]+):\s*(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) info[match[1].trim()] = match[2].trim();
    }
    return info;
  });
}

/** Collapses all whitespace (line breaks included) so wrapped phrases match. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ');
}
