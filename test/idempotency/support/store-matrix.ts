import { RedisIdempotencyStore } from '@surety/messaging/idempotency';
import { TcpProxy } from '../../outbox/support/tcp-proxy';
import { hostPort, serviceUrl } from '../../support/services';
import { uniqueName } from '../../support/names';
import type { StoreUnderTest } from './stores';

const redis: StoreUnderTest = {
  name: 'redis',
  needs: ['redis'],
  async open() {
    const prefix = uniqueName('surety-test-idem');
    const store = await RedisIdempotencyStore.connect(serviceUrl('redis'), { prefix });
    return {
      store,
      useTransaction: async () => undefined,
      async unreachable() {
        const proxy = await TcpProxy.start(hostPort('redis'));
        const down = await RedisIdempotencyStore.connect(proxy.urlFor(serviceUrl('redis')), {
          prefix,
          commandTimeoutMs: 500,
        });
        proxy.goDown();
        const close = down.close.bind(down);
        return Object.assign(down, {
          close: async () => {
            await close();
            await proxy.close();
          },
        });
      },
      dispose: () => store.close(),
    };
  },
};

/** Every store implementation; the db ones join when the database test support exists. */
export function storesUnderTest(): StoreUnderTest[] {
  return [redis];
}
