/**
 * Per-request stage timings: `performance.now()` spans added up by stage name
 * and written as a `Server-Timing` header, so a client (and the overhead
 * benchmark) sees where a request's time went. `provider` and `batch` are the
 * waits on providers and on the batching window; everything else is the
 * service's own time.
 */

/** Stage names, in the order a request meets them. */
export const STAGES = [
  'parse',
  'validate',
  'key',
  'lookup',
  'fingerprint',
  'near',
  'flight',
  'tokens',
  'reserve',
  'batch',
  'provider',
  'chain',
  'reconcile',
  'cache-write',
  'ledger',
  'respond',
] as const;
export type Stage = (typeof STAGES)[number];

export class StageTimer {
  private readonly started = performance.now();
  private readonly spent = new Map<Stage, number>();

  /** Adds `ms` to `stage`. */
  add(stage: Stage, ms: number): void {
    this.spent.set(stage, (this.spent.get(stage) ?? 0) + ms);
  }

  /** Adds the time since `since` (a `performance.now()` reading) to `stage`, returns now. */
  lap(stage: Stage, since: number): number {
    const now = performance.now();
    this.add(stage, now - since);
    return now;
  }

  get(stage: Stage): number {
    return this.spent.get(stage) ?? 0;
  }

  /** Milliseconds since the timer was created. */
  elapsed(): number {
    return performance.now() - this.started;
  }

  /** `Server-Timing` value: every stage that took time, then `total`. */
  header(): string {
    const parts: string[] = [];
    for (const stage of STAGES) {
      const ms = this.spent.get(stage);
      if (ms !== undefined) parts.push(`${stage};dur=${ms.toFixed(3)}`);
    }
    // provider and batch are always present: clients read them to separate waits from overhead.
    if (!this.spent.has('provider')) parts.push('provider;dur=0.000');
    if (!this.spent.has('batch')) parts.push('batch;dur=0.000');
    parts.push(`total;dur=${this.elapsed().toFixed(3)}`);
    return parts.join(', ');
  }
}
