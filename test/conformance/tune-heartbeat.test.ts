import { conformance } from './support/harness';
import { Method, basicPublish, channelOpen, queueDeclare } from './support/methods';
import { HandshakeRefused } from './support/raw-client';
import { FRAME_HEARTBEAT, bodyFrame, contentHeaderFrame, heartbeatFrame } from './support/wire';

// amqp-semantics.md §2 (tune) and §3 (heartbeats).
conformance('tune and heartbeats', (c) => {
  it('proposes channel_max 2047, frame_max 131072 and a heartbeat of 60s', async () => {
    const raw = await c.raw();
    expect(raw.tune).toEqual({ channelMax: 2047, frameMax: 131072, heartbeat: 60 });
  });

  it('never opens a connection whose tune-ok asks for a frame_max below the 4096 minimum', async () => {
    const raw = await c.rawSocket();
    const refused = await raw
      .handshake({ tuneOk: (s) => ({ ...s, frameMax: 1024, heartbeat: 0 }) })
      .catch((e) => e);
    // RabbitMQ 3.10 drops the socket here without a connection.close; a 530 close
    // before dropping it would be equally correct for clients, so both pass.
    if (refused instanceof HandshakeRefused) expect(refused.reason.code).toBe(530);
    else
      expect(refused).toEqual(new Error('raw client: connection ended while waiting for 7 bytes'));
    await raw.readUntilEnd();
  });

  it('closes with 501 FRAME_ERROR when a frame exceeds the negotiated frame_max', async () => {
    const raw = await c.raw({ tuneOk: (s) => ({ ...s, frameMax: 4096, heartbeat: 0 }) });
    await raw.openChannel(1);
    const queue = c.queueName();
    await raw.call(queueDeclare(1, queue, { exclusive: true }), 1, Method.queueDeclareOk);
    raw.write(basicPublish(1, '', queue));
    raw.write(contentHeaderFrame(1, 5000));
    raw.write(bodyFrame(1, Buffer.alloc(5000, 0x61))); // 5000 + 8 > 4096
    const reason = await raw.expectConnectionClose();
    expect(reason.code).toBe(501);
    expect(reason.text).toMatch(/^FRAME_ERROR - /);
  });

  // RabbitMQ limits how many channels are open at once, not the channel number:
  // with the default channel_max 2047 it accepts channel.open on channel 2048.
  it('closes with 530 when more channels than the negotiated channel_max are opened', async () => {
    const raw = await c.raw({ tuneOk: (s) => ({ ...s, channelMax: 2, heartbeat: 0 }) });
    await raw.openChannel(1);
    await raw.openChannel(2);
    raw.write(channelOpen(3));
    expect(await raw.expectConnectionClose()).toEqual({
      code: 530,
      text: 'NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)',
      classId: 0,
      methodId: 0,
    });
  });

  it('sends heartbeats at the client-chosen smaller interval and closes a silent client', async () => {
    // tune-ok heartbeat=1 (smaller than the server's 60): the server must use 1s.
    const raw = await c.raw({ tuneOk: (s) => ({ ...s, heartbeat: 1 }) });
    let heartbeats = 0;
    const counting = (async () => {
      for (;;) {
        const f = await raw.readFrame(10_000);
        if (f.type === FRAME_HEARTBEAT && f.channel === 0) heartbeats++;
      }
    })().catch(() => undefined);
    await raw.readUntilEnd(10_000); // the client never sends: two missed intervals end it
    await counting;
    expect(heartbeats).toBeGreaterThanOrEqual(1);
  });

  it('sends a heartbeat every timeout/2 to a client that heartbeats, and keeps it open', async () => {
    const raw = await c.raw({ tuneOk: (s) => ({ ...s, heartbeat: 2 }) });
    const beating = setInterval(() => raw.write(heartbeatFrame()), 500);
    const started = Date.now();
    let heartbeats = 0;
    try {
      while (Date.now() - started < 4_500) {
        const f = await raw.readFrame(3_000);
        if (f.type === FRAME_HEARTBEAT && f.channel === 0) heartbeats++;
      }
    } finally {
      clearInterval(beating);
    }
    // Every 1s over 4.5s is 4; a server beating only every 2s would send 2.
    expect(heartbeats).toBeGreaterThanOrEqual(3);
    expect(raw.isEnded).toBe(false);
  });

  it('keeps a connection alive while the client heartbeats', async () => {
    const connection = await c.connect({}, '?heartbeat=1');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await expect(
      (await connection.createChannel()).checkExchange('amq.direct'),
    ).resolves.toBeDefined();
  });
});
