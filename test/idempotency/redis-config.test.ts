import { createServer } from 'node:net';
import {
  IdempotencyStoreUnavailableError,
  RedisConfigurationError,
  RedisIdempotencyStore,
} from '@surety/messaging/idempotency';
import { describeWithServices, serviceUrl } from '../support/services';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Redis idempotency store configuration', () => {
  it('refuses a missing REDIS_URL before connecting, naming the variable', async () => {
    await expect(RedisIdempotencyStore.connect(undefined)).rejects.toThrow(RedisConfigurationError);
    await expect(RedisIdempotencyStore.connect('')).rejects.toThrow(/^REDIS_URL is not set/);
  });

  it('refuses a wrong scheme, naming the variable and the masked value', async () => {
    await expect(
      RedisIdempotencyStore.connect('postgresql://app:secret@127.0.0.1:5432/db'),
    ).rejects.toThrow(
      /^REDIS_URL="postgresql:\/\/app:\*\*\*@127\.0\.0\.1:5432\/db" has the unsupported scheme/,
    );
  });

  it('reports an unreachable Redis as unavailable, naming REDIS_URL and what was tried', async () => {
    const url = `redis://user:secret@127.0.0.1:${await closedPort()}`;
    const attempt = RedisIdempotencyStore.connect(url);
    await expect(attempt).rejects.toThrow(IdempotencyStoreUnavailableError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`cannot connect to REDIS_URL=redis://user:\\*\\*\\*@127\\.0\\.0\\.1:\\d+`),
    );
    await expect(attempt).rejects.not.toThrow(/secret/);
  });
});

describeWithServices(['redis'], 'Redis idempotency store with a good REDIS_URL', () => {
  it('connects and answers a first delivery as new work', async () => {
    const store = await RedisIdempotencyStore.connect(serviceUrl('redis'));
    try {
      const key = `redis-config-${process.pid}-${Date.now()}`;
      const outcome = await store.execute('redis-config-test', key, async () => 'done');
      expect(outcome).toEqual({ status: 'executed', result: 'done' });
      const again = await store.execute('redis-config-test', key, async () => 'twice');
      expect(again).toEqual({ status: 'duplicate' });
    } finally {
      await store.close();
    }
  });
});
