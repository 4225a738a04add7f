import type { Channel } from 'amqplib';
import { channelError, connectionClosed, getEventually, within } from '../support/amqp';
import { conformance } from './support/harness';

// amqp-semantics.md §7 (server-named queues, the empty name) and §8 (exclusivity).
conformance('server-named and exclusive queues', (c) => {
  it('names a queue declared with an empty name amq.gen-*', async () => {
    const channel = await c.channel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    expect(queue).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ queue });
  });

  it('reads an empty queue name as the last queue declared on the channel', async () => {
    const channel = await c.channel();
    const exchange = await c.exchange('fanout', { autoDelete: true });
    await channel.assertQueue('', { exclusive: true });
    const { queue: last } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue('', exchange, ''); // binds `last`
    channel.publish(exchange, '', Buffer.from('to-last'));
    const message = await getEventually(channel, last);
    expect(message.content.toString()).toBe('to-last');
    channel.publish(exchange, '', Buffer.from('via-empty-name'));
    expect((await getEventually(channel, '')).content.toString()).toBe('via-empty-name');
    await expect(channel.purgeQueue('')).resolves.toEqual({ messageCount: 0 });
    await expect(channel.deleteQueue('')).resolves.toEqual({ messageCount: 0 });
    const stillThere = await c.channel();
    await expect(
      channelError(stillThere, () => stillThere.checkQueue(last)),
    ).resolves.toMatchObject({ code: 404 });
  });

  // RabbitMQ answers 404 for every method here (the spec allows 530 for some; 3.10 never uses it).
  it.each([
    ['queue.bind', 50, 20, (ch: Channel) => ch.bindQueue('', 'amq.fanout', '')],
    ['queue.unbind', 50, 50, (ch: Channel) => ch.unbindQueue('', 'amq.fanout', '')],
    ['queue.purge', 50, 30, (ch: Channel) => ch.purgeQueue('')],
    ['queue.delete', 50, 40, (ch: Channel) => ch.deleteQueue('')],
    ['basic.get', 60, 70, (ch: Channel) => ch.get('')],
    ['basic.consume', 60, 20, (ch: Channel) => ch.consume('', () => undefined)],
  ] as const)(
    'answers %s with an empty queue name and no declared queue with 404',
    async (_m, classId, methodId, act) => {
      const channel = await c.channel();
      expect(await channelError(channel, () => act(channel))).toEqual({
        code: 404,
        text: 'NOT_FOUND - no previously declared queue',
        classId,
        methodId,
      });
    },
  );

  it('locks an exclusive queue to its connection: others get 405', async () => {
    const owner = await c.channel();
    const queue = c.queueName();
    await owner.assertQueue(queue, { exclusive: true });
    const locked = `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${queue}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`;
    const redeclare = await c.channel();
    expect(
      await channelError(redeclare, () => redeclare.assertQueue(queue, { exclusive: true })),
    ).toEqual({
      code: 405,
      text: locked,
      classId: 50,
      methodId: 10,
    });
    const consume = await c.channel();
    expect(await channelError(consume, () => consume.consume(queue, () => undefined))).toEqual({
      code: 405,
      text: locked,
      classId: 60,
      methodId: 20,
    });
    // The owner still uses it freely.
    await expect(owner.consume(queue, () => undefined)).resolves.toHaveProperty('consumerTag');
  });

  it('deletes an exclusive queue when its connection closes', async () => {
    const ownerConnection = await c.connect();
    const owner = await ownerConnection.createChannel();
    const { queue } = await owner.assertQueue('', { exclusive: true });
    await ownerConnection.close();
    const checker = await c.channel();
    expect(await channelError(checker, () => checker.checkQueue(queue))).toMatchObject({
      code: 404,
    });
  });

  it('refuses a second consumer on a queue with an exclusive consumer (403)', async () => {
    const queue = await c.queue();
    const first = await c.channel();
    await first.consume(queue, () => undefined, { exclusive: true });
    const second = await c.channel();
    expect(await channelError(second, () => second.consume(queue, () => undefined))).toEqual({
      code: 403,
      text: `ACCESS_REFUSED - queue '${queue}' in vhost '/' in exclusive use`,
      classId: 60,
      methodId: 20,
    });
  });

  it('refuses an exclusive consumer on a queue that already has a consumer (403)', async () => {
    const queue = await c.queue();
    const first = await c.channel();
    await first.consume(queue, () => undefined);
    const second = await c.channel();
    expect(
      await channelError(second, () => second.consume(queue, () => undefined, { exclusive: true })),
    ).toEqual({
      code: 403,
      text: `ACCESS_REFUSED - queue '${queue}' in vhost '/' in exclusive use`,
      classId: 60,
      methodId: 20,
    });
  });

  it('keeps the connection open after exclusive-queue errors', async () => {
    const connection = await c.connect();
    const closed = connectionClosed(connection, 500).catch(() => 'still open');
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await channel.checkQueue(c.queueName()).catch(() => undefined);
    expect(await within(closed, 'connection state')).toBe('still open');
  });
});
