import { parseArgs } from 'node:util';
import { EmbeddedBroker } from './embedded-broker';
import type { BrokerLogger } from './server/broker';

/**
 * npm run broker -- --port <p> --data-dir <dir> [--host h[,h2]] [--config file] [--management-port p]
 *
 * Prints exactly one line on stdout once listening ("surety broker listening on
 * amqp://…"); logs go to stderr. SIGTERM / SIGINT stop it cleanly (exit 0).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5672' },
      'data-dir': { type: 'string', default: '.data/broker' },
      host: { type: 'string' },
      config: { type: 'string' },
      'management-port': { type: 'string' },
    },
    strict: true,
  });
  const port = parsePort(values.port!, '--port');
  const managementPort =
    values['management-port'] === undefined
      ? undefined
      : parsePort(values['management-port'], '--management-port');
  const logger: BrokerLogger = {
    info: (m) => process.stderr.write(`[broker] ${m}\n`),
    warn: (m) => process.stderr.write(`[broker] warning: ${m}\n`),
    error: (m) => process.stderr.write(`[broker] error: ${m}\n`),
  };
  const running = await EmbeddedBroker.start({
    port,
    dataDir: values['data-dir']!,
    host: values.host?.split(',').map((h) => h.trim()),
    configFile: values.config,
    managementPort,
    logger,
  });
  process.stdout.write(`surety broker listening on ${running.url}\n`);
  if (running.managementUrl !== undefined)
    logger.info(`management API on ${running.managementUrl}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, stopping`);
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function parsePort(text: string, flag: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${flag} must be a port number 0..65535, got '${text}'`);
  }
  return port;
}

main().catch((error: unknown) => {
  process.stderr.write(`surety broker failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
