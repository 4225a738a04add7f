import type { ConsumeMessage } from 'amqplib';
import { channelError, consumeN, getAll, publishConfirmed, settle } from '../support/amqp';
import { conformance } from './support/harness';

// amqp-semantics.md §25: the x-delayed-message and x-consistent-hash exchange types.
conformance('delayed-message and consistent-hash exchanges', (c) => {
  // The rabbitmq_delayed_message_exchange plugin is not installed on the local
  // RabbitMQ 3.10, so the delayed-message scenarios run on the embedded broker
  // only (which implements it as the plugin documents).
  if (c.target.name !== 'rabbitmq') {
    describe('x-delayed-message', () => {
      it('requires x-delayed-type (406)', async () => {
        const channel = await c.channel();
        const error = await channelError(channel, () =>
          channel.assertExchange(c.exchangeName(), 'x-delayed-message'),
        );
        expect(error).toMatchObject({ code: 406, classId: 40, methodId: 10 });
      });

      it('holds each message for its x-delay and releases them in due order', async () => {
        const channel = await c.confirmChannel();
        const exchange = await c.exchange('x-delayed-message', {
          arguments: { 'x-delayed-type': 'direct' },
        });
        const queue = await c.queue();
        await channel.bindQueue(queue, exchange, 'k');
        const started = Date.now();
        for (const delay of [300, 100, 200]) {
          await publishConfirmed(channel, exchange, 'k', String(delay), {
            headers: { 'x-delay': delay },
          });
        }
        expect(await getAll(channel, queue)).toEqual([]); // nothing is due yet
        const released = await consumeN(channel, queue, 3, { noAck: true }, 5_000);
        expect(released.map((m: ConsumeMessage) => m.content.toString())).toEqual([
          '100',
          '200',
          '300',
        ]);
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      });

      it('routes with the delayed type once due (a topic pattern here)', async () => {
        const channel = await c.confirmChannel();
        const exchange = await c.exchange('x-delayed-message', {
          arguments: { 'x-delayed-type': 'topic' },
        });
        const queue = await c.queue();
        await channel.bindQueue(queue, exchange, 'policy.*');
        await publishConfirmed(channel, exchange, 'policy.issued', 'match', {
          headers: { 'x-delay': 50 },
        });
        await publishConfirmed(channel, exchange, 'billing.due', 'no-match', {
          headers: { 'x-delay': 50 },
        });
        const [message] = await consumeN(channel, queue, 1, { noAck: true });
        expect([message.content.toString(), message.fields.routingKey]).toEqual([
          'match',
          'policy.issued',
        ]);
        await settle(150);
        expect(await getAll(channel, queue)).toEqual([]);
      });

      it('delivers at once without x-delay or with a negative one', async () => {
        const channel = await c.confirmChannel();
        const exchange = await c.exchange('x-delayed-message', {
          arguments: { 'x-delayed-type': 'fanout' },
        });
        const queue = await c.queue();
        await channel.bindQueue(queue, exchange, '');
        await publishConfirmed(channel, exchange, '', 'plain');
        await publishConfirmed(channel, exchange, '', 'negative', { headers: { 'x-delay': -100 } });
        const got = await consumeN(channel, queue, 2, { noAck: true }, 1_000);
        expect(got.map((m) => m.content.toString()).sort()).toEqual(['negative', 'plain']);
      });

      if (c.canRestart) {
        it('keeps pending delayed messages of a durable exchange across a restart', async () => {
          const before = await c.confirmChannel();
          const exchange = await c.exchange('x-delayed-message', {
            durable: true,
            arguments: { 'x-delayed-type': 'direct' },
          });
          const queue = await c.queue({ durable: true });
          await before.bindQueue(queue, exchange, 'k');
          await publishConfirmed(before, exchange, 'k', 'survivor', {
            persistent: true,
            headers: { 'x-delay': 400 },
          });
          await c.restart();
          const after = await c.channel();
          const [message] = await consumeN(after, queue, 1, { noAck: true }, 5_000);
          expect(message.content.toString()).toBe('survivor');
        });
      }
    });
  }

  describe('x-consistent-hash', () => {
    it('spreads routing keys over the bound queues and sends one key always to the same queue', async () => {
      const channel = await c.confirmChannel();
      const exchange = await c.exchange('x-consistent-hash');
      const queues = [await c.queue(), await c.queue()];
      for (const queue of queues) await channel.bindQueue(queue, exchange, '1'); // binding key = weight
      for (let i = 0; i < 200; i++) channel.publish(exchange, `key-${i}`, Buffer.from(`key-${i}`));
      for (let i = 0; i < 5; i++) channel.publish(exchange, 'sticky', Buffer.from('sticky'));
      await channel.waitForConfirms();
      const [a, b] = [await getAll(channel, queues[0]), await getAll(channel, queues[1])];
      expect(a.length + b.length).toBe(205);
      expect(a.length).toBeGreaterThan(30); // both get a real share
      expect(b.length).toBeGreaterThan(30);
      const stickyCounts = [a, b].map(
        (got) => got.filter((m) => m.content.toString() === 'sticky').length,
      );
      expect(stickyCounts.sort()).toEqual([0, 5]);
    });

    it('gives a queue with a larger weight a larger share', async () => {
      const channel = await c.confirmChannel();
      const exchange = await c.exchange('x-consistent-hash');
      const light = await c.queue();
      const heavy = await c.queue();
      await channel.bindQueue(light, exchange, '1');
      await channel.bindQueue(heavy, exchange, '10');
      for (let i = 0; i < 300; i++) channel.publish(exchange, `k${i}`, Buffer.from('x'));
      await channel.waitForConfirms();
      const lightCount = (await getAll(channel, light)).length;
      const heavyCount = (await getAll(channel, heavy)).length;
      expect(lightCount + heavyCount).toBe(300);
      expect(heavyCount).toBeGreaterThan(lightCount * 2);
    });

    it('hashes a configured header instead of the routing key (hash-header)', async () => {
      const channel = await c.confirmChannel();
      const exchange = await c.exchange('x-consistent-hash', {
        arguments: { 'hash-header': 'x-key' },
      });
      const queues = [await c.queue(), await c.queue(), await c.queue()];
      for (const queue of queues) await channel.bindQueue(queue, exchange, '1');
      // Varying routing keys, one header value: all land in one queue.
      for (let i = 0; i < 20; i++)
        channel.publish(exchange, `rk-${i}`, Buffer.from('h'), {
          headers: { 'x-key': 'policy-42' },
        });
      await channel.waitForConfirms();
      const counts = await Promise.all(queues.map(async (q) => (await getAll(channel, q)).length));
      expect(counts.sort((x, y) => x - y)).toEqual([0, 0, 20]);
    });

    it('hashes a configured property instead of the routing key (hash-property)', async () => {
      const channel = await c.confirmChannel();
      const exchange = await c.exchange('x-consistent-hash', {
        arguments: { 'hash-property': 'message_id' },
      });
      const queues = [await c.queue(), await c.queue(), await c.queue()];
      for (const queue of queues) await channel.bindQueue(queue, exchange, '1');
      for (let i = 0; i < 20; i++)
        channel.publish(exchange, `rk-${i}`, Buffer.from('p'), { messageId: 'same-id' });
      await channel.waitForConfirms();
      const counts = await Promise.all(queues.map(async (q) => (await getAll(channel, q)).length));
      expect(counts.sort((x, y) => x - y)).toEqual([0, 0, 20]);
    });
  });
});
