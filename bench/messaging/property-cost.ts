// What the properties every Surety message must carry cost the broker itself: raw
// amqplib confirmed publishing (the bench's raw pump, same window) with the bare
// properties of the bench's baseline, then adding messageId, correlationId, and all of
// Surety's properties, measuring the broker's own CPU (RabbitMQ's beam.smp, or the
// embedded broker's process, from /proc) per message.
//
//   node -r @swc-node/register bench/messaging/property-cost.ts
//   # ROUNDS=5, N=20000, BROKERS=rabbitmq,embedded (RabbitMQ at SURETY_BENCH_RABBITMQ_URL)
//
// Explains the gap between Surety and the bare raw baseline in bench:messaging: on a
// 2-core machine the broker's CPU per message bounds the rate. RabbitMQ 3.10's cost
// follows the size of the property list, not which properties it holds: messageId or
// correlationId alone (≤ 57 B) cost nothing measurable, both together or one 60-char
// type (81–94 B) cost 25–40% more broker CPU per message, with the step somewhere
// around 60 B (probes in 1-byte steps put it between 57 and 64 B, run to run).
// Any list that carries the ids the issue requires is past it. The embedded broker reads
// only the few properties routing needs straight from the header bytes: its CPU per
// message stays flat (≈ 7 µs) across the variants.
import { randomUUID } from 'node:crypto';
import amqp, { type Options } from 'amqplib';
import { cpuMicros } from '../broker/proc-stats';
import { confirmPump, suretyLikeProperties } from '../support/confirm-pump';
import { summarize } from '../support/stats';
import { embedded, rabbitmq, type BenchBroker } from './brokers';
import { bareProperties, body, WINDOW } from './config';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = Number(process.env.N ?? 20_000);
const BROKERS = (process.env.BROKERS ?? 'rabbitmq,embedded').split(',');

// Labels give the size of the encoded property list (flags included): what RabbitMQ's
// cost follows, not which property it is (see the note at the top).
const VARIANTS: Record<string, (queue: string) => Options.Publish> = {
  'bare, 20 B (the baseline)': () => bareProperties(),
  '+ messageId, 57 B': () => ({ ...bareProperties(), messageId: randomUUID() }),
  '+ messageId, correlationId, 94 B': () => {
    const id = randomUUID();
    return { ...bareProperties(), messageId: id, correlationId: id };
  },
  '+ a 60-char type, 81 B': () => ({ ...bareProperties(), type: 'x'.repeat(60) }),
  '+ a 200-char type, 221 B': () => ({ ...bareProperties(), type: 'x'.repeat(200) }),
  "all of Surety's": (queue) => suretyLikeProperties(queue),
};

/** Runs every variant ROUNDS times, interleaved, against one broker; prints its table. */
async function measure(broker: BenchBroker): Promise<void> {
  const connection = await amqp.connect(broker.url);
  const channel = await connection.createConfirmChannel();
  const queue = `bench-property-cost-${process.pid}`;
  await channel.assertQueue(queue, { durable: true });
  const rates = new Map<string, number[]>();
  const brokerUs = new Map<string, number[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, properties] of Object.entries(VARIANTS)) {
        await channel.purgeQueue(queue);
        const cpuBefore = cpuMicros(broker.pids);
        const started = performance.now();
        await confirmPump(channel, {
          exchange: '',
          routingKey: queue,
          body,
          count: N,
          window: WINDOW,
          properties: () => properties(queue),
        });
        const seconds = (performance.now() - started) / 1000;
        rates.set(name, [...(rates.get(name) ?? []), N / seconds]);
        const us = (cpuMicros(broker.pids) - cpuBefore) / N;
        brokerUs.set(name, [...(brokerUs.get(name) ?? []), us]);
      }
    }
  } finally {
    await channel.deleteQueue(queue);
    await connection.close();
  }
  console.log(
    `${broker.name}, ${N} persistent 256 B messages per run, window ${WINDOW}, ${ROUNDS} rounds (median [min–max])`,
  );
  const bare = summarize(brokerUs.get('bare, 20 B (the baseline)')!).median;
  for (const name of Object.keys(VARIANTS)) {
    const rate = summarize(rates.get(name)!);
    const cpu = summarize(brokerUs.get(name)!);
    console.log(
      `  ${name.padEnd(34)} ${(rate.median / 1000).toFixed(1).padStart(5)}k msg/s   broker CPU ${cpu.median.toFixed(1)} µs/msg [${cpu.min.toFixed(1)}–${cpu.max.toFixed(1)}] (${((cpu.median / bare - 1) * 100).toFixed(0)}% over bare)`,
    );
  }
}

async function main(): Promise<void> {
  if (BROKERS.includes('rabbitmq')) {
    const broker = rabbitmq();
    if (broker.pids.length === 0) throw new Error('no beam.smp process: is RabbitMQ running here?');
    await measure(broker);
  }
  if (BROKERS.includes('embedded')) {
    const broker = await embedded();
    if (!broker) throw new Error('the embedded broker did not start');
    try {
      await measure(broker);
    } finally {
      await broker.stop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
