import {
  DbIdempotencyStore,
  RedisIdempotencyStore,
  type RawSqlTransaction,
} from '@surety/messaging/idempotency';
import { databaseTargets, type DatabaseTarget } from '../../support/database';
import { TcpProxy } from '../../support/tcp-proxy';
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
        proxy.refuse();
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

/** The inbox store on one database kind; "unreachable" is a handle that was closed. */
function db(target: DatabaseTarget): StoreUnderTest {
  return {
    name: `db (${target.name})`,
    needs: target.needs,
    async open() {
      const database = await target.fresh();
      const store = new DbIdempotencyStore(database.prisma, { maxWaitMs: 30_000 });
      return {
        store,
        useTransaction: async (tx) => {
          await (tx as RawSqlTransaction).$executeRawUnsafe('SELECT 1');
        },
        async unreachable() {
          const other = await target.fresh();
          await other.drop();
          return new DbIdempotencyStore(other.prisma, { maxWaitMs: 500 });
        },
        dispose: async () => {
          await store.close();
          await database.drop();
        },
      };
    },
  };
}

/** Every store implementation, on every backend it supports. */
export function storesUnderTest(): StoreUnderTest[] {
  return [redis, ...databaseTargets().map(db)];
}
