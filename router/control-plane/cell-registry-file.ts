/**
 * The registry file the dev orchestrator writes:
 * `{"cells":[{"id":"cell-1","url":"http://127.0.0.1:8101","weight":1}]}`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { configFields } from '../../lib/config.ts';

const registryFileSchema = z.object({
  cells: z.array(
    z.object({
      id: configFields.cellId,
      url: z.url(),
      weight: z.number().int().positive().default(1),
    }),
  ),
});

export type RegistryFile = z.infer<typeof registryFileSchema>;

/** Reads and validates the file; throws naming the file and the problem. */
export async function readCellRegistryFile(file: string): Promise<RegistryFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read cell registry file ${file}: ${String(error)}`);
  }
  const parsed = registryFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`invalid cell registry file ${file}: ${parsed.error.message}`);
  }
  return {
    cells: parsed.data.cells.map((cell) => ({ ...cell, url: cell.url.replace(/\/+$/, '') })),
  };
}
