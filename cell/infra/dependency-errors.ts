/**
 * Failures that mean the cell's own Postgres or Redis is unreachable or
 * restarting, not a bug: the API answers them with a retryable 503, and the
 * workflow waits them out without spending a step's attempts.
 */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  // too_many_connections
  '53300',
]);

export function isDependencyUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (CONNECTION_ERROR_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception) and 57P (shutdown, crash,
    // "the database system is starting up" while a restarted Postgres recovers).
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-4]$/.test(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Stream isn't writeable|Connection is closed|enableOfflineQueue|max retries per request|Command timed out|ECONNREFUSED|the database system is (starting up|shutting down|in recovery mode)/i.test(
    message,
  );
}
