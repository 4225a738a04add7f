/**
 * The same amqplib workloads against the local RabbitMQ and the embedded broker
 * (in a child process, so its CPU is read from /proc apart from the client's):
 *
 *   npm run bench:broker
 *
 * BENCH_MESSAGES (default 100000) sizes (a), (b) and (d); BENCH_LATENCY_MESSAGES
 * (default min(BENCH_MESSAGES, 20000)) sizes (c); BENCH_ONLY=rabbitmq|embedded
 * runs one broker; BENCH_WORKLOADS=a,b,c,d picks workloads; BENCH_RSS=1 also
 * reports the embedded broker's RSS with BENCH_RSS_MESSAGES (default 1,000,000)
 * persistent messages queued (BENCH_RSS_TRANSIENT=1: transient messages in a non-durable
 * queue), and the rate at which that backlog is then consumed.
 */
import { rssBytes } from './proc-stats';
import { printTable, type Outcome, type Row } from './report';
import { embeddedTarget, rabbitmqTarget, type BenchTarget } from './targets';
import {
  BODY_SIZE,
  CONFIRM_WINDOW,
  PREFETCH,
  confirmPublish,
  consumeWithAck,
  endToEndLatency,
  residentMemory,
  type WorkloadResult,
} from './workloads';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const LATENCY_MESSAGES = Number(process.env.BENCH_LATENCY_MESSAGES ?? Math.min(MESSAGES, 20_000));
const LATENCY_RATE = 2000;
const ONLY = process.env.BENCH_ONLY;
const WORKLOADS = new Set((process.env.BENCH_WORKLOADS ?? 'a,b,c,d').split(','));
const RSS_MESSAGES = Number(process.env.BENCH_RSS_MESSAGES ?? 1_000_000);
const RSS_TRANSIENT = process.env.BENCH_RSS_TRANSIENT === '1';

const throughputAtLeast = (factor: number) => ({
  text: `≥ ${factor}x msg/s`,
  met: (rabbit: WorkloadResult, embedded: WorkloadResult) =>
    embedded.msgPerSecond >= factor * rabbit.msgPerSecond,
});

interface Workload extends Row {
  readonly group: string;
  run(target: BenchTarget): Promise<WorkloadResult>;
}

const ALL_WORKLOADS: Workload[] = [
  {
    id: '(a)',
    group: 'a',
    title: 'persistent confirm-publish, durable queue',
    target: throughputAtLeast(4),
    run: (t) => confirmPublish(t, MESSAGES, true),
  },
  {
    id: '(b1)',
    group: 'b',
    title: 'consume, manual ack, persistent',
    target: throughputAtLeast(2),
    run: (t) => consumeWithAck(t, MESSAGES, true),
  },
  {
    id: '(b2)',
    group: 'b',
    title: 'consume, manual ack, transient',
    target: throughputAtLeast(2),
    run: (t) => consumeWithAck(t, MESSAGES, false),
  },
  {
    id: '(c)',
    group: 'c',
    title: `e2e latency p50 / p99 at ${LATENCY_RATE} msg/s, persistent`,
    latency: true,
    target: {
      text: 'p99 ≤ RabbitMQ',
      met: (rabbit, embedded) => embedded.p99Ms! <= rabbit.p99Ms!,
    },
    run: (t) => endToEndLatency(t, LATENCY_MESSAGES, LATENCY_RATE),
  },
  {
    id: '(d)',
    group: 'd',
    title: 'transient confirm-publish',
    target: throughputAtLeast(2),
    run: (t) => confirmPublish(t, MESSAGES, false),
  },
];
const workloads = ALL_WORKLOADS.filter((w) => WORKLOADS.has(w.group));

/** A hung workload (a broker that stops answering) must fail, not end the process silently. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Generous: 20x RabbitMQ's slowest baseline rate (~1000 msg/s), at least a minute. */
const WORKLOAD_TIMEOUT_MS = Math.max(60_000, MESSAGES * 20);

async function runAll(target: BenchTarget): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  for (const workload of workloads) {
    process.stdout.write(`  ${target.name} ${workload.id} ${workload.title} ... `);
    try {
      const result = await withTimeout(workload.run(target), WORKLOAD_TIMEOUT_MS, workload.id);
      outcomes.set(workload.id, result);
      console.log(
        workload.latency
          ? `p50 ${result.p50Ms!.toFixed(2)} ms, p99 ${result.p99Ms!.toFixed(2)} ms`
          : `${Math.round(result.msgPerSecond)} msg/s, ${result.brokerMicrosPerMessage.toFixed(1)} µs broker CPU/msg`,
      );
    } catch (error) {
      outcomes.set(workload.id, { error: (error as Error).message });
      console.log(`FAILED: ${(error as Error).message}`);
    }
  }
  return outcomes;
}

async function measureRss(target: BenchTarget): Promise<void> {
  const kind = RSS_TRANSIENT ? 'transient (non-durable queue)' : 'persistent';
  console.log(
    `  embedded RSS with ${RSS_MESSAGES.toLocaleString('en-US')} queued ${kind} messages ...`,
  );
  const { before, after, drain } = await withTimeout(
    residentMemory(target, RSS_MESSAGES, rssBytes, !RSS_TRANSIENT),
    Math.max(120_000, RSS_MESSAGES * 20),
    'RSS measurement',
  );
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  console.log(`  embedded RSS: ${mib(before)} idle -> ${mib(after)} with the queue full`);
  console.log(
    `  consuming that backlog (manual ack, prefetch ${PREFETCH}): ` +
      `${Math.round(drain.msgPerSecond)} msg/s, ${drain.brokerMicrosPerMessage.toFixed(1)} µs broker CPU/msg`,
  );
}

async function main(): Promise<void> {
  console.log(
    `broker benchmark: ${MESSAGES.toLocaleString('en-US')} messages of ${BODY_SIZE} B, ` +
      `confirm window ${CONFIRM_WINDOW}, prefetch ${PREFETCH}, latency ${LATENCY_MESSAGES} at ${LATENCY_RATE}/s`,
  );
  const rabbitResults = new Map<string, Outcome>();
  const embeddedResults = new Map<string, Outcome>();

  if (ONLY !== 'embedded') {
    const rabbit = await rabbitmqTarget();
    if (typeof rabbit === 'string') console.log(`RabbitMQ: not available (${rabbit})`);
    else {
      for (const [id, outcome] of await runAll(rabbit)) rabbitResults.set(id, outcome);
      await rabbit.stop();
    }
  }
  if (ONLY !== 'rabbitmq') {
    const embedded = await embeddedTarget();
    if (typeof embedded === 'string') console.log(`embedded: not available (${embedded})`);
    else {
      try {
        for (const [id, outcome] of await runAll(embedded)) embeddedResults.set(id, outcome);
        if (process.env.BENCH_RSS === '1') await measureRss(embedded);
      } finally {
        await embedded.stop();
      }
    }
  }

  const results = new Map(
    workloads.map((w) => [
      w.id,
      { rabbit: rabbitResults.get(w.id), embedded: embeddedResults.get(w.id) },
    ]),
  );
  printTable(workloads, results);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
