import { Socket } from 'node:net';
import { Method, type MethodId, channelOpen } from './methods';
import {
  ArgReader,
  ArgWriter,
  FRAME_END,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  type Frame,
  PROTOCOL_HEADER,
  decodeMethod,
  methodFrame,
} from './wire';

/** Why the server closed a connection or channel: the fields of connection.close / channel.close. */
export interface CloseReason {
  readonly code: number;
  readonly text: string;
  readonly classId: number;
  readonly methodId: number;
}

export interface TuneValues {
  readonly channelMax: number;
  readonly frameMax: number;
  readonly heartbeat: number;
}

export interface HandshakeOptions {
  /** Bytes sent first instead of the 0-9-1 header. */
  header?: Buffer;
  mechanism?: 'PLAIN' | 'AMQPLAIN';
  username?: string;
  password?: string;
  vhost?: string;
  /** What to answer connection.tune with (default: accept the server's values, no heartbeats). */
  tuneOk?: (server: TuneValues) => TuneValues;
}

export interface HandshakeResult {
  /** version-major.version-minor from connection.start (0-9 for 0-9-1). */
  readonly version: string;
  readonly serverProperties: Record<string, unknown>;
  readonly mechanisms: string[];
  readonly tune: TuneValues;
}

/** A server close during the handshake (e.g. 403 bad credentials, 530 unknown vhost). */
export class HandshakeRefused extends Error {
  constructor(readonly reason: CloseReason) {
    super(`handshake refused: ${reason.code} ${reason.text}`);
  }
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * A bare TCP AMQP client for the tests amqplib cannot express: wrong protocol
 * headers, frames out of order, heartbeats on a channel, oversized frames. It
 * reads byte-exact frames and never answers anything on its own.
 */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private endedFlag = false;
  readonly ended: Promise<void>;

  private constructor(private readonly socket: Socket) {
    this.ended = new Promise((resolve) => {
      const finish = () => {
        this.endedFlag = true;
        this.notify();
        resolve();
      };
      socket.once('close', finish);
    });
    socket.on('error', () => undefined); // 'close' follows; resets are an expected outcome here
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
  }

