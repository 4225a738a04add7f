import { v7 as uuidv7 } from 'uuid';
import { MessageHeaders } from '@surety/messaging';
import type { IdempotencyKeyFn } from '@surety/messaging/idempotency';
import { CapturingLogger } from '../messaging/support/capturing-logger';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { eventually } from '../support/eventually';
import { describeWithServices } from '../support/services';
import { declaredBy } from './support/cleanup';
import { startConsumerApp, TEST_HANDLER_NAME, type ConsumerApp } from './support/consumer-app';
import { consumerStoreCases, type ConsumerStore } from './support/consumer-stores';
import { DeliveryObserver } from './support/delivery-observer';
import { RawAmqp } from '../messaging/support/raw-amqp';

// Several Nest apps per test on real services, and PGlite start-up, in hooks too.
jest.setTimeout(60_000);

/** Takes every message off a dead-letter queue and returns its headers. */
async function drainHeaders(url: string, queue: string): Promise<Record<string, unknown>[]> {
  const raw = await RawAmqp.open(url);
  try {
    return (await raw.drain(queue)).map((message) => message.properties.headers ?? {});
  } finally {
    await raw.close();
  }
}

/** The business key the tests deduplicate on instead of the message id. */
const orderIdKey: IdempotencyKeyFn = (ctx) => ctx.message.headers['x-order-id'] as string;

