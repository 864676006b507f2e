/** Structured JSON logging (pino). Every process creates one root logger at boot. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Service name written on every line, e.g. `router` or `cell-api`. */
  service: string;
  /** @defaultValue 'info' */
  level?: string;
  /** Extra fields bound to every line, e.g. `{ cellId }`. */
  bindings?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { service: options.service, pid: process.pid, ...options.bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'password', '*.password', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
