import { crashEvents, CrashEnv } from './crash/crash-env';
import { describeCrashMatrix } from './crash/crash-matrix';
import type { BrokerUnderTest } from '../support/brokers';

jest.setTimeout(180_000);

/**
 * kill -9 of the relay after the broker confirmed a batch and before the rows were
 * marked sent: the claim transaction dies with the process, the rows are claimable
 * again, the next relay publishes them a second time — and the consumers absorb it.
 */
describeCrashMatrix('crash: relay killed between confirm and mark-sent', (target, store) => {
  let broker: BrokerUnderTest;
  let env: CrashEnv | undefined;
  beforeAll(async () => {
    broker = await target.start();
  });
  afterAll(async () => {
    await env?.dispose();
    await broker.stop();
  });

  it('republishes the confirmed batch; every business row takes effect exactly once', async () => {
    env = await CrashEnv.create(broker.url);
    const consumer = env.consumer(store);
    await consumer.waitFor(/READY/);
    await env.writeBusiness(crashEvents(60));

    const doomed = env.relay({ crashPoint: 'after-confirm' });
    const confirmed = Number((await doomed.waitFor(/^CONFIRMED \d+/)).split(' ')[1]);
    await doomed.kill9();
    // The rows of that batch are still pending: confirmed, but never marked.
    const { rows } = await env.db.sql.query<{ n: bigint }>(
      "SELECT count(*) AS n FROM surety_outbox WHERE status = 'pending'",
    );
    expect(Number(rows[0].n)).toBeGreaterThanOrEqual(confirmed);

    const relay = env.relay();
    await env.settled();
    const ledger = await env.ledger();
    expect(ledger).toMatchObject({ unsent: 0, missing: 0, duplicated: 0, orphans: 0 });
    expect(ledger.effects).toBe(ledger.business);
    // The confirmed batch really went out twice, and was absorbed.
    expect(ledger.deliveries).toBeGreaterThanOrEqual(ledger.events + confirmed);
    await relay.stop();
    await consumer.stop();
  });
});
