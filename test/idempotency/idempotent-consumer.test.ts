import { connect } from 'amqplib';
import { v7 as uuidv7 } from 'uuid';
import type { DatabaseHandle } from '@surety/database';
import { MessageHeaders, type MessageContext } from '@surety/messaging';
import { TcpProxy } from '../support/tcp-proxy';
import { CapturingLogger } from '../messaging/support/capturing-logger';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { databaseTargets, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeWithServices, hostPort, serviceUrl } from '../support/services';
import { declaredBy } from './support/cleanup';
import { startConsumerApp, type ConsumerApp, type TestHandler } from './support/consumer-app';
import { RawAmqp } from '../messaging/support/raw-amqp';

// Real services and PGlite start-up (seconds on a busy machine) in hooks too.
jest.setTimeout(60_000);

async function effectCount(db: DatabaseHandle): Promise<number> {
  const { rows } = await db.sql.query<{ n: bigint }>('SELECT count(*) AS n FROM effects');
  return Number(rows[0].n);
}

/** The handler's effect: one row per run, written through the inbox transaction. */
const writeEffect: TestHandler = async (payload, context: MessageContext) => {
  await context.tx!.$executeRawUnsafe('INSERT INTO effects (n) VALUES ($1)', payload.n);
};

for (const brokerTarget of brokerTargets()) {
  describe(`idempotent consumers [${brokerTarget.name}]`, () => {
    let broker: BrokerUnderTest;
    let app: ConsumerApp | undefined;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      broker = await brokerTarget.start();
    });
    afterAll(() => broker.stop());

    const start = async (options: Omit<Parameters<typeof startConsumerApp>[0], 'brokerUrl'>) => {
      app = await startConsumerApp({ brokerUrl: broker.url, ...options });
      cleanup = declaredBy(app.module, broker.url);
      return app;
    };
    afterEach(async () => {
      await app?.close();
      await cleanup?.();
      app = undefined;
      cleanup = undefined;
    });

    for (const dbTarget of databaseTargets()) {
      describeWithServices(
        [...brokerTarget.needs, ...dbTarget.needs],
        `idempotency: 'db' on ${dbTarget.name}`,
        () => {
          let db: TestDatabase;
          beforeEach(async () => {
            db = await dbTarget.fresh();
            await db.sql.exec('CREATE TABLE effects (id serial PRIMARY KEY, n int NOT NULL)');
          });
          afterEach(() => db.drop());

          it('takes effect once for a message delivered three times, and acks every copy', async () => {
            const { publisher, queue } = await start({
              database: db,
              idempotency: 'db',
              stores: { db: true },
              handler: writeEffect,
            });
            const messageId = uuidv7();
            for (let i = 0; i < 3; i++) await publisher.publish('', queue, { n: 1 }, { messageId });
            await publisher.publish('', queue, { n: 2 }, { messageId: uuidv7() });
            await eventually(async () => {
              const { rows } = await db.sql.query<{ n: number }>(
                'SELECT n FROM effects ORDER BY n',
              );
              expect(rows.map((r) => r.n)).toEqual([1, 2]);
            });
            await eventually(async () =>
              expect(await RawAmqp.countReady(broker.url, queue)).toBe(0),
            );
            const inbox = await db.sql.query('SELECT * FROM surety_inbox WHERE message_id = $1', [
              messageId,
            ]);
            expect(inbox.rows).toEqual([expect.objectContaining({ consumer: queue })]);
          });

          it('rolls the effect back with the inbox row when the handler fails, then takes effect once on retry', async () => {
            let calls = 0;
            const { publisher, queue } = await start({
              database: db,
              idempotency: 'db',
              stores: { db: true },
              handler: async (payload, context) => {
                calls++;
                await writeEffect(payload, context);
                if (calls === 1) throw new Error('transient failure after writing');
              },
            });
            await publisher.publish('', queue, { n: 7 }, { messageId: uuidv7() });
            await eventually(() => expect(calls).toBe(2));
            await eventually(async () => expect(await effectCount(db)).toBe(1));
            const inbox = await db.sql.query('SELECT * FROM surety_inbox');
            expect(inbox.rows).toHaveLength(1);
          });

          it('warns when a handler never uses the transaction it was given', async () => {
            const logger = new CapturingLogger();
            const outside: number[] = [];
            const { publisher, queue } = await start({
              database: db,
              idempotency: 'db',
              stores: { db: true },
              logger,
              handler: async (payload) => {
                // The mistake: the effect goes through the global connection. (On PGlite
                // that query would wait for the open inbox transaction on the one
                // connection until the transaction times out — documented; the test keeps
                // the effect in memory there.)
                if (dbTarget.name === 'postgres') {
                  await db.sql.query('INSERT INTO effects (n) VALUES ($1)', [payload.n]);
                } else {
                  outside.push(payload.n);
                }
              },
            });
            await publisher.publish('', queue, { n: 1 }, { messageId: uuidv7() });
            await eventually(() =>
              expect(logger.lines.map((l) => l.message).join('\n')).toMatch(
                /never used the transaction it was given/,
              ),
            );
          });

          it('dead-letters a delivery without a message id instead of running it unguarded', async () => {
            let calls = 0;
            const { queue } = await start({
              database: db,
              idempotency: 'db',
              stores: { db: true },
              handler: async () => {
                calls++;
              },
            });
            const connection = await connect(broker.url);
            const channel = await connection.createChannel();
            channel.sendToQueue(queue, Buffer.from('{"n":1}'), { contentType: 'application/json' });
            await channel.close();
            await connection.close();
            await eventually(async () =>
              expect(await RawAmqp.countReady(broker.url, `${queue}.dlq`)).toBe(1),
            );
            expect(calls).toBe(0);
          });
        },
      );
    }

    describeWithServices([...brokerTarget.needs, 'redis'], "idempotency: 'redis'", () => {
      /** Redis reached through `proxy`, with short timeouts so that a cut shows at once. */
      const redisThrough = (proxy: TcpProxy) => ({
        redis: {
          url: proxy.urlFor(serviceUrl('redis')),
          prefix: uniqueName('idem'),
          commandTimeoutMs: 300,
        },
        middleware: { unavailableBackoff: { initialMs: 50, maxMs: 200 } },
      });

      it('takes effect once for a message delivered three times', async () => {
        const seen: number[] = [];
        const { publisher, queue } = await start({
          idempotency: 'redis',
          stores: { redis: { url: serviceUrl('redis'), prefix: uniqueName('idem') } },
          handler: async (payload) => {
            seen.push(payload.n);
          },
        });
        const messageId = uuidv7();
        for (let i = 0; i < 3; i++) await publisher.publish('', queue, { n: 1 }, { messageId });
        await publisher.publish('', queue, { n: 2 }, { messageId: uuidv7() });
        await eventually(async () => expect(await RawAmqp.countReady(broker.url, queue)).toBe(0));
        await eventually(() => expect(seen.sort()).toEqual([1, 2]));
      });

      it('holds deliveries unacked while Redis is down, says why, and handles them once it is back', async () => {
        const proxy = await TcpProxy.start(hostPort('redis'));
        const logger = new CapturingLogger();
        const seen: number[] = [];
        try {
          const { publisher, queue } = await start({
            idempotency: 'redis',
            stores: redisThrough(proxy),
            logger,
            handler: async (payload) => {
              seen.push(payload.n);
            },
          });
          proxy.refuse();
          await publisher.publish('', queue, { n: 1 }, { messageId: uuidv7() });
          await eventually(() =>
            expect(logger.lines.map((l) => l.message).join('\n')).toMatch(
              /idempotency store "redis" is unavailable.*holding deliveries unacked/,
            ),
          );
          await new Promise((resolve) => setTimeout(resolve, 500));
          expect(seen).toEqual([]);
          proxy.accept();
          await eventually(() => expect(seen).toEqual([1]), { timeoutMs: 15_000 });
          await eventually(async () => expect(await RawAmqp.countReady(broker.url, queue)).toBe(0));
        } finally {
          await proxy.close();
        }
      });

      it('at shutdown puts a delivery held for a down Redis back in its queue: no attempt spent, never dead-lettered', async () => {
        const proxy = await TcpProxy.start(hostPort('redis'));
        const logger = new CapturingLogger();
        const seen: number[] = [];
        try {
          // One attempt: a held delivery failed as an attempt would go to the DLQ at once.
          const { publisher, queue } = await start({
            idempotency: 'redis',
            retry: false,
            stores: redisThrough(proxy),
            logger,
            handler: async (payload) => {
              seen.push(payload.n);
            },
          });
          proxy.refuse();
          const messageId = uuidv7();
          await publisher.publish('', queue, { n: 1 }, { messageId });
          await eventually(() =>
            expect(logger.lines.map((l) => l.message).join('\n')).toMatch(
              /holding deliveries unacked/,
            ),
          );
          await app!.close();
          app = undefined;

          expect(seen).toEqual([]);
          expect(await RawAmqp.countReady(broker.url, `${queue}.dlq`)).toBe(0);
          const raw = await RawAmqp.open(broker.url);
          const back = await raw.drain(queue).finally(() => raw.close());
          expect(back.map((m) => m.properties.messageId)).toEqual([messageId]);
          expect(back[0].properties.headers?.[MessageHeaders.attempt]).toBeUndefined();
        } finally {
          await proxy.close();
        }
      });
    });
  });
}
