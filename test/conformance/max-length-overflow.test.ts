import { channelError, getAll, publishConfirmed, xDeath } from '../support/amqp';
import { type Conformance, conformance } from './support/harness';

async function publishAll(
  c: Conformance,
  queue: string,
  bodies: string[],
): Promise<('ack' | 'nack')[]> {
  const channel = await c.confirmChannel();
  return Promise.all(
    bodies.map((body) =>
      publishConfirmed(channel, '', queue, body).then(
        () => 'ack' as const,
        () => 'nack' as const,
      ),
    ),
  );
}

/** A fanout dead-letter exchange with one queue behind it. */
async function deadLetterTarget(c: Conformance): Promise<{ dlx: string; dlq: string }> {
  const dlx = await c.exchange('fanout');
  const dlq = await c.queue();
  await (await c.channel()).bindQueue(dlq, dlx, '');
  return { dlx, dlq };
}

const contents = (messages: { content: Buffer }[]) => messages.map((m) => m.content.toString());

// amqp-semantics.md §21: x-max-length / x-max-length-bytes and x-overflow.
conformance('max length and overflow', (c) => {
  it('drops from the head by default (x-max-length)', async () => {
    const queue = await c.queue({ maxLength: 2 });
    expect(await publishAll(c, queue, ['m1', 'm2', 'm3', 'm4'])).toEqual([
      'ack',
      'ack',
      'ack',
      'ack',
    ]);
    expect(contents(await getAll(await c.channel(), queue))).toEqual(['m3', 'm4']);
  });

  it('drops from the head to stay within x-max-length-bytes (body bytes)', async () => {
    const queue = await c.queue({ arguments: { 'x-max-length-bytes': 10 } });
    await publishAll(c, queue, ['aaaa', 'bbbb', 'cccc', 'dddd']);
    expect(contents(await getAll(await c.channel(), queue))).toEqual(['cccc', 'dddd']);
  });

  it('dead-letters messages dropped from the head with reason maxlen', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ maxLength: 1, deadLetterExchange: dlx });
    await publishAll(c, queue, ['m1', 'm2', 'm3']);
    const channel = await c.channel();
    expect(contents(await getAll(channel, queue))).toEqual(['m3']);
    const dead = await getAll(channel, dlq);
    expect(contents(dead)).toEqual(['m1', 'm2']);
    expect(xDeath(dead[0])[0]).toMatchObject({
      reason: 'maxlen',
      queue,
      count: 1,
    });
  });

  it('nacks publishes beyond the limit with x-overflow reject-publish, and does not dead-letter them', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({
      maxLength: 2,
      overflow: 'reject-publish',
      deadLetterExchange: dlx,
    });
    expect(await publishAll(c, queue, ['m1', 'm2', 'm3'])).toEqual(['ack', 'ack', 'nack']);
    const channel = await c.channel();
    expect(contents(await getAll(channel, queue))).toEqual(['m1', 'm2']);
    expect(await getAll(channel, dlq)).toEqual([]);
  });

  it('nacks and dead-letters publishes beyond the limit with x-overflow reject-publish-dlx', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({
      maxLength: 1,
      overflow: 'reject-publish-dlx',
      deadLetterExchange: dlx,
    });
    expect(await publishAll(c, queue, ['m1', 'm2'])).toEqual(['ack', 'nack']);
    const channel = await c.channel();
    expect(contents(await getAll(channel, queue))).toEqual(['m1']);
    const dead = await getAll(channel, dlq);
    expect(contents(dead)).toEqual(['m2']);
    expect(xDeath(dead[0])[0]).toMatchObject({
      reason: 'maxlen',
      queue,
      count: 1,
    });
  });

  it('accepts again once there is room under reject-publish', async () => {
    const queue = await c.queue({ maxLength: 1, overflow: 'reject-publish' });
    expect(await publishAll(c, queue, ['m1', 'm2'])).toEqual(['ack', 'nack']);
    await getAll(await c.channel(), queue);
    expect(await publishAll(c, queue, ['m3'])).toEqual(['ack']);
  });

  it('keeps nothing with x-max-length 0', async () => {
    const queue = await c.queue({ maxLength: 0 });
    await publishAll(c, queue, ['m1', 'm2']);
    expect(await getAll(await c.channel(), queue)).toEqual([]);
  });

  it('rejects an unknown x-overflow value (406)', async () => {
    const channel = await c.channel();
    const queue = c.queueName();
    expect(
      await channelError(channel, () => channel.assertQueue(queue, { overflow: 'bogus' })),
    ).toMatchObject({
      code: 406,
      classId: 50,
      methodId: 10,
    });
  });
});
