import Redis from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import type { IdempotencyMiddlewareOptions } from '@surety/messaging/idempotency';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeWithServices, serviceUrl } from '../support/services';
import { declaredBy } from './support/cleanup';
import { startConsumerApp, type ConsumerApp } from './support/consumer-app';
import { DeliveryObserver } from './support/delivery-observer';
import { RawAmqp } from '../messaging/support/raw-amqp';

// Two Nest apps per test, leases that must expire, and a 3 s shutdown drain.
jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler that holds its delivery (and so its lease) until the test lets it go. */
class HeldHandler {
  readonly started: number[] = [];
  readonly finished: number[] = [];
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  readonly handle = async (payload: { n: number }): Promise<void> => {
    this.started.push(payload.n);
    await this.gate;
    this.finished.push(payload.n);
  };

  letGo(): void {
    this.release();
  }
}

// Two instances of one consumer, each with its own Redis connection (its own
// IdempotencyModule), on one queue and one key prefix. Each takes one delivery at a
// time (prefetch 1): once instance A holds a message, the broker can only hand a
// second copy to instance B — that is how the tests choose who gets which copy.
for (const brokerTarget of brokerTargets()) {
  describeWithServices(
    [...brokerTarget.needs, 'redis'],
    `Redis idempotency: a key held by another instance [${brokerTarget.name}]`,
    () => {
      let broker: BrokerUnderTest;
      let redis: Redis;
      let prefix: string;
      let queue: string;
      const running = new Set<ConsumerApp>();
      const cleanups: (() => Promise<void>)[] = [];

      beforeAll(async () => {
        broker = await brokerTarget.start();
        redis = new Redis(serviceUrl('redis'));
      });
      afterAll(async () => {
        redis.disconnect();
        await broker.stop();
      });
      beforeEach(() => {
        prefix = uniqueName('surety-test-busy');
        queue = uniqueName('idem.busy');
      });
      afterEach(async () => {
        for (const app of running) await app.close();
        running.clear();
        for (const cleanup of cleanups.splice(0)) await cleanup();
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      });

      const startInstance = async (options: {
        handler: (payload: { n: number }) => Promise<void>;
        observer: DeliveryObserver;
        leaseMs: number;
        middleware?: IdempotencyMiddlewareOptions;
      }) => {
        const app = await startConsumerApp({
          brokerUrl: broker.url,
          queue,
          concurrency: 1,
          idempotency: 'redis',
          stores: {
            redis: { url: serviceUrl('redis'), prefix, leaseMs: options.leaseMs },
            middleware: options.middleware,
          },
          handler: options.handler,
          observe: options.observer.middleware,
        });
        running.add(app);
        cleanups.push(declaredBy(app.module, broker.url));
        return app;
      };
      const keyOf = (messageId: string) => `${prefix}:${queue}:${messageId}`;

      /** Records what the key held when a copy reached instance B. */
      const watchArrivals = (observer: DeliveryObserver) => {
        const keyAtArrival: (string | null)[] = [];
        observer.onArrival = async (messageId) => {
          keyAtArrival.push(await redis.get(keyOf(messageId)));
        };
        return keyAtArrival;
      };

      it('does not run a copy while the other instance holds the lease, then acks it as a duplicate', async () => {
        const leaseMs = 3_000;
        const handlerA = new HeldHandler();
        const handlerB = new HeldHandler();
        const observerA = new DeliveryObserver();
        const observerB = new DeliveryObserver();
        const keyAtArrival = watchArrivals(observerB);
        const a = await startInstance({ handler: handlerA.handle, observer: observerA, leaseMs });
        const messageId = uuidv7();
        await a.publisher.publish('', queue, { n: 1 }, { messageId });
        await eventually(() => expect(handlerA.started).toEqual([1]));

        await startInstance({ handler: handlerB.handle, observer: observerB, leaseMs });
        await a.publisher.publish('', queue, { n: 2 }, { messageId }); // a redelivered duplicate
        await eventually(() => expect(keyAtArrival).toHaveLength(1));
        expect(observerB.arrived).toEqual([messageId]);
        const leaseOfA = keyAtArrival[0];
        expect(leaseOfA).toMatch(/^lease:/);

        // Hold A for longer than one lease: A renews it, and B keeps waiting in place —
        // neither running its copy nor settling it (nothing acked, nothing retried).
        await sleep(leaseMs + 1_000);
        expect(handlerB.started).toEqual([]);
        expect(observerB.settled).toEqual([]);
        expect(observerB.failed).toEqual([]);
        expect(await redis.get(keyOf(messageId))).toBe(leaseOfA);

        handlerA.letGo();
        await eventually(() => expect(observerA.settled).toEqual([messageId]));
        await eventually(() => expect(observerB.settled).toEqual([messageId]));
        expect(handlerA.finished).toEqual([1]);
        expect(handlerB.started).toEqual([]);
        expect(observerB.failed).toEqual([]);
        expect(await redis.get(keyOf(messageId))).toBe('done');
        expect(await RawAmqp.countReady(broker.url, queue)).toBe(0);
        expect(await RawAmqp.countReady(broker.url, `${queue}.dlq`)).toBe(0);
      });

      it('fails a copy still busy after busyWaitMs as retryable IdempotencyKeyBusyError, and skips it on the retry', async () => {
        const leaseMs = 3_000;
        const handlerA = new HeldHandler();
        const handlerB = new HeldHandler();
        const observerA = new DeliveryObserver();
        const observerB = new DeliveryObserver();
        const a = await startInstance({ handler: handlerA.handle, observer: observerA, leaseMs });
        const messageId = uuidv7();
        await a.publisher.publish('', queue, { n: 1 }, { messageId });
        await eventually(() => expect(handlerA.started).toEqual([1]));

        await startInstance({
          handler: handlerB.handle,
          observer: observerB,
          leaseMs,
          middleware: { busyWaitMs: 500 },
        });
        await a.publisher.publish('', queue, { n: 2 }, { messageId });
        await eventually(() => expect(observerB.failed.length).toBeGreaterThan(0));
        const { error } = observerB.failed[0];
        expect(error.name).toBe('IdempotencyKeyBusyError');
        expect((error as Error & { retryable?: boolean }).retryable).toBe(true);
        expect(error.message).toContain(messageId);
        expect(error.message).toContain(queue);
        expect(handlerB.started).toEqual([]);

        handlerA.letGo();
        // The retried copy reaches whichever instance is free and is skipped as done.
        await eventually(() =>
          expect([...observerA.settled, ...observerB.settled]).toEqual([messageId, messageId]),
        );
        expect(handlerA.started).toEqual([1]);
        expect(handlerB.started).toEqual([]);
        expect(await redis.get(keyOf(messageId))).toBe('done');
        expect(await RawAmqp.countReady(broker.url, `${queue}.dlq`)).toBe(0);
      });

      it('runs the message once on the other instance when the lease holder dies without marking it done', async () => {
        // Short enough that the test does not wait long for it to expire, long enough
        // that it is still held when A's channel closes after the 3 s shutdown drain.
        const leaseMs = 6_000;
        const handlerA = new HeldHandler(); // never let go: A "crashes" mid-effect
        const effectsOfB: number[] = [];
        const observerA = new DeliveryObserver();
        const observerB = new DeliveryObserver();
        const keyAtArrival = watchArrivals(observerB);
        const a = await startInstance({ handler: handlerA.handle, observer: observerA, leaseMs });
        const messageId = uuidv7();
        await a.publisher.publish('', queue, { n: 1 }, { messageId });
        await eventually(() => expect(handlerA.started).toEqual([1]));
        await startInstance({
          handler: async (payload) => {
            effectsOfB.push(payload.n);
          },
          observer: observerB,
          leaseMs,
        });

        // A shuts down with its handler stuck: its channel closes with the message
        // unacked (the broker hands it to B), its store closes without a done-marker,
        // and its lease stops being renewed.
        running.delete(a);
        await a.close();
        await eventually(() => expect(keyAtArrival).toHaveLength(1));
        expect(observerB.arrived).toEqual([messageId]);
        expect(keyAtArrival[0]).toMatch(/^lease:/); // B got it while A's lease still held

        await eventually(() => expect(effectsOfB).toEqual([1]), { timeoutMs: 30_000 });
        await eventually(() => expect(observerB.settled).toEqual([messageId]));
        expect(handlerA.finished).toEqual([]);
        expect(observerB.failed).toEqual([]);
        expect(await redis.get(keyOf(messageId))).toBe('done');
        expect(await RawAmqp.countReady(broker.url, queue)).toBe(0);
      });
    },
  );
}
