import type { Channel, GetMessage } from 'amqplib';
import { consumeOne, getAll } from '../support/amqp';
import { type Conformance, conformance } from './support/harness';

async function queueWith(c: Conformance, count: number): Promise<string> {
  const queue = await c.queue();
  const publisher = await c.confirmChannel();
  for (let i = 1; i <= count; i++) publisher.sendToQueue(queue, Buffer.from(`m${i}`));
  await publisher.waitForConfirms();
  return queue;
}

async function take(channel: Channel, queue: string, count: number): Promise<GetMessage[]> {
  const taken: GetMessage[] = [];
  for (let i = 0; i < count; i++) {
    const message = await channel.get(queue, { noAck: false });
    if (!message) throw new Error(`queue '${queue}' ran dry after ${i} of ${count}`);
    taken.push(message);
  }
  return taken;
}

const summary = (messages: GetMessage[]) =>
  messages.map((m) => `${m.content.toString()}${m.fields.redelivered ? '*' : ''}`);

// amqp-semantics.md §15: requeued messages go back to their original position,
// marked redelivered (* below).
conformance('requeue order', (c) => {
  it('puts nacked and rejected messages back in their original positions', async () => {
    const queue = await queueWith(c, 5);
    const channel = await c.channel();
    const [m1, m2, m3] = await take(channel, queue, 3);
    channel.nack(m2, false, true);
    channel.reject(m1, true);
    channel.ack(m3);
    expect(summary(await getAll(channel, queue))).toEqual(['m1*', 'm2*', 'm4', 'm5']);
  });

  it('requeues every unacked message in order on basic.recover', async () => {
    const queue = await queueWith(c, 4);
    const channel = await c.channel();
    await take(channel, queue, 2);
    await channel.recover();
    expect(summary(await getAll(channel, queue))).toEqual(['m1*', 'm2*', 'm3', 'm4']);
  });

  it('requeues unacked messages in order when their channel closes', async () => {
    const queue = await queueWith(c, 3);
    const connection = await c.connect();
    const channel = await connection.createChannel();
    await take(channel, queue, 2);
    await channel.close();
    expect(summary(await getAll(await c.channel(), queue))).toEqual(['m1*', 'm2*', 'm3']);
  });

  it('requeues unacked messages in order when their connection closes', async () => {
    const queue = await queueWith(c, 3);
    const connection = await c.connect();
    const channel = await connection.createChannel();
    const [, m2] = await take(channel, queue, 3);
    channel.ack(m2);
    await channel.checkQueue(queue); // a round trip after the ack, so it is settled before the close
    await connection.close();
    expect(summary(await getAll(await c.channel(), queue))).toEqual(['m1*', 'm3*']);
  });

  it('marks a requeued message redelivered for consumers too', async () => {
    const queue = await queueWith(c, 1);
    const channel = await c.channel();
    const [first] = await take(channel, queue, 1);
    expect(first.fields.redelivered).toBe(false);
    channel.nack(first, false, true);
    const again = await consumeOne(channel, queue, { noAck: true });
    expect([again.content.toString(), again.fields.redelivered]).toEqual(['m1', true]);
  });

  it('drops a message nacked with requeue=false when there is no dead-letter exchange', async () => {
    const queue = await queueWith(c, 2);
    const channel = await c.channel();
    const [m1] = await take(channel, queue, 1);
    channel.nack(m1, false, false);
    await channel.recover();
    expect(summary(await getAll(channel, queue))).toEqual(['m2']);
  });
});
