import {
  IdempotencyStoreUnavailableError,
  type IdempotencyStore,
} from '@surety/messaging/idempotency';
import { describeWithServices } from '../support/services';
import type { OpenedStore, StoreUnderTest } from './support/stores';
import { storesUnderTest } from './support/store-matrix';

// Real services and PGlite start-up (seconds on a busy machine) in hooks too.
jest.setTimeout(60_000);

/**
 * The contract every IdempotencyStore keeps (BullMQ-style adapter conformance):
 * run once, recognise duplicates, forget failures, never run concurrently, and say
 * "unavailable" rather than guess when its backend is gone.
 */
for (const target of storesUnderTest()) {
  describeWithServices(target.needs, `IdempotencyStore conformance: ${target.name}`, () => {
    conformance(target);
  });
}

function conformance(target: StoreUnderTest): void {
  let opened: OpenedStore;
  let store: IdempotencyStore<unknown>;
  let runs: Map<string, number>;

  const effect =
    (key: string, result = `result:${key}`) =>
    async (tx: unknown) => {
      await opened.useTransaction(tx);
      runs.set(key, (runs.get(key) ?? 0) + 1);
      return result;
    };

  beforeEach(async () => {
    opened = await target.open();
    store = opened.store;
    runs = new Map();
  });
  afterEach(() => opened.dispose());

  it('runs the effect the first time and returns its result', async () => {
    const outcome = await store.execute('consumer-a', 'm1', effect('m1', 'ok'));
    expect(outcome).toEqual({ status: 'executed', result: 'ok' });
    expect(runs.get('m1')).toBe(1);
    expect(await store.isDone('consumer-a', 'm1')).toBe(true);
  });

  it('reports a second delivery of the same key as a duplicate without running it', async () => {
    await store.execute('consumer-a', 'm1', effect('m1'));
    const again = await store.execute('consumer-a', 'm1', effect('m1'));
    expect(again).toEqual({ status: 'duplicate' });
    expect(runs.get('m1')).toBe(1);
  });

  it('keeps scopes (consumers) and keys apart', async () => {
    await store.execute('consumer-a', 'm1', effect('a:m1'));
    expect((await store.execute('consumer-b', 'm1', effect('b:m1'))).status).toBe('executed');
    expect((await store.execute('consumer-a', 'm2', effect('a:m2'))).status).toBe('executed');
    expect([...runs.values()]).toEqual([1, 1, 1]);
  });

  it('keeps a scope and a key apart even when their text could be split either way', async () => {
    // Queue names (the default scope) and keys may both hold ':' (the Redis separator).
    await store.execute('billing:fees', 'p1', effect('billing:fees/p1'));
    expect((await store.execute('billing', 'fees:p1', effect('billing/fees:p1'))).status).toBe(
      'executed',
    );
    expect((await store.execute('billing:fees', 'p1', effect('again'))).status).toBe('duplicate');
  });

  it('forgets a failed effect: the error comes back and a later delivery runs it', async () => {
    const boom = new Error('handler failed');
    await expect(
      store.execute('consumer-a', 'm1', async (tx) => {
        await opened.useTransaction(tx);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await store.isDone('consumer-a', 'm1')).toBe(false);
    const retry = await store.execute('consumer-a', 'm1', effect('m1'));
    expect(retry.status).toBe('executed');
    expect(runs.get('m1')).toBe(1);
  });

  it('never runs one key concurrently: of 8 simultaneous deliveries exactly one runs', async () => {
    const slow = async (tx: unknown) => {
      await opened.useTransaction(tx);
      runs.set('m1', (runs.get('m1') ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'slow';
    };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => store.execute('consumer-a', 'm1', slow)),
    );
    expect(runs.get('m1')).toBe(1);
    expect(outcomes.filter((o) => o.status === 'executed')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status !== 'executed')) {
      expect(['duplicate', 'in-progress']).toContain(outcome.status);
    }
  });

  it('handles many distinct keys concurrently, each exactly once', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    const first = await Promise.all(keys.map((k) => store.execute('consumer-a', k, effect(k))));
    const second = await Promise.all(keys.map((k) => store.execute('consumer-a', k, effect(k))));
    expect(first.every((o) => o.status === 'executed')).toBe(true);
    expect(second.every((o) => o.status === 'duplicate')).toBe(true);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(200);
  });

  it('fails only the failing one of many simultaneous deliveries', async () => {
    const keys = ['k1', 'k2', 'bad', 'k3', 'k4'];
    const outcomes = await Promise.allSettled(
      keys.map((k) =>
        store.execute('consumer-a', k, async (tx) => {
          await opened.useTransaction(tx);
          if (k === 'bad') throw new Error('only this one fails');
          return k;
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toEqual(new Error('only this one fails'));
    for (const k of ['k1', 'k2', 'k3', 'k4'])
      expect(await store.isDone('consumer-a', k)).toBe(true);
    expect(await store.isDone('consumer-a', 'bad')).toBe(false);
  });

  it('throws IdempotencyStoreUnavailableError, without running the effect, when its backend is down', async () => {
    const down = await opened.unreachable();
    try {
      await expect(down.execute('c', 'm1', effect('m1'))).rejects.toBeInstanceOf(
        IdempotencyStoreUnavailableError,
      );
      expect(runs.has('m1')).toBe(false);
    } finally {
      await down.close();
    }
  });
}
