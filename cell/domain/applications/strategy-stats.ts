/**
 * The bandit's evidence: per strategy, submitted applications that got an
 * employer response (viewed, rejected, interview, offer) and those that did
 * not yet (withdrawn without a response excluded), for one user and for the
 * whole cell. The cell-wide counts are cached briefly: they are a prior.
 */
import type postgres from 'postgres';
import type { ArmCounts, Strategy, StrategyStats } from './strategy-bandit.ts';

type Counts = Partial<Record<Strategy, ArmCounts>>;

export class StrategyStatsReader {
  private cell: { at: number; counts: Promise<Counts> } | undefined;

  constructor(
    private readonly sql: postgres.Sql,
    /** How long the cell-wide counts are reused. @defaultValue 10_000 */
    private readonly cellCacheMs = 10_000,
  ) {}

  async statsFor(userId: string): Promise<StrategyStats> {
    const [user, cell] = await Promise.all([this.counts(userId), this.cellCounts()]);
    return { user, cell };
  }

  private cellCounts(): Promise<Counts> {
    const now = Date.now();
    if (!this.cell || now - this.cell.at > this.cellCacheMs) {
      const counts = this.counts(undefined);
      this.cell = { at: now, counts };
      counts.catch(() => {
        this.cell = undefined;
      });
    }
    return this.cell.counts;
  }

  private async counts(userId: string | undefined): Promise<Counts> {
    const rows = await this.sql<{ strategy: Strategy; successes: number; failures: number }[]>`
      select strategy,
             count(*) filter (where responded)::int as successes,
             count(*) filter (where not responded and outcome is distinct from 'withdrawn')::int
               as failures
      from applications
      where submitted_at is not null and strategy is not null
        ${userId ? this.sql`and user_id = ${userId}` : this.sql``}
      group by strategy`;
    return Object.fromEntries(
      rows.map((r) => [r.strategy, { successes: r.successes, failures: r.failures }]),
    );
  }
}
