import Redis from 'ioredis';
import {
  IdempotencyStoreUnavailableError,
  RedisIdempotencyStore,
} from '@surety/messaging/idempotency';
import { TcpProxy } from '../support/tcp-proxy';
import { uniqueName } from '../support/names';
import { describeWithServices, hostPort, serviceUrl } from '../support/services';

// What the Redis store's own batching and script sending must keep: batches larger
// than one script call, a Redis that forgot the scripts, and clients configured in
// ways the store does not choose (a keyPrefix, auto-pipelining) all give the same
// answers as one delivery at a time.
describeWithServices(['redis'], 'Redis idempotency store: batches and script calls', () => {
  let redis: Redis;
  let prefix: string;
  const stores: RedisIdempotencyStore[] = [];
  const clients: Redis[] = [];

  beforeEach(() => {
    redis = new Redis(serviceUrl('redis'));
    prefix = uniqueName('surety-test-batching');
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const client of clients.splice(0)) client.disconnect();
    const keys = await redis.keys(`*${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  async function connected(): Promise<RedisIdempotencyStore> {
    const store = await RedisIdempotencyStore.connect(serviceUrl('redis'), { prefix });
    stores.push(store);
    return store;
  }

  it('runs 1 200 deliveries of one turn (three script calls each way) once each, in their own slots', async () => {
    const store = await connected();
    const keys = Array.from({ length: 1_200 }, (_, i) => `k${i}`);
    const runs = new Map<string, number>();
    const outcomes = await Promise.all(
      keys.map((key) =>
        store.execute('scope', key, async () => {
          runs.set(key, (runs.get(key) ?? 0) + 1);
          return `result:${key}`;
        }),
      ),
    );
    // Each delivery gets its own answer back, not a neighbour's from the same batch.
    expect(outcomes).toEqual(keys.map((key) => ({ status: 'executed', result: `result:${key}` })));
    expect(runs.size).toBe(1_200);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    const values = await redis.mget(...keys.map((key) => `${prefix}:scope:${key}`));
    expect(values.every((value) => value === 'done')).toBe(true);

    const again = await Promise.all(
      keys.map((key) => store.execute('scope', key, async () => 'x')),
    );
    expect(again.every((outcome) => outcome.status === 'duplicate')).toBe(true);
  });

  it('mixes done, busy and new keys in one batch and answers each by its own state', async () => {
    const store = await connected();
    for (let i = 0; i < 600; i += 3) {
      await redis.set(`${prefix}:scope:k${i}`, 'done', 'PX', 60_000);
      await redis.set(`${prefix}:scope:k${i + 1}`, 'lease:someone-else', 'PX', 5_000 + i);
    }
    let ran = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        store.execute('scope', `k${i}`, async () => {
          ran++;
        }),
      ),
    );
    for (let i = 0; i < 600; i++) {
      const outcome = outcomes[i];
      if (i % 3 === 0) expect(outcome).toEqual({ status: 'duplicate' });
      else if (i % 3 === 1) {
        expect(outcome.status).toBe('in-progress');
        const wait = (outcome as { retryAfterMs: number }).retryAfterMs;
        // The busy key's own remaining lease, not another busy key's.
        expect(wait).toBeGreaterThan(4_000 + i);
        expect(wait).toBeLessThanOrEqual(5_000 + i);
      } else expect(outcome.status).toBe('executed');
    }
    expect(ran).toBe(200);
  });

  it('keeps working after Redis forgot its scripts (SCRIPT FLUSH, as after a restart)', async () => {
    const store = await connected();
    expect((await store.execute('scope', 'before', async () => 1)).status).toBe('executed');
    await redis.script('FLUSH');
    expect(await store.execute('scope', 'after', async () => 2)).toEqual({
      status: 'executed',
      result: 2,
    });
    expect(await store.isDone('scope', 'after')).toBe(true);
    expect(await store.execute('scope', 'after', async () => 3)).toEqual({ status: 'duplicate' });
  });

  it("applies the client's keyPrefix to the script keys, and works on an auto-pipelined client", async () => {
    const client = new Redis(serviceUrl('redis'), {
      keyPrefix: `${prefix}:client:`,
      enableAutoPipelining: true,
    });
    clients.push(client);
    const store = new RedisIdempotencyStore(client, { prefix });
    stores.push(store);

    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((key) => store.execute('scope', key, async () => key)),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['executed', 'executed', 'executed']);
    // The markers live under the client's prefix, where the store's own GET looks.
    expect(await redis.get(`${prefix}:client:${prefix}:scope:a`)).toBe('done');
    expect(await redis.exists(`${prefix}:scope:a`)).toBe(0);
    expect(await store.isDone('scope', 'a')).toBe(true);
    expect(await store.execute('scope', 'a', async () => 'again')).toEqual({
      status: 'duplicate',
    });
  });

  describe('when the done-marker call fails after the effect ran', () => {
    let proxy: TcpProxy;
    beforeEach(async () => {
      proxy = await TcpProxy.start(hostPort('redis'));
    });
    afterEach(() => proxy.close());

    async function throughProxy(): Promise<RedisIdempotencyStore> {
      const store = await RedisIdempotencyStore.connect(proxy.urlFor(serviceUrl('redis')), {
        prefix,
        commandTimeoutMs: 300,
      });
      stores.push(store);
      return store;
    }

    it('retries it and answers executed once Redis is back within the retries', async () => {
      const store = await throughProxy();
      let runs = 0;
      const outcome = await store.execute('scope', 'k', async () => {
        runs++;
        proxy.refuse();
        setTimeout(() => proxy.accept(), 50);
        return 'ran';
      });
      expect(outcome).toEqual({ status: 'executed', result: 'ran' });
      expect(runs).toBe(1);
      expect(await redis.get(`${prefix}:scope:k`)).toBe('done');
    });

    it('fails the delivery as unavailable (not executed, so it is not acked) when Redis stays down', async () => {
      const store = await throughProxy();
      let runs = 0;
      const outcome = store.execute('scope', 'k', async () => {
        runs++;
        proxy.refuse();
        return 'ran';
      });
      await expect(outcome).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError);
      expect(runs).toBe(1);
      // Our lease is still there: a redelivery waits for it instead of running at once.
      expect(await redis.get(`${prefix}:scope:k`)).toMatch(/^lease:/);
    });
  });
});
