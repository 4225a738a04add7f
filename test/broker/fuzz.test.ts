import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';
import {
  AmqpError,
  FRAME_END,
  FrameParser,
  PROTOCOL_HEADER,
  decodeMethod,
  encodeContentHeaderPayload,
  encodeHeaderFrame,
  encodeMethodFrame,
  encodeTable,
  toFieldTable,
  type AmqpMethod,
} from '@surety/broker/protocol';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';

/**
 * Hostile clients against a real embedded broker over TCP: random bytes,
 * truncated and oversized frames, wrong frame-end octets, broken field tables,
 * absurd declared sizes, methods on unopened channels, floods of channel opens.
 * Every case must end in the right close (or a socket close, or the broker
 * waiting for more bytes where that is right) within a deadline, the broker
 * must not crash or leak connections or memory, and a separate healthy amqplib
 * connection keeps publishing and consuming throughout.
 *
 * Deterministic: a fixed seed; a failure prints the case number, kind and bytes.
 * SURETY_FUZZ_CASES raises the count (`npm run fuzz:broker` runs 200,000).
 */

const SEED = 0x5eed_0091;
const CASES = Number(process.env.SURETY_FUZZ_CASES ?? 10_000);
const CONCURRENCY = 24;
/** A case whose bytes leave the broker legitimately waiting is judged after this much silence. */
const SILENCE_MS = 120;
/**
 * A silence window whose timer fired later than this was an event-loop stall
 * (the broker shares this process), not a quiet broker: it is measured again.
 */
const STALL_TOLERANCE_MS = 40;
/** A case that must be answered gets this long, counted from when its bytes were written. */
const CASE_DEADLINE_MS = 5_000;
const FRAME_MAX = 131_072;
/** Codes no hostile input may produce: 541 would be the broker failing internally. */
const CONNECTION_CODES = new Set([501, 502, 503, 504, 505, 506, 530, 540]);
const CHANNEL_CODES = new Set([403, 404, 405, 406]);
/**
 * Buffer memory (outside the JS heap) the process may gain while a case runs.
 * Declared sizes are attacker-controlled: a broker that allocates what a header
 * announces (4 GiB bodies, frames over frame_max) shows up here at once, even
 * before any page is touched.
 */
const BUFFER_GROWTH_LIMIT = 256 * 1024 * 1024;

// ------------------------------------------------------------ deterministic randomness

/** mulberry32: small, fast, good enough to spread cases; the seed makes runs repeatable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(private readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }
  word(): string {
    return this.bytes(this.int(1, 12)).toString('hex');
  }
}

// ------------------------------------------------------------ raw AMQP client

type Outcome =
  | { kind: 'connection.close'; code: number; classId: number; methodId: number; text: string }
  | { kind: 'channel.close'; channel: number; code: number; classId: number; methodId: number }
  | { kind: 'socket-closed'; sawHeader: boolean }
  | { kind: 'silent'; quietMs: number };

type Event = { kind: 'method'; channel: number; method: AmqpMethod } | { kind: 'closed' };

/** A bare TCP AMQP client that reports what the broker does, frame by frame. */
class RawClient {
  private readonly parser = new FrameParser(FRAME_MAX);
  private readonly events: Event[] = [];
  private wake: (() => void) | undefined;
  private preamble = Buffer.alloc(0);
  private handshakeDone = false;
  sawHeader = false;
  channelMax = 0;
  /** set when the broker sent bytes that are not valid AMQP */
  violation: string | undefined;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.push({ kind: 'closed' });
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  private onData(chunk: Buffer): void {
    if (!this.handshakeDone && this.events.length === 0 && !this.sawHeader) {
      // a broker refusing our header answers with its own 8-octet header, not a frame
      const head = Buffer.concat([this.preamble, chunk]);
      if (
        head.length < PROTOCOL_HEADER.length &&
        PROTOCOL_HEADER.subarray(0, head.length).equals(head)
      ) {
        this.preamble = head;
        return;
      }
      if (head.subarray(0, 8).equals(PROTOCOL_HEADER)) {
        this.sawHeader = true;
        chunk = head.subarray(8);
      } else {
        chunk = head;
      }
      this.preamble = Buffer.alloc(0);
    }
    try {
      this.parser.push(chunk, (type, channel, payload) => {
        if (type === 1)
          this.push({ kind: 'method', channel, method: decodeMethod(Buffer.from(payload)) });
      });
    } catch (error) {
      // the broker must never send what we cannot parse
      this.violation = `broker sent an unparsable stream: ${(error as AmqpError).message}`;
      this.socket.destroy();
    }
  }

