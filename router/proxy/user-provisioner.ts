/**
 * Initialises a new user in its cell at signup:
 * `PUT /internal/v1/users/:userId {email, name}` with the router-signed identity.
 */
import { signIdentity } from '../../lib/router-signature.ts';
import { CellUnavailableError } from '../errors.ts';
import type { HealthMonitor } from '../health/health-monitor.ts';
import { isConnectionRefused } from '../health/health-monitor.ts';
import type { CellPools } from './cell-pools.ts';

export interface UserProvisionerOptions {
  routerSecret: string;
  /** @defaultValue 5000 */
  timeoutMs?: number;
}

export class UserProvisioner {
  constructor(
    private readonly pools: CellPools,
    private readonly health: HealthMonitor,
    private readonly options: UserProvisionerOptions,
  ) {}

  /** Resolves when the cell answered 2xx; throws {@link CellUnavailableError} otherwise. */
  async initialise(
    cellId: string,
    user: { id: string; email: string; name: string },
    requestId: string,
  ): Promise<void> {
    const pool = this.pools.get(cellId);
    if (!pool) throw new CellUnavailableError(cellId);
    const timeout = this.options.timeoutMs ?? 5_000;
    let status: number;
    try {
      const response = await pool.request({
        method: 'PUT',
        path: `/internal/v1/users/${encodeURIComponent(user.id)}`,
        headers: {
          'content-type': 'application/json',
          'x-request-id': requestId,
          'x-user-id': user.id,
          'x-cell-id': cellId,
          'x-router-signature': signIdentity(this.options.routerSecret, {
            userId: user.id,
            cellId,
          }),
        },
        body: JSON.stringify({ email: user.email, name: user.name }),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
      await response.body.dump();
      status = response.statusCode;
    } catch (error) {
      if (isConnectionRefused(error)) this.health.markRefused(cellId);
      throw new CellUnavailableError(cellId, 'The cell could not initialise the user', {
        cause: error,
      });
    }
    if (status < 200 || status > 299) {
      throw new CellUnavailableError(cellId, `The cell refused to initialise the user (${status})`);
    }
  }
}
