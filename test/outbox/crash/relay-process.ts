// A relay in its own process, for crash tests (run with node -r @swc-node/register).
//
//   DATABASE_URL, BROKER_URL       where to relay from and to
//   SURETY_CRASH_POINT=after-confirm
//       the first batch with confirmed rows prints "CONFIRMED <n>" and then hangs before
//       any row is marked sent, so the parent can kill -9 it at exactly that point.
import { createDatabase, resolveDatabaseUrl } from '@surety/database';
import { ConnectionManager, Publisher } from '@surety/messaging';
import { OutboxRelay } from '@surety/messaging/outbox';

async function main(): Promise<void> {
  const db = await createDatabase(resolveDatabaseUrl(process.env.DATABASE_URL), { poolSize: 6 });
  const connections = new ConnectionManager({
    urls: [process.env.BROKER_URL ?? ''],
    connectionName: `crash-relay-${process.pid}`,
    reconnect: { initialMs: 50, maxMs: 500 },
    startup: 'retry',
  });
  const publisher = new Publisher(connections, {
    confirmTimeoutMs: 5_000,
    connectionWaitMs: 5_000,
  });
  await connections.start();
  let hung = false;
  const relay = new OutboxRelay(db, publisher, {
    batchSize: Number(process.env.SURETY_RELAY_BATCH ?? 100),
    pollIntervalMs: 200,
    backoff: { initialMs: 100, factor: 2, maxMs: 1_000 },
    maxAttempts: 1_000,
    afterConfirm:
      process.env.SURETY_CRASH_POINT === 'after-confirm'
        ? async (_rows, results) => {
            const confirmed = results.filter((r) => r.status === 'confirmed').length;
            if (hung || confirmed === 0) return;
            hung = true;
            process.stdout.write(`CONFIRMED ${confirmed}\n`);
            await new Promise(() => undefined); // wait for kill -9
          }
        : undefined,
  });
  await relay.start();
  process.stdout.write('READY\n');
  process.once('SIGTERM', () => {
    void (async () => {
      await relay.stop();
      await publisher.close();
      await connections.close();
      await db.close();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`relay process failed: ${String(error)}\n`);
  process.exit(1);
});
