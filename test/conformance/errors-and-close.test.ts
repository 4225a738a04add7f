import type { Channel } from 'amqplib';
import { channelError } from '../support/amqp';
import { conformance } from './support/harness';
import {
  Method,
  channelCloseOk,
  channelOpen,
  publishFrames,
  queueDeclare,
} from './support/methods';
import { ArgWriter, methodFrame } from './support/wire';

// amqp-semantics.md §4: which errors close a channel and which the connection,
// the offending class/method ids in the close, and discarding after channel.close.
conformance('errors and close', (c) => {
  it.each([
    [
      '404',
      'a passive declare of a missing queue',
      404,
      (ch: Channel, q: string) => ch.checkQueue(q),
    ],
    [
      '403',
      'a declare with the reserved amq. prefix',
      403,
      (ch: Channel) => ch.assertQueue('amq.reserved'),
    ],
    [
      '406',
      'an inequivalent redeclare',
      406,
      async (ch: Channel, q: string) => {
        await ch.assertQueue(q, { durable: false });
        await ch.assertQueue(q, { durable: true });
      },
    ],
  ])(
    '%s (%s) closes only the channel, naming queue.declare',
    async (_code, _what, code, action) => {
      const connection = await c.connect();
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      const queue = c.queueName();
      const error = await channelError(channel, () => action(channel, queue));
      expect(error).toMatchObject({ code, classId: 50, methodId: 10 });
      // The connection and its other channels are unaffected.
      await expect(
        (await connection.createChannel()).checkExchange('amq.direct'),
      ).resolves.toBeDefined();
    },
  );

  it('405 (a second connection touching an exclusive queue) closes only that channel', async () => {
    const owner = await c.channel();
    const { queue } = await owner.assertQueue('', { exclusive: true });
    const connection = await c.connect();
    const other = await connection.createChannel();
    other.on('error', () => undefined);
    expect(await channelError(other, () => other.get(queue))).toMatchObject({
      code: 405,
      classId: 60,
      methodId: 70,
    });
    await expect((await connection.createChannel()).checkQueue(queue)).rejects.toMatchObject({
      code: 405,
    });
  });

  it('503 COMMAND_INVALID (a server-only method sent by the client) closes the connection', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(
      methodFrame(
        1,
        ...Method.queueDeclareOk,
        new ArgWriter().shortstr('q').long(0).long(0).build(),
      ),
    );
    expect(await raw.expectConnectionClose()).toEqual({
      code: 503,
      text: 'COMMAND_INVALID - unimplemented method',
      classId: 50,
      methodId: 11,
    });
    await raw.readUntilEnd();
  });

  it('504 CHANNEL_ERROR (a channel method on channel 0) closes the connection', async () => {
    const raw = await c.raw();
    raw.write(queueDeclare(0, '', { exclusive: true }));
    expect(await raw.expectConnectionClose()).toEqual({
      code: 504,
      text: 'CHANNEL_ERROR - unexpected method in connection state running',
      classId: 50,
      methodId: 10,
    });
  });

  it('501 FRAME_ERROR (method arguments that cannot be decoded) closes the connection', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(methodFrame(1, ...Method.queueDeclare, Buffer.from([0])));
    expect(await raw.expectConnectionClose()).toMatchObject({
      code: 501,
      classId: 50,
      methodId: 10,
    });
  });

  it('540 NOT_IMPLEMENTED (immediate=true) closes the connection', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(publishFrames(1, '', 'nowhere', 'x', { immediate: true }));
    expect(await raw.expectConnectionClose()).toEqual({
      code: 540,
      text: 'NOT_IMPLEMENTED - immediate=true',
      classId: 60,
      methodId: 40,
    });
  });

  it('discards everything on a channel after closing it, until close-ok', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(queueDeclare(1, c.queueName(), { passive: true }));
    expect(await raw.expectChannelClose(1)).toMatchObject({ code: 404, classId: 50, methodId: 10 });
    // Sent before our close-ok: must be ignored, neither answered nor treated as an error.
    raw.write(queueDeclare(1, '', { exclusive: true }));
    raw.write(publishFrames(1, '', 'nowhere', 'ignored'));
    raw.write(channelCloseOk(1));
    raw.write(channelOpen(1));
    // The very next frame is the re-open's answer: no declare-ok, no connection error.
    await raw.expectMethod(1, Method.channelOpenOk);
  });

  it('answers a client channel.close with close-ok and leaves other channels open', async () => {
    const connection = await c.connect();
    const first = await connection.createChannel();
    const second = await connection.createChannel();
    await first.close();
    await expect(second.checkExchange('amq.topic')).resolves.toBeDefined();
  });
});