  private push(event: Event): void {
    this.events.push(event);
    this.wake?.();
  }

  /** The next event, or undefined after `ms` of silence (as a timer sees it). */
  async next(ms: number): Promise<Event | undefined> {
    if (this.events.length > 0) return this.events.shift();
    if (this.closed) return { kind: 'closed' };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    return this.events.shift();
  }

  /**
   * The next event, or undefined once `ms` passed without one. A timer alone
   * cannot tell: after an event-loop stall, timers run before the poll phase
   * that reads bytes the broker sent during the stall. So the verdict waits a
   * few loop turns for pending I/O, and a window the loop overran (a stall
   * rather than silence) is measured again, as long as the deadline allows.
   */
  async quietFor(ms: number, deadline: number): Promise<Event | undefined> {
    for (;;) {
      const started = performance.now();
      const event = (await this.next(ms)) ?? (await this.afterPendingIo());
      if (event !== undefined) return event;
      const overran = performance.now() - started > ms + STALL_TOLERANCE_MS;
      if (!overran || performance.now() >= deadline) return undefined;
    }
  }

  private async afterPendingIo(): Promise<Event | undefined> {
    // broker reads our bytes in one poll phase, we read its answer in the next
    for (let turn = 0; turn < 3 && this.events.length === 0; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.events.shift();
  }

  async expectMethod<N extends AmqpMethod['name']>(
    name: N,
  ): Promise<Extract<AmqpMethod, { name: N }>> {
    const event = await this.next(CASE_DEADLINE_MS);
    if (event?.kind !== 'method' || event.method.name !== name) {
      throw new Error(`expected ${name}, got ${describeEvent(event)}`);
    }
    return event.method as Extract<AmqpMethod, { name: N }>;
  }

  send(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** Sends and resolves once the bytes are handed to the kernel (or the socket failed). */
  write(bytes: Buffer): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  async handshake(): Promise<void> {
    this.send(PROTOCOL_HEADER);
    await this.expectMethod('connection.start');
    this.send(
      encodeMethodFrame(0, 'connection.start-ok', {
        clientProperties: toFieldTable({ product: 'surety-fuzz' }),
        mechanism: 'PLAIN',
        response: '\0guest\0guest',
        locale: 'en_US',
      }),
    );
    const tune = await this.expectMethod('connection.tune');
    this.channelMax = tune.args.channelMax;
    this.send(
      encodeMethodFrame(0, 'connection.tune-ok', {
        channelMax: tune.args.channelMax,
        frameMax: FRAME_MAX,
        heartbeat: 0,
      }),
    );
    this.send(encodeMethodFrame(0, 'connection.open', { virtualHost: '/' }));
    await this.expectMethod('connection.open-ok');
    this.handshakeDone = true;
  }

  async openChannel(id: number): Promise<void> {
    this.send(encodeMethodFrame(id, 'channel.open', {}));
    await this.expectMethod('channel.open-ok');
  }

  /**
   * What the broker does next: a close (answered with close-ok; after a
   * connection.close the broker must then close the socket), the socket
   * closing, or silence. Methods before that (open-oks of a flood) are counted.
   * Silence ends the case after SILENCE_MS only while `mayWait` says the broker
   * may rightly be waiting for more bytes; otherwise only at the deadline, so a
   * slow answer on a loaded machine is never mistaken for a missing one.
   */
  async outcome(
    counts: Map<string, number>,
    mayWait: (counts: Map<string, number>) => boolean,
  ): Promise<Outcome> {
    const deadline = performance.now() + CASE_DEADLINE_MS;
    let lastHeard = performance.now();
    while (performance.now() < deadline) {
      const window = mayWait(counts) ? SILENCE_MS : deadline - performance.now();
      const event = await this.quietFor(window, deadline);
      if (event === undefined)
        return { kind: 'silent', quietMs: Math.round(performance.now() - lastHeard) };
      lastHeard = performance.now();
      if (event.kind === 'closed') return { kind: 'socket-closed', sawHeader: this.sawHeader };
      const { method, channel } = event;
      if (method.name === 'connection.close') {
        this.send(encodeMethodFrame(0, 'connection.close-ok', {}));
        const after = await this.next(CASE_DEADLINE_MS);
        if (after?.kind !== 'closed')
          throw new Error(`socket left open after close-ok: ${describeEvent(after)}`);
        const { replyCode: code, classId, methodId, replyText: text } = method.args;
        return { kind: 'connection.close', code, classId, methodId, text };
      }
      if (method.name === 'channel.close') {
        this.send(encodeMethodFrame(channel, 'channel.close-ok', {}));
        const { replyCode: code, classId, methodId } = method.args;
        return { kind: 'channel.close', channel, code, classId, methodId };
      }
      counts.set(method.name, (counts.get(method.name) ?? 0) + 1);
    }
    throw new Error(`no outcome within ${CASE_DEADLINE_MS} ms`);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function describeEvent(event: Event | undefined): string {
  if (event === undefined) return 'silence';
  if (event.kind === 'closed') return 'socket closed';
  return `${event.method.name} ${JSON.stringify(event.method.args, (_k, v: unknown) =>
    typeof v === 'bigint' ? String(v) : v,
  )}`;
}

// ------------------------------------------------------------ frames

function frame(type: number, channel: number, payload: Buffer, end = FRAME_END): Buffer {
  const out = Buffer.alloc(payload.length + 8);
  out[0] = type;
  out.writeUInt16BE(channel, 1);
  out.writeUInt32BE(payload.length, 3);
  payload.copy(out, 7);
  out[out.length - 1] = end;
  return out;
}

const payloadOf = (methodFrame: Buffer) => methodFrame.subarray(7, methodFrame.length - 1);

/** Methods a client sends, with plausible random arguments. */
function clientMethod(d: Dice, channel: number): Buffer {
  const table = () =>
    toFieldTable({ 'x-message-ttl': d.int(0, 100_000), [`k-${d.word()}`]: d.word() });
  switch (d.int(0, 8)) {
    case 0:
      return encodeMethodFrame(channel, 'queue.declare', {
        queue: `fuzz.${d.word()}`,
        exclusive: true,
        arguments: table(),
      });
    case 1:
      return encodeMethodFrame(channel, 'exchange.declare', {
        exchange: `fuzz.${d.word()}`,
        type: d.pick(['direct', 'topic', 'fanout']),
        autoDelete: true,
        arguments: table(),
      });
    case 2:
      return encodeMethodFrame(channel, 'basic.publish', { routingKey: d.word(), mandatory: true });
    case 3:
      return encodeMethodFrame(channel, 'basic.consume', { queue: d.word(), arguments: table() });
    case 4:
      return encodeMethodFrame(channel, 'queue.bind', {
        queue: d.word(),
        exchange: 'amq.topic',
        routingKey: d.word(),
        arguments: table(),
      });
    case 5:
      return encodeMethodFrame(channel, 'basic.qos', { prefetchCount: d.int(0, 1000) });
    case 6:
      return encodeMethodFrame(channel, 'basic.ack', {
        deliveryTag: d.int(1, 1e6),
        multiple: d.int(0, 1) === 1,
      });
    case 7:
      return encodeMethodFrame(channel, 'queue.purge', { queue: d.word() });
    default:
      return encodeMethodFrame(channel, 'basic.get', { queue: d.word(), noAck: true });
  }
}

/** A queue.declare whose arguments table is broken in one of several ways (the frame itself is sound). */
function badTableDeclare(d: Dice, channel: number): Buffer {
  const good = encodeTable(toFieldTable({ a: d.word() })).subarray(4);
  const entries = (() => {
    switch (d.int(0, 5)) {
      case 0: // unknown type tag
        return Buffer.concat([
          good,
          Buffer.from([1, 0x6b, d.pick([0x5a, 0x00, 0x7a, 0xff, 0x4c])]),
        ]);
      case 1: // long string declaring 4 GB
        return Buffer.concat([good, Buffer.from([1, 0x6b, 0x53, 0xff, 0xff, 0xff, 0xff, 0x61])]);
      case 2: // nested table overrunning its parent
        return Buffer.concat([good, Buffer.from([1, 0x6b, 0x46, 0, 0, 0x10, 0]), d.bytes(4)]);
      case 3: // array of absurd length
        return Buffer.concat([good, Buffer.from([1, 0x6b, 0x41, 0x7f, 0xff, 0xff, 0xff])]);
      case 4: {
        // nesting far deeper than any real table
        let inner = Buffer.alloc(0);
        for (let i = 0; i < 200; i++) {
          const wrapped = Buffer.alloc(inner.length + 7);
          wrapped.set([1, 0x6e, 0x46], 0);
          wrapped.writeUInt32BE(inner.length, 3);
          inner.copy(wrapped, 7);
          inner = wrapped;
        }
        return inner;
      }
      default: // a key longer than what is left
        return Buffer.concat([good, Buffer.from([0xff, 0x61])]);
    }
  })();
  const declare = payloadOf(
    encodeMethodFrame(channel, 'queue.declare', { queue: `fuzz.${d.word()}` }),
  );
  // replace the empty table (last 4 octets) by the broken one
  const head = declare.subarray(0, declare.length - 4);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(entries.length);
  return frame(1, channel, Buffer.concat([head, size, entries]));
}

// ------------------------------------------------------------ cases

interface FuzzCase {
  readonly kind: string;
  /** do the AMQP handshake first (false: hostile bytes instead of / after the protocol header) */
  readonly handshake: boolean;
  /** channels to open before sending `bytes` */
  readonly open: readonly number[];
  readonly bytes: Buffer;
  /** hang up right after sending instead of waiting for the outcome */
  readonly hangUp?: boolean;
  /**
   * Whether the broker may rightly say nothing more yet (waiting for bytes that
   * never come, or done answering), given the methods seen so far. When false,
   * the case waits up to CASE_DEADLINE_MS for its answer.
   */
  mayWait(counts: Map<string, number>, channelMax: number): boolean;
  /** undefined when the outcome is right, else what was expected */
  check(outcome: Outcome, counts: Map<string, number>, channelMax: number): string | undefined;
}

const isConnectionClose =
  (code: number, classId?: number, methodId?: number) =>
  (o: Outcome): string | undefined => {
    if (o.kind !== 'connection.close' || o.code !== code) return `connection.close ${code}`;
    if (classId !== undefined && (o.classId !== classId || o.methodId !== methodId)) {
      return `connection.close ${code} naming ${classId}/${methodId}`;
    }
    return undefined;
  };

/** The case's bytes leave nothing to answer yet, or allow any sane answer: silence is a fine end. */
const mayAlwaysWait = (): boolean => true;
/** The case's bytes demand an answer: silence is only a verdict at the deadline. */
const mustAnswer = (): boolean => false;

/** Anything but an internal error or an unknown code: the case only checks the broker survives. */
function anySaneOutcome(o: Outcome): string | undefined {
  if (o.kind === 'connection.close' && !CONNECTION_CODES.has(o.code))
    return 'a connection error code other than 541';
  if (o.kind === 'channel.close' && !CHANNEL_CODES.has(o.code) && !CONNECTION_CODES.has(o.code)) {
    return 'a known channel error code';
  }
  return undefined;
}

function makeCase(d: Dice): FuzzCase {
  const roll = d.int(0, 99);
  if (roll < 5) {
    // not an AMQP 0-9-1 header: the broker answers with its header and closes
    let bytes = d.bytes(d.int(8, 64));
    if (bytes.subarray(0, 8).equals(PROTOCOL_HEADER))
      bytes = Buffer.concat([Buffer.from('HTTP'), bytes]);
    return {
      kind: 'garbage instead of the protocol header',
      handshake: false,
      open: [],
      bytes,
      mayWait: mustAnswer,
      check: (o) => (o.kind === 'socket-closed' ? undefined : 'the socket closed'),
    };
  }
  if (roll < 25) {
    return {
      kind: 'random bytes after the handshake',
      handshake: true,
      open: [1],
      bytes: d.bytes(d.int(1, 300)),
      mayWait: mayAlwaysWait,
      check: anySaneOutcome,
    };
  }
  if (roll < 38) {
    // a well-formed frame envelope around random content
    const type = d.pick([1, 1, 1, 2, 3, 8]);
    const channel = d.pick([0, 1, 1, 2, d.int(3, 65535)]);
    const payload =
      type === 1 && d.int(0, 1) === 1
        ? Buffer.concat([payloadOf(clientMethod(d, channel)).subarray(0, 4), d.bytes(d.int(0, 60))])
        : d.bytes(d.int(0, 100));
    return {
      kind: 'random frame content',
      handshake: true,
      open: [1],
      bytes: frame(type, channel, payload),
      mayWait: mayAlwaysWait,
      check: anySaneOutcome,
    };
  }
  if (roll < 48) {
    const whole = payloadOf(clientMethod(d, 1));
    const cut = d.int(0, whole.length - 1);
    const ids: [number, number] | [] =
      cut >= 4 ? [whole.readUInt16BE(0), whole.readUInt16BE(2)] : [];
    return {
      kind: `method truncated to ${cut} of ${whole.length} octets`,
      handshake: true,
      open: [1],
      bytes: frame(1, 1, whole.subarray(0, cut)),
      mayWait: mustAnswer,
      check: isConnectionClose(501, ...ids),
    };
  }
  if (roll < 53) {
    // the frame promises more than arrives, then the client vanishes: the broker must just let go
    const whole = clientMethod(d, 1);
    return {
      kind: 'frame cut mid-way, then hang-up',
      handshake: true,
      open: [1],
      bytes: whole.subarray(0, d.int(1, whole.length - 2)),
      hangUp: true,
      mayWait: mayAlwaysWait,
      check: (o) => (o.kind === 'silent' ? undefined : 'silence (waiting for the rest)'),
    };
  }
  if (roll < 61) {
    const size = d.pick([
      FRAME_MAX - 7,
      FRAME_MAX + d.int(0, 1 << 20),
      0x7fffffff,
      0xffffffff,
      d.int(FRAME_MAX, 2 ** 32 - 1),
    ]);
    const header = Buffer.alloc(7);
    header[0] = d.pick([1, 2, 3]);
    header.writeUInt16BE(1, 1);
    header.writeUInt32BE(size, 3);
    return {
      kind: `frame declaring ${size} octets (frame_max ${FRAME_MAX})`,
      handshake: true,
      open: [1],
      bytes: Buffer.concat([header, d.bytes(d.int(0, 64))]),
      mayWait: mustAnswer,
      check: isConnectionClose(501),
    };
  }
  if (roll < 69) {
    const good = clientMethod(d, 1);
    let end = d.int(0, 255);
    if (end === FRAME_END) end = 0;
    return {
      kind: `frame end octet 0x${end.toString(16)}`,
      handshake: true,
      open: [1],
      bytes: frame(1, 1, payloadOf(good), end),
      mayWait: mustAnswer,
      check: isConnectionClose(501),
    };
  }
  if (roll < 77) {
    return {
      kind: 'queue.declare with a broken arguments table',
      handshake: true,
      open: [1],
      bytes: badTableDeclare(d, 1),
      mayWait: mustAnswer,
      check: isConnectionClose(501, 50, 10),
    };
  }
  if (roll < 82) {
    // absurd declared sizes in a content header: nothing may be allocated for them
    const bodySize = d.pick([2 ** 53 + 1, 2 ** 62, 2 ** 40, 2 ** 33, 0xffffffff, 2 ** 31, 2 ** 29]);
    const header = encodeContentHeaderPayload(60, 1, {});
    header.writeUInt32BE(Math.floor(bodySize / 2 ** 32) >>> 0, 4);
    header.writeUInt32BE(bodySize >>> 0, 8);
    return {
      kind: `publish announcing a ${bodySize}-octet body`,
      handshake: true,
      open: [1],
      bytes: Buffer.concat([
        encodeMethodFrame(1, 'basic.publish', { routingKey: 'fuzz.nowhere' }),
        encodeHeaderFrame(1, header),
        frame(3, 1, d.bytes(d.int(0, 100))),
      ]),
      mayWait: mayAlwaysWait,
      check: anySaneOutcome,
    };
  }
  if (roll < 92) {
    const channel = d.int(2, 2047);
    const method = clientMethod(d, channel);
    return {
      kind: `method on unopened channel ${channel}`,
      handshake: true,
      open: [1],
      bytes: method,
      mayWait: mustAnswer,
      check: isConnectionClose(504, method.readUInt16BE(7), method.readUInt16BE(9)),
    };
  }
  if (roll < 95) {
    // re-open of an open channel
    return {
      kind: 'channel.open on an open channel',
      handshake: true,
      open: [1],
      bytes: encodeMethodFrame(1, 'channel.open', {}),
      mayWait: mustAnswer,
      check: isConnectionClose(504),
    };
  }
  // a flood of channel opens, possibly past channel_max
  const count = d.pick([50, 300, 1000, 2047, 2048, 2100, 3000]);
  const opens = Buffer.concat(
    Array.from({ length: count }, (_, i) => encodeMethodFrame(i + 1, 'channel.open', {})),
  );
  return {
    kind: `flood of ${count} channel opens`,
    handshake: true,
    open: [],
    bytes: opens,
    // past channel_max a 530 must come; below it, silence only after every open-ok
    mayWait: (counts, channelMax) => count <= channelMax && counts.get('channel.open-ok') === count,
    check: (o, counts, channelMax) => {
      const opened = counts.get('channel.open-ok') ?? 0;
      if (count <= channelMax) {
        return o.kind === 'silent' && opened === count
          ? undefined
          : `${count} open-oks, then silence`;
      }
      return o.kind === 'connection.close' && o.code === 530 && opened === channelMax
        ? undefined
        : `${channelMax} open-oks, then connection.close 530`;
    },
  };
}

async function runCase(port: number, fuzz: FuzzCase): Promise<string | undefined> {
  const bufferBaseline = process.memoryUsage().arrayBuffers;
  const client = await RawClient.connect(port);
  try {
    if (fuzz.handshake) {
      await client.handshake();
      for (const channel of fuzz.open) await client.openChannel(channel);
    }
    // waiting starts once the bytes are out, not when they were queued
    await client.write(fuzz.bytes);
    const counts = new Map<string, number>();
    if (fuzz.hangUp) {
      const outcome: Outcome =
        (await client.next(SILENCE_MS)) === undefined
          ? { kind: 'silent', quietMs: SILENCE_MS }
          : { kind: 'socket-closed', sawHeader: false };
      return fuzz.check(outcome, counts, client.channelMax) === undefined
        ? undefined
        : `got ${outcome.kind}`;
    }
    const outcome = await client.outcome(counts, (seen) => fuzz.mayWait(seen, client.channelMax));
    if (client.violation !== undefined) return client.violation;
    const grown = process.memoryUsage().arrayBuffers - bufferBaseline;
    if (grown > BUFFER_GROWTH_LIMIT) {
      return `buffer memory grew by ${Math.round(grown / 2 ** 20)} MiB while the case ran (${JSON.stringify(outcome)})`;
    }
    const expected = fuzz.check(outcome, counts, client.channelMax);
    if (expected === undefined) return undefined;
    return `expected ${expected}, got ${JSON.stringify(outcome)} after ${JSON.stringify([...counts])}`;
  } finally {
    client.destroy();
  }
}

// ------------------------------------------------------------ the healthy bystander

/** An ordinary amqplib client publishing with confirms and consuming with acks all along. */
class Bystander {
  published = 0;
  consumed = 0;
  failures: string[] = [];
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly connection: ChannelModel,
    private readonly publisher: ConfirmChannel,
    readonly queue: string,
  ) {}

  static async start(url: string): Promise<Bystander> {
    const connection = await amqp.connect(url);
    const publisher = await connection.createConfirmChannel();
    const queue = uniqueName('fuzz.bystander');
    await publisher.assertQueue(queue, { durable: true });
    const bystander = new Bystander(connection, publisher, queue);
    connection.on('error', (error: Error) =>
      bystander.failures.push(`connection error: ${error.message}`),
    );
    connection.on('close', () => {
      if (!bystander.stopped) bystander.failures.push('connection closed');
    });
    const consumer = await connection.createChannel();
    await consumer.prefetch(100);
    await consumer.consume(queue, (message) => {
      if (message === null) return void bystander.failures.push('consumer cancelled');
      bystander.consumed++;
      consumer.ack(message);
    });
    bystander.loop = bystander.run();
    return bystander;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        this.publisher.sendToQueue(this.queue, Buffer.from(`m${this.published}`), {
          persistent: true,
        });
        await this.publisher.waitForConfirms();
        this.published++;
      } catch (error) {
        this.failures.push(`publish failed: ${(error as Error).message}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.publisher.deleteQueue(this.queue);
    await this.connection.close();
  }
}

// ------------------------------------------------------------ the suite

/** Memory that survives a full GC: the JS heap plus Buffer memory outside it. */
function retainedMemory(): () => number {
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
}

describe('embedded broker under hostile clients (fuzz)', () => {
  let running: RunningBroker;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'surety-fuzz-'));
    running = await EmbeddedBroker.start({ port: 0, dataDir });
    port = Number(new URL(running.url).port);
  });

  afterAll(async () => {
    await running?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    `survives ${CASES} seeded hostile cases with the right closes while a healthy client carries on`,
    async () => {
      const retained = retainedMemory();
      const bystander = await Bystander.start(running.url);
      const retainedBefore = retained();
      const d = new Dice(rng(SEED));
      /** failing cases by kind: how many, and the first few to reproduce */
      const failures = new Map<string, string[]>();
      const kinds = new Map<string, number>();
      let nextIndex = 0;
      let checkpoints = 0;

      const worker = async () => {
        // index and case are drawn together, synchronously: case i is the same on every run
        for (let i = nextIndex++; i < CASES; i = nextIndex++) {
          const fuzz = makeCase(d);
          const kind = fuzz.kind.replace(/0x[0-9a-f]+|\d+/g, 'N');
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          let problem: string | undefined;
          try {
            problem = await runCase(port, fuzz);
          } catch (error) {
            problem = `threw ${(error as Error).message}`;
          }
          if (problem !== undefined) {
            const examples = failures.get(kind) ?? [];
            examples.push(
              `case ${i} (seed ${SEED}) ${fuzz.kind}: ${problem}; bytes ${fuzz.bytes.subarray(0, 48).toString('hex')}`,
            );
            failures.set(kind, examples);
          }
          if (i % 1000 === 999) {
            // the bystander must keep moving while the fuzz runs
            const before = bystander.consumed;
            await eventually(() => expect(bystander.consumed).toBeGreaterThan(before), {
              timeoutMs: 10_000,
            });
            checkpoints++;
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      expect(
        [...failures].map(
          ([kind, examples]) => `${examples.length} x ${kind}: ${examples.slice(0, 2).join(' | ')}`,
        ),
      ).toEqual([]);
      expect(bystander.failures).toEqual([]);
      expect(checkpoints).toBe(Math.floor(CASES / 1000));
      // every hostile connection is gone: only the bystander remains
      await eventually(() => expect(running.broker.connections.size).toBe(1), {
        timeoutMs: 10_000,
      });
      const consumedBefore = bystander.consumed;
      await eventually(() => expect(bystander.consumed).toBeGreaterThan(consumedBefore + 5));
      await bystander.stop();
      expect(bystander.consumed).toBeGreaterThanOrEqual(bystander.published - 1);
      // broker memory stays bounded: hostile sizes allocated nothing that lingers
      const growth = retained() - retainedBefore;
      expect(growth).toBeLessThan(64 * 1024 * 1024);
      // every kind of case was exercised
      expect(kinds.size).toBeGreaterThanOrEqual(CASES >= 1000 ? 12 : 1);
    },
    Math.max(120_000, CASES * 15),
  );
});
