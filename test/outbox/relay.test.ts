import { Outbox, OutboxRelay, type FailedOutboxEvent } from '@surety/messaging/outbox';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { databaseTargets, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { describeWithServices } from '../support/services';
import {
  Collector,
  declareTopology,
  startPublisher,
  type StartedPublisher,
  type TestTopology,
} from './support/messaging-env';

// Real services and PGlite start-up (seconds on a busy machine) in hooks too.
jest.setTimeout(60_000);

interface StatusRow {
  status: string;
  attempts: number;
  last_error: string | null;
}

for (const brokerTarget of brokerTargets()) {
  for (const dbTarget of databaseTargets()) {
    describeWithServices(
      [...brokerTarget.needs, ...dbTarget.needs],
      `OutboxRelay [${brokerTarget.name} + ${dbTarget.name}]`,
      () => {
        let broker: BrokerUnderTest;
        let db: TestDatabase;
        let topology: TestTopology;
        let started: StartedPublisher;
        let collector: Collector;
        let relay: OutboxRelay | undefined;
        const outbox = new Outbox();

        beforeAll(async () => {
          broker = await brokerTarget.start();
        });
        afterAll(() => broker.stop());

        beforeEach(async () => {
          db = await dbTarget.fresh();
          await db.sql.exec(
            'CREATE TABLE compensation_log (message_id uuid PRIMARY KEY, reason text NOT NULL)',
          );
          topology = await declareTopology(broker.url);
          started = await startPublisher(broker.url);
          collector = await Collector.start(broker.url, topology.queue);
        });
        afterEach(async () => {
          await relay?.stop();
          relay = undefined;
          await collector.close();
          await started.close();
          await topology.dispose();
          await db.drop();
        });

        const statuses = async () =>
          (
            await db.sql.query<StatusRow>(
              'SELECT status, attempts, last_error FROM surety_outbox ORDER BY id',
            )
          ).rows;

        it('publishes committed events with their properties and marks them sent', async () => {
          relay = new OutboxRelay(db, started.publisher, { pollIntervalMs: 60_000 });
          await relay.start();
          const records = await db.prisma.$transaction((tx) =>
            outbox.addMany(tx, [
              { type: 'policy.issued', exchange: topology.exchange, key: 'P1', payload: { n: 1 } },
              {
                type: 'policy.noted',
                exchange: topology.exchange,
                routingKey: 'policy.x',
                payload: ['a'],
                correlationId: 'corr-7',
                headers: { tenant: 't1' },
              },
            ]),
          );
          // The poll interval is a minute: arriving now proves the NOTIFY woke the relay.
          await eventually(() => expect(collector.messages).toHaveLength(2));
          const [first, second] = collector.messages;
          expect(first.properties).toMatchObject({
            messageId: records[0].messageId,
            type: 'policy.issued',
            contentType: 'application/json',
            deliveryMode: 2,
          });
          expect(first.properties.headers).toMatchObject({
            'x-surety-key': 'P1',
            'x-surety-seq': 1,
          });
          expect(JSON.parse(first.content.toString())).toEqual({ n: 1 });
          expect(second.fields.routingKey).toBe('policy.x');
          expect(second.properties.correlationId).toBe('corr-7');
          expect(second.properties.headers).toMatchObject({ tenant: 't1' });
          expect(second.properties.headers).not.toHaveProperty('x-surety-correlation-id');
          await eventually(async () =>
            expect((await statuses()).map((r) => r.status)).toEqual(['sent', 'sent']),
          );
        });

        it('publishes nothing for a rolled-back transaction', async () => {
          relay = new OutboxRelay(db, started.publisher, { pollIntervalMs: 50 });
          await relay.start();
          await expect(
            db.prisma.$transaction(async (tx) => {
              await outbox.add(tx, { type: 'ghost', exchange: topology.exchange, payload: 1 });
              throw new Error('business rule violated');
            }),
          ).rejects.toThrow('business rule violated');
          await db.prisma.$transaction((tx) =>
            outbox.add(tx, { type: 'real', exchange: topology.exchange, payload: 2 }),
          );
          await eventually(() => expect(collector.messages).toHaveLength(1));
          expect(collector.messages[0].properties.type).toBe('real');
          expect(await statuses()).toHaveLength(1);
        });

        it('keeps the order of each key across many keys and batches', async () => {
          relay = new OutboxRelay(db, started.publisher, { batchSize: 7, pollIntervalMs: 50 });
          const keys = ['A', 'B', 'C', 'D'];
          for (let round = 0; round < 10; round++) {
            await db.prisma.$transaction((tx) =>
              outbox.addMany(
                tx,
                keys.map((key) => ({
                  type: 'step',
                  exchange: topology.exchange,
                  key,
                  payload: { key, round },
                })),
              ),
            );
          }
          await relay.start();
          await eventually(() => expect(collector.messages).toHaveLength(40));
          for (const key of keys) {
            const rounds = collector
              .payloads<{ key: string; round: number }>()
              .filter((p) => p.key === key)
              .map((p) => p.round);
            expect(rounds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
          }
          const seqs = collector.messages
            .filter((m) => m.properties.headers?.['x-surety-key'] === 'B')
            .map((m) => m.properties.headers?.['x-surety-seq']);
          expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        });

        it('fails a row whose exchange does not exist, with the reason, and compensates once', async () => {
          const compensated: FailedOutboxEvent[] = [];
          relay = new OutboxRelay(db, started.publisher, { pollIntervalMs: 50 }).onPublishFailed(
            'fee.charged',
            async (event, tx) => {
              compensated.push(event);
              await tx.$executeRawUnsafe(
                'INSERT INTO compensation_log (message_id, reason) VALUES ($1::uuid, $2)',
                event.messageId,
                event.reason,
              );
            },
          );
          await relay.start();
          const [record] = await db.prisma.$transaction((tx) =>
            outbox.addMany(tx, [
              { type: 'fee.charged', exchange: 'no.such.exchange', payload: { fee: 5 } },
              { type: 'fine', exchange: topology.exchange, payload: 'ok' },
            ]),
          );
          await eventually(async () =>
            expect((await statuses()).map((r) => r.status)).toEqual(['failed', 'sent']),
          );
          const [failed] = await statuses();
          expect(failed.attempts).toBe(1);
          expect(failed.last_error).toMatch(/no.such.exchange/);
          expect(compensated).toHaveLength(1);
          expect(compensated[0]).toMatchObject({
            messageId: record.messageId,
            payload: { fee: 5 },
          });
          const log = await db.sql.query<{ message_id: string; reason: string }>(
            'SELECT message_id::text, reason FROM compensation_log',
          );
          expect(log.rows).toEqual([{ message_id: record.messageId, reason: failed.last_error }]);
          expect((await relay.metrics()).failures).toBe(1);
        });

        it('treats an unroutable (returned) message as a final failure with the broker reason', async () => {
          relay = new OutboxRelay(db, started.publisher, { pollIntervalMs: 50 });
          await relay.start();
          await db.prisma.$transaction((tx) =>
            outbox.add(tx, { type: 'lost', exchange: topology.deadEnd, payload: {} }),
          );
          await eventually(async () => expect((await statuses())[0]?.status).toBe('failed'));
          expect((await statuses())[0].last_error).toMatch(/unroutable: 312 NO_ROUTE/);
        });

        it('retries an unroutable message with backoff when configured to', async () => {
          relay = new OutboxRelay(db, started.publisher, {
            pollIntervalMs: 20,
            unroutable: 'retry',
            backoff: { initialMs: 20, maxMs: 40 },
            maxAttempts: 3,
          });
          await relay.start();
          await db.prisma.$transaction((tx) =>
            outbox.add(tx, { type: 'lost', exchange: topology.deadEnd, payload: {} }),
          );
          await eventually(async () => expect((await statuses())[0]?.status).toBe('failed'));
          const [row] = await statuses();
          expect(row.attempts).toBe(3);
          expect(row.last_error).toMatch(/gave up after 3 attempts/);
          expect((await relay.metrics()).retries).toBe(2);
        });

        it('refuses an unserializable payload at add(): the business transaction fails', async () => {
          await db.sql.exec('CREATE TABLE business (id int PRIMARY KEY)');
          await expect(
            db.prisma.$transaction(async (tx) => {
              await tx.$executeRawUnsafe('INSERT INTO business (id) VALUES (1)');
              await outbox.add(tx, {
                type: 'amount.changed',
                exchange: topology.exchange,
                payload: { amount: 10n },
              });
            }),
          ).rejects.toThrow('outbox event "amount.changed" is not serializable: BigInt');
          const { rows } = await db.sql.query('SELECT * FROM business');
          expect(rows).toHaveLength(0);
          expect(await statuses()).toHaveLength(0);
        });

        it('prunes sent rows past retention and reports its metrics', async () => {
          relay = new OutboxRelay(db, started.publisher, { pollIntervalMs: 50, retentionMs: 1 });
          await relay.start();
          await db.prisma.$transaction((tx) =>
            outbox.addMany(
              tx,
              Array.from({ length: 5 }, (_, i) => ({
                type: 't',
                exchange: topology.exchange,
                payload: i,
              })),
            ),
          );
          await eventually(async () => expect((await relay!.metrics()).published).toBe(5));
          const metrics = await relay.metrics();
          expect(metrics).toMatchObject({ pending: 0, oldestPendingAgeMs: 0, failures: 0 });
          expect(metrics.publishedPerSecond).toBeGreaterThan(0);
          await new Promise((resolve) => setTimeout(resolve, 5));
          expect(await relay.prune()).toBe(5);
          expect(await statuses()).toHaveLength(0);
        });

        it('vacuums the outbox table on PGlite once enough rows changed (PostgreSQL leaves it to autovacuum)', async () => {
          relay = new OutboxRelay(db, started.publisher, {
            pollIntervalMs: 50,
            retentionMs: false,
            vacuumAfterRows: 8,
          });
          await relay.start();
          const lastVacuum = async () =>
            (
              await db.sql.query<{ last_vacuum: Date | null }>(
                "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'surety_outbox'",
              )
            ).rows[0]?.last_vacuum ?? null;
          const send = async (count: number, sent: number) => {
            await db.prisma.$transaction((tx) =>
              outbox.addMany(
                tx,
                Array.from({ length: count }, (_, i) => ({
                  type: 't',
                  exchange: topology.exchange,
                  payload: i,
                })),
              ),
            );
            await eventually(async () => expect((await relay!.metrics()).published).toBe(sent));
          };
          await send(5, 5);
          await relay.maintain();
          expect(await lastVacuum()).toBeNull(); // 5 rows changed: below the threshold
          await send(5, 10);
          await relay.maintain();
          if (db.kind === 'pglite') expect(await lastVacuum()).toBeInstanceOf(Date);
          else expect(await lastVacuum()).toBeNull();
          expect((await statuses()).map((r) => r.status)).toEqual(Array(10).fill('sent'));
        });
      },
    );
  }
}
