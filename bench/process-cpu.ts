/**
 * CPU time per process from /proc (Linux): which parts of a platform used the
 * cores during a window of a benchmark. A snapshot maps pid → user+system
 * seconds; `cpuBetween` groups the difference by role (the process's command
 * line, shortened: `cell/api/server.ts`, `postgres`, `router/server.ts`…), with
 * the cell a cell process serves (`…@cell-4`, its `CELL_ID`) and the cluster a
 * Postgres process belongs to (`postgres@cell-4-postgres`, its data directory):
 * a move's cost at its target apart from its sources.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The role of the CPU time of children this process waited for (`cutime`, `cstime`). */
export const EXITED_CHILDREN = 'exited children (the migrator)';

export type CpuSnapshot = Map<number, { seconds: number; role: string }>;

function roleOf(cmdline: string): string {
  const argv = cmdline.split('\0').filter(Boolean);
  const script = argv.find((a) => /\.(ts|js|mjs)$/.test(a) && !a.includes('node_modules'));
  if (script) return script.replace(/^.*?(router|cell|shared-services|bench|test)\//, '$1/');
  const name = argv[0]?.split('/').at(-1) ?? '?';
  // `postgres: cell_user cell 127.0.0.1(…) idle` → `postgres`
  return name.startsWith('postgres') ? 'postgres' : name;
}

/** `@<cell>` for a cell process, `@<data directory>` for Postgres; empty if unknown or unreadable. */
function placeOf(pid: string, role: string, cmdline: string): string {
  try {
    if (role.startsWith('cell/')) {
      const cell = /(?:^|\0)CELL_ID=([^\0]*)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'));
      return cell ? `@${cell[1]}` : '';
    }
    if (role === 'postgres') {
      // A backend's command line is its title; the postmaster (itself or its parent) has `-D`.
      const dataDirOf = (argv: string) => argv.split('\0').find((_, i, all) => all[i - 1] === '-D');
      const parent = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      const dir =
        dataDirOf(cmdline) ??
        (parent ? dataDirOf(readFileSync(`/proc/${parent}/cmdline`, 'utf8')) : undefined);
      return dir ? `@${dir.split('/').filter(Boolean).at(-1)}` : '';
    }
  } catch {
    // Another user's process (its environment is not readable), or it ended meanwhile.
  }
  return '';
}

/** User+system CPU seconds of every process now; empty where /proc is missing. */
export function cpuSnapshot(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return snapshot;
  }
  try {
    // Children this process waited for (cutime, cstime): a migrator that already exited.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]);
    snapshot.set(-1, { seconds: ticks / TICKS_PER_SECOND, role: EXITED_CHILDREN });
  } catch {
    // Not Linux.
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime is 14th, stime 15th overall.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const base = roleOf(cmdline);
      const role = `${base}${placeOf(pid, base, cmdline)}`;
      snapshot.set(Number(pid), { seconds: ticks / TICKS_PER_SECOND, role });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return snapshot;
}

/** CPU seconds per role between two snapshots, largest first (processes born in between count from zero). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const byRole = new Map<string, number>();
  for (const [pid, { seconds, role }] of after) {
    const used = seconds - (before.get(pid)?.seconds ?? 0);
    if (used > 0) byRole.set(role, (byRole.get(role) ?? 0) + used);
  }
  return Object.fromEntries(
    [...byRole]
      .sort((a, b) => b[1] - a[1])
      .filter(([, seconds]) => seconds >= 0.05)
      .map(([role, seconds]) => [role, Math.round(seconds * 100) / 100]),
  );
}
