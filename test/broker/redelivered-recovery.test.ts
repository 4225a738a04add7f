/**
 * Messages that were delivered but not acknowledged when the broker went down come
 * back with redelivered=true after the restart, as RabbitMQ does; messages never
 * delivered come back with redelivered=false. Real broker process, stopped with kill -9
 * or cleanly (SIGTERM), restarted on the same data directory, checked with amqplib.
 */
import { type ConsumeMessage } from 'amqplib';
import { eventually } from '../support/eventually';
import { ackEntriesOnDisk, restartScene } from './support/restart-scene';

const QUEUE = 'redelivered.recovery';
const COUNT = 6;

describe('redelivered flag after a restart (real process)', () => {
  const scene = restartScene('redelivered');

  it.each(['kill -9', 'clean stop'] as const)(
    '%s: delivered-unacked messages come back redelivered, the others not',
    async (how) => {
      const first = await scene.start(scene.dir);
      const connection = await scene.open(first.url);
      const publisher = await connection.createConfirmChannel();
      await publisher.assertQueue(QUEUE, { durable: true });
      for (let i = 0; i < COUNT; i++) {
        publisher.sendToQueue(QUEUE, Buffer.from(`m${i}`), {
          persistent: true,
          messageId: `m${i}`,
        });
      }
      await publisher.waitForConfirms();

      // m0, m1 to a consumer that never acks; m2 by basic.get without no-ack, never acked
      const consumer = await connection.createChannel();
      await consumer.prefetch(2);
      const delivered: ConsumeMessage[] = [];
      await consumer.consume(QUEUE, (m) => m && delivered.push(m), { noAck: false });
      await eventually(() => expect(delivered).toHaveLength(2));
      const getter = await connection.createChannel();
      const got = await getter.get(QUEUE, { noAck: false });
      expect(got && got.properties.messageId).toBe('m2');
      expect([
        ...delivered.map((m) => m.fields.redelivered),
        got && got.fields.redelivered,
      ]).toEqual([false, false, false]);

      if (how === 'kill -9') {
        // Marks are written lazily (no fsync) with a flush a moment later: wait until
        // they reached the file, which a kill -9 keeps (the page cache survives it).
        await eventually(async () => expect(await ackEntriesOnDisk(scene.dir)).toBe(3));
        await first.kill9();
      } else {
        expect(await first.stop()).toBe(0); // no waiting: a clean stop writes them all
      }

      const second = await scene.start(scene.dir);
      const channel = await (await scene.open(second.url)).createChannel();
      await channel.prefetch(COUNT);
      const after: ConsumeMessage[] = [];
      await channel.consume(QUEUE, (m) => m && after.push(m), { noAck: false });
      await eventually(() => expect(after).toHaveLength(COUNT));
      expect(after.map((m) => [m.properties.messageId, m.fields.redelivered])).toEqual([
        ['m0', true],
        ['m1', true],
        ['m2', true],
        ['m3', false],
        ['m4', false],
        ['m5', false],
      ]);
    },
    120_000,
  );

  it('a message acked before a clean stop is gone; its neighbours keep their flags', async () => {
    const first = await scene.start(scene.dir);
    const connection = await scene.open(first.url);
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(QUEUE, { durable: true });
    for (let i = 0; i < 3; i++) {
      publisher.sendToQueue(QUEUE, Buffer.from(`m${i}`), { persistent: true, messageId: `m${i}` });
    }
    await publisher.waitForConfirms();
    const consumer = await connection.createChannel();
    await consumer.prefetch(2);
    const delivered: ConsumeMessage[] = [];
    await consumer.consume(QUEUE, (m) => m && delivered.push(m), { noAck: false });
    await eventually(() => expect(delivered).toHaveLength(2));
    consumer.ack(delivered[0]!);
    await eventually(() => expect(delivered).toHaveLength(3)); // credit freed: m2 follows
    // the ack went through before m2 was sent; m1 and m2 stay unacked
    expect(await first.stop()).toBe(0);

    const second = await scene.start(scene.dir);
    const channel = await (await scene.open(second.url)).createChannel();
    const after: [string, boolean][] = [];
    for (;;) {
      const message = await channel.get(QUEUE, { noAck: true });
      if (message === false) break;
      after.push([String(message.properties.messageId), message.fields.redelivered]);
    }
    expect(after).toEqual([
      ['m1', true],
      ['m2', true],
    ]);
  }, 120_000);
});
