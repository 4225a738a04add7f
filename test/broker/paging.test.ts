/**
 * Queues larger than the memory budget page persisted messages to disk: a real
 * EmbeddedBroker with a tiny budget, real amqplib clients. The broker's own
 * counters (broker.memory: estimated bytes of ready messages held in memory, and
 * how many are paged out) show where the messages are.
 */
import * as amqp from 'amqplib';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import {
  body,
  consume,
  expectInOrderAndExact,
  getAll,
  publishAll,
  budgetedBroker,
  range,
} from './support/paging-messages';

const BUDGET = 1024 * 1024;

describe('paging queues larger than the memory budget', () => {
  const scene = budgetedBroker('paging', BUDGET);
  const { start, stop } = scene;

  it('keeps in-memory bytes under the budget while publishing far beyond it, then delivers every message in order, byte for byte', async () => {
    const { broker, connection } = await start();
    const queue = uniqueName('paging.order');
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(queue, { durable: true });
    const total = 6000; // ~6 MB of bodies, ~6x the budget with per-message overhead
    await publishAll(publisher, queue, 0, total);

    const q = broker.vhost('/')!.queues.get(queue)!;
    await eventually(() => expect(broker.memory.used).toBeLessThanOrEqual(BUDGET));
    expect(q.messageCount).toBe(total);
    expect(q.pagedCount).toBeGreaterThan(total / 2);
    expect(broker.memory.paged).toBe(q.pagedCount);
    expect(q.messageBytes).toBe(range(0, total).reduce((sum, i) => sum + body(i).length, 0));

    const consumer = await connection.createChannel();
    const received = await consume(consumer, queue, total, 100);
    expectInOrderAndExact(received, 0, total);
    expect(q.messageCount).toBe(0);
    expect(broker.memory.paged).toBe(0);
    expect(broker.memory.used).toBe(0);
  });

  it('serves basic.get from a paged-out head', async () => {
    const { broker, connection } = await start();
    const queue = uniqueName('paging.get');
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    await publishAll(channel, queue, 0, 3000);
    const q = broker.vhost('/')!.queues.get(queue)!;
    await eventually(() => expect(q.pagedCount).toBeGreaterThan(1000));
    // drain the in-memory head with gets, reaching paged-out messages
    const got = await getAll(channel, queue, 3000);
    expectInOrderAndExact(got, 0, 3000);
    expect(await channel.get(queue)).toBe(false);
  });

  it('puts nacked and recovered paged messages back at their original positions', async () => {
    const { broker, connection } = await start();
    const queue = uniqueName('paging.requeue');
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(queue, { durable: true });
    const total = 4000;
    await publishAll(publisher, queue, 0, total);
    const q = broker.vhost('/')!.queues.get(queue)!;
    await eventually(() => expect(q.pagedCount).toBeGreaterThan(total / 2));

    // take 2000 (the head window and paged-in ones), keep them unacked, nack a few back
    const holder = await connection.createChannel();
    await holder.prefetch(2000);
    const held: amqp.ConsumeMessage[] = [];
    await new Promise<void>((resolve) => {
      void holder.consume(queue, (message) => {
        held.push(message!);
        if (held.length === 2000) resolve();
      });
    });
    expect(held.map((m) => m.content.readUInt32BE(0))).toEqual(range(0, 2000));
    for (const index of [1500, 10, 1999]) holder.nack(held[index]!, false, true);
    for (const index of [0, 1, 2]) holder.ack(held[index]!);
    await holder.close(); // everything else unacked goes back too

    const consumer = await connection.createChannel();
    const received = await consume(consumer, queue, total - 3, 64);
    expectInOrderAndExact(received, 3, total);
    expect(received.filter((r) => r.redelivered).map((r) => r.index)).toEqual(range(3, 2000));
  });

  it('expires paged messages at the head and dead-letters them in order with their content', async () => {
    const { broker, connection } = await start();
    const queue = uniqueName('paging.ttl');
    const dead = uniqueName('paging.dead');
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(dead, { durable: true });
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-message-ttl': 1500,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': dead,
      },
    });
    const total = 3000;
    await publishAll(channel, queue, 0, total);
    const q = broker.vhost('/')!.queues.get(queue)!;
    expect(q.pagedCount).toBeGreaterThan(0);
    await eventually(() => expect(q.messageCount).toBe(0), { timeoutMs: 20_000 });
    expect(q.counters.expired).toBe(total);

    const consumer = await connection.createChannel();
    const received = await consume(consumer, dead, total, 200);
    expectInOrderAndExact(received, 0, total);
  });

  it('drops paged messages from the head for x-max-length without reading them back', async () => {
    const { broker, connection } = await start();
    const queue = uniqueName('paging.maxlen');
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-max-length': 2500 } });
    await publishAll(channel, queue, 0, 2500);
    const q = broker.vhost('/')!.queues.get(queue)!;
    await eventually(() => expect(q.pagedCount).toBeGreaterThan(1000));
    // drain the in-memory head window so the head itself is paged out
    const consumer = await connection.createChannel();
    const head = await consume(consumer, queue, 600, 600);
    expectInOrderAndExact(head, 0, 600);
    await publishAll(channel, queue, 2500, 3500); // 1000 more than room: the oldest go
    await eventually(() => expect(q.messageCount).toBe(2500));
    const received = await consume(consumer, queue, 2500, 100);
    expectInOrderAndExact(received, 1000, 3500);
  });

  it('recovers a backlog larger than the budget without loading it into memory, then delivers it all in order', async () => {
    let { connection } = await start();
    const queue = uniqueName('paging.restart');
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(queue, { durable: true });
    const total = 8000;
    await publishAll(publisher, queue, 0, total);
    await stop();

    const restarted = await start();
    connection = restarted.connection;
    const broker = restarted.broker;
    const q = broker.vhost('/')!.queues.get(queue)!;
    expect(q.messageCount).toBe(total);
    expect(broker.memory.used).toBeLessThanOrEqual(BUDGET);
    expect(q.pagedCount).toBeGreaterThan(total / 2);

    const consumer = await connection.createChannel();
    const received = await consume(consumer, queue, total, 256);
    expectInOrderAndExact(received, 0, total);
    expect(received.some((r) => r.redelivered)).toBe(false);
  });
});
