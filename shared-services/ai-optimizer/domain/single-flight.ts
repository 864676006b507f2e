/**
 * Single-flight: concurrent calls with the same key share one execution. The
 * first caller leads; the others await its promise and are told they shared.
 */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  get size(): number {
    return this.inFlight.size;
  }

  run(key: string, execute: () => Promise<T>): { shared: boolean; promise: Promise<T> } {
    const existing = this.inFlight.get(key);
    if (existing) return { shared: true, promise: existing };
    const promise = execute().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return { shared: false, promise };
  }
}
