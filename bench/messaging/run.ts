// npm run bench:messaging — Surety vs raw amqplib on the same broker, same run.
//
// Every workload runs in its own child process (workload.ts), rounds interleave
// raw and Surety back to back (order alternating per round), and each side
// reports median [min–max] of msg/s and of client CPU µs per message.
// CPU per message is the primary figure: on a shared machine msg/s swings with
// whatever else runs, CPU per message only with the work the client does.
//
// SURETY_BENCH_N timed messages (default 20000 on RabbitMQ, 150000 on the embedded
// broker: about a second or more on each) after SURETY_BENCH_WARMUP (2000) untimed,
// ~256 B JSON, persistent, durable queue; SURETY_BENCH_ROUNDS (7);
// SURETY_BENCH_BROKERS (rabbitmq,embedded).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { embedded, rabbitmq, type BenchBroker } from './brokers';
import { body, countFor, PREFETCH, WARMUP, WINDOW } from './config';
import type { Measurement } from './measure';
import { deleteQueues, fill } from './raw-workloads';
import { waitForBrokerToSettle } from '../support/broker-settle';
import { formatCpu, formatRate, pairedRatios, summarize } from '../support/stats';
import type { WorkloadKind } from './workload';

const ROUNDS = Number(process.env.SURETY_BENCH_ROUNDS ?? 7);
const TARGETS = { publish: 0.9, consume: 0.85 };

type Series = Record<WorkloadKind, Measurement[]>;

function runWorkload(
  kind: WorkloadKind,
  url: string,
  queue: string,
  count: number,
): Promise<Measurement> {
  const root = path.resolve(__dirname, '../..');
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      '@swc-node/register',
      path.join(__dirname, 'workload.ts'),
      kind,
      url,
      queue,
      String(count),
      String(WARMUP),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as Measurement);
      else reject(new Error(`workload ${kind} exited with ${code}: ${out}`));
    });
  });
}

async function benchBroker(broker: BenchBroker): Promise<Series> {
  const count = countFor(broker.name);
  const series: Series = {
    'raw-publish': [],
    'raw-publish-same': [],
    'surety-publish': [],
    'raw-consume': [],
    'surety-consume': [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const tag = `${process.pid}.${round}`;
    const queueOf = (kind: WorkloadKind) => `bench.${kind}.${tag}`;
    // Raw and Surety back to back; the order flips every round so neither side
    // always runs first on a freshly emptied broker.
    const publishes: WorkloadKind[] =
      round % 2 === 0
        ? ['raw-publish', 'surety-publish', 'raw-publish-same']
        : ['raw-publish-same', 'surety-publish', 'raw-publish'];
    const consumes: WorkloadKind[] =
      round % 2 === 0 ? ['raw-consume', 'surety-consume'] : ['surety-consume', 'raw-consume'];
    const queues = [...publishes, ...consumes].map(queueOf);
    try {
      const line: string[] = [];
      for (const kind of publishes) {
        const result = await runWorkload(kind, broker.url, queueOf(kind), count);
        series[kind].push(result);
        await deleteQueues(broker.url, [queueOf(kind)]);
        line.push(describe(kind, result));
      }
      for (const kind of consumes) {
        // Each side fills its own queue just before consuming it: filled together, the
        // side consuming first shared the broker with its flush of both fills (RabbitMQ
        // gave 14–20k msg/s to whichever went first and 31–42k to the second).
        await fill(broker.url, queueOf(kind), count + WARMUP);
        await waitForBrokerToSettle(broker.pids);
        const result = await runWorkload(kind, broker.url, queueOf(kind), count);
        series[kind].push(result);
        line.push(describe(kind, result));
      }
      console.log(`  ${broker.name} round ${round + 1}: ${line.join('  ')}`);
    } finally {
      await deleteQueues(broker.url, queues);
    }
  }
  return series;
}

function describe(kind: WorkloadKind, m: Measurement): string {
  return `${kind} ${(m.msgPerSec / 1000).toFixed(1)}k/${m.cpuUsPerMsg.toFixed(1)}µs`;
}

function report(name: string, series: Series) {
  const rate = (kind: WorkloadKind) => series[kind].map((m) => m.msgPerSec);
  const cpu = (kind: WorkloadKind) => series[kind].map((m) => m.cpuUsPerMsg);
  const side = (label: string, kind: WorkloadKind) =>
    `    ${label.padEnd(24)} ${formatRate(summarize(rate(kind)))}   ${formatCpu(summarize(cpu(kind)))}`;
  const verdict = (
    label: string,
    surety: WorkloadKind,
    raw: WorkloadKind,
    target: number | undefined,
  ) => {
    const throughput = summarize(pairedRatios(rate(surety), rate(raw)));
    const cpuCost = summarize(pairedRatios(cpu(surety), cpu(raw)));
    const meets =
      target === undefined
        ? ''
        : `  target >= ${target}x: ${throughput.median >= target ? 'meets' : 'BELOW'}`;
    return (
      `    surety / ${label.padEnd(15)} throughput ${throughput.median.toFixed(2)}x ` +
      `[${throughput.min.toFixed(2)}–${throughput.max.toFixed(2)}]   CPU per msg ${cpuCost.median.toFixed(2)}x ` +
      `[${cpuCost.min.toFixed(2)}–${cpuCost.max.toFixed(2)}]${meets}`
    );
  };
  console.log(
    `${name}: ${countFor(name)} timed msgs per workload; median [min–max] over ${series['raw-publish'].length} rounds`,
  );
  console.log('  publish');
  console.log(side('raw (bare, the target)', 'raw-publish'));
  console.log(side('raw, Surety properties', 'raw-publish-same'));
  console.log(side('surety', 'surety-publish'));
  console.log(verdict('raw', 'surety-publish', 'raw-publish', TARGETS.publish));
  console.log(verdict('raw same props', 'surety-publish', 'raw-publish-same', undefined));
  console.log('  consume');
  console.log(side('raw (manual ack)', 'raw-consume'));
  console.log(side('surety', 'surety-consume'));
  console.log(verdict('raw', 'surety-consume', 'raw-consume', TARGETS.consume));
}

async function main() {
  console.log(
    `surety messaging bench: ${WARMUP} warm-up msgs, then the timed ones, x ${ROUNDS} rounds, ${body.length} B JSON, ` +
      `persistent, durable queue, window ${WINDOW}, prefetch ${PREFETCH}; one process per workload`,
  );
  console.log(
    '  ratios are medians of per-round pairs; CPU = client process user+system per message',
  );
  const wanted = process.env.SURETY_BENCH_BROKERS?.split(',') ?? ['rabbitmq', 'embedded'];
  const reports: [string, Series][] = [];
  if (wanted.includes('rabbitmq')) {
    const broker = rabbitmq();
    reports.push([broker.name, await benchBroker(broker)]);
  }
  if (wanted.includes('embedded')) {
    const broker = await embedded();
    if (!broker) console.log('  (embedded broker not available; skipped)');
    else {
      try {
        reports.push([broker.name, await benchBroker(broker)]);
      } finally {
        await broker.stop();
      }
    }
  }
  for (const [name, series] of reports) report(name, series);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
