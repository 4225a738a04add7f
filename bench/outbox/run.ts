// npm run bench:outbox — the transactional outbox and idempotent consumers, measured
// against their baselines on the same broker in the same run:
//
//   (a) relay throughput, commit → confirmed, vs raw amqplib confirm publishing (window
//       1000, same bytes and properties), on RabbitMQ and on the embedded broker (a child
//       process); PostgreSQL. Backlog drain of BENCH_OUTBOX_N pre-filled rows, and a
//       streaming variant (producers commit while the relay runs: commit→confirm p50/p99).
//   (b) what outbox.add (and addWithCommit) adds to a business transaction, sequential and 8 connections.
//   (c) idempotent consumers: plain vs idempotency 'redis' vs 'db' inbox.
//
// Every workload runs in its own process (workload.ts); rounds interleave the compared
// sides back to back, their order flipping per round, and figures are median [min–max]
// over rounds, ratios medians of per-round pairs. The machine is shared: msg/s swing,
// CPU per message (client: the workload's process; broker and PostgreSQL: from /proc)
// much less. A fresh PostgreSQL database is dropped and the Redis prefix deleted after.
//
// Knobs: BENCH_OUTBOX_N (50000), BENCH_OUTBOX_ROUNDS (5), BENCH_OUTBOX_STREAM_N,
// BENCH_OUTBOX_STREAM_RATE (500/s), BENCH_OUTBOX_TX_N, BENCH_OUTBOX_CONSUME_N, _DB_CONSUME_N,
// BENCH_OUTBOX_CONCURRENCY (plain and redis consumers; default = prefetch 1000),
// BENCH_OUTBOX_BROKERS (rabbitmq,embedded), BENCH_OUTBOX_PARTS (a,b,c),
// BENCH_OUTBOX_RELAY_VARIANTS (default; e.g. "default,500x6" also drains with batch 500,
// pipeline depth 6, each against the same raw baseline; 'in-process' = the claimer without
// row locks), BENCH_OUTBOX_SKIP_ANALYZE=1 (claims on stale statistics after the pre-fill).
// Region-only CPU profiles: BENCH_OUTBOX_PROFILE_DIR=<dir>.
// Profiling: BENCH_OUTBOX_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes node
// flags to every workload process.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  BROKERS,
  CONNECTIONS,
  CONSUME_N,
  DB_CONSUME_N,
  N,
  PARTS,
  REDIS_URL,
  RELAY_VARIANTS,
  ROUNDS,
  STREAM_N,
  STREAM_RATE,
  TX_N,
  WARMUP,
  WINDOW,
  payload,
} from './config';
import type { Costs } from './meter';
import { printReport, relaySeries, Results, TX_VARIANTS } from './report';
import {
  deleteRedisKeys,
  embedded,
  freshDatabase,
  rabbitmq,
  type BenchBroker,
  type BenchDatabase,
} from './services';
import { benchName, declareExchange, deleteTopology, fillQueue } from './topology';
import { waitForBrokerToSettle } from '../support/broker-settle';
import type { WorkloadArgs, WorkloadKind, WorkloadResult } from './workload';

const NODE_ARGS = (process.env.BENCH_OUTBOX_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Pids of redis-server (CPU of the 'redis' consumer's store), or [] when not found. */
function redisPids(): number[] {
  try {
    return execFileSync('pgrep', ['-x', 'redis-server'])
      .toString()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function runWorkload<K extends WorkloadKind>(
  kind: K,
  args: WorkloadArgs<K>,
  broker?: BenchBroker,
  usesRedis = false,
): Promise<WorkloadResult<K>> {
  const root = path.resolve(__dirname, '../..');
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      '-r',
      '@swc-node/register',
      path.join(__dirname, 'workload.ts'),
      kind,
      JSON.stringify(args),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        BENCH_OUTBOX_BROKER_PIDS: (broker?.pids ?? []).join(','),
        BENCH_OUTBOX_REDIS_PIDS: usesRedis ? redisPids().join(',') : '',
      },
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as WorkloadResult<K>);
      else reject(new Error(`workload ${kind} exited with ${code}: ${out}`));
    });
  });
}

/** Empties every table a workload writes, so each starts from the same state. */
async function resetTables(database: BenchDatabase): Promise<void> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(
      "TRUNCATE surety_outbox, surety_outbox_key_sequence, surety_inbox, bench_policy, bench_coverage; UPDATE bench_quote SET status = 'open'",
    );
  } finally {
    await client.end();
  }
}

/** The bytes the relay publishes for the payload: PostgreSQL's jsonb text form. */
async function relayBody(database: BenchDatabase): Promise<string> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ text: string }>('SELECT $1::jsonb::text AS text', [
      JSON.stringify(payload),
    ]);
    return rows[0].text;
  } finally {
    await client.end();
  }
}

/** The machine is shared: its load says how far to trust the figures. */
function load(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
}

function log(line: string): void {
  console.log(`  ${line}`);
}

const short = (c: Costs) => `${(c.perSecond / 1000).toFixed(1)}k/s ${c.clientUs.toFixed(0)}µs`;

