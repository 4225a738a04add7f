// npm run bench:messaging — Surety vs raw amqplib on the same broker, same run.
// SURETY_BENCH_N (default 20000) messages of ~256 bytes, persistent, durable queue;
// SURETY_BENCH_ROUNDS (default 5) alternating rounds, medians reported.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { embedded, rabbitmq, type BenchBroker } from './brokers';
import { deleteQueues, fill, rawConsume, rawPublish } from './raw-workloads';
import { suretyConsume, suretyPublish } from './surety-workloads';

const N = Number(process.env.SURETY_BENCH_N ?? 20_000);
const ROUNDS = Number(process.env.SURETY_BENCH_ROUNDS ?? 5);
const WINDOW = 1000;
const PREFETCH = 1000;
const TARGETS = { publish: 0.9, consume: 0.85 };

// A JSON payload of 256 bytes once encoded; the raw baseline sends the same bytes.
const payload = {
  policyId: 'P-000123',
  event: 'policy.issued',
  pad: randomBytes(96).toString('hex').slice(0, 195),
};
const body = Buffer.from(JSON.stringify(payload));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function benchBroker(broker: BenchBroker) {
  const results = {
    rawPublish: [] as number[],
    rawPublishSame: [] as number[],
    suretyPublish: [] as number[],
    rawConsume: [] as number[],
    suretyConsume: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const tag = `${process.pid}.${round}`;
    const queues = [
      `bench.raw-pub.${tag}`,
      `bench.surety-pub.${tag}`,
      `bench.raw-con.${tag}`,
      `bench.surety-con.${tag}`,
      `bench.raw-pub-same.${tag}`,
    ];
    try {
      // Alternate the order each round so neither side always runs on a warmer broker.
      const publishes = [
        async () =>
          results.rawPublish.push(await rawPublish(broker.url, queues[0], N, body, WINDOW)),
        async () =>
          results.suretyPublish.push(
            await suretyPublish(broker.url, queues[1], N, payload, WINDOW),
          ),
        async () =>
          results.rawPublishSame.push(
            await rawPublish(broker.url, queues[4], N, body, WINDOW, true),
          ),
      ];
      for (const run of round % 2 ? publishes.reverse() : publishes) await run();
      await fill(broker.url, queues[2], N, body);
      await fill(broker.url, queues[3], N, body);
      const consumes = [
        async () => results.rawConsume.push(await rawConsume(broker.url, queues[2], N, PREFETCH)),
        async () =>
          results.suretyConsume.push(await suretyConsume(broker.url, queues[3], N, PREFETCH)),
      ];
      for (const run of round % 2 ? consumes.reverse() : consumes) await run();
    } finally {
      await deleteQueues(broker.url, queues);
    }
  }
  return {
    rawPublish: median(results.rawPublish),
    rawPublishSame: median(results.rawPublishSame),
    suretyPublish: median(results.suretyPublish),
    rawConsume: median(results.rawConsume),
    suretyConsume: median(results.suretyConsume),
  };
}

function line(name: string, surety: number, raw: number, target: number) {
  const ratio = surety / raw;
  const verdict = ratio >= target ? 'meets' : 'BELOW';
  return `  ${name.padEnd(8)} surety ${Math.round(surety).toString().padStart(7)} msg/s   raw ${Math.round(
    raw,
  )
    .toString()
    .padStart(7)} msg/s   ratio ${ratio.toFixed(2)}x  (target >= ${target}x: ${verdict})`;
}

async function main() {
  console.log(
    'publish* = raw baseline sending the same properties as Surety (messageId, correlationId, type, timestamp)',
  );
  console.log(
    `surety messaging bench: ${N} msgs x ${ROUNDS} rounds, ${body.length} B, persistent, window ${WINDOW}, prefetch ${PREFETCH}`,
  );
  const brokers: BenchBroker[] = [rabbitmq()];
  const extra = process.env.SURETY_BENCH_BROKERS?.split(',') ?? ['rabbitmq', 'embedded'];
  if (extra.includes('embedded')) {
    const started = await embedded();
    if (started) brokers.push(started);
    else console.log('  (embedded broker not available; skipped)');
  }
  for (const broker of brokers.filter((b) => extra.includes(b.name))) {
    try {
      const r = await benchBroker(broker);
      console.log(`${broker.name}:`);
      console.log(line('publish', r.suretyPublish, r.rawPublish, TARGETS.publish));
      console.log(line('publish*', r.suretyPublish, r.rawPublishSame, TARGETS.publish));
      console.log(line('consume', r.suretyConsume, r.rawConsume, TARGETS.consume));
    } finally {
      await broker.stop();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
