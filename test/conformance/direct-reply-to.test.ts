import type { ConsumeMessage } from 'amqplib';
import { channelClosed, channelError, within } from '../support/amqp';
import { conformance } from './support/harness';

const REPLY_TO = 'amq.rabbitmq.reply-to';

// amqp-semantics.md §26: direct reply-to (RPC without a reply queue).
conformance('direct reply-to', (c) => {
  it('routes a reply published to the generated reply-to name back to the requesting channel', async () => {
    const requestQueue = await c.queue();
    const server = await c.channel();
    await server.consume(
      requestQueue,
      (request) => {
        if (!request) return;
        server.publish(
          '',
          request.properties.replyTo,
          Buffer.from(`re:${request.content.toString()}`),
          {
            correlationId: request.properties.correlationId,
          },
        );
      },
      { noAck: true },
    );

    const client = await c.channel();
    const reply = new Promise<ConsumeMessage>((resolve) => {
      void client.consume(REPLY_TO, (m) => m && resolve(m), { noAck: true });
    });
    // consume-ok is back before the publish (same channel, in order).
    await client.checkQueue(requestQueue);
    client.sendToQueue(requestQueue, Buffer.from('ping'), {
      replyTo: REPLY_TO,
      correlationId: 'c-1',
    });
    const answer = await within(reply, 'the direct reply');
    expect(answer.content.toString()).toBe('re:ping');
    expect(answer.properties.correlationId).toBe('c-1');
    expect(answer.fields.routingKey.startsWith(`${REPLY_TO}.`)).toBe(true);
    expect(answer.fields.exchange).toBe('');
  });

  it('rewrites reply_to to a per-channel name the server can publish to', async () => {
    const requestQueue = await c.queue();
    const client = await c.channel();
    await client.consume(REPLY_TO, () => undefined, { noAck: true });
    client.sendToQueue(requestQueue, Buffer.from('ping'), { replyTo: REPLY_TO });
    const server = await c.channel();
    const request = await (async () => {
      for (let i = 0; i < 100; i++) {
        const got = await server.get(requestQueue, { noAck: true });
        if (got) return got;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('request never arrived');
    })();
    expect(request.properties.replyTo).toMatch(/^amq\.rabbitmq\.reply-to\.[A-Za-z0-9+/=._-]+$/);
    expect(request.properties.replyTo).not.toBe(REPLY_TO);
  });

  it('requires no-ack mode for the reply consumer (406)', async () => {
    const channel = await c.channel();
    expect(
      await channelError(channel, () =>
        channel.consume(REPLY_TO, () => undefined, { noAck: false }),
      ),
    ).toEqual({
      code: 406,
      text: 'PRECONDITION_FAILED - reply consumer cannot acknowledge',
      classId: 60,
      methodId: 20,
    });
  });

  it('refuses a publish with reply_to amq.rabbitmq.reply-to when the channel is not consuming from it (406)', async () => {
    const channel = await c.channel();
    const queue = await c.queue();
    const closed = channelClosed(channel);
    channel.sendToQueue(queue, Buffer.from('x'), { replyTo: REPLY_TO });
    expect(await closed).toEqual({
      code: 406,
      text: 'PRECONDITION_FAILED - fast reply consumer does not exist',
      classId: 60,
      methodId: 40,
    });
  });

  it('drops a reply to a reply-to name whose channel is gone', async () => {
    const requestQueue = await c.queue();
    const connection = await c.connect();
    const client = await connection.createChannel();
    await client.consume(REPLY_TO, () => undefined, { noAck: true });
    client.sendToQueue(requestQueue, Buffer.from('ping'), { replyTo: REPLY_TO });
    const server = await c.confirmChannel();
    let request = await server.get(requestQueue, { noAck: true });
    for (let i = 0; !request && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      request = await server.get(requestQueue, { noAck: true });
    }
    if (!request) throw new Error('request never arrived');
    await connection.close();
    // Publishing to the stale name neither errors nor closes the server's channel.
    await new Promise<void>((resolve, reject) =>
      server.publish('', request.properties.replyTo, Buffer.from('late'), {}, (err: unknown) =>
        err ? reject(err) : resolve(),
      ),
    );
    await expect(server.checkQueue(requestQueue)).resolves.toMatchObject({ queue: requestQueue });
  });
});
