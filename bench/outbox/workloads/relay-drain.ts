import { OutboxRelay } from '@surety/messaging/outbox';
import { Meter, type Costs } from '../meter';
import {
  assertAllSent,
  openRelayEnv,
  prefill,
  relayOptions,
  untilNonePending,
  type RelayEnv,
  type RelayVariant,
} from './relay-env';

export interface RelayDrainArgs {
  readonly url: string;
  readonly databaseUrl: string;
  readonly exchange: string;
  readonly count: number;
  readonly warmup: number;
  readonly variant?: RelayVariant;
}

/**
 * (a) backlog: `count` committed, pending rows, then the relay starts; timed until the
 * last one is confirmed by the broker and marked sent. An untimed warm-up drain first.
 */
export async function relayDrain(args: RelayDrainArgs): Promise<Costs> {
  const env = await openRelayEnv(args.url, args.databaseUrl);
  const relay = new OutboxRelay(env.db, env.publisher, relayOptions(args.variant));
  const meter = await Meter.create(args.databaseUrl, 'relay-drain');
  try {
    await drain(env, relay, args.exchange, args.warmup);
    await prefill(env.db, args.exchange, args.count);
    // A real backlog builds up over time and autovacuum analyzes it on the way; a
    // pre-fill in one go would leave the claim planning on an empty table's statistics
    // (a sort of every pending row per claim instead of an index scan: see
    // BENCH_OUTBOX_SKIP_ANALYZE=1 for what a burst before autovacuum's next visit costs).
    if (process.env.BENCH_OUTBOX_SKIP_ANALYZE !== '1')
      await env.db.sql.exec('ANALYZE surety_outbox');
    await meter.start();
    await relay.start();
    await env.publisher.until(args.warmup + args.count);
    await untilNonePending(env.db);
    const costs = await meter.stop(args.count);
    await relay.stop();
    await assertAllSent(env.db, args.warmup + args.count);
    return costs;
  } finally {
    await relay.stop();
    await meter.close();
    await env.close();
  }
}

async function drain(env: RelayEnv, relay: OutboxRelay, exchange: string, count: number) {
  await prefill(env.db, exchange, count);
  await relay.start();
  await env.publisher.until(env.publisher.confirmed + count);
  await untilNonePending(env.db);
  await relay.stop();
}
