/**
 * Placement benchmark and check over 1,000,000 random UUIDv7 user ids:
 * balance for N = 3, 10, 30, movement when a cell joins or leaves, 1:2 weights,
 * and the median lookup time at N = 30 (median of 101 batches of 10,000 lookups)
 * against a baseline of hashing the id alone, measured in the same run.
 *
 * Run: node --import tsx bench/router-ring.ts   (writes bench/results/router-ring.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { newId } from '../lib/ids.ts';
import { hashKey, RendezvousRing, type RingCell } from '../router/placement/ring.ts';

const USERS = 1_000_000;
const ids = Array.from({ length: USERS }, () => newId());
const cellsNamed = (n: number): RingCell[] =>
  Array.from({ length: n }, (_, i) => ({ id: `cell-${i + 1}` }));
const placeAll = (ring: RendezvousRing) => ids.map((id) => ring.lookup(id) ?? '');

function shareRange(placements: string[], n: number) {
  const counts = new Map<string, number>();
  for (const cell of placements) counts.set(cell, (counts.get(cell) ?? 0) + 1);
  const rel = [...counts.values()].map((count) => (count / USERS) * n);
  return { minRelative: Math.min(...rel), maxRelative: Math.max(...rel), cells: counts.size };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timePerOp(fn: (id: string) => unknown, batches = 101, batch = 10_000): number {
  const samples: number[] = [];
  let sink = 0;
  for (let b = 0; b < batches; b++) {
    const offset = (b * batch) % (USERS - batch);
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) if (fn(ids[offset + i] as string)) sink++;
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  if (sink < 0) console.log(sink);
  return median(samples);
}

const balance: Record<string, ReturnType<typeof shareRange>> = {};
const movement: Record<string, unknown> = {};
for (const n of [3, 10, 30]) {
  const before = placeAll(new RendezvousRing(cellsNamed(n)));
  balance[`n${n}`] = shareRange(before, n);
  const after = placeAll(new RendezvousRing(cellsNamed(n + 1)));
  let moved = 0;
  let movedElsewhere = 0;
  for (let i = 0; i < USERS; i++) {
    if (before[i] === after[i]) continue;
    moved++;
    if (after[i] !== `cell-${n + 1}`) movedElsewhere++;
  }
  const removed = placeAll(new RendezvousRing(cellsNamed(n).slice(1)));
  let wrongOnRemove = 0;
  for (let i = 0; i < USERS; i++)
    if (before[i] !== 'cell-1' && removed[i] !== before[i]) wrongOnRemove++;
  movement[`add_to_n${n}`] = {
    movedFraction: moved / USERS,
    bounds: [0.9 / (n + 1), 1.1 / (n + 1)],
    movedElsewhere,
    wrongMovesOnRemove: wrongOnRemove,
  };
}
const weighted = placeAll(
  new RendezvousRing([
    { id: 'small', weight: 1 },
    { id: 'big', weight: 2 },
  ]),
);
const big = weighted.filter((cell) => cell === 'big').length;

const ring30 = new RendezvousRing(cellsNamed(30));
const baselineNs = timePerOp((id) => hashKey(id)[0]);
const lookupNs = timePerOp((id) => ring30.lookup(id));

const result = {
  benchmark: 'router-ring',
  users: USERS,
  balance,
  movement,
  weights_1_2: { ratio: big / (USERS - big) },
  lookup: {
    cells: 30,
    medianNs: Math.round(lookupNs),
    targetNs: 2000,
    baselineHashOnlyNs: Math.round(baselineNs),
    ratioToBaseline: Number((lookupNs / baselineNs).toFixed(2)),
  },
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/router-ring.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
