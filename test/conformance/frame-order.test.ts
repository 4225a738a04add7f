import { conformance } from './support/harness';
import {
  Method,
  basicGet,
  basicPublish,
  channelOpen,
  confirmSelect,
  queueDeclare,
} from './support/methods';
import { bodyFrame, contentHeaderFrame, frame, heartbeatFrame } from './support/wire';

// amqp-semantics.md §5: frames out of order, unknown frame types, channel misuse.
conformance('frame order', (c) => {
  it('closes with 505 when a content header arrives without a publish', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(contentHeaderFrame(1, 3));
    const reason = await raw.expectConnectionClose();
    expect(reason).toEqual({
      code: 505,
      text: 'UNEXPECTED_FRAME - expected method frame, got non method frame instead',
      classId: 0,
      methodId: 0,
    });
  });

  it('closes with 505 when a body arrives where the content header belongs', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(basicPublish(1, '', 'nowhere'));
    raw.write(bodyFrame(1, Buffer.from('abc')));
    expect(await raw.expectConnectionClose()).toEqual({
      code: 505,
      text: 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead',
      classId: 60,
      methodId: 40,
    });
  });

  it('closes with 505 when a method arrives before the announced body is complete', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(basicPublish(1, '', 'nowhere'));
    raw.write(contentHeaderFrame(1, 10));
    raw.write(bodyFrame(1, Buffer.from('abc'))); // 3 of 10 bytes
    raw.write(queueDeclare(1, '', { exclusive: true }));
    expect(await raw.expectConnectionClose()).toEqual({
      code: 505,
      text: 'UNEXPECTED_FRAME - expected content body, got non content body frame instead',
      classId: 60,
      methodId: 40,
    });
  });

  it('closes with 505 when a heartbeat arrives on a non-zero channel', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(heartbeatFrame(1));
    const reason = await raw.expectConnectionClose();
    expect(reason.code).toBe(505);
    expect(reason.text).toMatch(/^UNEXPECTED_FRAME - /);
  });

  it('closes with 501 on an unknown frame type', async () => {
    const raw = await c.raw();
    raw.write(frame(9, 0, Buffer.alloc(0)));
    const reason = await raw.expectConnectionClose();
    expect(reason.code).toBe(501);
    expect(reason.text).toMatch(/^FRAME_ERROR - /);
  });

  it('closes with 504 when a method uses a channel that was never opened', async () => {
    const raw = await c.raw();
    raw.write(queueDeclare(7, '', { exclusive: true }));
    expect(await raw.expectConnectionClose()).toEqual({
      code: 504,
      text: "CHANNEL_ERROR - expected 'channel.open'",
      classId: 50,
      methodId: 10,
    });
  });

  it('closes with 504 when an open channel is opened again', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(channelOpen(1));
    expect(await raw.expectConnectionClose()).toEqual({
      code: 504,
      text: "CHANNEL_ERROR - second 'channel.open' seen",
      classId: 20,
      methodId: 10,
    });
  });

  it('still accepts a well-formed publish split across several body frames', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    const queue = c.queueName();
    await raw.call(queueDeclare(1, queue, { exclusive: true }), 1, Method.queueDeclareOk);
    await raw.call(confirmSelect(1), 1, Method.confirmSelectOk);
    raw.write(basicPublish(1, '', queue));
    raw.write(contentHeaderFrame(1, 6));
    raw.write(bodyFrame(1, Buffer.from('abc')));
    raw.write(bodyFrame(1, Buffer.from('def')));
    await raw.expectMethod(1, Method.basicAck); // confirmed: the queue holds it now
    raw.write(basicGet(1, queue));
    await raw.expectMethod(1, Method.basicGetOk);
    const header = await raw.readFrame();
    const body = await raw.readFrame();
    expect(header.payload.readBigUInt64BE(4)).toBe(6n);
    expect(body.payload.toString()).toBe('abcdef');
  });
});
