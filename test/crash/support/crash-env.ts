/**
 * The environment the crash-test parent hands its child processes: one place for the
 * variable names, so the test and the child scripts cannot drift apart.
 */
export const CrashEnv = {
  /** PostgreSQL URL of the test's own database. */
  databaseUrl: 'SURETY_CRASH_DATABASE_URL',
  /** AMQP URL the child connects to (the broker, or a TCP proxy in front of it). */
  brokerUrl: 'SURETY_CRASH_BROKER_URL',
  /** Topic exchange the events go to. */
  exchange: 'SURETY_CRASH_EXCHANGE',
  /** Queue the consumer subscribes (bound to the exchange with '#'). */
  queue: 'SURETY_CRASH_QUEUE',
  /** Consumer: 'db' or 'redis'. */
  store: 'SURETY_CRASH_STORE',
  redisUrl: 'SURETY_CRASH_REDIS_URL',
  redisPrefix: 'SURETY_CRASH_REDIS_PREFIX',
  /** Consumer, redis store: lease length (a killed worker's key is free again after it). */
  redisLeaseMs: 'SURETY_CRASH_REDIS_LEASE_MS',
  /** Prefix for the consumer's delay (retry) exchanges and queues. */
  delayPrefix: 'SURETY_CRASH_DELAY_PREFIX',
  /**
   * Where the child stops dead (prints a line, then hangs until the parent kills it):
   * relay 'after-confirm'; consumer 'after-commit' (after the idempotency stage
   * finished: inbox/done-marker written, ack not sent) or 'before-done-marker'
   * (after the handler's effect, before the store records it as done).
   */
  crashPoint: 'SURETY_CRASH_POINT',
  /** Consumer: prefetch (= concurrency). */
  prefetch: 'SURETY_CRASH_PREFETCH',
  /** Consumer: how long each handler run takes, ms. */
  handlerMs: 'SURETY_CRASH_HANDLER_MS',
  /** Relay: rows per claim. */
  batchSize: 'SURETY_CRASH_BATCH_SIZE',
  /** Producer: business rows to reach in total. */
  events: 'SURETY_CRASH_TOTAL',
  /** Producer: pause between transactions, ms. */
  pauseMs: 'SURETY_CRASH_PAUSE_MS',
} as const;

export type CrashPoint = 'after-confirm' | 'after-commit' | 'before-done-marker';
export type StoreKind = 'db' | 'redis';

/** Reads a required variable in a child, failing with its name. */
export function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`crash child: environment variable ${name} is required`);
  }
  return value;
}

/** Events the soak writes: SURETY_CRASH_EVENTS (the large run sets 10000), else `fallback`. */
export function crashEvents(fallback: number): number {
  const raw = process.env.SURETY_CRASH_EVENTS;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`SURETY_CRASH_EVENTS must be a positive integer, got '${raw}'`);
  }
  return n;
}
