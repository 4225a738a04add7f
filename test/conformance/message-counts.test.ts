import { channelError, getAll } from '../support/amqp';
import { type Conformance, conformance } from './support/harness';
import { Method, basicGet, queueDeclare } from './support/methods';

async function queueWith(c: Conformance, count: number): Promise<string> {
  const queue = await c.queue();
  const publisher = await c.confirmChannel();
  for (let i = 1; i <= count; i++) publisher.sendToQueue(queue, Buffer.from(`m${i}`));
  await publisher.waitForConfirms();
  return queue;
}

// amqp-semantics.md §16: message counts cover ready messages only.
conformance('message counts', (c) => {
  it('reports ready messages (not unacked ones) and consumers in declare-ok', async () => {
    const queue = await queueWith(c, 5);
    const channel = await c.channel();
    await channel.get(queue, { noAck: false });
    await channel.get(queue, { noAck: false });
    await channel
      .consume(queue, () => undefined, { noAck: false, priority: 0 })
      .then(() => undefined);
    const other = await c.channel();
    // The consumer (unlimited prefetch) now holds the rest unacked: nothing is ready.
    await expect(other.checkQueue(queue)).resolves.toEqual({
      queue,
      messageCount: 0,
      consumerCount: 1,
    });
  });

  it('counts what remains ready in get-ok and excludes the message just fetched', async () => {
    const queue = await queueWith(c, 3);
    const channel = await c.channel();
    const first = await channel.get(queue, { noAck: false });
    expect(first && first.fields.messageCount).toBe(2);
    const second = await channel.get(queue, { noAck: true });
    expect(second && second.fields.messageCount).toBe(1);
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ messageCount: 1 });
    await channel.recover(); // the unacked first message is ready again
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ messageCount: 2 });
  });

  it('answers basic.get on an empty queue with get-empty', async () => {
    const queue = await c.queue();
    const raw = await c.raw();
    await raw.openChannel(1);
    const empty = await raw.call(basicGet(1, queue), 1, Method.basicGetEmpty);
    expect(empty.shortstr()).toBe(''); // cluster-id, always empty
  });

  it('reports the count of purged and deleted messages', async () => {
    const queue = await queueWith(c, 3);
    const channel = await c.channel();
    await expect(channel.purgeQueue(queue)).resolves.toEqual({ messageCount: 3 });
    const publisher = await c.confirmChannel();
    publisher.sendToQueue(queue, Buffer.from('x'));
    await publisher.waitForConfirms();
    await expect(channel.deleteQueue(queue)).resolves.toEqual({ messageCount: 1 });
  });

  it('refuses to delete a queue with if-empty or if-unused when it is not (406)', async () => {
    const queue = await queueWith(c, 1);
    const channel = await c.channel();
    expect(
      await channelError(channel, () => channel.deleteQueue(queue, { ifEmpty: true })),
    ).toEqual({
      code: 406,
      text: `PRECONDITION_FAILED - queue '${queue}' in vhost '/' not empty`,
      classId: 50,
      methodId: 40,
    });
    const consumer = await c.channel();
    await consumer.consume(queue, () => undefined);
    const deleter = await c.channel();
    expect(
      await channelError(deleter, () => deleter.deleteQueue(queue, { ifUnused: true })),
    ).toMatchObject({
      code: 406,
      text: `PRECONDITION_FAILED - queue '${queue}' in vhost '/' in use`,
    });
  });

  it('reports the count in a raw passive declare-ok as well', async () => {
    const queue = await queueWith(c, 2);
    await getAll(await c.channel(), queue, { noAck: false }).then(() => undefined);
    const raw = await c.raw();
    await raw.openChannel(1);
    const ok = await raw.call(queueDeclare(1, queue, { passive: true }), 1, Method.queueDeclareOk);
    // The channel that fetched them unacked is still open: both are unacked, none ready.
    expect([ok.shortstr(), ok.long(), ok.long()]).toEqual([queue, 0, 0]);
  });
});
