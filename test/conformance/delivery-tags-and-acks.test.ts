import type { Channel } from 'amqplib';
import { channelClosed, consumeN, getAll, publishConfirmed } from '../support/amqp';
import { type Conformance, conformance } from './support/harness';

async function fill(c: Conformance, queue: string, count: number) {
  const publisher = await c.confirmChannel();
  for (let i = 1; i <= count; i++) publisher.sendToQueue(queue, Buffer.from(`m${i}`));
  await publisher.waitForConfirms();
}

/** Sends an ack/nack/reject for a tag amqplib never saw, as a raw field set. */
const fake = (deliveryTag: number) =>
  ({ fields: { deliveryTag } }) as Parameters<Channel['ack']>[0];

// amqp-semantics.md §13: delivery tags and acknowledgement errors.
conformance('delivery tags and acks', (c) => {
  it('numbers deliveries from 1 on each channel, across consume and get', async () => {
    const queue = await c.queue();
    await fill(c, queue, 4);
    const first = await c.channel();
    const second = await c.channel();
    await first.prefetch(2); // the consumer takes m1, m2 only; they stay unacked
    const consumed = await consumeN(first, queue, 2);
    expect(consumed.map((m) => m.fields.deliveryTag)).toEqual([1, 2]);
    const got = await second.get(queue);
    expect(got && got.fields.deliveryTag).toBe(1);
    const next = await first.get(queue);
    expect(next && next.fields.deliveryTag).toBe(3);
  });

  it.each([
    ['ack', (ch: Channel) => ch.ack(fake(99))],
    ['nack', (ch: Channel) => ch.nack(fake(99))],
    ['reject', (ch: Channel) => ch.reject(fake(99))],
  ])('closes the channel with 406 on %s of an unknown delivery tag', async (method, act) => {
    const channel = await c.channel();
    const closed = channelClosed(channel);
    act(channel);
    const methodId = { ack: 80, nack: 120, reject: 90 }[method];
    expect(await closed).toEqual({
      code: 406,
      text: 'PRECONDITION_FAILED - unknown delivery tag 99',
      classId: 60,
      methodId,
    });
  });

  it('closes the channel with 406 on a second ack of the same tag', async () => {
    const queue = await c.queue();
    await fill(c, queue, 1);
    const channel = await c.channel();
    const message = await channel.get(queue);
    if (!message) throw new Error('expected a message');
    const closed = channelClosed(channel);
    channel.ack(message);
    channel.ack(message);
    expect(await closed).toEqual({
      code: 406,
      text: 'PRECONDITION_FAILED - unknown delivery tag 1',
      classId: 60,
      methodId: 80,
    });
  });

  it('acks every outstanding delivery with multiple=true and tag 0', async () => {
    const queue = await c.queue();
    await fill(c, queue, 3);
    const channel = await c.channel();
    await getAll(channel, queue, { noAck: false });
    channel.ackAll(); // basic.ack(delivery-tag=0, multiple=true)
    await channel.recover(); // would requeue anything still unacked
    expect(await getAll(channel, queue)).toEqual([]);
  });

  it('acks up to and including a tag with multiple=true', async () => {
    const queue = await c.queue();
    await fill(c, queue, 4);
    const channel = await c.channel();
    const messages = await getAll(channel, queue, { noAck: false });
    channel.ack(messages[2], true); // tags 1..3
    await channel.recover();
    const left = await getAll(channel, queue);
    expect(left.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['m4', true]]);
  });

  it('rejects everything outstanding with nack multiple=true tag 0 (requeue=false drops them)', async () => {
    const queue = await c.queue();
    await fill(c, queue, 2);
    const channel = await c.channel();
    await getAll(channel, queue, { noAck: false });
    channel.nackAll(false);
    await channel.recover();
    expect(await getAll(channel, queue)).toEqual([]);
  });

  it('settles tags only on their own channel: an ack on another channel is 406', async () => {
    const queue = await c.queue();
    await fill(c, queue, 1);
    const owner = await c.channel();
    const message = await owner.get(queue, { noAck: false });
    if (!message) throw new Error('expected a message');
    const stranger = await c.channel();
    const closed = channelClosed(stranger);
    stranger.ack(message);
    expect(await closed).toMatchObject({
      code: 406,
      text: 'PRECONDITION_FAILED - unknown delivery tag 1',
    });
  });

  it('publishes with confirms and still numbers consumer deliveries independently', async () => {
    const channel = await c.confirmChannel();
    const queue = await c.queue();
    await publishConfirmed(channel, '', queue, 'a');
    await publishConfirmed(channel, '', queue, 'b');
    const got = await getAll(channel, queue, { noAck: false });
    expect(got.map((m) => m.fields.deliveryTag)).toEqual([1, 2]);
  });
});
