// The report of bench:outbox: figures as median [min–max] over rounds, ratios as
// medians of per-round pairs, and every target with met / NOT met.
import {
  CONCURRENCY,
  CONNECTIONS,
  DB_CONCURRENCY,
  N,
  PREFETCH,
  RELAY_VARIANTS,
  STREAM_RATE,
} from './config';
import type { Costs } from './meter';
import type { BenchBroker } from './services';
import { pairedRatios, summarize, type Summary } from '../support/stats';
import type { StreamCosts } from './workloads/relay-stream';

/** Every round's costs, by series name (`RabbitMQ/relay`, `tx/prisma/8/with`, …). */
export class Results {
  private readonly series = new Map<string, Costs[]>();

  add(name: string, costs: Costs): void {
    const list = this.series.get(name) ?? [];
    list.push(costs);
    this.series.set(name, list);
  }

  get(name: string): Costs[] {
    return this.series.get(name) ?? [];
  }
}

/** Series name of a relay variant's drains: `relay` for the defaults, `relay-500x6` otherwise. */
export function relaySeries(variant: string): string {
  return variant === 'default' ? 'relay' : `relay-${variant}`;
}

const k = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0));
const range = (s: Summary, f: (v: number) => string) => `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
const us = (values: (number | undefined)[]) => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? '   -' : summarize(known).median.toFixed(1).padStart(5);
};

/** One measured side: rate and the three CPU figures per unit. */
function side(label: string, series: Costs[], unit = 'msg'): string {
  const rate = range(summarize(series.map((c) => c.perSecond)), k);
  return (
    `    ${label.padEnd(26)} ${`${rate} ${unit}/s`.padEnd(32)} CPU µs/${unit}: ` +
    `client ${us(series.map((c) => c.clientUs))}  broker ${us(series.map((c) => c.brokerUs))}  ` +
    `PostgreSQL ${us(series.map((c) => c.postgresUs))}` +
    (series.some((c) => c.redisUs !== undefined)
      ? `  Redis ${us(series.map((c) => c.redisUs))}`
      : '')
  );
}

interface Verdict {
  readonly what: string;
  readonly target: string;
  readonly figure: string;
  readonly met: boolean;
}

function verdictLine(v: Verdict): string {
  return `    → ${v.figure}; target ${v.target}: ${v.met ? 'met' : 'NOT met'}`;
}

function relaySection(results: Results, brokers: readonly BenchBroker[], verdicts: Verdict[]) {
  console.log(
    `(a) relay: ${N} pending rows → all confirmed and marked sent, vs raw confirm-publish`,
  );
  for (const broker of brokers) {
    const raw = results.get(`${broker.name}/raw`);
    if (raw.length === 0) continue;
    console.log(`  ${broker.name}`);
    console.log(side('raw amqplib, window 1000', raw));
    for (const variant of RELAY_VARIANTS) {
      const relay = results.get(`${broker.name}/${relaySeries(variant)}`);
      if (relay.length === 0) continue;
      const label = variant === 'default' ? 'outbox relay' : `relay ${variant}`;
      console.log(side(label, relay));
      const ratio = summarize(
        pairedRatios(
          relay.map((c) => c.perSecond),
          raw.map((c) => c.perSecond),
        ),
      );
      const ratioText = `relay/raw ${range(ratio, (v) => `${v.toFixed(2)}x`)}`;
      if (variant !== 'default') {
        console.log(`    → ${ratioText} (a tuning, not the defaults: no verdict)`);
        continue;
      }
      const relayRate = summarize(relay.map((c) => c.perSecond));
      const verdict: Verdict =
        broker.name === 'RabbitMQ'
          ? {
              what: `(a) relay vs raw on RabbitMQ`,
              target: '≥ 0.8x raw',
              figure: ratioText,
              met: ratio.median >= 0.8,
            }
          : {
              what: `(a) relay on the embedded broker`,
              target: '≥ 25k msg/s',
              figure: `${k(relayRate.median)} msg/s (${ratioText})`,
              met: relayRate.median >= 25_000,
            };
      verdicts.push(verdict);
      console.log(verdictLine(verdict));
    }
  }
  for (const broker of brokers) {
    const stream = results.get(`${broker.name}/stream`) as StreamCosts[];
    if (stream.length === 0) continue;
    const ms = (pick: (s: StreamCosts) => number) =>
      range(summarize(stream.map(pick)), (v) => v.toFixed(1));
    console.log(
      `  ${broker.name} streaming, ${STREAM_RATE}/s offered on ${CONNECTIONS} producer connections (Prisma tx + outbox.add each):`,
    );
    console.log(side('achieved', stream, 'event'));
    console.log(
      `    commit→confirm ms: p50 ${ms((s) => s.p50Ms)}  p99 ${ms((s) => s.p99Ms)}  max ${ms((s) => s.maxMs)}`,
    );
  }
}

/**
 * The business transactions (b) measures, each with the event written by `outbox.add`
 * (its own round trip) and by `outbox.addWithCommit` (in the COMMIT's round trip). The
 * one-row ones are the worst case.
 */
const TX_SHAPES = [
  { name: 'prisma', api: 'prisma', shape: 'one-row', title: 'Prisma interactive tx, one row' },
  { name: 'sql', api: 'sql', shape: 'one-row', title: 'handle.sql.transaction, one row' },
  {
    name: 'underwriting',
    api: 'prisma',
    shape: 'underwriting',
    title:
      'Prisma interactive tx, underwriting (read quote, policy + 2 coverages, close quote; keyed event)',
  },
] as const;

export const TX_VARIANTS = (['add', 'addWithCommit'] as const).flatMap((writer) =>
  TX_SHAPES.map((shape) => ({
    ...shape,
    writer,
    name: writer === 'add' ? shape.name : `${shape.name}-with-commit`,
  })),
);

function transactionSection(results: Results, verdicts: Verdict[]) {
  console.log('(b) business transaction with vs without the event, PostgreSQL');
  for (const variant of TX_VARIANTS) {
    for (const lanes of [1, CONNECTIONS]) {
      const without = results.get(`tx/${variant.name}/${lanes}/without`);
      const withEvent = results.get(`tx/${variant.name}/${lanes}/with`);
      if (without.length === 0) continue;
      const title = `${variant.title}, ${lanes === 1 ? 'sequential' : `${lanes} connections`}`;
      console.log(`  ${title}`);
      console.log(side('without event', without, 'tx'));
      console.log(side(`with outbox.${variant.writer}`, withEvent, 'tx'));
      // Added time per transaction, as a share of the transaction without the event.
      const overhead = summarize(
        pairedRatios(
          without.map((c) => c.perSecond),
          withEvent.map((c) => c.perSecond),
        ).map((r) => (r - 1) * 100),
      );
      const verdict: Verdict = {
        what: `(b) outbox.${variant.writer} overhead, ${title}`,
        target: '≤ 15%',
        figure: `overhead ${range(overhead, (v) => `${v >= 0 ? '+' : ''}${v.toFixed(0)}%`)}`,
        met: overhead.median <= 15,
      };
      verdicts.push(verdict);
      console.log(verdictLine(verdict));
    }
  }
}

function consumeSection(results: Results, brokers: readonly BenchBroker[], verdicts: Verdict[]) {
  console.log(
    `(c) idempotent consumers, no-op handler, prefetch ${PREFETCH}; plain and redis concurrency ${CONCURRENCY}, ` +
      `db concurrency ${DB_CONCURRENCY}`,
  );
  for (const broker of brokers) {
    const plain = results.get(`${broker.name}/consume-plain`);
    const redis = results.get(`${broker.name}/consume-redis`);
    const db = results.get(`${broker.name}/consume-db`);
    if (plain.length === 0) continue;
    console.log(`  ${broker.name}`);
    console.log(side('plain @Subscribe', plain));
    console.log(side("idempotency 'redis'", redis));
    console.log(side("idempotency 'db' (inbox)", db));
    const ratio = summarize(
      pairedRatios(
        redis.map((c) => c.perSecond),
        plain.map((c) => c.perSecond),
      ),
    );
    const redisVerdict: Verdict = {
      what: `(c) redis vs plain on ${broker.name}`,
      target: '≥ 0.7x plain',
      figure: `redis/plain ${range(ratio, (v) => `${v.toFixed(2)}x`)}`,
      met: ratio.median >= 0.7,
    };
    const dbRate = summarize(db.map((c) => c.perSecond));
    const dbVerdict: Verdict = {
      what: `(c) db inbox on ${broker.name}`,
      target: '≥ 5k msg/s',
      figure: `db ${k(dbRate.median)} msg/s`,
      met: dbRate.median >= 5000,
    };
    verdicts.push(redisVerdict, dbVerdict);
    console.log(verdictLine(redisVerdict));
    console.log(verdictLine(dbVerdict));
  }
}

export function printReport(results: Results, brokers: readonly BenchBroker[]): void {
  const verdicts: Verdict[] = [];
  console.log('');
  console.log(
    'median [min–max] over rounds; ratios are medians of per-round pairs; CPU µs per unit: ' +
      'client = the workload process, broker and PostgreSQL (this database’s backends) from /proc',
  );
  relaySection(results, brokers, verdicts);
  transactionSection(results, verdicts);
  consumeSection(results, brokers, verdicts);
  console.log('');
  console.log('targets');
  for (const v of verdicts) {
    console.log(`  ${v.met ? 'met    ' : 'NOT met'}  ${v.what}: ${v.figure} (target ${v.target})`);
  }
}
