import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { eventually } from '../support/eventually';
import { settle } from '../support/amqp';
import { type Conformance, conformance } from './support/harness';

async function publish(c: Conformance, queue: string, bodies: string[]): Promise<void> {
  const publisher = await c.confirmChannel();
  for (const body of bodies) publisher.sendToQueue(queue, Buffer.from(body));
  await publisher.waitForConfirms();
}

async function collector(
  channel: Channel,
  queue: string,
  options: Options.Consume = {},
): Promise<{ tag: string; got: string[]; raw: ConsumeMessage[] }> {
  const got: string[] = [];
  const raw: ConsumeMessage[] = [];
  const { consumerTag } = await channel.consume(
    queue,
    (m) => {
      if (!m) return;
      got.push(m.content.toString());
      raw.push(m);
    },
    options,
  );
  return { tag: consumerTag, got, raw };
}

const SAC = { 'x-single-active-consumer': true };

// amqp-semantics.md §18: consumer priorities and single active consumer.
conformance('single active consumer and consumer priority', (c) => {
  it('delivers only to the first consumer of a single-active-consumer queue', async () => {
    const queue = await c.queue({ arguments: SAC });
    const first = await collector(await c.channel(), queue, { noAck: true });
    const second = await collector(await c.channel(), queue, { noAck: true });
    await publish(c, queue, ['a', 'b', 'c']);
    await eventually(() => expect(first.got).toEqual(['a', 'b', 'c']));
    expect(second.got).toEqual([]);
  });

  it('fails over to the next consumer when the active one is cancelled, requeueing its unacked messages', async () => {
    const queue = await c.queue({ arguments: SAC });
    const firstChannel = await c.channel();
    await firstChannel.prefetch(1);
    const first = await collector(firstChannel, queue, { noAck: false });
    const second = await collector(await c.channel(), queue, { noAck: true });
    await publish(c, queue, ['a', 'b', 'c']);
    await eventually(() => expect(first.got).toEqual(['a']));
    await firstChannel.close(); // 'a' unacked: requeued
    await eventually(() => expect(second.got).toEqual(['a', 'b', 'c']));
    expect(second.raw[0].fields.redelivered).toBe(true);
  });

  it('fails over when the active consumer cancels explicitly', async () => {
    const queue = await c.queue({ arguments: SAC });
    const channel = await c.channel();
    const first = await collector(channel, queue, { noAck: true });
    const second = await collector(await c.channel(), queue, { noAck: true });
    await publish(c, queue, ['a']);
    await eventually(() => expect(first.got).toEqual(['a']));
    await channel.cancel(first.tag);
    await publish(c, queue, ['b']);
    await eventually(() => expect(second.got).toEqual(['b']));
  });

  it('delivers to the highest x-priority consumer while it has capacity', async () => {
    const queue = await c.queue();
    const lowChannel = await c.channel();
    const highChannel = await c.channel();
    await highChannel.prefetch(2);
    const low = await collector(lowChannel, queue, { noAck: false, priority: 1 });
    const high = await collector(highChannel, queue, { noAck: false, priority: 10 });
    await publish(c, queue, ['1', '2', '3', '4']);
    await eventually(() => expect(high.got.length + low.got.length).toBe(4));
    // high takes two (its prefetch), the rest spill to the lower priority consumer.
    expect(high.got).toEqual(['1', '2']);
    expect(low.got).toEqual(['3', '4']);
  });

  it('round-robins between consumers of equal priority', async () => {
    const queue = await c.queue();
    const a = await collector(await c.channel(), queue, { noAck: true });
    const b = await collector(await c.channel(), queue, { noAck: true });
    await publish(c, queue, ['1', '2', '3', '4']);
    await eventually(() => expect(a.got.length + b.got.length).toBe(4));
    await settle(50);
    expect([a.got.length, b.got.length]).toEqual([2, 2]);
  });
});