  /** Opens the TCP connection only; nothing is sent. */
  static open(url: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new Error(`raw client: no TCP connection to ${hostname}:${port} within ${timeoutMs}ms`),
        );
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.connect(Number(port) || 5672, hostname, () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RawConnection(socket));
      });
    });
  }

  /** Opens, completes start/tune/open (PLAIN guest/guest by default) and returns the open connection. */
  static async connect(
    url: string,
    options: HandshakeOptions = {},
  ): Promise<RawConnection & HandshakeResult> {
    const connection = await RawConnection.open(url);
    try {
      const result = await connection.handshake(options);
      return Object.assign(connection, result);
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  get isEnded(): boolean {
    return this.endedFlag;
  }

  write(bytes: Buffer): void {
    if (!this.endedFlag) this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Resolves with exactly `count` bytes, or rejects when the socket ends or the timeout passes. */
  async readBytes(count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length < count) {
      if (this.endedFlag)
        throw new Error(`raw client: connection ended while waiting for ${count} bytes`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`raw client: no ${count} bytes within ${timeoutMs}ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const taken = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    return taken;
  }

  /** Everything received until the server closes the socket (or the timeout passes). */
  async readUntilEnd(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    await Promise.race([
      this.ended,
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    if (!this.endedFlag)
      throw new Error(`raw client: the server did not close the socket within ${timeoutMs}ms`);
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  async readFrame(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame> {
    const head = await this.readBytes(7, timeoutMs);
    const size = head.readUInt32BE(3);
    const rest = await this.readBytes(size + 1, timeoutMs);
    if (rest[size] !== FRAME_END)
      throw new Error('raw client: frame-end octet missing in a server frame');
    return {
      type: head.readUInt8(0),
      channel: head.readUInt16BE(1),
      payload: rest.subarray(0, size),
    };
  }

  /** The next method frame (server heartbeats are skipped). */
  async nextMethod(
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<{ channel: number; classId: number; methodId: number; args: ArgReader }> {
    for (;;) {
      const f = await this.readFrame(timeoutMs);
      if (f.type === FRAME_HEARTBEAT) continue;
      if (f.type !== FRAME_METHOD)
        throw new Error(`raw client: expected a method frame, got frame type ${f.type}`);
      return { channel: f.channel, ...decodeMethod(f.payload) };
    }
  }

  /** Reads the next method and insists it is `expected` on `channel`; a close is reported with its reason. */
  async expectMethod(
    channel: number,
    expected: MethodId,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<ArgReader> {
    const got = await this.nextMethod(timeoutMs);
    if (got.channel === channel && got.classId === expected[0] && got.methodId === expected[1])
      return got.args;
    const detail = isClose(got) ? ` (close ${JSON.stringify(readClose(got.args))})` : '';
    throw new Error(
      `raw client: expected method ${expected.join('/')} on channel ${channel}, ` +
        `got ${got.classId}/${got.methodId} on channel ${got.channel}${detail}`,
    );
  }

  /** Waits for connection.close, answers close-ok, and returns the reason. */
  async expectConnectionClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseReason> {
    const reason = readClose(await this.expectMethod(0, Method.connectionClose, timeoutMs));
    this.write(methodFrame(0, ...Method.connectionCloseOk));
    return reason;
  }

  /** Waits for channel.close on `channel` and returns the reason (close-ok is left to the test). */
  async expectChannelClose(channel: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseReason> {
    return readClose(await this.expectMethod(channel, Method.channelClose, timeoutMs));
  }

  async openChannel(channel: number): Promise<void> {
    this.write(channelOpen(channel));
    await this.expectMethod(channel, Method.channelOpenOk);
  }

  /** Sends a method and waits for its synchronous reply on the same channel. */
  async call(bytes: Buffer, channel: number, reply: MethodId): Promise<ArgReader> {
    this.write(bytes);
    return this.expectMethod(channel, reply);
  }

  async handshake(options: HandshakeOptions = {}): Promise<HandshakeResult> {
    this.write(options.header ?? PROTOCOL_HEADER);
    const start = await this.expectHandshakeMethod(Method.connectionStart);
    const version = `${start.octet()}-${start.octet()}`;
    const serverProperties = start.table();
    const mechanisms = start.longstr().toString('utf8').split(' ');

    const mechanism = options.mechanism ?? 'PLAIN';
    const username = options.username ?? 'guest';
    const password = options.password ?? 'guest';
    const response =
      mechanism === 'PLAIN'
        ? Buffer.from(`\0${username}\0${password}`, 'utf8')
        : amqplainResponse(username, password);
    const clientProperties = {
      product: { tag: 'S', value: 'surety-conformance-raw' },
      capabilities: {
        tag: 'F',
        value: { authentication_failure_close: { tag: 't', value: true } },
      },
    } as const;
    const startOk = new ArgWriter()
      .table(clientProperties)
      .shortstr(mechanism)
      .longstr(response)
      .shortstr('en_US');
    this.write(methodFrame(0, ...Method.connectionStartOk, startOk.build()));

    const tuneArgs = await this.expectHandshakeMethod(Method.connectionTune);
    const server = {
      channelMax: tuneArgs.short(),
      frameMax: tuneArgs.long(),
      heartbeat: tuneArgs.short(),
    };
    const tune = options.tuneOk?.(server) ?? { ...server, heartbeat: 0 };
    const tuneOk = new ArgWriter().short(tune.channelMax).long(tune.frameMax).short(tune.heartbeat);
    this.write(methodFrame(0, ...Method.connectionTuneOk, tuneOk.build()));

    const open = new ArgWriter()
      .shortstr(options.vhost ?? '/')
      .shortstr('')
      .bit(false);
    this.write(methodFrame(0, ...Method.connectionOpen, open.build()));
    await this.expectHandshakeMethod(Method.connectionOpenOk);
    return { version, serverProperties, mechanisms, tune: server };
  }

  /** Like expectMethod, but a connection.close becomes a HandshakeRefused. */
  private async expectHandshakeMethod(expected: MethodId): Promise<ArgReader> {
    const got = await this.nextMethod();
    if (got.channel === 0 && got.classId === 10 && got.methodId === 50) {
      const reason = readClose(got.args);
      this.write(methodFrame(0, ...Method.connectionCloseOk));
      throw new HandshakeRefused(reason);
    }
    if (got.classId !== expected[0] || got.methodId !== expected[1]) {
      throw new Error(
        `raw client: expected ${expected.join('/')} during handshake, got ${got.classId}/${got.methodId}`,
      );
    }
    return got.args;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

function isClose(m: { classId: number; methodId: number }): boolean {
  return (m.classId === 10 && m.methodId === 50) || (m.classId === 20 && m.methodId === 40);
}

export function readClose(args: ArgReader): CloseReason {
  return {
    code: args.short(),
    text: args.shortstr(),
    classId: args.short(),
    methodId: args.short(),
  };
}

/** AMQPLAIN's response is a field table without its length prefix. */
function amqplainResponse(username: string, password: string): Buffer {
  const table = new ArgWriter()
    .table({ LOGIN: { tag: 'S', value: username }, PASSWORD: { tag: 'S', value: password } })
    .build();
  return table.subarray(4);
}
