/** PDF service entry point: load config, build services once, listen, drain on SIGTERM. */
import { loadConfig } from '../../lib/config.ts';
import { listen } from '../../lib/http-server.ts';
import { createLogger } from '../../lib/logger.ts';
import { createShutdown } from '../../lib/shutdown.ts';
import { createApp } from './app.ts';
import { pdfConfigSchema } from './config.ts';
import { createPdfServices } from './services.ts';

const config = loadConfig(pdfConfigSchema);
const logger = createLogger({ service: 'pdf', level: config.logLevel });
const services = createPdfServices(config, logger);
const shutdown = createShutdown(logger);
shutdown.add('render pool', () => services.close());
const server = await listen(createApp(services), { port: config.port, host: config.host });
shutdown.add('http server', () => server.close());
shutdown.installSignalHandlers();
logger.info(
  { url: server.url, threads: config.threads, maxQueue: config.maxQueue },
  'pdf service listening',
);
