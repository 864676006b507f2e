/**
 * Reads the k6 scripts' settings from `__ENV` (k6's `-e NAME=value` or the
 * process environment) with the defaults the README documents. No Node APIs:
 * these modules run inside k6's JavaScript runtime.
 */

/** A string setting, or its default. */
export function envString(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

/** A positive number setting, or its default; a malformed value stops the script at init. */
export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

/** `3`, `cell-3` → `cell-3`; empty → ''. */
export function normalizeCellId(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') return '';
  return /^\d+$/.test(trimmed) ? `cell-${trimmed}` : trimmed;
}

/**
 * The cells the run expects, from `CELL_IDS` (comma list) or `CELLS` (a count,
 * giving cell-1..cell-N, the ids `make dev-cells` uses).
 * @defaultValue cell-1, cell-2, cell-3
 */
export function expectedCells(): string[] {
  const ids = envString('CELL_IDS', '');
  if (ids !== '') return ids.split(',').map(normalizeCellId).filter(Boolean);
  const count = envNumber('CELLS', 3);
  return Array.from({ length: Math.floor(count) }, (_, i) => `cell-${i + 1}`);
}

/** Base URL of the router. @defaultValue http://127.0.0.1:8080 */
export const BASE_URL = envString('BASE_URL', 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** Directory `handleSummary` writes into, relative to where k6 runs. @defaultValue loadtest/results */
export const RESULTS_DIR = envString('RESULTS_DIR', 'loadtest/results').replace(/\/+$/, '');
