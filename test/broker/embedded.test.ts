import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';

describe('EmbeddedBroker', () => {
  let dataDir: string;
  let broker: RunningBroker | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'surety-embedded-'));
  });

  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on an ephemeral port and serves amqplib publish/consume', async () => {
    broker = await EmbeddedBroker.start({ port: 0, dataDir });
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.port).not.toBe(5672);
    const connection = await amqp.connect(broker.url);
    try {
      const channel = await connection.createConfirmChannel();
      const queue = uniqueName('embedded.q');
      await channel.assertQueue(queue);
      channel.sendToQueue(queue, Buffer.from('hello'));
      await channel.waitForConfirms();
      const received = await new Promise<string>((resolve) => {
        void channel.consume(queue, (msg) => {
          channel.ack(msg!);
          resolve(msg!.content.toString());
        });
      });
      expect(received).toBe('hello');
    } finally {
      await connection.close();
    }
  });

  it('recovers durable queues, bindings and confirmed persistent messages after a restart; transient ones are gone', async () => {
    broker = await EmbeddedBroker.start({ port: 0, dataDir });
    const exchange = uniqueName('embedded.x');
    const durableQueue = uniqueName('embedded.durable');
    const transientQueue = uniqueName('embedded.transient');
    let connection = await amqp.connect(broker.url);
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.assertQueue(durableQueue, { durable: true });
    await channel.assertQueue(transientQueue, { durable: false });
    await channel.bindQueue(durableQueue, exchange, 'a.#');
    for (let i = 0; i < 50; i++)
      channel.publish(exchange, 'a.b', Buffer.from(`p${i}`), { persistent: true });
    channel.publish(exchange, 'a.b', Buffer.from('transient'), { persistent: false });
    await channel.waitForConfirms();
    await connection.close();
    await broker.stop();

    broker = await EmbeddedBroker.start({ port: 0, dataDir });
    connection = await amqp.connect(broker.url);
    try {
      const after = await connection.createChannel();
      await expect(after.checkQueue(durableQueue)).resolves.toMatchObject({ messageCount: 50 });
      const first = await after.get(durableQueue, { noAck: true });
      expect(first && first.content.toString()).toBe('p0');
      expect(first && first.properties.deliveryMode).toBe(2);
      after.publish(exchange, 'a.c', Buffer.from('routed-after-restart'));
      await new Promise((r) => setTimeout(r, 50));
      await expect(after.checkQueue(durableQueue)).resolves.toMatchObject({ messageCount: 50 });
      after.on('error', () => undefined);
      await expect(after.checkQueue(transientQueue)).rejects.toThrow(/404/);
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('keeps held messages of a durable x-delayed-message exchange across a restart and releases them when due', async () => {
    broker = await EmbeddedBroker.start({ port: 0, dataDir });
    const exchange = uniqueName('embedded.delayed');
    const queue = uniqueName('embedded.delayed.q');
    let connection = await amqp.connect(broker.url);
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange(exchange, 'x-delayed-message', {
      durable: true,
      arguments: { 'x-delayed-type': 'direct' },
    });
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, exchange, 'k');
    const publishedAt = Date.now();
    channel.publish(exchange, 'k', Buffer.from('later'), {
      persistent: true,
      headers: { 'x-delay': 1500 },
    });
    await channel.waitForConfirms();
    await connection.close();
    await broker.stop();

    broker = await EmbeddedBroker.start({ port: 0, dataDir });
    connection = await amqp.connect(broker.url);
    try {
      const after = await connection.createChannel();
      expect(await after.get(queue, { noAck: true })).toBe(false);
      const message = await eventually(
        async () => {
          const got = await after.get(queue, { noAck: true });
          if (got === false) throw new Error('not released yet');
          return got;
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      expect(Date.now() - publishedAt).toBeGreaterThanOrEqual(1400);
      expect(message.content.toString()).toBe('later');
      expect(message.properties.headers?.['x-surety-delayed-until']).toBeUndefined();
    } finally {
      await connection.close();
    }
  });
});
