// Knobs of `npm run bench:outbox` (environment variables) and the one event shape
// every workload sends, so outbox, raw and consumer runs move equal messages.

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${process.env[name]}`);
  }
  return value;
};

/** Pending rows the relay drains per round, and raw publishes per round (a). */
export const N = int('BENCH_OUTBOX_N', 50_000);
/** Interleaved rounds; every figure is the median over them. */
export const ROUNDS = int('BENCH_OUTBOX_ROUNDS', 5);
/**
 * Events committed during the streaming variant of (a), at STREAM_RATE per second. The
 * default rate is one this 2-core machine sustains with one event per transaction
 * (each commit carries a NOTIFY, and PostgreSQL serialises those commits), so the
 * latency is that of a relay keeping up, not of a queue building up.
 */
export const STREAM_N = int('BENCH_OUTBOX_STREAM_N', Math.min(N, 5_000));
export const STREAM_RATE = int('BENCH_OUTBOX_STREAM_RATE', 500);
/** Business transactions per variant and round in (b). */
export const TX_N = int('BENCH_OUTBOX_TX_N', Math.min(N, 2_000));
/** Deliveries consumed per round by the plain and 'redis' consumers in (c). */
export const CONSUME_N = int('BENCH_OUTBOX_CONSUME_N', N);
/** Deliveries consumed per round by the 'db' inbox consumer in (c) (a few seconds' worth). */
export const DB_CONSUME_N = int('BENCH_OUTBOX_DB_CONSUME_N', Math.min(N, 10_000));
/** Untimed warm-up work before every timed region (JIT, pools, prepared plans). */
export const WARMUP = int('BENCH_OUTBOX_WARMUP', 1_000);
/** Connections of the concurrent business-transaction variant (b), and of the db inbox pool (c). */
export const CONNECTIONS = 8;
/** Raw baseline's unconfirmed publishes in flight; also the Surety publisher's window. */
export const WINDOW = 1000;
/** Unacked deliveries per consumer (c), the same for every consumer compared. */
export const PREFETCH = int('BENCH_OUTBOX_PREFETCH', 1000);
/** Handlers at once for the plain and 'redis' consumers (c); default: prefetch. */
export const CONCURRENCY = int('BENCH_OUTBOX_CONCURRENCY', PREFETCH);
/**
 * Handlers at once for the db inbox consumer (c). The store batches the deliveries that
 * arrive together into one transaction, so it needs deliveries in flight: 32 gave
 * 4.4k msg/s, 128 gave 10.0k msg/s on the embedded broker (16 connections).
 */
export const DB_CONCURRENCY = int('BENCH_OUTBOX_DB_CONCURRENCY', 128);
/** Pool of the db inbox consumer (c). */
export const DB_POOL = int('BENCH_OUTBOX_DB_POOL', 16);

/** Which brokers run (a) and (c): `rabbitmq,embedded` by default. */
export const BROKERS = (process.env.BENCH_OUTBOX_BROKERS ?? 'rabbitmq,embedded').split(',');
/**
 * Relay configurations drained in (a), each against the same raw baseline: 'default'
 * (the relay's defaults, which the target is checked on) and e.g. '500x6' (batch size
 * x pipeline depth) to compare tunings in one run.
 */
export const RELAY_VARIANTS = (process.env.BENCH_OUTBOX_RELAY_VARIANTS ?? 'default').split(',');
/** Parts to run: a, b, c. */
export const PARTS = new Set((process.env.BENCH_OUTBOX_PARTS ?? 'a,b,c').split(','));

export const RABBITMQ_URL = process.env.BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const POSTGRES_URL =
  process.env.SURETY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.SURETY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const EVENT_TYPE = 'policy.issued';

/**
 * A small domain event: 256 bytes as JSON.stringify writes it. PostgreSQL stores it
 * as jsonb and the relay publishes jsonb's text form, which spaces the separators;
 * the raw baseline publishes those very bytes (see run.ts), not these.
 */
export const payload = { policyId: 'P-000123', event: EVENT_TYPE, pad: 'x'.repeat(195) };

/** Quotes the underwriting-shaped business transaction of (b) picks from. */
export const QUOTES = 10_000;
