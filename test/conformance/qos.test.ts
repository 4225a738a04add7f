import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { eventually } from '../support/eventually';
import { settle } from '../support/amqp';
import { conformance } from './support/harness';
import { Method, basicQos } from './support/methods';

async function fill(channel: ConfirmChannel, queue: string, count: number) {
  for (let i = 1; i <= count; i++) channel.sendToQueue(queue, Buffer.from(`m${i}`));
  await channel.waitForConfirms();
}

/** Starts a manual-ack consumer that records (and never acks) what it receives. */
async function hoard(channel: Channel, queue: string): Promise<ConsumeMessage[]> {
  const received: ConsumeMessage[] = [];
  await channel.consume(queue, (m) => m && received.push(m), { noAck: false });
  return received;
}

// amqp-semantics.md §14: basic.qos.
conformance('qos', (c) => {
  it('limits each consumer to prefetch_count unacked messages with global=false', async () => {
    const publisher = await c.confirmChannel();
    const queue = await c.queue();
    await fill(publisher, queue, 10);
    const channel = await c.channel();
    await channel.prefetch(2, false);
    const a = await hoard(channel, queue);
    const b = await hoard(channel, queue);
    await eventually(() => expect(a.length + b.length).toBe(4));
    await settle(100);
    expect([a.length, b.length]).toEqual([2, 2]);
    channel.ack(a[0]);
    await eventually(() => expect(a.length).toBe(3));
  });

  it('shares prefetch_count across the channel with global=true', async () => {
    const publisher = await c.confirmChannel();
    const queue = await c.queue();
    await fill(publisher, queue, 10);
    const channel = await c.channel();
    await channel.prefetch(3, true);
    const a = await hoard(channel, queue);
    const b = await hoard(channel, queue);
    await eventually(() => expect(a.length + b.length).toBe(3));
    await settle(100);
    expect(a.length + b.length).toBe(3);
  });

  it('applies both limits when a channel has a per-consumer and a global prefetch', async () => {
    const publisher = await c.confirmChannel();
    const queue = await c.queue();
    await fill(publisher, queue, 10);
    const channel = await c.channel();
    await channel.prefetch(3, true);
    await channel.prefetch(1, false);
    const a = await hoard(channel, queue);
    const b = await hoard(channel, queue);
    await eventually(() => expect(a.length + b.length).toBe(2));
    await settle(100);
    expect([a.length, b.length]).toEqual([1, 1]);
  });

  it('treats prefetch 0 as unlimited', async () => {
    const publisher = await c.confirmChannel();
    const queue = await c.queue();
    await fill(publisher, queue, 20);
    const channel = await c.channel();
    await channel.prefetch(0);
    const a = await hoard(channel, queue);
    await eventually(() => expect(a.length).toBe(20));
  });

  it('refuses prefetch_size != 0 with connection.close 540', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(basicQos(1, 1, 10));
    expect(await raw.expectConnectionClose()).toEqual({
      code: 540,
      text: 'NOT_IMPLEMENTED - prefetch_size!=0 (1)',
      classId: 60,
      methodId: 10,
    });
  });

  it('answers basic.qos with qos-ok', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    await expect(raw.call(basicQos(1, 0, 5, true), 1, Method.basicQosOk)).resolves.toBeDefined();
  });
});
