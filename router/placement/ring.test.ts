import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.ts';
import { hashKey, murmur3, RendezvousRing, type RingCell } from './ring.ts';

// 300k UUIDv7 ids keep the suite quick on two cores; bench/router-ring.ts checks the same bars over 1M.
const SAMPLE = 300_000;
const ids = Array.from({ length: SAMPLE }, () => newId());

function cellsNamed(count: number, from = 1): RingCell[] {
  return Array.from({ length: count }, (_, i) => ({ id: `cell-${i + from}` }));
}

function placeAll(ring: RendezvousRing): string[] {
  return ids.map((id) => ring.lookup(id) ?? '');
}

function shares(placements: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const cell of placements) counts.set(cell, (counts.get(cell) ?? 0) + 1);
  return new Map([...counts].map(([cell, count]) => [cell, count / placements.length]));
}

describe('hashKey', () => {
  it('is pinned, so a change of hash (which would move every user) fails loudly', () => {
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('cell-1', 1)).toBe(1645769657);
    expect(hashKey('0190a1b2-0000-7000-8000-000000000000')).toEqual([2120915698, 1793052507]);
    const ring = new RendezvousRing(cellsNamed(3));
    expect(ring.lookup('0190a1b2-0000-7000-8000-000000000000')).toBe('cell-3');
  });
});

describe('RendezvousRing balance', () => {
  for (const n of [3, 10, 30]) {
    it(`gives each of ${n} equal cells a share within ±5% of 1/${n}`, () => {
      const ring = new RendezvousRing(cellsNamed(n));
      const result = shares(placeAll(ring));
      expect(result.size).toBe(n);
      for (const share of result.values()) {
        expect(share).toBeGreaterThanOrEqual((1 / n) * 0.95);
        expect(share).toBeLessThanOrEqual((1 / n) * 1.05);
      }
    });
  }

  it('gives cells weighted 1:2 shares 1:2 within ±5%', () => {
    const ring = new RendezvousRing([
      { id: 'small', weight: 1 },
      { id: 'big', weight: 2 },
    ]);
    const result = shares(placeAll(ring));
    const ratio = (result.get('big') ?? 0) / (result.get('small') ?? 1);
    expect(ratio).toBeGreaterThanOrEqual(2 * 0.95);
    expect(ratio).toBeLessThanOrEqual(2 * 1.05);
  });
});

describe('RendezvousRing movement', () => {
  for (const n of [3, 10, 30]) {
    it(`moves about 1/${n + 1} of users when a cell joins ${n}, all of them to the new cell`, () => {
      const before = placeAll(new RendezvousRing(cellsNamed(n)));
      const after = placeAll(new RendezvousRing(cellsNamed(n + 1)));
      let moved = 0;
      let movedElsewhere = 0;
      for (let i = 0; i < SAMPLE; i++) {
        if (before[i] === after[i]) continue;
        moved++;
        if (after[i] !== `cell-${n + 1}`) movedElsewhere++;
      }
      expect(movedElsewhere).toBe(0);
      expect(moved / SAMPLE).toBeGreaterThanOrEqual(0.9 / (n + 1));
      expect(moved / SAMPLE).toBeLessThanOrEqual(1.1 / (n + 1));
      // CPU-bound (the sample placed twice over 31 cells): ~5 s alone, 30+ s on a loaded machine.
    }, 180_000);
  }

  it('moves only the users of a removed cell', () => {
    const before = placeAll(new RendezvousRing(cellsNamed(10)));
    const after = placeAll(new RendezvousRing(cellsNamed(10).filter((c) => c.id !== 'cell-4')));
    let wrongMoves = 0;
    let orphans = 0;
    for (let i = 0; i < SAMPLE; i++) {
      if (before[i] !== 'cell-4' && after[i] !== before[i]) wrongMoves++;
      if (after[i] === 'cell-4') orphans++;
    }
    expect(wrongMoves).toBe(0);
    expect(orphans).toBe(0);
  });
});

describe('RendezvousRing properties', () => {
  const cellSet = fc.uniqueArray(
    fc.record({
      id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
      weight: fc.integer({ min: 1, max: 8 }),
    }),
    { minLength: 2, maxLength: 12, selector: (cell) => cell.id },
  );

  it('places a user by id, cells and weights only, whatever the order cells are given in', () => {
    fc.assert(
      fc.property(cellSet, fc.uuid({ version: 7 }), (cells, userId) => {
        const a = new RendezvousRing(cells);
        const b = new RendezvousRing([...cells].reverse());
        expect(a.lookup(userId)).toBe(b.lookup(userId));
      }),
    );
  });

  it('never moves a user between two cells that both stay when a third is removed', () => {
    fc.assert(
      fc.property(
        cellSet,
        fc.nat(),
        fc.array(fc.uuid({ version: 7 }), { minLength: 50, maxLength: 200 }),
        (cells, pick, users) => {
          const removed = cells[pick % cells.length]?.id;
          const full = new RendezvousRing(cells);
          const reduced = new RendezvousRing(cells.filter((c) => c.id !== removed));
          for (const user of users) {
            const before = full.lookup(user);
            if (before !== removed) expect(reduced.lookup(user)).toBe(before);
          }
        },
      ),
    );
  });

  it('ranks every cell with the owner first, and the order without a cell is the order with it minus that cell', () => {
    fc.assert(
      fc.property(cellSet, fc.nat(), fc.uuid({ version: 7 }), (cells, pick, userId) => {
        const ring = new RendezvousRing(cells);
        const order = ring.rank(userId);
        expect(order[0]).toBe(ring.lookup(userId));
        expect([...order].sort()).toEqual(cells.map((c) => c.id).sort());
        const removed = cells[pick % cells.length]?.id;
        const reduced = new RendezvousRing(cells.filter((c) => c.id !== removed));
        expect(reduced.rank(userId)).toEqual(order.filter((id) => id !== removed));
      }),
    );
  });

  it('rejects duplicate ids and non-positive weights', () => {
    expect(() => new RendezvousRing([{ id: 'a' }, { id: 'a' }])).toThrow(/duplicate/);
    expect(() => new RendezvousRing([{ id: 'a', weight: 0 }])).toThrow(/weight/);
    expect(new RendezvousRing([]).lookup('x')).toBeUndefined();
  });
});
