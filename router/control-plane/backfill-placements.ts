/**
 * Gives every account without a placement row the placement it was routed
 * by until now: the ring over every registered cell (before recorded
 * placements the router kept every registered cell on the ring whatever its
 * state, so that ring is where their data is). Runs right after the SQL
 * migrations, in batches; safe to repeat and to run beside signups (a row
 * that exists is never touched).
 */
import postgres from 'postgres';
import { RendezvousRing } from '../placement/ring.ts';

export async function backfillPlacements(databaseUrl: string, batchSize = 5_000): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const cells = await sql<{ id: string; weight: number }[]>`select id, weight from cells`;
    if (cells.length === 0) return 0;
    const ring = new RendezvousRing(cells);
    let inserted = 0;
    for (;;) {
      const ids = await sql<{ id: string }[]>`
        select a.id::text as id from accounts a
        where not exists (select 1 from placements p where p.user_id = a.id)
        limit ${batchSize}`;
      if (ids.length === 0) return inserted;
      const rows = ids.map(({ id }) => ({
        user_id: id,
        cell_id: ring.lookup(id) ?? '',
        reason: 'ring',
      }));
      const result = await sql`
        insert into placements ${sql(rows)} on conflict (user_id) do nothing`;
      inserted += result.count;
    }
  } finally {
    await sql.end();
  }
}
