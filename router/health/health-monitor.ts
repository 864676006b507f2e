/**
 * Active health checks of every cell's `GET /health/ready`.
 *
 * A cell goes down after `failuresToDown` failed checks in a row, or at once
 * when its port refuses connections (the process is gone: waiting for a second
 * proof only lengthens the outage users see as timeouts). It comes back after
 * `successesToUp` good checks in a row. The proxy also reports refused
 * connections, so a dead cell is seen between two checks.
 *
 * Passive health (as Envoy's outlier detection): the proxy reports every
 * answer it relays. `answerFailuresToDown` answers in a row in which the cell
 * said one of its dependencies is down (its breaker's `503` with
 * `x-cell-dependency-down`) mark it down at once, without waiting for a check;
 * it then stays down for at least `ejectMs` before checks may bring it back.
 *
 * A check that times out is ambiguous: the cell may be gone, or only slow
 * because the machine is overloaded. While the proxy keeps relaying the
 * cell's good answers (within the last `intervalMs + timeoutMs`), a timed-out
 * check is recorded but does not count toward down: marking a cell that is
 * serving its users down would turn overload into an outage for all of them.
 * A refused connection, an error answer or a timeout with no recent good
 * answer counts as before.
 */
import type { Dispatcher } from 'undici';
import type { Logger } from '../../lib/logger.ts';
import type { CellRecord } from '../control-plane/control-plane-store.ts';

export interface CellHealth {
  up: boolean;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** Latency of the last check that got an answer, in ms. */
  latencyMs: number | undefined;
  lastCheckedAt: string | undefined;
  lastError: string | undefined;
}

export interface HealthMonitorOptions {
  /** @defaultValue 1000 */
  intervalMs?: number;
  /** @defaultValue 800 */
  timeoutMs?: number;
  /** @defaultValue 2 */
  failuresToDown?: number;
  /** @defaultValue 2 */
  successesToUp?: number;
  /** @defaultValue 3 */
  answerFailuresToDown?: number;
  /** @defaultValue 1000 */
  ejectMs?: number;
  /** Called whenever a cell changes between up and down. */
  onChange?: (cellId: string, up: boolean) => void;
}

