import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';

/** @publicApi */
export interface OutboxMetricsSnapshot {
  /** Rows waiting to be published (due, backing off, or in flight). */
  readonly pending: number;
  /** Age of the oldest pending row; 0 when none. */
  readonly oldestPendingAgeMs: number;
  /** Confirmed publishes per second over the last 10 s. */
  readonly publishedPerSecond: number;
  readonly published: number;
  /** Failed attempts that will be retried. */
  readonly retries: number;
  /** Rows marked failed (final). */
  readonly failures: number;
  /** Compensations committed. */
  readonly compensations: number;
  /** Compensations that threw (the row stays pending and is tried again). */
  readonly compensationErrors: number;
  readonly claimedBatches: number;
}

const WINDOW_SECONDS = 10;

/** Counters kept in process; the backlog gauges come from the database on demand. */
export class RelayCounters {
  published = 0;
  retries = 0;
  failures = 0;
  compensations = 0;
  compensationErrors = 0;
  claimedBatches = 0;
  private readonly perSecond = new Map<number, number>();

  countPublished(n: number): void {
    this.published += n;
    const second = Math.floor(Date.now() / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + n);
    for (const key of this.perSecond.keys()) {
      if (key <= second - WINDOW_SECONDS) this.perSecond.delete(key);
    }
  }

  publishedPerSecond(): number {
    const now = Math.floor(Date.now() / 1000);
    let total = 0;
    for (const [second, n] of this.perSecond) if (second > now - WINDOW_SECONDS) total += n;
    return total / WINDOW_SECONDS;
  }
}

/**
 * Registers the relay's metrics on a prom-client registry (surety_outbox_*). The gauges
 * query the database when scraped.
 */
export function registerOutboxMetrics(
  registry: Registry,
  snapshot: () => Promise<OutboxMetricsSnapshot>,
): void {
  let last: Promise<OutboxMetricsSnapshot> | undefined;
  // One snapshot per scrape, shared by every metric collected in it.
  const current = () => {
    last ??= snapshot().finally(() => setTimeout(() => (last = undefined), 100).unref());
    return last;
  };
  const gauge = (name: string, help: string, pick: (s: OutboxMetricsSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await current()));
      },
    });
  const counter = (name: string, help: string, pick: (s: OutboxMetricsSnapshot) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      async collect() {
        const s = await current();
        this.reset();
        this.inc(pick(s));
      },
    });
  gauge('surety_outbox_pending', 'Outbox rows not yet published', (s) => s.pending);
  gauge(
    'surety_outbox_oldest_pending_age_seconds',
    'Age of the oldest pending outbox row',
    (s) => s.oldestPendingAgeMs / 1000,
  );
  gauge(
    'surety_outbox_published_per_second',
    'Confirmed publishes per second (10 s window)',
    (s) => s.publishedPerSecond,
  );
  counter(
    'surety_outbox_published_total',
    'Outbox rows confirmed by the broker',
    (s) => s.published,
  );
  counter('surety_outbox_retries_total', 'Failed publish attempts to be retried', (s) => s.retries);
  counter('surety_outbox_failures_total', 'Outbox rows marked failed', (s) => s.failures);
  counter(
    'surety_outbox_compensations_total',
    'Compensations committed for failed rows',
    (s) => s.compensations,
  );
  // What to alert on: a failed row whose compensation keeps throwing stays pending.
  counter(
    'surety_outbox_compensation_errors_total',
    'Compensations that threw (the row stays pending and is tried again)',
    (s) => s.compensationErrors,
  );
  counter(
    'surety_outbox_claimed_batches_total',
    'Batches of rows claimed for publishing',
    (s) => s.claimedBatches,
  );
}
