// The outbox relay in its own process: createDatabase on the test's PostgreSQL
// database, the messaging core's Publisher on its own connection, OutboxRelay.
//
// Reports: READY; CONFIRMED <id,id,…> after every batch the broker confirmed (before the
// relay marks anything); UNCONFIRMED <status> <id> for each message the broker did not
// confirm; with SURETY_CRASH_POINT=after-confirm, CRASH-POINT after-confirm and then it
// hangs — confirmed by the broker, rows not yet marked sent — until killed -9.
//
// The crash point wraps the relay's BatchPublisher (the relay's own `afterConfirm` option
// marks the same point; wrapping keeps this child independent of that test seam).
import 'reflect-metadata';
import { createDatabase, resolveDatabaseUrl } from '@surety/database';
import { ConnectionManager, Publisher, type OutgoingMessage } from '@surety/messaging';
import { OutboxRelay, type BatchPublisher } from '@surety/messaging/outbox';
import { CrashEnv, required, type CrashPoint } from '../crash-env';
import { hangForever, onSigterm, runChild, say } from './child-runtime';

async function main(): Promise<void> {
  const crashPoint = process.env[CrashEnv.crashPoint] as CrashPoint | undefined;
  const db = await createDatabase(resolveDatabaseUrl(required(CrashEnv.databaseUrl)), {
    poolSize: 4,
  });
  const connections = new ConnectionManager({
    urls: [required(CrashEnv.brokerUrl)],
    connectionName: 'surety-crash-relay',
    reconnect: { initialMs: 50, maxMs: 500 },
    // The broker may be down while this relay starts (broker restart test).
    startup: 'retry',
  });
  const publisher = new Publisher(connections, {
    confirmTimeoutMs: 3_000,
    connectionWaitMs: 3_000,
  });

  const reporting: BatchPublisher = {
    async publishBatch(messages: readonly OutgoingMessage[]) {
      const results = await publisher.publishBatch(messages);
      const confirmed = results.filter((r) => r.status === 'confirmed').map((r) => r.messageId);
      for (const result of results) {
        if (result.status !== 'confirmed') say(`UNCONFIRMED ${result.status} ${result.messageId}`);
      }
      if (confirmed.length > 0) say(`CONFIRMED ${confirmed.join(',')}`);
      if (crashPoint === 'after-confirm' && confirmed.length > 0) {
        say('CRASH-POINT after-confirm');
        await hangForever();
      }
      return results;
    },
  };

  const relay = new OutboxRelay(db, reporting, {
    batchSize: Number(process.env[CrashEnv.batchSize] ?? 100),
    pollIntervalMs: 200,
    // Crashes and broker restarts make publishes fail for a while: retry soon, never give up.
    backoff: { initialMs: 100, factor: 2, maxMs: 1_000 },
    maxAttempts: 10_000,
    retentionMs: false,
  });
  await connections.start();
  await relay.start();
  onSigterm(async () => {
    await relay.stop();
    await publisher.close();
    await connections.close();
    await db.close();
  });
  say('READY');
}

runChild('relay', main);
