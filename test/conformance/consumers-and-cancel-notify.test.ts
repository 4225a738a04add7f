import { connectionClosed, queueExists, within } from '../support/amqp';
import { eventually } from '../support/eventually';
import { conformance } from './support/harness';

// amqp-semantics.md §17: consumer tags, server-sent basic.cancel, auto-delete queues.
conformance('consumers and cancel notification', (c) => {
  it('generates consumer tags amq.ctag-* when the client leaves the tag empty', async () => {
    const channel = await c.channel();
    const queue = await c.queue();
    const { consumerTag } = await channel.consume(queue, () => undefined);
    expect(consumerTag).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{22}$/);
  });

  it('uses the client-chosen tag and cancels by it', async () => {
    const channel = await c.channel();
    const queue = await c.queue();
    await expect(channel.consume(queue, () => undefined, { consumerTag: 'mine' })).resolves.toEqual(
      { consumerTag: 'mine' },
    );
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ consumerCount: 1 });
    await expect(channel.cancel('mine')).resolves.toEqual({ consumerTag: 'mine' });
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ consumerCount: 0 });
  });

  it('closes the connection with 530 when a consumer tag is reused on a channel', async () => {
    const connection = await c.connect();
    const closed = connectionClosed(connection);
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const queue = await c.queue();
    await channel.consume(queue, () => undefined, { consumerTag: 'dup' });
    await expect(
      channel.consume(queue, () => undefined, { consumerTag: 'dup' }),
    ).rejects.toBeDefined();
    expect(await closed).toEqual({
      code: 530,
      text: "NOT_ALLOWED - attempt to reuse consumer tag 'dup'",
    });
  });

  it('allows the same consumer tag on different channels', async () => {
    const queue = await c.queue();
    const first = await c.channel();
    const second = await c.channel();
    await first.consume(queue, () => undefined, { consumerTag: 'shared' });
    await expect(
      second.consume(queue, () => undefined, { consumerTag: 'shared' }),
    ).resolves.toEqual({
      consumerTag: 'shared',
    });
  });

  it('sends basic.cancel to consumers of a deleted queue (consumer_cancel_notify)', async () => {
    const consumerChannel = await c.channel();
    const queue = await c.queue();
    const cancelled = new Promise<string>((resolve) =>
      consumerChannel.on('cancel', (fields: { consumerTag: string }) =>
        resolve(fields.consumerTag),
      ),
    );
    let nullDelivered = false;
    const { consumerTag } = await consumerChannel.consume(queue, (m) => {
      if (m === null) nullDelivered = true;
    });
    await (await c.channel()).deleteQueue(queue);
    expect(await within(cancelled, 'basic.cancel from the server')).toBe(consumerTag);
    expect(nullDelivered).toBe(true);
    // The channel stays open.
    await expect(consumerChannel.checkExchange('amq.direct')).resolves.toBeDefined();
  });

  it('deletes an auto-delete queue when its last consumer is cancelled', async () => {
    const queue = await c.queue({ autoDelete: true });
    const channel = await c.channel();
    const first = await channel.consume(queue, () => undefined);
    const second = await channel.consume(queue, () => undefined);
    await channel.cancel(first.consumerTag);
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ consumerCount: 1 });
    await channel.cancel(second.consumerTag);
    const connection = await c.connect();
    await eventually(async () => expect(await queueExists(connection, queue)).toBe(false));
  });

  it('deletes an auto-delete queue when its consumer’s channel closes', async () => {
    const queue = await c.queue({ autoDelete: true });
    const connection = await c.connect();
    const channel = await connection.createChannel();
    await channel.consume(queue, () => undefined);
    await channel.close();
    await eventually(async () => expect(await queueExists(connection, queue)).toBe(false));
  });

  it('keeps an auto-delete queue that never had a consumer', async () => {
    const queue = await c.queue({ autoDelete: true });
    const channel = await c.channel();
    await channel.get(queue);
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ queue, consumerCount: 0 });
  });

  it('answers cancel of an unknown consumer tag with cancel-ok', async () => {
    const channel = await c.channel();
    await expect(channel.cancel('never-existed')).resolves.toEqual({
      consumerTag: 'never-existed',
    });
  });
});
