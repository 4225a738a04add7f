/**
 * Messages and clients shared by the paging tests: bodies that name their index and
 * check themselves, a confirm-publisher, a manual-ack consumer, an order check.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import type * as amqp from 'amqplib';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';

/** Distinct, deterministic content of varied size (40..2039 bytes) that names its index. */
export function body(i: number): Buffer {
  const size = 40 + ((i * 7919) % 2000);
  const out = Buffer.alloc(size);
  let seed = createHash('sha256').update(String(i)).digest();
  for (let at = 0; at < size; at += seed.length) {
    seed.copy(out, at);
    seed = createHash('sha256').update(seed).digest();
  }
  out.writeUInt32BE(i, 0);
  return out;
}

export async function publishAll(
  channel: amqp.ConfirmChannel,
  queue: string,
  from: number,
  to: number,
  options: amqp.Options.Publish = {},
): Promise<void> {
  for (let i = from; i < to; i++) {
    if (!channel.sendToQueue(queue, body(i), { persistent: true, ...options })) {
      await new Promise((resolve) => channel.once('drain', resolve));
    }
    if (i % 1000 === 999) await channel.waitForConfirms();
  }
  await channel.waitForConfirms();
}

export interface Received {
  index: number;
  content: Buffer;
  redelivered: boolean;
}

/** Consumes `count` messages with manual acks and the given prefetch. */
export async function consume(
  channel: amqp.Channel,
  queue: string,
  count: number,
  prefetch: number,
): Promise<Received[]> {
  await channel.prefetch(prefetch);
  const received: Received[] = [];
  let tag = '';
  await new Promise<void>((resolve, reject) => {
    channel.once('close', () => reject(new Error(`channel closed after ${received.length}`)));
    void channel
      .consume(queue, (message) => {
        if (message === null) return reject(new Error('cancelled by the broker'));
        if (received.length === count) {
          channel.nack(message, false, true); // arrived before the cancel: back to its place
          return;
        }
        received.push({
          index: message.content.readUInt32BE(0),
          content: message.content,
          redelivered: message.fields.redelivered,
        });
        channel.ack(message);
        if (received.length === count) resolve();
      })
      .then((ok) => (tag = ok.consumerTag), reject);
  });
  await channel.cancel(tag);
  return received;
}

/** `count` messages fetched one by one with basic.get (no ack); fails on an empty get. */
export async function getAll(
  channel: amqp.Channel,
  queue: string,
  count: number,
): Promise<Received[]> {
  const got: Received[] = [];
  for (let i = 0; i < count; i++) {
    const message = await channel.get(queue, { noAck: true });
    if (message === false) throw new Error(`get-empty after ${i}`);
    got.push({
      index: message.content.readUInt32BE(0),
      content: message.content,
      redelivered: false,
    });
  }
  return got;
}

export function expectInOrderAndExact(received: Received[], from: number, to: number): void {
  expect(received.map((r) => r.index)).toEqual(range(from, to));
  for (const r of received) {
    if (!r.content.equals(body(r.index))) throw new Error(`message ${r.index} differs`);
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

/** An embedded broker with a small message-memory budget, on a temporary data dir. */
export interface BudgetedBroker {
  /** The current test's data directory (removed after it). */
  readonly dataDir: string;
  /** Starts the broker on the data dir and connects one amqplib client. */
  start(): Promise<{ broker: RunningBroker['broker']; connection: amqp.ChannelModel }>;
  /** Closes the client and stops the broker (a clean stop); start() may follow. */
  stop(): Promise<void>;
}

/** Registers per-test setup and teardown (fresh data dir, broker stopped) in the enclosing describe. */
export function budgetedBroker(prefix: string, messageMemoryBudget: number): BudgetedBroker {
  let dataDir = '';
  let running: RunningBroker | undefined;
  let connection: amqp.ChannelModel | undefined;
  const stop = async () => {
    await connection?.close().catch(() => undefined);
    connection = undefined;
    await running?.stop();
    running = undefined;
  };
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `surety-${prefix}-`));
  });
  afterEach(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    get dataDir() {
      return dataDir;
    },
    async start() {
      running = await EmbeddedBroker.start({ port: 0, dataDir, config: { messageMemoryBudget } });
      connection = await connect(running.url);
      return { broker: running.broker, connection };
    },
    stop,
  };
}
