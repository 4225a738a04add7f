// What the properties every Surety message must carry cost RabbitMQ itself: raw amqplib
// confirmed publishing (the bench's raw pump, same window) with the bare properties of
// the bench's baseline, then adding messageId, correlationId, and all of Surety's
// properties, measuring RabbitMQ's own CPU (beam.smp, from /proc) per message.
//
//   node -r @swc-node/register bench/messaging/property-cost.ts   # ROUNDS=5, N=20000
//
// Explains the gap between Surety and the bare raw baseline in bench:messaging: on a
// 2-core machine the broker's CPU per message bounds the rate. RabbitMQ 3.10's cost
// follows the size of the property list, not which properties it holds: messageId or
// correlationId alone (≤ 57 B) cost nothing measurable, both together or one 60-char
// type (81–94 B) cost 25–40% more broker CPU per message, with the step somewhere
// around 60 B (probes in 1-byte steps put it between 57 and 64 B, run to run).
// Any list that carries the ids the issue requires is past it.
import { randomUUID } from 'node:crypto';
import amqp, { type Options } from 'amqplib';
import { beamPids, cpuMicros } from '../broker/proc-stats';
import { confirmPump, suretyLikeProperties } from '../support/confirm-pump';
import { summarize } from '../support/stats';
import { bareProperties, body, WINDOW } from './config';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = Number(process.env.N ?? 20_000);
const URL = process.env.BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

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

async function main(): Promise<void> {
  const pids = beamPids();
  if (pids.length === 0) throw new Error('no beam.smp process: is RabbitMQ running here?');
  const connection = await amqp.connect(URL);
  const channel = await connection.createConfirmChannel();
  const queue = `bench-property-cost-${process.pid}`;
  await channel.assertQueue(queue, { durable: true });
  const rates = new Map<string, number[]>();
  const brokerUs = new Map<string, number[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, properties] of Object.entries(VARIANTS)) {
        await channel.purgeQueue(queue);
        const cpuBefore = cpuMicros(pids);
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
        brokerUs.set(name, [...(brokerUs.get(name) ?? []), (cpuMicros(pids) - cpuBefore) / N]);
      }
    }
  } finally {
    await channel.deleteQueue(queue);
    await connection.close();
  }
  console.log(
    `RabbitMQ, ${N} persistent 256 B messages per run, window ${WINDOW}, ${ROUNDS} rounds (median [min–max])`,
  );
  const bare = summarize(brokerUs.get('bare, 20 B (the baseline)')!).median;
  for (const name of Object.keys(VARIANTS)) {
    const rate = summarize(rates.get(name)!);
    const cpu = summarize(brokerUs.get(name)!);
    console.log(
      `  ${name.padEnd(34)} ${(rate.median / 1000).toFixed(1).padStart(5)}k msg/s   RabbitMQ CPU ${cpu.median.toFixed(1)} µs/msg [${cpu.min.toFixed(1)}–${cpu.max.toFixed(1)}] (${((cpu.median / bare - 1) * 100).toFixed(0)}% over bare)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
