/**
 * A circuit breaker per provider: open after N consecutive failures, half-open
 * after a cooldown with exactly one probe in flight; the probe's outcome closes
 * or re-opens it. The clock is injectable so tests need not wait a minute.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** @defaultValue 5 */
  failureThreshold?: number;
  /** @defaultValue 60_000 */
  cooldownMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
  onStateChange?: (state: BreakerState) => void;
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get current(): BreakerState {
    return this.state;
  }

  /** Whether a call may go out now; in half-open, true for the one probe only. */
  tryAcquire(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.now() - this.openedAt < this.cooldownMs) return false;
      this.transition('half-open');
    }
    if (this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    if (this.state !== 'closed') this.transition('closed');
  }

  onFailure(): void {
    this.failures++;
    const wasProbe = this.probeInFlight;
    this.probeInFlight = false;
    if (
      this.state === 'half-open' ||
      (this.state === 'closed' && this.failures >= this.threshold)
    ) {
      this.openedAt = this.now();
      this.transition('open');
    } else if (wasProbe && this.state === 'open') {
      this.openedAt = this.now();
    }
  }

  private transition(state: BreakerState): void {
    this.state = state;
    this.options.onStateChange?.(state);
  }
}
