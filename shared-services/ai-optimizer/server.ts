/** AI optimizer process: load config, build services once, listen, drain on SIGTERM. */
import { loadConfig } from '../../lib/config.ts';
import { listen } from '../../lib/http-server.ts';
import { createShutdown } from '../../lib/shutdown.ts';
import { createApp } from './app.ts';
import { aiOptimizerConfigSchema } from './config.ts';
import { buildServices } from './services.ts';

const config = loadConfig(aiOptimizerConfigSchema);
let services: ReturnType<typeof buildServices>;
try {
  services = buildServices(config);
} catch (error) {
  process.stderr.write(`invalid configuration: ${(error as Error).message}\n`);
  process.exit(78);
}
const shutdown = createShutdown(services.logger);
shutdown.add('redis', () => services.close());
const server = await listen(createApp(services), { port: config.PORT, host: config.HOST });
shutdown.add('http', () => server.close());
shutdown.installSignalHandlers();
services.logger.info(
  {
    url: server.url,
    models: services.catalog.map((e) => `${e.provider}/${e.model}`),
    chain: config.AI_FALLBACK_CHAIN,
  },
  'ai-optimizer listening',
);