for (const brokerTarget of brokerTargets()) {
  describe(`idempotency key and scope [${brokerTarget.name}]`, () => {
    let broker: BrokerUnderTest;
    beforeAll(async () => {
      broker = await brokerTarget.start();
    });
    afterAll(() => broker.stop());

    for (const storeCase of consumerStoreCases()) {
      describeWithServices([...brokerTarget.needs, ...storeCase.needs], storeCase.name, () => {
        let store: ConsumerStore;
        const apps: ConsumerApp[] = [];
        const cleanups: (() => Promise<void>)[] = [];

        beforeEach(async () => {
          store = await storeCase.open();
        });
        afterEach(async () => {
          for (const app of apps.splice(0)) await app.close();
          for (const cleanup of cleanups.splice(0)) await cleanup();
          await store.dispose();
        });

        const start = async (
          options: Omit<Parameters<typeof startConsumerApp>[0], 'brokerUrl' | 'stores'>,
        ) => {
          const app = await startConsumerApp({
            brokerUrl: broker.url,
            database: store.database,
            stores: store.stores,
            ...options,
          });
          apps.push(app);
          cleanups.push(declaredBy(app.module, broker.url));
          return app;
        };

        it('runs a business key once across different message ids and acks the skipped copy', async () => {
          const observer = new DeliveryObserver();
          const { publisher, queue } = await start({
            idempotency: store.setting({ key: orderIdKey }),
            handler: store.recordEffect((payload) => `n${payload.n}`),
            observe: observer.middleware,
          });
          const ids = [uuidv7(), uuidv7(), uuidv7()];
          await publisher.publish(
            '',
            queue,
            { n: 1 },
            {
              messageId: ids[0],
              headers: { 'x-order-id': 'order-1' },
            },
          );
          await publisher.publish(
            '',
            queue,
            { n: 2 },
            {
              messageId: ids[1],
              headers: { 'x-order-id': 'order-1' },
            },
          );
          await publisher.publish(
            '',
            queue,
            { n: 3 },
            {
              messageId: ids[2],
              headers: { 'x-order-id': 'order-2' },
            },
          );

          // All three settle as acked: two ran, the other copy of order-1 was skipped.
          await eventually(() => expect([...observer.settled].sort()).toEqual([...ids].sort()));
          const effects = await store.effects();
          expect(effects).toHaveLength(2);
          expect(effects).toContain('n3');
          expect(effects.filter((e) => e === 'n1' || e === 'n2')).toHaveLength(1);
          expect(observer.failed).toEqual([]);
          expect(await RawAmqp.countReady(broker.url, queue)).toBe(0);
          expect(await RawAmqp.countReady(broker.url, `${queue}.dlq`)).toBe(0);
        });

        it('runs both messages that share a message id but carry different business keys', async () => {
          const observer = new DeliveryObserver();
          const { publisher, queue } = await start({
            idempotency: store.setting({ key: orderIdKey }),
            handler: store.recordEffect((payload) => `n${payload.n}`),
            observe: observer.middleware,
          });
          const messageId = uuidv7();
          await publisher.publish(
            '',
            queue,
            { n: 1 },
            {
              messageId,
              headers: { 'x-order-id': 'order-1' },
            },
          );
          await publisher.publish(
            '',
            queue,
            { n: 2 },
            {
              messageId,
              headers: { 'x-order-id': 'order-2' },
            },
          );

          await eventually(async () => expect(await store.effects()).toEqual(['n1', 'n2']));
          await eventually(() => expect(observer.settled).toHaveLength(2));
          expect(observer.failed).toEqual([]);
        });

        it('runs a message once per scope: consumers sharing a scope share its dedup record', async () => {
          // Three consumers on three queues get the same message (same message id):
          // two declare scope 'billing', one scope 'audit'.
          const consumers = [
            { name: 'billing-a', scope: 'billing' },
            { name: 'billing-b', scope: 'billing' },
            { name: 'audit', scope: 'audit' },
          ].map((consumer) => ({ ...consumer, observer: new DeliveryObserver() }));
          const started: ConsumerApp[] = [];
          for (const consumer of consumers) {
            started.push(
              await start({
                idempotency: store.setting({ scope: consumer.scope }),
                handler: store.recordEffect(() => consumer.name),
                observe: consumer.observer.middleware,
              }),
            );
          }
          const messageId = uuidv7();
          for (const { publisher, queue } of started) {
            await publisher.publish('', queue, { n: 1 }, { messageId });
          }

          for (const { observer } of consumers) {
            await eventually(() => expect(observer.settled).toEqual([messageId]));
          }
          const effects = await store.effects();
          expect(effects.filter((e) => e.startsWith('billing-'))).toHaveLength(1);
          expect(effects.filter((e) => e === 'audit')).toHaveLength(1);
          expect(effects).toHaveLength(2);
          for (const { observer } of consumers) expect(observer.failed).toEqual([]);
        });

        it('dead-letters at once, naming the consumer, a delivery whose key function throws or gives no string key', async () => {
          const observer = new DeliveryObserver();
          const logger = new CapturingLogger(); // the dead-letter lines are expected here
          const brokenKey: IdempotencyKeyFn = (ctx) => {
            switch (ctx.message.headers['x-key-case']) {
              case 'throws':
                throw new Error('header x-order-id is missing');
              case 'number':
                return 42 as unknown as string; // what `headers[...] as string` hides
              case 'empty':
                return '';
              default:
                return ctx.message.headers['x-order-id'] as string;
            }
          };
          const { publisher, queue } = await start({
            idempotency: store.setting({ key: brokenKey }),
            handler: store.recordEffect((payload) => `n${payload.n}`),
            observe: observer.middleware,
            logger,
          });
          const cases = ['throws', 'number', 'empty'];
          for (const [i, keyCase] of cases.entries()) {
            await publisher.publish(
              '',
              queue,
              { n: i },
              {
                messageId: uuidv7(),
                headers: { 'x-key-case': keyCase },
              },
            );
          }
          await publisher.publish(
            '',
            queue,
            { n: 9 },
            {
              messageId: uuidv7(),
              headers: { 'x-order-id': 'order-9' },
            },
          );

          await eventually(async () =>
            expect(await RawAmqp.countReady(broker.url, `${queue}.dlq`)).toBe(cases.length),
          );
          const deadLettered = await drainHeaders(broker.url, `${queue}.dlq`);
          const byCase = new Map(deadLettered.map((h) => [h['x-key-case'], h]));
          for (const keyCase of cases) {
            const headers = byCase.get(keyCase);
            // Dead-lettered on its first attempt: retrying cannot give it a key.
            expect(headers?.[MessageHeaders.deadLetterReason]).toBe('non-retryable-error');
            expect(headers?.[MessageHeaders.attempts]).toBe(1);
            const reason = String(headers?.[MessageHeaders.errorMessage]);
            expect(reason).toContain(TEST_HANDLER_NAME);
            expect(reason).toContain(queue);
          }
          expect(String(byCase.get('throws')?.[MessageHeaders.errorMessage])).toMatch(
            /key function threw.*header x-order-id is missing/,
          );
          expect(String(byCase.get('number')?.[MessageHeaders.errorMessage])).toMatch(
            /key function returned a number/,
          );
          expect(String(byCase.get('empty')?.[MessageHeaders.errorMessage])).toMatch(
            /no idempotency key/,
          );
          // None of them ran; the well-formed message beside them did.
          await eventually(async () => expect(await store.effects()).toEqual(['n9']));
          expect(observer.failed).toHaveLength(cases.length);
          const logged = logger.errors().filter((line) => line.includes('dead-lettered'));
          expect(logged).toHaveLength(cases.length);
          for (const line of logged) expect(line).toContain(TEST_HANDLER_NAME);
        });
      });
    }
  });
}
