import path from 'node:path';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';
import { createDatabase, resolveDatabaseConfig, type DatabaseHandle } from '@surety/database';

/**
 * The all-in-one runner behind `npm start`: the embedded default with no servers.
 * It starts the embedded AMQP broker (unless RABBITMQ_URL points elsewhere) and
 * opens the database named by DATABASE_URL (default: PGlite under .data/), applying
 * pending migrations. The example services join here as they are built.
 */
async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.SURETY_DATA_DIR ?? '.data');
  let broker: RunningBroker | undefined;
  let brokerUrl = process.env.RABBITMQ_URL?.trim();
  if (!brokerUrl) {
    broker = await EmbeddedBroker.start({
      port: parsePort(process.env.SURETY_BROKER_PORT),
      dataDir: path.join(dataDir, 'broker'),
      logger: console,
    });
    brokerUrl = broker.url;
  }

  let database: DatabaseHandle | undefined;
  try {
    database = await createDatabase(resolveDatabaseConfig());
    const migrations = await database.migrate();
    console.log(
      `surety: database ${database.url} ready (${migrations.applied.length} migration(s) applied now)`,
    );
  } catch (error) {
    await broker?.stop();
    throw error;
  }

  console.log(`surety: broker ${broker ? 'embedded, ' : ''}listening on ${brokerUrl}`);
  console.log('surety: running; Ctrl-C to stop');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`surety: ${signal} received, stopping`);
    await database?.close();
    await broker?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SURETY_BROKER_PORT must be a TCP port (0-65535), got "${value}"`);
  }
  return port;
}

main().catch((error: unknown) => {
  console.error(
    `surety: failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
