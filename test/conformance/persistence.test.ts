import { channelError, getAll, publishConfirmed } from '../support/amqp';
import { conformance } from './support/harness';

// amqp-semantics.md §27: durability. Restarting is only possible on the embedded
// broker (the machine's RabbitMQ is shared and never restarted by tests), so the
// restart scenarios exist only where the harness reports canRestart. kill -9 of
// the broker process is covered by test/broker/durability.test.ts.
conformance('persistence', (c) => {
  it('keeps durable and transient definitions, and delivery modes, while the broker runs', async () => {
    const declaring = await c.connect();
    const channel = await declaring.createConfirmChannel();
    const durable = await c.queue({ durable: true });
    const transient = await c.queue({ durable: false });
    await publishConfirmed(channel, '', durable, 'persistent', { persistent: true });
    await publishConfirmed(channel, '', durable, 'transient', { persistent: false });
    await declaring.close(); // neither queue belongs to a connection
    const reader = await c.channel();
    await expect(reader.checkQueue(transient)).resolves.toMatchObject({ queue: transient });
    const messages = await getAll(reader, durable);
    expect(messages.map((m) => [m.content.toString(), m.properties.deliveryMode])).toEqual([
      ['persistent', 2],
      ['transient', 1],
    ]);
  });

  if (c.canRestart) {
    it('restart: durable exchanges, queues, bindings and confirmed persistent messages survive; transient ones do not', async () => {
      const channel = await c.confirmChannel();
      const durableExchange = await c.exchange('topic', { durable: true });
      const transientExchange = await c.exchange('topic', { durable: false, autoDelete: false });
      const durableQueue = await c.queue({ durable: true, arguments: { 'x-max-length': 100 } });
      const transientQueue = await c.queue({ durable: false });
      await channel.bindQueue(durableQueue, durableExchange, 'policy.#');
      await publishConfirmed(channel, durableExchange, 'policy.issued', 'kept', {
        persistent: true,
        messageId: 'p-1',
      });
      await publishConfirmed(channel, durableExchange, 'policy.issued', 'lost', {
        persistent: false,
      });
      await publishConfirmed(channel, '', transientQueue, 'lost-with-queue', { persistent: true });

      await c.restart();

      const after = await c.confirmChannel();
      const survivors = await getAll(after, durableQueue);
      expect(
        survivors.map((m) => [
          m.content.toString(),
          m.properties.messageId,
          m.properties.deliveryMode,
        ]),
      ).toEqual([['kept', 'p-1', 2]]);
      // The binding survived: routing still works.
      await publishConfirmed(after, durableExchange, 'policy.cancelled', 'routed-after');
      expect((await getAll(after, durableQueue)).map((m) => m.content.toString())).toEqual([
        'routed-after',
      ]);
      // The arguments survived: redeclaring with them is equivalent, without them is not.
      await expect(
        after.assertQueue(durableQueue, { durable: true, arguments: { 'x-max-length': 100 } }),
      ).resolves.toMatchObject({
        queue: durableQueue,
      });
      const probe = await c.channel();
      expect(await channelError(probe, () => probe.checkQueue(transientQueue))).toMatchObject({
        code: 404,
      });
      const probe2 = await c.channel();
      expect(
        await channelError(probe2, () => probe2.checkExchange(transientExchange)),
      ).toMatchObject({ code: 404 });
    });

    it('restart: an unacked persistent message is still there afterwards', async () => {
      const queue = await c.queue({ durable: true });
      const channel = await c.confirmChannel();
      await publishConfirmed(channel, '', queue, 'in-flight', { persistent: true });
      const taken = await channel.get(queue, { noAck: false });
      expect(taken && taken.content.toString()).toBe('in-flight');

      await c.restart();

      const after = await c.channel();
      const [message] = await getAll(after, queue);
      expect(message.content.toString()).toBe('in-flight');
    });

    it('restart: acked messages stay gone', async () => {
      const queue = await c.queue({ durable: true });
      const channel = await c.confirmChannel();
      await publishConfirmed(channel, '', queue, 'done', { persistent: true });
      await publishConfirmed(channel, '', queue, 'pending', { persistent: true });
      const done = await channel.get(queue, { noAck: false });
      if (!done) throw new Error('expected a message');
      channel.ack(done);
      await channel.checkQueue(queue); // the ack is settled before the restart

      await c.restart();

      expect((await getAll(await c.channel(), queue)).map((m) => m.content.toString())).toEqual([
        'pending',
      ]);
    });
  }
});
