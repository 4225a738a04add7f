import { randomBytes } from 'node:crypto';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { cpuMicros } from './proc-stats';
import type { BenchTarget } from './targets';

export const BODY_SIZE = 256;
export const CONFIRM_WINDOW = 1000;
export const PREFETCH = 1000;

export interface WorkloadResult {
  readonly messages: number;
  readonly seconds: number;
  readonly msgPerSecond: number;
  /** broker CPU (user + system) per message during the measured phase */
  readonly brokerMicrosPerMessage: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

function queueName(workload: string): string {
  return `bench.${workload}.${process.pid}.${randomBytes(4).toString('hex')}`;
}

async function connect(url: string): Promise<ChannelModel> {
  const connection = await amqp.connect(url);
  // a broker-side close must fail the workload, not crash the process
  connection.on('error', () => undefined);
  return connection;
}

/** Measures broker CPU and wall time around `phase`, which handles `messages` messages. */
async function measured(
  target: BenchTarget,
  messages: number,
  phase: () => Promise<void>,
): Promise<WorkloadResult> {
  const cpuBefore = cpuMicros(target.pids);
  const start = process.hrtime.bigint();
  await phase();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = cpuMicros(target.pids) - cpuBefore;
  return {
    messages,
    seconds,
    msgPerSecond: messages / seconds,
    brokerMicrosPerMessage: cpu / messages,
  };
}

/**
 * Publishes `count` messages with at most `window` unconfirmed, honouring the
 * socket's back-pressure ('drain'); resolves when all are confirmed.
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  queue: string,
  count: number,
  persistent: boolean,
  body: (i: number) => Buffer = () => Buffer.alloc(BODY_SIZE, 0x61),
): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let waitingForDrain = false;
    let failed = false;
    const onConfirm = (error: unknown) => {
      if (failed) return;
      if (error) {
        failed = true;
        reject(new Error(`message nacked or channel closed after ${confirmed} confirms`));
        return;
      }
      confirmed++;
      if (confirmed === count) resolve();
      else pump();
    };
    const pump = () => {
      while (sent < count && sent - confirmed < CONFIRM_WINDOW && !waitingForDrain) {
        const ok = channel.sendToQueue(queue, body(sent), { persistent }, onConfirm);
        sent++;
        if (!ok) {
          waitingForDrain = true;
          channel.once('drain', () => {
            waitingForDrain = false;
            pump();
          });
        }
      }
    };
    channel.once('close', () => {
      if (!failed && confirmed < count) {
        failed = true;
        reject(new Error(`channel closed after ${confirmed} of ${count} confirms`));
      }
    });
    if (count === 0) resolve();
    else pump();
  });
}

/** (a) / (d): confirm-publish into a fresh queue (durable + persistent, or transient). */
export async function confirmPublish(
  target: BenchTarget,
  messages: number,
  persistent: boolean,
): Promise<WorkloadResult> {
  const connection = await connect(target.url);
  try {
    const channel = await connection.createConfirmChannel();
    const queue = queueName(persistent ? 'publish-persistent' : 'publish-transient');
    await channel.assertQueue(queue, { durable: persistent });
    try {
      return await measured(target, messages, () =>
        publishConfirmed(channel, queue, messages, persistent),
      );
    } finally {
      await channel.deleteQueue(queue);
    }
  } finally {
    await connection.close();
  }
}

/** (b): fill a queue (not measured), then consume it with manual acks and prefetch 1000. */
export async function consumeWithAck(
  target: BenchTarget,
  messages: number,
  persistent: boolean,
): Promise<WorkloadResult> {
  const queue = queueName(persistent ? 'consume-persistent' : 'consume-transient');
  const producer = await connect(target.url);
  const consumer = await connect(target.url);
  try {
    const publishChannel = await producer.createConfirmChannel();
    await publishChannel.assertQueue(queue, { durable: persistent });
    await publishConfirmed(publishChannel, queue, messages, persistent);
    const channel = await consumer.createChannel();
    await channel.prefetch(PREFETCH);
    try {
      return await measured(target, messages, () => consumeAll(channel, queue, messages));
    } finally {
      await publishChannel.deleteQueue(queue);
    }
  } finally {
    await consumer.close();
    await producer.close();
  }
}

async function consumeAll(channel: Channel, queue: string, count: number): Promise<void> {
  let received = 0;
  let consumerTag = '';
  await new Promise<void>((resolve, reject) => {
    channel.once('close', () => reject(new Error(`channel closed after ${received} deliveries`)));
    void channel
      .consume(
        queue,
        (message) => {
          if (message === null) return reject(new Error('consumer cancelled by the broker'));
          channel.ack(message);
          if (++received === count) resolve();
        },
        { noAck: false },
      )
      .then((ok) => (consumerTag = ok.consumerTag), reject);
  });
  await channel.cancel(consumerTag);
}

/**
 * (c): persistent messages at a fixed rate through a durable queue to a
 * manual-ack consumer; latency is publish call -> delivery callback, in one
 * process (so one clock). The first 5 % are warm-up and not counted.
 */
export async function endToEndLatency(
  target: BenchTarget,
  messages: number,
  ratePerSecond: number,
): Promise<WorkloadResult> {
  const queue = queueName('latency');
  const producer = await connect(target.url);
  const consumer = await connect(target.url);
  try {
    const publishChannel = await producer.createConfirmChannel();
    await publishChannel.assertQueue(queue, { durable: true });
    const consumeChannel = await consumer.createChannel();
    await consumeChannel.prefetch(PREFETCH);
    const latencies: number[] = [];
    let received = 0;
    let done: () => void = () => undefined;
    const allReceived = new Promise<void>((resolve) => (done = resolve));
    const { consumerTag } = await consumeChannel.consume(queue, (message) => {
      if (message === null) return;
      const sentAt = message.content.readDoubleBE(0);
      latencies.push(performance.now() - sentAt);
      consumeChannel.ack(message);
      if (++received === messages) done();
    });
    const result = await measured(target, messages, async () => {
      await publishAtRate(publishChannel, queue, messages, ratePerSecond);
      await allReceived;
    });
    await consumeChannel.cancel(consumerTag);
    await publishChannel.deleteQueue(queue);
    const counted = latencies.slice(Math.floor(latencies.length * 0.05)).sort((a, b) => a - b);
    const percentile = (p: number) =>
      counted[Math.min(counted.length - 1, Math.floor(counted.length * p))]!;
    return { ...result, p50Ms: percentile(0.5), p99Ms: percentile(0.99) };
  } finally {
    await consumer.close();
    await producer.close();
  }
}

function publishAtRate(
  channel: ConfirmChannel,
  queue: string,
  count: number,
  ratePerSecond: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - start) * ratePerSecond) / 1000));
      for (; sent < due; sent++) {
        const body = Buffer.alloc(BODY_SIZE, 0x61);
        body.writeDoubleBE(performance.now(), 0);
        channel.sendToQueue(queue, body, { persistent: true }, (error) => {
          if (error) {
            clearInterval(timer);
            reject(new Error('latency publish nacked'));
          }
        });
      }
      if (sent === count) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
}

/**
 * Queue `messages` persistent messages and report the broker's resident memory,
 * then consume them all (manual ack, prefetch 1000) from that backlog — mostly
 * paged out when it exceeds the broker's memory budget — and report that rate.
 */
export async function residentMemory(
  target: BenchTarget,
  messages: number,
  rss: (pid: number) => number,
  persistent = true,
): Promise<{ before: number; after: number; queue: string; drain: WorkloadResult }> {
  const queue = queueName('rss');
  const connection = await connect(target.url);
  try {
    const before = rss(target.pids[0]!);
    const channel = await connection.createConfirmChannel();
    // transient: messages without delivery-mode 2 in a non-durable queue (they page to scratch files)
    await channel.assertQueue(queue, { durable: persistent });
    await publishConfirmed(channel, queue, messages, persistent);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // let paging / GC settle
    const after = rss(target.pids[0]!);
    const consumer = await connection.createChannel();
    await consumer.prefetch(PREFETCH);
    const drain = await measured(target, messages, () => consumeAll(consumer, queue, messages));
    await channel.deleteQueue(queue);
    return { before, after, queue, drain };
  } finally {
    await connection.close();
  }
}
