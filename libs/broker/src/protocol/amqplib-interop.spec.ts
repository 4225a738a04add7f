import { once } from 'node:events';
import net from 'node:net';
import amqp from 'amqplib';
import {
  decodeBasicProperties,
  decodeContentHeader,
  encodeContentFrames,
  encodeContentHeaderPayload,
} from './content';
import { FrameParser } from './frame-parser';
import { toFieldTable } from './field-value-convert';
import { decodeMethod, type AmqpMethod } from './generated/methods';
import { encodeMethodFrame } from './method-codec';

/**
 * The codec against the real amqplib client over loopback TCP: a scripted peer
 * built only from this codec answers amqplib's handshake, decodes the frames
 * amqplib writes, and delivers a message amqplib must decode. No broker.
 */
interface Received {
  channel: number;
  method?: AmqpMethod;
  type: number;
  payload: Buffer;
}

class ScriptedPeer {
  readonly frames: Received[] = [];
  private waiters: (() => void)[] = [];
  socket!: net.Socket;

  async accept(server: net.Server): Promise<void> {
    const [socket] = (await once(server, 'connection')) as [net.Socket];
    this.socket = socket;
    const parser = new FrameParser(131072);
    let header = true;
    socket.on('data', (chunk: Buffer) => {
      if (header) {
        expect(chunk.subarray(0, 8).toString('latin1')).toBe('AMQP\0\0\x09\x01');
        chunk = chunk.subarray(8);
        header = false;
      }
      parser.push(chunk, (type, channel, payload) => {
        const copy = Buffer.from(payload);
        this.frames.push({
          type,
          channel,
          payload: copy,
          method: type === 1 ? decodeMethod(copy) : undefined,
        });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  /** Waits for the next method with this name (frames before it are kept in `frames`). */
  async method<N extends AmqpMethod['name']>(
    name: N,
  ): Promise<Extract<AmqpMethod, { name: N }> & { channel: number }> {
    for (;;) {
      const found = this.frames.find((f) => f.method?.name === name);
      if (found) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return { ...(found.method as Extract<AmqpMethod, { name: N }>), channel: found.channel };
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async contentFrames(count: number): Promise<Received[]> {
    while (this.frames.filter((f) => f.type !== 1).length < count) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.frames.filter((f) => f.type !== 1).slice(0, count);
  }

  send(frame: Buffer): void {
    this.socket.write(frame);
  }
}

describe('codec against the amqplib client', () => {
  let server: net.Server;

  beforeEach(async () => {
    server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterEach(async () => {
    server.close();
  });

  it('carries a handshake, a confirmed publish and a delivery both ways', async () => {
    const peer = new ScriptedPeer();
    const accepted = peer.accept(server);
    const { port } = server.address() as net.AddressInfo;
    const connecting = amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
    await accepted;

    peer.send(
      encodeMethodFrame(0, 'connection.start', {
        serverProperties: toFieldTable({
          product: 'scripted',
          capabilities: { publisher_confirms: true, 'basic.nack': true },
        }),
        mechanisms: 'PLAIN AMQPLAIN',
        locales: 'en_US',
      }),
    );
    const startOk = await peer.method('connection.start-ok');
    expect(startOk.args.mechanism).toBe('PLAIN');
    expect(startOk.args.response.toString('latin1')).toBe('\0guest\0guest');
    expect(startOk.args.clientProperties.product).toEqual({ type: 'S', value: 'amqplib' });
    expect(startOk.args.clientProperties.capabilities?.type).toBe('F');

    peer.send(
      encodeMethodFrame(0, 'connection.tune', { channelMax: 2047, frameMax: 131072, heartbeat: 0 }),
    );
    const tuneOk = await peer.method('connection.tune-ok');
    expect(tuneOk.args).toMatchObject({ channelMax: 2047, frameMax: 131072 });
    expect((await peer.method('connection.open')).args.virtualHost).toBe('/');
    peer.send(encodeMethodFrame(0, 'connection.open-ok', {}));
    const connection = await connecting;

    const channelPromise = connection.createConfirmChannel();
    const open = await peer.method('channel.open');
    peer.send(encodeMethodFrame(open.channel, 'channel.open-ok', {}));
    await peer.method('confirm.select');
    peer.send(encodeMethodFrame(open.channel, 'confirm.select-ok', {}));
    const channel = await channelPromise;

    // amqplib -> codec: basic.publish, content header with typed properties, body
    const body = Buffer.from('{"policy":"P-1"}');
    const confirmed = new Promise<void>((resolve, reject) =>
      channel.publish(
        'policy.events',
        'policy.issued',
        body,
        {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          messageId: 'm-1',
          timestamp: 1_700_000_000,
          headers: { 'x-surety-seq': 42, 'x-big': 2 ** 40, traceparent: '00-abc-01', flag: true },
        },
        (error) => (error ? reject(error as Error) : resolve()),
      ),
    );
    const publish = await peer.method('basic.publish');
    expect(publish.args).toEqual({
      ticket: 0,
      exchange: 'policy.events',
      routingKey: 'policy.issued',
      mandatory: true,
      immediate: false,
    });
    const [header, bodyFrame] = await peer.contentFrames(2);
    expect(decodeContentHeader(header!.payload)).toMatchObject({
      classId: 60,
      bodySize: body.length,
    });
    const props = decodeBasicProperties(header!.payload);
    expect(props).toMatchObject({
      contentType: 'application/json',
      deliveryMode: 2,
      messageId: 'm-1',
      timestamp: 1_700_000_000n,
    });
    // amqplib picks the wire types; the codec keeps them
    expect(props.headers!['x-surety-seq']).toEqual({ type: 'b', value: 42 });
    expect(props.headers!['x-big']?.type).toMatch(/^[ld]$/);
    expect(props.headers!.traceparent).toEqual({ type: 'S', value: '00-abc-01' });
    expect(props.headers!.flag).toEqual({ type: 't', value: true });
    expect(bodyFrame!.payload).toEqual(body);

    // codec -> amqplib: basic.ack confirms the publish
    peer.send(encodeMethodFrame(open.channel, 'basic.ack', { deliveryTag: 1 }));
    await confirmed;

    // codec -> amqplib: a consumer gets a delivery built by encodeContentFrames
    const delivered = new Promise<amqp.ConsumeMessage>(
      (resolve) => void channel.consume('jobs', (message) => message && resolve(message)),
    );
    const consume = await peer.method('basic.consume');
    expect(consume.args).toMatchObject({ queue: 'jobs', noAck: false });
    peer.send(encodeMethodFrame(open.channel, 'basic.consume-ok', { consumerTag: 'ctag-1' }));
    const headerPayload = encodeContentHeaderPayload(60, 5000, {
      contentType: 'text/plain',
      headers: toFieldTable({ attempt: 3, id: 7n }),
      deliveryMode: 2,
      timestamp: 1_700_000_001n,
    });
    const content = Buffer.alloc(5000, 0x62);
    peer.send(
      encodeContentFrames(
        open.channel,
        'basic.deliver',
        {
          consumerTag: 'ctag-1',
          deliveryTag: 9,
          redelivered: true,
          exchange: 'x',
          routingKey: 'k',
        },
        headerPayload,
        content,
        4096,
      ),
    );
    const message = await delivered;
    expect(message.fields).toMatchObject({
      consumerTag: 'ctag-1',
      deliveryTag: 9,
      redelivered: true,
      exchange: 'x',
      routingKey: 'k',
    });
    expect(message.properties).toMatchObject({
      contentType: 'text/plain',
      deliveryMode: 2,
      timestamp: 1_700_000_001,
      headers: { attempt: 3 },
    });
    expect(Number(message.properties.headers!.id)).toBe(7);
    expect(message.content).toEqual(content);

    // codec -> amqplib: acks flow back as basic.ack with the delivery tag
    channel.ack(message);
    expect((await peer.method('basic.ack')).args).toEqual({ deliveryTag: 9, multiple: false });

    // clean close both ways
    const closing = connection.close();
    const close = await peer.method('connection.close');
    expect(close.args.replyCode).toBe(200);
    peer.send(encodeMethodFrame(0, 'connection.close-ok', {}));
    await closing;
  });
});
