import type { Channel } from 'amqplib';
import { channelError, getAll, getEventually, publishConfirmed, xDeath } from '../support/amqp';
import { type Conformance, conformance } from './support/harness';

async function publishWithPriorities(
  c: Conformance,
  queue: string,
  messages: [string, number | undefined][],
) {
  const channel = await c.confirmChannel();
  for (const [body, priority] of messages)
    channel.sendToQueue(queue, Buffer.from(body), priority === undefined ? {} : { priority });
  await channel.waitForConfirms();
}

/** get + nack(requeue) until the queue has nothing; returns the x-delivery-count seen on each delivery. */
async function returnUntilGone(
  channel: Channel,
  queue: string,
  max = 30,
): Promise<(number | undefined)[]> {
  const counts: (number | undefined)[] = [];
  for (let i = 0; i < max; i++) {
    const message = await channel.get(queue, { noAck: false });
    if (message === false) return counts;
    counts.push(message.properties.headers?.['x-delivery-count']);
    channel.nack(message, false, true);
    await channel.checkQueue(queue); // settle the nack before the next get
  }
  throw new Error(`message still in '${queue}' after ${max} deliveries`);
}

// Delivery limits are quorum-queue behaviour in RabbitMQ (3.10 classic queues
// have no x-delivery-limit), so these queues are declared as quorum queues on
// every target; the embedded broker accepts x-queue-type quorum.
const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum' } };

// amqp-semantics.md §23: x-max-priority and x-delivery-limit.
conformance('priority queues and delivery limits', (c) => {
  it('delivers higher priorities first and equal priorities in publish order', async () => {
    const queue = await c.queue({ maxPriority: 10 });
    await publishWithPriorities(c, queue, [
      ['p1', 1],
      ['p5a', 5],
      ['none', undefined],
      ['p10', 10],
      ['p5b', 5],
    ]);
    const order = (await getAll(await c.channel(), queue)).map((m) => m.content.toString());
    expect(order).toEqual(['p10', 'p5a', 'p5b', 'p1', 'none']);
  });

  it('treats priorities above x-max-priority as the maximum', async () => {
    const queue = await c.queue({ maxPriority: 5 });
    await publishWithPriorities(c, queue, [
      ['low', 1],
      ['at-max', 5],
      ['above-max', 9],
    ]);
    const order = (await getAll(await c.channel(), queue)).map((m) => m.content.toString());
    expect(order).toEqual(['at-max', 'above-max', 'low']);
  });

  it('requeues into the right priority band', async () => {
    const queue = await c.queue({ maxPriority: 5 });
    await publishWithPriorities(c, queue, [
      ['high', 5],
      ['low', 1],
    ]);
    const channel = await c.channel();
    const high = await channel.get(queue, { noAck: false });
    if (!high) throw new Error('expected a message');
    channel.nack(high, false, true);
    const order = (await getAll(channel, queue)).map(
      (m) => `${m.content.toString()}${m.fields.redelivered ? '*' : ''}`,
    );
    expect(order).toEqual(['high*', 'low']);
  });

  it('rejects x-max-priority above 255 (406)', async () => {
    const channel = await c.channel();
    const queue = c.queueName();
    expect(
      await channelError(channel, () => channel.assertQueue(queue, { maxPriority: 256 })),
    ).toEqual({
      code: 406,
      text: `PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '${queue}' in vhost '/': {max_value_exceeded,256}`,
      classId: 50,
      methodId: 10,
    });
  });

  it('accepts x-max-priority 0 and refuses a negative one (406)', async () => {
    const channel = await c.channel();
    const zero = c.queueName();
    await expect(channel.assertQueue(zero, { maxPriority: 0 })).resolves.toMatchObject({
      queue: zero,
    });
    const negative = c.queueName();
    expect(
      await channelError(channel, () => channel.assertQueue(negative, { maxPriority: -1 })),
    ).toEqual({
      code: 406,
      text: `PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '${negative}' in vhost '/': {value_negative,-1}`,
      classId: 50,
      methodId: 10,
    });
  });

  it('drops a message once it was returned more than x-delivery-limit times, counting in x-delivery-count', async () => {
    const queue = await c.queue({
      ...QUORUM,
      arguments: { ...QUORUM.arguments, 'x-delivery-limit': 2 },
    });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'flaky');
    // RabbitMQ 3.10 sets x-delivery-count 0 on the first delivery; since 3.12
    // (and in RabbitMQ 4, which the embedded broker follows) it is absent there.
    const first = c.target.name === 'rabbitmq' ? 0 : undefined;
    expect(await returnUntilGone(channel, queue)).toEqual([first, 1, 2]);
  });

  it('dead-letters a message over its delivery limit with reason delivery_limit', async () => {
    const dlq = await c.queue();
    const queue = await c.queue({
      ...QUORUM,
      arguments: {
        ...QUORUM.arguments,
        'x-delivery-limit': 1,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': dlq,
      },
    });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'poison');
    await returnUntilGone(channel, queue);
    const dead = await getEventually(channel, dlq);
    expect(xDeath(dead)[0]).toMatchObject({
      reason: 'delivery_limit',
      queue,
      count: 1,
    });
    expect(dead.properties.headers?.['x-delivery-count']).toBeUndefined();
  });

  it('counts a return by a closing channel as a delivery (x-delivery-count, redelivered)', async () => {
    const queue = await c.queue({
      ...QUORUM,
      arguments: { ...QUORUM.arguments, 'x-delivery-limit': 5 },
    });
    const connection = await c.connect();
    const first = await connection.createConfirmChannel();
    await publishConfirmed(first, '', queue, 'taken');
    await getEventually(first, queue, { noAck: false });
    await first.close(); // the unacked message goes back to the queue
    const again = await getEventually(await c.channel(), queue, { noAck: false });
    expect(again.fields.redelivered).toBe(true);
    expect(again.properties.headers?.['x-delivery-count']).toBe(1);
  });

  it('leaves x-delivery-count off the dead letter: it belongs to a delivery, not the message', async () => {
    const dlq = await c.queue();
    const queue = await c.queue({
      ...QUORUM,
      arguments: {
        ...QUORUM.arguments,
        'x-delivery-limit': 3,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': dlq,
      },
    });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'returned-then-rejected', {
      headers: { app: 'kept' },
    });
    const delivered = await getEventually(channel, queue, { noAck: false });
    channel.nack(delivered, false, true);
    const returned = await getEventually(channel, queue, { noAck: false });
    expect(returned.properties.headers?.['x-delivery-count']).toBe(1);
    channel.reject(returned, false);
    const dead = await getEventually(channel, dlq);
    expect(dead.properties.headers?.app).toBe('kept');
    expect(dead.properties.headers?.['x-delivery-count']).toBeUndefined();
    expect(xDeath(dead)[0]).toMatchObject({ reason: 'rejected', queue, count: 1 });
  });

  if (c.target.name !== 'rabbitmq') {
    // RabbitMQ 4 gives quorum queues a default delivery limit of 20; RabbitMQ
    // 3.10 (the local reference) has no default, so this runs on the embedded
    // broker only, which follows RabbitMQ 4.
    it('applies the RabbitMQ 4 default delivery limit of 20 to quorum queues', async () => {
      const queue = await c.queue(QUORUM);
      const channel = await c.confirmChannel();
      await publishConfirmed(channel, '', queue, 'flaky');
      const counts = await returnUntilGone(channel, queue);
      expect(counts).toHaveLength(21);
      expect(counts[20]).toBe(20);
    });
  }
});
