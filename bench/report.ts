/**
 * Capacity report: gathers every benchmark's JSON from bench/results/ into
 * one report.json and a markdown table (report.md). Each benchmark writes its
 * own figures; this only collects them, flattening nested numbers into
 * `path = value` rows so no figure is lost or renamed.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.join(process.cwd(), 'bench', 'results');
const SOURCES = [
  'router',
  'pdf',
  'ai',
  'cell-jobs',
  'cell-discovery',
  'workflow',
  'capacity',
  'migration',
  'user-data',
  'honesty',
  'web',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function flatten(value: Json, prefix: string, rows: [string, string][], depth = 0): void {
  if (depth > 4 || rows.length > 200) return;
  if (typeof value === 'number' || typeof value === 'boolean') {
    rows.push([prefix, String(Math.round(Number(value) * 1000) / 1000)]);
  } else if (typeof value === 'string' && value.length < 80) {
    rows.push([prefix, value]);
  } else if (Array.isArray(value)) {
    value.slice(0, 12).forEach((item, i) => {
      flatten(item, `${prefix}[${i}]`, rows, depth + 1);
    });
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      flatten(child, prefix ? `${prefix}.${key}` : key, rows, depth + 1);
    }
  }
}

const results: Record<string, Json> = {};
const files = existsSync(dir)
  ? readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'report.json')
  : [];
for (const file of files.sort(
  (a, b) => SOURCES.indexOf(a.slice(0, -5)) - SOURCES.indexOf(b.slice(0, -5)),
)) {
  results[file.slice(0, -5)] = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Json;
}
const missing = SOURCES.filter((name) => !(name in results));

writeFileSync(
  path.join(dir, 'report.json'),
  `${JSON.stringify({ generatedAt: new Date().toISOString(), missing, results }, null, 2)}\n`,
);

const sections = Object.entries(results).map(([name, value]) => {
  const rows: [string, string][] = [];
  flatten(value, '', rows);
  return `## ${name}\n\n| figure | value |\n|---|---|\n${rows.map(([k, v]) => `| \`${k}\` | ${v} |`).join('\n')}\n`;
});
const chart = existsSync(path.join(dir, 'capacity.svg'))
  ? '\n![latency against load](capacity.svg)\n'
  : '';
writeFileSync(
  path.join(dir, 'report.md'),
  `# Capacity report\n\nGenerated ${new Date().toISOString()} by \`make bench\`.${
    missing.length ? ` Missing: ${missing.join(', ')}.` : ''
  }\n${chart}\n${sections.join('\n')}`,
);
console.log(
  `wrote ${path.join(dir, 'report.json')} and report.md (${Object.keys(results).length} benchmarks)`,
);
