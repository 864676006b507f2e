/**
 * Starts a real router (services + app + listener) against a test database
 * and fake cells, for integration tests and benchmarks.
 */
import { pino } from 'pino';
import type { RunningServer } from '../../lib/http-server.ts';
import { parseRouterConfig } from '../config.ts';
import { listenRouter } from '../listener.ts';
import type { CellDataClient } from '../migration/cell-data-client.ts';
import { buildRouterServices, type RouterServices } from '../services.ts';

export const TEST_SECRETS = {
  ROUTER_SECRET: 'router-secret-router-secret-router-secret',
  JWT_SECRET: 'jwt-secret-jwt-secret-jwt-secret-jwt-secret',
  ADMIN_TOKEN: 'admin-token-admin-token-admin-token-admin',
} as const;

export interface RunningRouter {
  services: RouterServices;
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

export async function startRouter(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { cellData?: CellDataClient } = {},
): Promise<RunningRouter> {
  const config = parseRouterConfig({
    ...TEST_SECRETS,
    CONTROL_PLANE_DATABASE_URL: databaseUrl,
    PORT: '0',
    PASSWORD_SCRYPT_LOG_N: '10',
    HEALTH_CHECK_INTERVAL_MS: '100',
    HEALTH_CHECK_TIMEOUT_MS: '500',
    CONTROL_PLANE_POLL_MS: '60000',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const services = buildRouterServices(config, {
    logger: pino({ level: config.LOG_LEVEL }),
    cellData: options.cellData,
  });
  await services.start({ migrate: false });
  const server = await listenRouter(services, { port: 0 });
  return {
    services,
    server,
    url: server.url,
    async close() {
      await server.close();
      await services.close();
    },
  };
}
