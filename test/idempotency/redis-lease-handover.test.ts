import Redis from 'ioredis';
import { RedisIdempotencyStore } from '@surety/messaging/idempotency';
import { uniqueName } from '../support/names';
import { describeWithServices, serviceUrl } from '../support/services';

// What the Redis store's one-command-per-key scripts must keep from the GET-then-SET
// ones: a done-marker only over our own lease (or nothing), never over another
// worker's, and lease answers that tell a duplicate from a busy key.
describeWithServices(['redis'], 'Redis idempotency store: leases held by others', () => {
  let redis: Redis;
  let store: RedisIdempotencyStore;
  let prefix: string;
  beforeEach(async () => {
    redis = new Redis(serviceUrl('redis'));
    prefix = uniqueName('surety-test-handover');
    store = await RedisIdempotencyStore.connect(serviceUrl('redis'), { prefix, leaseMs: 60_000 });
  });
  afterEach(async () => {
    await store.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('leaves a lease another worker took over while our effect ran, with a live TTL, and marks ours done', async () => {
    const taken = `${prefix}:scope:taken`;
    const ours = `${prefix}:scope:ours`;
    const [overTaken, normal] = await Promise.all([
      store.execute('scope', 'taken', async () => {
        // Our lease expired and another worker holds the key now.
        await redis.set(taken, 'lease:someone-else', 'PX', 5_000);
        return 'ran';
      }),
      store.execute('scope', 'ours', async () => 'ran too'),
    ]);
    expect(overTaken).toEqual({ status: 'executed', result: 'ran' });
    expect(normal).toEqual({ status: 'executed', result: 'ran too' });

    expect(await redis.get(taken)).toBe('lease:someone-else');
    const ttl = await redis.pttl(taken);
    expect(ttl).toBeGreaterThan(0);
    expect(await store.isDone('scope', 'taken')).toBe(false);
    expect(await store.isDone('scope', 'ours')).toBe(true);
    expect(await redis.pttl(ours)).toBeGreaterThan(60_000); // the retention, not the lease
  });

  it('answers a key held by another worker as in progress (with its remaining time), not as done', async () => {
    await redis.set(`${prefix}:scope:busy`, 'lease:someone-else', 'PX', 4_000);
    await redis.set(`${prefix}:scope:finished`, 'done', 'PX', 60_000);
    let runs = 0;
    const effect = async () => {
      runs++;
    };
    const [busy, finished, fresh] = await Promise.all([
      store.execute('scope', 'busy', effect),
      store.execute('scope', 'finished', effect),
      store.execute('scope', 'fresh', effect),
    ]);
    expect(busy.status).toBe('in-progress');
    const wait = (busy as { retryAfterMs: number }).retryAfterMs;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(4_000);
    expect(finished).toEqual({ status: 'duplicate' });
    expect(fresh.status).toBe('executed');
    expect(runs).toBe(1);
    // The busy key still belongs to the other worker.
    expect(await redis.get(`${prefix}:scope:busy`)).toBe('lease:someone-else');
  });
  it('renews the lease of an effect running several lease lengths: another worker never runs it meanwhile', async () => {
    const short = { prefix, leaseMs: 600 };
    const [holder, other] = await Promise.all([
      RedisIdempotencyStore.connect(serviceUrl('redis'), short),
      RedisIdempotencyStore.connect(serviceUrl('redis'), short),
    ]);
    try {
      let runs = 0;
      const slow = holder.execute('scope', 'slow', async () => {
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 2_400)); // four leases
      });
      const seen: string[] = [];
      for (let i = 0; i < 8; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const outcome = await other.execute('scope', 'slow', async () => {
          runs++;
        });
        seen.push(outcome.status);
      }
      expect(seen).toEqual(Array(8).fill('in-progress'));
      expect(await slow).toEqual({ status: 'executed' });
      expect(runs).toBe(1);
      expect((await other.execute('scope', 'slow', async () => {})).status).toBe('duplicate');
    } finally {
      await Promise.all([holder.close(), other.close()]);
    }
  });
});
