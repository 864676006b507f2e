/**
 * Router entry point: load config, build services once, migrate and sync the
 * control plane, listen, and on SIGTERM stop taking connections and drain
 * in-flight requests within SHUTDOWN_TIMEOUT_MS (10 s by default).
 */
import { loadConfig } from '../lib/config.ts';
import { createShutdown } from '../lib/shutdown.ts';
import { routerConfigSchema } from './config.ts';
import { listenRouter } from './listener.ts';
import { buildRouterServices } from './services.ts';

const config = loadConfig(routerConfigSchema);
const services = buildRouterServices(config);
const shutdown = createShutdown(services.logger, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
shutdown.add('services', () => services.close());
shutdown.installSignalHandlers();

try {
  await services.start();
  const server = await listenRouter(services, { port: config.PORT, host: config.HOST });
  shutdown.add('http', () => server.close());
  services.logger.info(
    { url: server.url, cells: services.directory.cells().map((cell) => cell.id) },
    'router listening',
  );
} catch (error) {
  services.logger.fatal({ err: error }, 'router failed to start');
  await shutdown.close();
  process.exit(1);
}
