import { Outbox, OutboxRelay } from '@surety/messaging/outbox';
import { CONNECTIONS, EVENT_TYPE, payload } from '../config';
import { Meter, type Costs } from '../meter';
import { percentile } from '../../support/stats';
import { assertAllSent, openRelayEnv, relayOptions, untilNonePending } from './relay-env';

export interface RelayStreamArgs {
  readonly url: string;
  readonly databaseUrl: string;
  readonly exchange: string;
  readonly count: number;
  readonly warmup: number;
  /** Offered events per second, spread over CONNECTIONS producer lanes. */
  readonly rate: number;
}

export interface StreamCosts extends Costs {
  /** Commit (the transaction's promise resolved) → confirm (the relay got the broker's ack). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * (a) streaming: producers commit one event per transaction (outbox.add in a Prisma
 * interactive transaction, the documented way) at a fixed offered rate while the relay
 * runs, woken by NOTIFY. Both sides in this process, as in an application that relays
 * its own events. Figures are per event; the client CPU includes the producers.
 */
export async function relayStream(args: RelayStreamArgs): Promise<StreamCosts> {
  const env = await openRelayEnv(args.url, args.databaseUrl);
  const relay = new OutboxRelay(env.db, env.publisher, relayOptions());
  const outbox = new Outbox();
  const meter = await Meter.create(args.databaseUrl, 'relay-stream');
  const commit = async () => {
    const record = await env.db.prisma.$transaction((tx) =>
      outbox.add(tx, { type: EVENT_TYPE, exchange: args.exchange, payload }),
    );
    return { messageId: record.messageId, at: performance.now() };
  };
  try {
    await relay.start();
    await produce(args.warmup, args.rate, commit);
    await env.publisher.until(args.warmup);
    env.publisher.record = true;
    await meter.start();
    const committed = await produce(args.count, args.rate, commit);
    await env.publisher.until(args.warmup + args.count);
    await untilNonePending(env.db);
    const costs = await meter.stop(args.count);
    await relay.stop();
    await assertAllSent(env.db, args.warmup + args.count);
    const latencies = committed.map(({ messageId, at }) => {
      const confirmed = env.publisher.confirmedAt.get(messageId);
      if (confirmed === undefined) throw new Error(`no confirm recorded for ${messageId}`);
      // The relay can see a row the moment the server commits, a hair before the
      // producer hears about it: count that as zero rather than negative.
      return Math.max(0, confirmed - at);
    });
    latencies.sort((a, b) => a - b);
    return {
      ...costs,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies[latencies.length - 1],
    };
  } finally {
    await relay.stop();
    await meter.close();
    await env.close();
  }
}

/**
 * Runs `count` commits on CONNECTIONS lanes, the i-th not before start + i/rate (an
 * open-loop schedule: when the lanes fall behind they catch up at once, and the
 * achieved rate shows it). Returns every commit's message id and time.
 */
async function produce(
  count: number,
  rate: number,
  commit: () => Promise<{ messageId: string; at: number }>,
): Promise<{ messageId: string; at: number }[]> {
  const start = performance.now();
  const done: { messageId: string; at: number }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const due = start + (next++ * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      done.push(await commit());
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  return done;
}
