import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { MessageHeaders, Subscribe, type MessageContext } from '@surety/messaging';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { RawAmqp } from './support/raw-amqp';
import { TestApps } from './support/test-apps';

describeEachBroker('consumers: retries and dead letters', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('retries a handler that always throws with growing delays, then dead-letters it with the error', async () => {
    const exchange = uniqueName('retry.events');
    const queue = uniqueName('retry.always-fails');
    const attempts: { attempt: number; at: number }[] = [];

    @Injectable()
    class AlwaysFails {
      @Subscribe({
        queue,
        exchange: { name: exchange, type: 'topic' },
        routingKey: 'policy.#',
        retry: { attempts: 3, backoff: { initialMs: 300, factor: 3 } },
      })
      async handle(_: unknown, ctx: MessageContext) {
        attempts.push({ attempt: ctx.attempt, at: Date.now() });
        throw new TypeError(`cannot bill policy (attempt ${ctx.attempt})`);
      }
    }

    const app = await apps.start([AlwaysFails]);
    const messageId = await app.publisher.publish(exchange, 'policy.issued', { policyId: 'P-1' });

    await eventually(
      async () => expect(await app.deadLetters.list(`${queue}.dlq`)).toHaveLength(1),
      {
        timeoutMs: 10_000,
      },
    );
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    const firstGap = attempts[1].at - attempts[0].at;
    const secondGap = attempts[2].at - attempts[1].at;
    // 300 ms then 900 ms (100 ms delay units, plus hop latency); never an immediate requeue.
    expect(firstGap).toBeGreaterThanOrEqual(250);
    expect(secondGap).toBeGreaterThanOrEqual(800);
    expect(secondGap).toBeGreaterThan(firstGap);

    const [entry] = await app.deadLetters.list(`${queue}.dlq`);
    expect(entry.messageId).toBe(messageId);
    expect(entry.payload).toEqual({ policyId: 'P-1' });
    expect(entry.reason).toBe('retries-exhausted');
    expect(entry.errorName).toBe('TypeError');
    expect(entry.errorMessage).toBe('cannot bill policy (attempt 3)');
    expect(entry.attempts).toBe(3);
    expect(entry.originalExchange).toBe(exchange);
    expect(entry.originalRoutingKey).toBe('policy.issued');
    expect(Date.parse(entry.failedAt!)).toBeGreaterThan(attempts[0].at);
    // Listing does not consume: the message is still there.
    expect(await app.deadLetters.list(`${queue}.dlq`)).toHaveLength(1);
    expect(app.connections.metrics.retried).toBe(2);
    // Counted once the dead-letter publish is confirmed, which can come a moment after
    // the copy is already listable in the DLQ.
    await eventually(() => expect(app.connections.metrics.deadLettered).toBe(1));
  });

  it('keeps good messages flowing past a poison one, which goes straight to the DLQ with its reason', async () => {
    const queue = uniqueName('poison.orders');
    const handled: number[] = [];
    const schema = z.object({ n: z.number().int() });

    @Injectable()
    class Orders {
      @Subscribe({ queue, schema, prefetch: 2, retry: { attempts: 5, backoff: [100] } })
      async handle(order: z.infer<typeof schema>) {
        handled.push(order.n);
      }
    }

    const app = await apps.start([Orders]);
    const raw = await RawAmqp.open(broker().url);
    try {
      await raw.run(async (channel) => {
        for (let n = 0; n < 10; n++) {
          if (n === 3)
            channel.sendToQueue(queue, Buffer.from('{not json'), { messageId: 'poison-non-json' });
          if (n === 6) {
            channel.sendToQueue(queue, Buffer.from(JSON.stringify({ n: 'six' })), {
              messageId: 'poison-invalid',
              contentType: 'application/json',
            });
          }
          channel.sendToQueue(queue, Buffer.from(JSON.stringify({ n })), {
            contentType: 'application/json',
          });
        }
      });
      await eventually(() =>
        expect([...handled].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      );
      await eventually(async () => expect(await raw.messageCount(`${queue}.dlq`)).toBe(2));
      const dead = await app.deadLetters.list(`${queue}.dlq`);
      const byId = Object.fromEntries(dead.map((d) => [d.messageId, d]));
      expect(byId['poison-non-json'].reason).toBe('non-json');
      expect(byId['poison-non-json'].errorMessage).toContain('payload is not JSON');
      expect(byId['poison-non-json'].attempts).toBe(1);
      expect(byId['poison-invalid'].reason).toBe('invalid-payload');
      expect(byId['poison-invalid'].errorMessage).toContain(`Orders.handle on queue '${queue}'`);
      expect(byId['poison-invalid'].errorMessage).toContain('n:');
      // Unprocessable messages are never retried.
      expect(app.connections.metrics.retried).toBe(0);
      expect(await raw.messageCount(queue)).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it('sends a message of a type no handler takes to the DLQ as unknown-type, others dispatch by type', async () => {
    const queue = uniqueName('types.billing');
    const seen: string[] = [];

    @Injectable()
    class Billing {
      @Subscribe({ queue, type: 'policy.issued' })
      async issued() {
        seen.push('issued');
      }
      @Subscribe({ queue, type: ['policy.cancelled', 'policy.lapsed'] })
      async ended(_: unknown, ctx: MessageContext) {
        seen.push(ctx.type);
      }
    }

    const app = await apps.start([Billing]);
    await app.publisher.publish('', queue, {}, { type: 'policy.issued' });
    await app.publisher.publish('', queue, {}, { type: 'policy.endorsed' });
    await app.publisher.publish('', queue, {}, { type: 'policy.lapsed' });
    await eventually(() => expect(seen.sort()).toEqual(['issued', 'policy.lapsed']));
    await eventually(async () => {
      const [entry] = await app.deadLetters.list(`${queue}.dlq`);
      expect(entry.reason).toBe('unknown-type');
      expect(entry.errorMessage).toContain(`message type 'policy.endorsed'`);
      expect(entry.type).toBe('policy.endorsed');
    });
  });

  it('retries a message published without a type property to the handler its routing key chose', async () => {
    const exchange = uniqueName('untyped.events');
    const queue = uniqueName('untyped.billing');
    const seen: { attempt: number; type: string }[] = [];

    @Injectable()
    class Billing {
      @Subscribe({
        queue,
        exchange: { name: exchange, type: 'topic' },
        routingKey: 'policy.#',
        type: 'policy.issued',
        retry: { attempts: 2, backoff: [100] },
      })
      async issued(_: unknown, ctx: MessageContext) {
        seen.push({ attempt: ctx.attempt, type: ctx.type });
        if (ctx.attempt === 1) throw new Error('downstream unavailable');
      }
    }

    const app = await apps.start([Billing]);
    const raw = await RawAmqp.open(broker().url);
    try {
      // Another system's publisher: no AMQP type, so the routing key is the type.
      await raw.run(async (c) =>
        c.publish(exchange, 'policy.issued', Buffer.from('{}'), { messageId: 'untyped-1' }),
      );
      await eventually(() =>
        expect(seen).toEqual([
          { attempt: 1, type: 'policy.issued' },
          { attempt: 2, type: 'policy.issued' },
        ]),
      );
      expect(await app.deadLetters.list(`${queue}.dlq`)).toEqual([]);
    } finally {
      await raw.close();
    }
  });

  it('dead-letters a failed message whose headers leave no room for a retry copy, instead of requeueing it forever', async () => {
    const queue = uniqueName('big-headers');
    const attempts: number[] = [];

    @Injectable()
    class Fails {
      @Subscribe({ queue, retry: { attempts: 3, backoff: [100] } })
      async handle(_: unknown, ctx: MessageContext) {
        attempts.push(ctx.attempt);
        throw new Error(`cannot bill (${'x'.repeat(4_000)})`);
      }
    }

    const app = await apps.start([Fails]);
    const raw = await RawAmqp.open(broker().url);
    try {
      // Accepted by the broker, but with the error headers a copy exceeds the client's
      // 64 KiB header table: it can never be published, so requeueing it would loop.
      await raw.run(async (c) =>
        c.sendToQueue(queue, Buffer.from('{"n":1}'), {
          messageId: 'big-headers-1',
          headers: { 'x-trace-baggage': 'b'.repeat(62_000) },
        }),
      );
      await eventually(async () => expect(await raw.messageCount(`${queue}.dlq`)).toBe(1));
      const [entry] = await app.deadLetters.list(`${queue}.dlq`);
      expect(entry.messageId).toBe('big-headers-1');
      expect(entry.payload).toEqual({ n: 1 });
      expect(entry.reason).toBe('non-retryable-error');
      expect(entry.errorMessage).toMatch(/^cannot bill/);
      expect(entry.attempts).toBe(1);
      expect(entry.originalRoutingKey).toBe(queue);
      expect(String(entry.headers[MessageHeaders.headersDropped])).toContain('big-headers-1');
      // Ran once, not once a second.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(attempts).toEqual([1]);
      expect(await raw.messageCount(queue)).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it('dead-letters whatever a handler throws, even a value with no string form, without blocking prefetch', async () => {
    const queue = uniqueName('odd-throws');
    const handled: string[] = [];

    @Injectable()
    class Odd {
      @Subscribe({ queue, retry: false, prefetch: 2 })
      async handle(payload: { kind: string }) {
        if (payload.kind === 'null-prototype') throw Object.create(null);
        if (payload.kind === 'object-message') {
          throw Object.assign(new Error(), { message: { code: 42 }, name: 7 });
        }
        handled.push(payload.kind);
      }
    }

    const app = await apps.start([Odd]);
    for (const kind of ['null-prototype', 'object-message', 'fine']) {
      await app.publisher.publish('', queue, { kind }, { messageId: kind });
    }
    // Both odd ones used to stay unacked, filling the prefetch window of 2 for good.
    await eventually(() => expect(handled).toEqual(['fine']));
    await eventually(async () => {
      const dead = await app.deadLetters.list(`${queue}.dlq`);
      expect(
        Object.fromEntries(dead.map((e) => [e.messageId, [e.errorName, e.errorMessage]])),
      ).toEqual({
        'null-prototype': ['object', '[object Object]'],
        'object-message': ['7', '[object Object]'],
      });
    });
  });

  it('declares a deleted dead-letter queue again instead of requeueing failures forever', async () => {
    const queue = uniqueName('dlq-deleted');
    let calls = 0;

    @Injectable()
    class Fails {
      @Subscribe({ queue, retry: false })
      async handle() {
        calls++;
        throw new Error('downstream refused');
      }
    }

    const app = await apps.start([Fails]);
    const raw = await RawAmqp.open(broker().url);
    try {
      // An operator "clears" the DLQ by deleting it; the consumer's own queue stays.
      await raw.run(async (c) => c.deleteQueue(`${queue}.dlq`));
      await app.publisher.publish('', queue, { n: 1 });
      await eventually(async () => {
        const [entry] = await app.deadLetters.list(`${queue}.dlq`);
        expect(entry?.errorMessage).toBe('downstream refused');
      });
      // Before, the publish to the missing DLQ came back unroutable and the message was
      // requeued, its handler rerun every second, forever.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(calls).toBe(1);
      expect(await raw.messageCount(queue)).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it('dead-letters at once when the error says it is not retryable', async () => {
    const queue = uniqueName('nonretryable');
    let calls = 0;

    @Injectable()
    class Strict {
      @Subscribe({ queue, retry: { attempts: 5, backoff: [100] } })
      async handle() {
        calls++;
        throw Object.assign(new Error('policy does not exist'), { retryable: false });
      }
    }

    const app = await apps.start([Strict]);
    await app.publisher.publish('', queue, { id: 1 });
    await eventually(async () => {
      const [entry] = await app.deadLetters.list(`${queue}.dlq`);
      expect(entry.reason).toBe('non-retryable-error');
      expect(entry.headers[MessageHeaders.errorMessage]).toBe('policy does not exist');
    });
    expect(calls).toBe(1);
  });

  it('replays one and then all dead letters to the original exchange, and purges', async () => {
    const exchange = uniqueName('replay.events');
    const queue = uniqueName('replay.handler');
    const dlq = `${queue}.dlq`;
    let healthy = false;
    const handled: number[] = [];

    @Injectable()
    class Flaky {
      @Subscribe({
        queue,
        exchange: { name: exchange, type: 'direct' },
        routingKey: 'go',
        retry: false,
      })
      async handle(message: { n: number }) {
        if (!healthy) throw new Error('downstream unavailable');
        handled.push(message.n);
      }
    }

    const app = await apps.start([Flaky]);
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) ids.push(await app.publisher.publish(exchange, 'go', { n }));
    await eventually(async () => expect(await app.deadLetters.list(dlq)).toHaveLength(4));

    expect((await app.deadLetters.inspect(dlq, ids[2]))?.payload).toEqual({ n: 2 });
    expect(await app.deadLetters.inspect(dlq, 'no-such-id')).toBeUndefined();
    expect(await app.deadLetters.list(dlq)).toHaveLength(4); // inspect did not consume

    healthy = true;
    const one = await app.deadLetters.replay(dlq, ids[2]);
    expect(one).toEqual({ replayed: [ids[2]], failed: [] });
    await eventually(() => expect(handled).toEqual([2]));
    // The others are still there, in their original order.
    expect((await app.deadLetters.list(dlq)).map((e) => e.messageId)).toEqual([
      ids[0],
      ids[1],
      ids[3],
    ]);

    healthy = false;
    const raw = await RawAmqp.open(broker().url);
    try {
      await raw.run(async (c) => c.sendToQueue(dlq, Buffer.from('{}'), { messageId: 'extra' }));
      const purged = await app.deadLetters.purge(dlq);
      expect(purged).toBe(4);
      expect(await raw.messageCount(dlq)).toBe(0);
    } finally {
      await raw.close();
    }

    for (let n = 10; n < 13; n++) await app.publisher.publish(exchange, 'go', { n });
    await eventually(async () => expect(await app.deadLetters.list(dlq)).toHaveLength(3));
    healthy = true;
    const all = await app.deadLetters.replayAll(dlq);
    expect(all.replayed).toHaveLength(3);
    await eventually(() => expect([...handled].sort((a, b) => a - b)).toEqual([2, 10, 11, 12]));
    expect(await app.deadLetters.list(dlq)).toHaveLength(0);
  });
  it('replays a message the broker dead-lettered to the queue it died in, and leaves one with no origin in place', async () => {
    const queue = uniqueName('replay.origin');
    const dlq = `${queue}.dlq`;
    const source = uniqueName('replay.expiring');

    @Injectable()
    class Sink {
      @Subscribe({ queue, retry: false })
      async handle() {}
    }

    const app = await apps.start([Sink]);
    const raw = await RawAmqp.open(broker().url);
    try {
      await raw.run(async (c) => {
        // A queue of the application whose expired messages the broker moves to the DLQ.
        await c.assertQueue(source, { deadLetterExchange: '', deadLetterRoutingKey: dlq });
        c.sendToQueue(source, Buffer.from('{"n":1}'), { messageId: 'expired-1', expiration: '50' });
      });
      await eventually(async () => expect(await raw.messageCount(dlq)).toBe(1));
      await raw.run(async (c) => c.sendToQueue(dlq, Buffer.from('{}'), { messageId: 'by-hand' }));

      expect(await app.deadLetters.replay(dlq, 'expired-1')).toEqual({
        replayed: ['expired-1'],
        failed: [],
      });
      const [back] = await raw.drain(source);
      expect(back.properties.messageId).toBe('expired-1');
      expect(back.content.toString()).toBe('{"n":1}');
      expect(back.properties.headers?.['x-death']).toBeUndefined();

      const report = await app.deadLetters.replay(dlq, 'by-hand');
      expect(report.replayed).toEqual([]);
      expect(report.failed).toEqual([
        { messageId: 'by-hand', error: expect.stringContaining('no record of where it came from') },
      ]);
      expect((await app.deadLetters.list(dlq)).map((e) => e.messageId)).toEqual(['by-hand']);
    } finally {
      await raw.run(async (c) => c.deleteQueue(source));
      await raw.close();
    }
  });
});
