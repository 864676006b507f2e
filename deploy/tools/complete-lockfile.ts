/**
 * Completes package-lock.json with the platform-specific optional packages
 * (other OSes' and CPUs' prebuilt binaries) that `npm install` leaves out when
 * the registry it talks to does not serve them. Without those entries `npm ci`
 * refuses the lockfile as out of sync. Entries get version, os, cpu and libc
 * only, so npm skips them on non-matching machines and resolves them normally
 * where they match. Run after `npm install`: `make lockfile`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

interface LockPackage {
  version?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
}

const file = 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, LockPackage> };

let report = '';
try {
  execFileSync('npm', ['ci', '--dry-run', '--no-audit', '--no-fund', '--ignore-scripts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
} catch (error) {
  report = String((error as { stderr?: Buffer }).stderr ?? '');
}
const missing = [...report.matchAll(/Missing: (@?[^@\s]+)@/g)].map((m) => m[1] as string);
if (missing.length === 0) {
  console.log('package-lock.json is complete');
  process.exit(0);
}

for (const name of missing) {
  const spec = Object.values(lock.packages).find((p) => p.optionalDependencies?.[name])
    ?.optionalDependencies?.[name];
  if (!spec) throw new Error(`no package lists ${name} as an optional dependency`);
  const leaf = name.split('/').pop() ?? name;
  const os = /(darwin|linux|win32|android|freebsd|openbsd|sunos|aix|netbsd)/.exec(leaf)?.[1];
  const cpu = /(arm64|x64|arm|ia32|ppc64|s390x|riscv64|loong64|mips64el)/.exec(leaf)?.[1];
  const entry: LockPackage = { version: spec.replace(/^[\^~]/, ''), optional: true };
  if (cpu) entry.cpu = [cpu];
  if (os) entry.os = [os];
  if (leaf.includes('musl')) entry.libc = ['musl'];
  lock.packages[`node_modules/${name}`] = entry;
  console.log(`added ${name}@${entry.version} (${[os, cpu].filter(Boolean).join('/')})`);
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
  ),
);
writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