export function isConnectionRefused(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if ((current as { code?: string }).code === 'ECONNREFUSED') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export class HealthMonitor {
  readonly #health = new Map<string, CellHealth>();
  /**
   * Passive health per cell: relayed dependency-down answers in a row, the end of an ejection,
   * and when the cell last answered a relayed request well.
   */
  readonly #answers = new Map<
    string,
    { failures: number; ejectedUntil: number; lastGoodAt: number }
  >();
  #cells: CellRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    private readonly dispatcherFor: (cellId: string) => Dispatcher | undefined,
    private readonly logger: Logger,
    private readonly options: HealthMonitorOptions = {},
  ) {}

  /** Tracks the registry's cells; new cells start up until proven otherwise. */
  sync(cells: readonly CellRecord[]): void {
    this.#cells = [...cells];
    const ids = new Set(cells.map((cell) => cell.id));
    for (const id of this.#health.keys()) {
      if (!ids.has(id)) {
        this.#health.delete(id);
        this.#answers.delete(id);
      }
    }
    for (const cell of cells) {
      if (!this.#health.has(cell.id)) {
        this.#health.set(cell.id, {
          up: true,
          consecutiveFailures: 0,
          consecutiveSuccesses: 0,
          latencyMs: undefined,
          lastCheckedAt: undefined,
          lastError: undefined,
        });
        this.options.onChange?.(cell.id, true);
      }
    }
  }

  start(): void {
    this.#timer = setInterval(() => void this.checkAll(), this.options.intervalMs ?? 1_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  knownCells(): string[] {
    return [...this.#health.keys()];
  }

  isUp(cellId: string): boolean {
    return this.#health.get(cellId)?.up ?? false;
  }

  health(cellId: string): CellHealth | undefined {
    const health = this.#health.get(cellId);
    return health && { ...health };
  }

  /** One round of checks over every cell; overlapping rounds are skipped. */
  async checkAll(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await Promise.all(this.#cells.map((cell) => this.check(cell.id)));
    } finally {
      this.#running = false;
    }
  }

  async check(cellId: string): Promise<void> {
    const dispatcher = this.dispatcherFor(cellId);
    if (!dispatcher) return;
    const timeout = this.options.timeoutMs ?? 800;
    const start = performance.now();
    try {
      const response = await dispatcher.request({
        method: 'GET',
        path: '/health/ready',
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
      await response.body.dump();
      const latencyMs = performance.now() - start;
      if (response.statusCode === 200) this.recordSuccess(cellId, latencyMs);
      else this.recordFailure(cellId, `readiness answered ${response.statusCode}`, latencyMs);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isConnectionRefused(error)) this.markRefused(cellId);
      else if (this.#answeredLately(cellId)) this.recordSlow(cellId, reason);
      else this.recordFailure(cellId, reason);
    }
  }

  /** Whether the proxy relayed a good answer of the cell within the last interval and timeout. */
  #answeredLately(cellId: string): boolean {
    const lastGoodAt = this.#answers.get(cellId)?.lastGoodAt ?? 0;
    const window = (this.options.intervalMs ?? 1_000) + (this.options.timeoutMs ?? 800);
    return Date.now() - lastGoodAt <= window;
  }

  /**
   * An answer the proxy relayed from the cell: `dependencyDown` when the cell said one of its
   * data stores is down. On the hot path: a map lookup and a compare.
   */
  reportAnswer(cellId: string, dependencyDown: boolean): void {
    let answers = this.#answers.get(cellId);
    if (!answers) {
      answers = { failures: 0, ejectedUntil: 0, lastGoodAt: 0 };
      this.#answers.set(cellId, answers);
    }
    if (!dependencyDown) {
      answers.failures = 0;
      answers.lastGoodAt = Date.now();
      return;
    }
    answers.failures++;
    const health = this.#health.get(cellId);
    if (!health?.up || answers.failures < (this.options.answerFailuresToDown ?? 3)) return;
    answers.failures = 0;
    answers.ejectedUntil = Date.now() + (this.options.ejectMs ?? 1_000);
    health.consecutiveSuccesses = 0;
    health.lastError = `${this.options.answerFailuresToDown ?? 3} answers in a row reported a dependency down`;
    this.#set(cellId, health, false);
  }

  /** A connection to the cell was refused: down at once. */
  markRefused(cellId: string): void {
    const health = this.#health.get(cellId);
    if (!health) return;
    health.consecutiveSuccesses = 0;
    health.consecutiveFailures = Math.max(health.consecutiveFailures + 1, this.failuresToDown);
    health.lastError = 'connection refused';
    health.lastCheckedAt = new Date().toISOString();
    this.#set(cellId, health, false);
  }

  private get failuresToDown(): number {
    return this.options.failuresToDown ?? 2;
  }

  private recordSuccess(cellId: string, latencyMs: number): void {
    const health = this.#health.get(cellId);
    if (!health) return;
    health.consecutiveFailures = 0;
    health.consecutiveSuccesses++;
    health.latencyMs = Math.round(latencyMs * 100) / 100;
    health.lastCheckedAt = new Date().toISOString();
    health.lastError = undefined;
    if (
      !health.up &&
      health.consecutiveSuccesses >= (this.options.successesToUp ?? 2) &&
      Date.now() >= (this.#answers.get(cellId)?.ejectedUntil ?? 0)
    ) {
      this.#set(cellId, health, true);
    }
  }

  /** A check timed out while the cell kept answering requests: noted, not counted. */
  private recordSlow(cellId: string, reason: string): void {
    const health = this.#health.get(cellId);
    if (!health) return;
    health.lastCheckedAt = new Date().toISOString();
    health.lastError = `${reason} (not counted: the cell still answers requests)`;
  }

  private recordFailure(cellId: string, reason: string, latencyMs?: number): void {
    const health = this.#health.get(cellId);
    if (!health) return;
    health.consecutiveSuccesses = 0;
    health.consecutiveFailures++;
    if (latencyMs !== undefined) health.latencyMs = Math.round(latencyMs * 100) / 100;
    health.lastCheckedAt = new Date().toISOString();
    health.lastError = reason;
    if (health.up && health.consecutiveFailures >= this.failuresToDown) {
      this.#set(cellId, health, false);
    }
  }

  #set(cellId: string, health: CellHealth, up: boolean): void {
    if (health.up === up) return;
    health.up = up;
    this.logger.warn({ cellId, up, reason: health.lastError }, up ? 'cell up' : 'cell down');
    this.options.onChange?.(cellId, up);
  }
}