/** (a) one round on one broker: raw and relay back to back, then the stream. */
async function relayRound(
  broker: BenchBroker,
  database: BenchDatabase,
  body: string,
  round: number,
  results: Results,
) {
  // Raw and every relay variant back to back, the order rotating per round.
  const all = ['raw', ...RELAY_VARIANTS];
  const sides = all.map((_, i) => all[(i + round) % all.length]);
  const line: string[] = [];
  for (const side of sides) {
    const exchange = benchName(side === 'raw' ? 'raw' : 'relay');
    await declareExchange(broker.url, exchange);
    try {
      await resetTables(database);
      const costs =
        side === 'raw'
          ? await runWorkload(
              'raw-publish',
              { url: broker.url, exchange, body, count: N, warmup: WARMUP },
              broker,
            )
          : await runWorkload(
              'relay-drain',
              {
                url: broker.url,
                databaseUrl: database.url,
                exchange,
                count: N,
                warmup: WARMUP,
                variant: side,
              },
              broker,
            );
      results.add(`${broker.name}/${side === 'raw' ? 'raw' : relaySeries(side)}`, costs);
      line.push(`${side === 'default' ? 'relay' : side} ${short(costs)}`);
    } finally {
      await deleteTopology(broker.url, [exchange]);
    }
  }
  const exchange = benchName('stream');
  await declareExchange(broker.url, exchange);
  try {
    await resetTables(database);
    const stream = await runWorkload(
      'relay-stream',
      {
        url: broker.url,
        databaseUrl: database.url,
        exchange,
        count: STREAM_N,
        warmup: WARMUP,
        rate: STREAM_RATE,
      },
      broker,
    );
    results.add(`${broker.name}/stream`, stream);
    line.push(`stream p50 ${stream.p50Ms.toFixed(1)} p99 ${stream.p99Ms.toFixed(1)} ms`);
  } finally {
    await deleteTopology(broker.url, [exchange]);
  }
  log(`${broker.name} round ${round + 1} (a): ${line.join('  ')}`);
}

/** (c) one round on one broker: the three consumers, in rotating order. */
async function consumeRound(
  broker: BenchBroker,
  database: BenchDatabase,
  redisPrefix: string,
  round: number,
  results: Results,
) {
  const modes = ['plain', 'redis', 'db'] as const;
  const order = modes.map((_, i) => modes[(i + round) % modes.length]);
  const line: string[] = [];
  for (const mode of order) {
    const queue = benchName(`consume-${mode}`);
    try {
      await resetTables(database);
      const count = mode === 'db' ? DB_CONSUME_N : CONSUME_N;
      await fillQueue(broker.url, queue, WARMUP + count);
      await waitForBrokerToSettle(broker.pids);
      const costs = await runWorkload(
        'consume',
        {
          url: broker.url,
          queue,
          mode,
          count,
          warmup: WARMUP,
          ...(mode === 'db' ? { databaseUrl: database.url } : {}),
          ...(mode === 'redis' ? { redisUrl: REDIS_URL, redisPrefix } : {}),
        },
        broker,
        mode === 'redis',
      );
      results.add(`${broker.name}/consume-${mode}`, costs);
      line.push(`${mode} ${short(costs)}`);
    } finally {
      await deleteTopology(broker.url, [queue]);
    }
  }
  log(`${broker.name} round ${round + 1} (c): ${line.join('  ')}`);
}

/** (b) one round: each API and concurrency, with and without the event (alternating inside). */
async function transactionRound(database: BenchDatabase, round: number, results: Results) {
  const line: string[] = [];
  for (const variant of TX_VARIANTS) {
    for (const lanes of [1, CONNECTIONS]) {
      await resetTables(database);
      const costs = await runWorkload('business-tx', {
        databaseUrl: database.url,
        api: variant.api,
        shape: variant.shape,
        writer: variant.writer,
        lanes,
        count: TX_N,
        warmup: Math.min(WARMUP, 500),
      });
      results.add(`tx/${variant.name}/${lanes}/without`, costs.without);
      results.add(`tx/${variant.name}/${lanes}/with`, costs.with);
      const overhead = (costs.without.perSecond / costs.with.perSecond - 1) * 100;
      line.push(
        `${variant.name}x${lanes} ${costs.without.perSecond.toFixed(0)}→${costs.with.perSecond.toFixed(0)} tx/s (+${overhead.toFixed(0)}%)`,
      );
    }
  }
  log(`round ${round + 1} (b): ${line.join('  ')}`);
}

async function main() {
  console.log(
    `surety outbox bench: ${ROUNDS} rounds; (a) ${N} rows drained (+${WARMUP} warm-up), ` +
      `stream ${STREAM_N} at ${STREAM_RATE}/s; (b) ${TX_N} tx per variant; (c) ${CONSUME_N} deliveries (db ${DB_CONSUME_N}); ` +
      `window ${WINDOW}; parts ${[...PARTS].join(',')}; brokers ${BROKERS.join(',')}`,
  );
  const database = await freshDatabase();
  const redisPrefix = `bench:outbox:${process.pid}:${randomBytes(3).toString('hex')}`;
  const brokers: BenchBroker[] = [];
  const results = new Results();
  try {
    if (BROKERS.includes('rabbitmq')) brokers.push(rabbitmq());
    if (BROKERS.includes('embedded')) brokers.push(await embedded());
    const body = await relayBody(database);
    log(`event body ${body.length} B as the relay publishes it (jsonb text); ${load()}`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const broker of brokers) {
        if (PARTS.has('a')) await relayRound(broker, database, body, round, results);
        if (PARTS.has('c')) await consumeRound(broker, database, redisPrefix, round, results);
      }
      if (PARTS.has('b')) await transactionRound(database, round, results);
    }
    log(`done; ${load()}`);
    printReport(results, brokers);
  } finally {
    for (const broker of brokers) await broker.stop();
    await database.drop();
    const deleted = await deleteRedisKeys(REDIS_URL, redisPrefix);
    log(`cleaned up: database dropped, ${deleted} Redis keys under ${redisPrefix} deleted`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
