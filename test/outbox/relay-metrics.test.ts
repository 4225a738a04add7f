import { Registry } from 'prom-client';
import {
  Outbox,
  OutboxRelay,
  registerOutboxMetrics,
  type OutboxEvent,
} from '@surety/messaging/outbox';
import { eventually } from '../support/eventually';
import { declareGateQueue, type GateQueue } from './support/gate-queue';
import { describeRelayMatrix } from './support/relay-matrix';

jest.setTimeout(60_000);

/** Clock rounding between Node and the database, in ms. */
const SLACK_MS = 50;

/** Each metric's single value, by name, as a scrape sees them. */
async function scrape(registry: Registry): Promise<Record<string, number>> {
  const metrics = await registry.getMetricsAsJSON();
  return Object.fromEntries(metrics.map((m) => [m.name, Number(m.values[0]?.value)]));
}

describeRelayMatrix('OutboxRelay metrics', (env) => {
  let gate: GateQueue;
  const outbox = new Outbox();

  beforeEach(async () => {
    gate = await declareGateQueue(env.broker.url);
  });
  afterEach(() => gate.dispose());

  const write = (events: OutboxEvent[]) =>
    env.db.prisma.$transaction((tx) => outbox.addMany(tx, events));
  const noted = (n: number, exchange = env.topology.exchange): OutboxEvent => ({
    type: 'fee.noted',
    exchange,
    payload: n,
  });

  it('reports the pending rows and the age of the oldest while they wait, and 0 once published', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, { pollIntervalMs: 50 });
    const writtenAt = Date.now();
    await write([noted(1), noted(2), noted(3)]);

    // Not started yet: the rows wait, and their age grows.
    await eventually(
      async () => expect((await env.relay!.metrics()).oldestPendingAgeMs).toBeGreaterThan(300),
      { timeoutMs: 20_000 },
    );
    await write([noted(4), noted(5)]);
    const waiting = await env.relay.metrics();
    expect(waiting.pending).toBe(5);
    // The oldest row is the first one written: not younger than the wait above, not
    // older than the time since it was written.
    expect(waiting.oldestPendingAgeMs).toBeGreaterThan(300);
    expect(waiting.oldestPendingAgeMs).toBeLessThanOrEqual(Date.now() - writtenAt + SLACK_MS);
    expect(waiting.published).toBe(0);

    await env.relay.start();
    await eventually(() => expect(env.collector.messages).toHaveLength(5));
    await eventually(async () =>
      expect(await env.relay!.metrics()).toMatchObject({
        pending: 0,
        oldestPendingAgeMs: 0,
        published: 5,
      }),
    );
  });

  it('exposes its metrics on a prom-client registry', async () => {
    let compensationRuns = 0;
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      pollIntervalMs: 50,
      backoff: { initialMs: 50, maxMs: 100 },
      maxAttempts: 1000,
    }).onPublishFailed('fee.noted', async () => {
      // Throws the first time: one compensation error, then one compensation.
      if (++compensationRuns === 1) throw new Error('ledger busy');
    });
    const registry = new Registry();
    registerOutboxMetrics(registry, () => env.relay!.metrics());
    await env.relay.start();

    const writtenAt = Date.now();
    await write([
      noted(1),
      noted(2),
      noted(3),
      noted(4, gate.exchange), // nacked until the gate opens: retried, stays pending
      noted(5, 'outbox.metrics.no-such-exchange'), // final failure, compensated
    ]);
    await eventually(
      async () => {
        const m = await env.relay!.metrics();
        expect(m.published).toBe(3);
        expect(m.retries).toBeGreaterThanOrEqual(2);
        expect(m.compensations).toBe(1);
      },
      { timeoutMs: 30_000 },
    );

    const backingOff = await scrape(registry);
    expect(backingOff).toMatchObject({
      surety_outbox_pending: 1,
      surety_outbox_published_total: 3,
      surety_outbox_failures_total: 1,
      surety_outbox_compensations_total: 1,
      surety_outbox_compensation_errors_total: 1,
    });
    expect(backingOff.surety_outbox_retries_total).toBeGreaterThanOrEqual(2);
    expect(backingOff.surety_outbox_claimed_batches_total).toBeGreaterThanOrEqual(2);
    expect(backingOff.surety_outbox_published_per_second).toBeGreaterThan(0);
    // The gated row has waited since it was written: a plausible age, in seconds.
    const age = backingOff.surety_outbox_oldest_pending_age_seconds;
    expect(age).toBeGreaterThan(0);
    expect(age * 1000).toBeLessThanOrEqual(Date.now() - writtenAt + SLACK_MS);

    // Draining the gate lets the last row through; the backlog gauges fall to 0.
    await env.collector.alsoConsume(gate.queue);
    await eventually(async () =>
      expect(await scrape(registry)).toMatchObject({
        surety_outbox_pending: 0,
        surety_outbox_oldest_pending_age_seconds: 0,
        surety_outbox_published_total: 4,
      }),
    );
  });
});
