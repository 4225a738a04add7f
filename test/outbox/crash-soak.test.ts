import type { BrokerUnderTest } from '../support/brokers';
import { crashEvents, CrashEnv } from './crash/crash-env';
import type { Child } from './crash/child';
import { describeCrashMatrix } from './crash/crash-matrix';

jest.setTimeout(600_000);

/** A small seeded PRNG, so a failing soak can be replayed (SURETY_CRASH_SEED). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/**
 * Two relays and two consumers while business transactions keep committing (paced);
 * every
 * 0.3–1 s one of the four is killed with -9 and a fresh one started. At the end every
 * committed business row must have taken effect, nothing may be stuck in the outbox,
 * and no effect may exist without its business row. With the db store each row takes
 * effect exactly once. The redis store is at-least-once (a consumer killed between its
 * effect and the done-marker runs again: docs/outbox/idempotency.md), so there the
 * duplicates are counted and bounded by what the kills could have caused.
 */
describeCrashMatrix('crash: soak with random kills', (target, store) => {
  let broker: BrokerUnderTest;
  let env: CrashEnv | undefined;
  beforeAll(async () => {
    broker = await target.start();
  });
  afterAll(async () => {
    await env?.dispose();
    await broker.stop();
  });

  it('ends with every business row taken effect, nothing stuck, no orphan effect', async () => {
    const seed = Number(process.env.SURETY_CRASH_SEED) || Date.now() % 100_000;
    const next = random(seed);
    env = await CrashEnv.create(broker.url);
    const crew: { kind: 'relay' | 'consumer'; child: Child }[] = [
      { kind: 'relay', child: env.relay() },
      { kind: 'relay', child: env.relay() },
      { kind: 'consumer', child: env.consumer(store) },
      { kind: 'consumer', child: env.consumer(store) },
    ];
    await Promise.all(crew.map((member) => member.child.waitFor(/READY/)));

    let writing = true;
    // Paced (10 rows per 50 ms) so that the kills land while events are flowing.
    const total = crashEvents(300);
    const writer = (async () => {
      for (let done = 0; done < total; done += 10) {
        await env!.writeBusiness(Math.min(10, total - done));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })().finally(() => (writing = false));
    const kills = { relay: 0, consumer: 0 };
    while (writing || kills.relay + kills.consumer < 6) {
      await new Promise((resolve) => setTimeout(resolve, 300 + next() * 700));
      const victim = crew[Math.floor(next() * crew.length)];
      await victim.child.kill9();
      kills[victim.kind]++;
      victim.child = victim.kind === 'relay' ? env.relay() : env.consumer(store);
      await victim.child.waitFor(/READY/);
    }
    await writer;
    await env.settled(240_000);
    const ledger = await env.ledger();
    const context = `seed ${seed}, kills ${JSON.stringify(kills)}, ledger ${JSON.stringify(ledger)}`;
    console.info(`[soak ${target.name}/${store}] ${context}`);
    expect({
      unsent: ledger.unsent,
      missing: ledger.missing,
      orphans: ledger.orphans,
      context,
    }).toEqual({
      unsent: 0,
      missing: 0,
      orphans: 0,
      context,
    });
    if (store === 'db') {
      expect({ duplicated: ledger.duplicated, context }).toEqual({ duplicated: 0, context });
      expect(ledger.effects).toBe(ledger.business);
    } else {
      // At most the deliveries a killed consumer had in flight (prefetch 50) per kill.
      expect(ledger.duplicated).toBeLessThanOrEqual(kills.consumer * 50);
    }
    expect(ledger.deliveries).toBeGreaterThanOrEqual(ledger.events);
    await Promise.all(crew.map((member) => member.child.stop()));
  });
});
