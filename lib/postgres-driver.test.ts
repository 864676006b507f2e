/**
 * postgres.js 3.4.9 throws from a `setImmediate` when a connection closes with
 * a write queued (porsager/postgres#1154, #1208; no release fixes it yet), which
 * took a cell API process down under load in the full-size lifecycle run.
 * `patches/postgres+3.4.9.patch`, applied by `npm ci`'s postinstall
 * (patch-package), settles the queries with a catchable CONNECTION_CLOSED
 * instead. This checks the installed driver carries it, in each build Node may load.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const driver = fileURLToPath(new URL('.', import.meta.resolve('postgres')));

describe('the postgres.js driver', () => {
  it.each(['connection.js', '../cjs/src/connection.js'])(
    'guards nextWrite against a closed socket: %s',
    (file) => {
      const source = readFileSync(new URL(file, `file://${driver}`), 'utf8');
      expect(source).toMatch(
        /function nextWrite\(fn\) \{\s*\/\/ The connection closed[\s\S]{0,300}if \(!socket\) \{/,
      );
      // A closed or terminated connection drops its queued bytes too (next to the two in nextWrite).
      expect(
        source.match(/clearImmediate\(nextWriteTimer\)\n\s*chunk = nextWriteTimer = null/g)?.length,
      ).toBe(4);
    },
  );
});
