import type { ConsumeMessage } from 'amqplib';
import { channelClosed, consumeOne, getAll, getEventually, settle } from '../support/amqp';
import { type Conformance, conformance } from './support/harness';

async function publish(
  c: Conformance,
  queue: string,
  messages: [string, string?][],
): Promise<void> {
  const publisher = await c.confirmChannel();
  for (const [body, expiration] of messages) {
    publisher.sendToQueue(queue, Buffer.from(body), expiration === undefined ? {} : { expiration });
  }
  await publisher.waitForConfirms();
}

// amqp-semantics.md §19: message TTL. Short TTLs (tens of ms) keep these fast;
// waits are bounded and generous so a loaded machine does not flake them.
conformance('message TTL', (c) => {
  it('expires messages after the queue x-message-ttl', async () => {
    const queue = await c.queue({ messageTtl: 50 });
    await publish(c, queue, [['short-lived']]);
    await settle(300);
    expect(await getAll(await c.channel(), queue)).toEqual([]);
  });

  it('uses the smaller of x-message-ttl and the expiration property', async () => {
    const longQueueTtl = await c.queue({ messageTtl: 60_000 });
    const shortQueueTtl = await c.queue({ messageTtl: 50 });
    await publish(c, longQueueTtl, [['per-message wins', '50']]);
    await publish(c, shortQueueTtl, [['queue wins', '60000']]);
    await settle(300);
    const channel = await c.channel();
    expect(await getAll(channel, longQueueTtl)).toEqual([]);
    expect(await getAll(channel, shortQueueTtl)).toEqual([]);
  });

  it('keeps the expiration property on a delivered message', async () => {
    const queue = await c.queue();
    await publish(c, queue, [['kept', '60000']]);
    const message = await getEventually(await c.channel(), queue);
    expect(message.properties.expiration).toBe('60000');
  });

  it.each([
    ['abc', "PRECONDITION_FAILED - invalid expiration 'abc': no_integer"],
    ['-1', "PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}"],
  ])('closes the channel with 406 on expiration %p', async (expiration, text) => {
    const channel = await c.channel();
    const queue = await c.queue();
    const closed = channelClosed(channel);
    channel.sendToQueue(queue, Buffer.from('x'), { expiration });
    expect(await closed).toEqual({ code: 406, text, classId: 60, methodId: 40 });
  });

  it('expires per-message TTLs only at the head of the queue', async () => {
    const queue = await c.queue();
    await publish(c, queue, [
      ['long', '60000'],
      ['short', '20'],
    ]);
    await settle(200);
    const channel = await c.channel();
    // 'short' is due but sits behind 'long': still counted.
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ messageCount: 2 });
    const head = await channel.get(queue, { noAck: true });
    expect(head && head.content.toString()).toBe('long');
    // Now 'short' is at the head, already expired: never delivered.
    expect(await getAll(channel, queue)).toEqual([]);
  });

  it('never delivers an expired message to a consumer that arrives later', async () => {
    const queue = await c.queue();
    await publish(c, queue, [['gone', '30']]);
    await settle(200);
    await publish(c, queue, [['fresh']]);
    const message = await consumeOne(await c.channel(), queue, { noAck: true });
    expect(message.content.toString()).toBe('fresh');
  });

  it('delivers a TTL 0 message to a waiting consumer', async () => {
    const queue = await c.queue({ messageTtl: 0 });
    const channel = await c.channel();
    let take!: (message: ConsumeMessage) => void;
    const delivered = new Promise<ConsumeMessage>((resolve) => (take = resolve));
    // consume() resolves on consume-ok: the consumer is waiting before the publish below.
    await channel.consume(queue, (message) => message && take(message), { noAck: true });
    await publish(c, queue, [['now']]);
    expect((await delivered).content.toString()).toBe('now');
  });

  it('expires a TTL 0 message at once when no consumer is waiting', async () => {
    const queue = await c.queue({ messageTtl: 0 });
    await publish(c, queue, [['nobody-home']]);
    expect(await getAll(await c.channel(), queue)).toEqual([]);
  });

  it('keeps the original expiry for a requeued message', async () => {
    const queue = await c.queue({ messageTtl: 200 });
    await publish(c, queue, [['requeued-late'], ['second']]);
    const channel = await c.channel();
    const taken = await channel.get(queue, { noAck: false });
    if (!taken) throw new Error('expected a message');
    await settle(400); // both are past their expiry now
    channel.nack(taken, false, true);
    expect(await getAll(channel, queue)).toEqual([]);
  });
});
