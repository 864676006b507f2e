/** The typed Hono environment of the cell API. */
import type { RequestContextVariables } from '../../lib/request-id.ts';
import type { CellServices } from '../services.ts';

export interface CellApiOptions {
  routerSecret: string;
  signatureMaxAgeMs: number;
  bodyLimitBytes: number;
  /** Body limit of `PUT /internal/v1/users/:userId/data` (a whole user). @defaultValue 268_435_456 */
  userDataBodyLimitBytes?: number;
  /** Requests per user per minute. @defaultValue 120 */
  rateLimitPerMinute?: number;
  /** Deadline of a `/v1` request. @defaultValue 5_000 */
  requestTimeoutMs?: number;
  /** Deadline of `GET /v1/export`. @defaultValue 25_000 */
  exportTimeoutMs?: number;
}

export interface CellEnv {
  Variables: RequestContextVariables & {
    services: CellServices;
    /** Set by the router-identity middleware on `/v1` and `/internal` routes. */
    userId: string;
  };
}
