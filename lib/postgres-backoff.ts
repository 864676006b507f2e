/**
 * Reconnect backoff for postgres.js pools. The driver's default grows as 3^n
 * up to 20 s and is shared by the whole pool, so after a few seconds of outage
 * a pool would wait many seconds after Postgres is back. Failover needs a
 * recovered database to be used within a second: retry quickly, capped at 0.5 s
 * (a refused connection costs nothing).
 */
export function reconnectBackoff(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 0.5);
}
