import { AsyncLocalStorage } from 'node:async_hooks';
import type { PrismaClient } from '../prisma-client';
import type { ClientBase } from 'pg';
import { DriverTransactionQueryable, type DriverTransaction } from './driver-transaction-queryable';
import type { SqlQueryable } from './sql-executor';

type AdapterFactory = NonNullable<ConstructorParameters<typeof PrismaClient>[0]['adapter']>;
type DriverAdapter = Awaited<ReturnType<AdapterFactory['connect']>>;

/** Filled while `$transaction` opens: the adapter records the driver transaction it started. */
interface Opening {
  queryable?: DriverTransactionQueryable;
}

const opening = new AsyncLocalStorage<Opening>();
const byClient = new WeakMap<object, DriverTransactionQueryable>();

/**
 * The raw-SQL view of a Prisma interactive transaction: statements sent through it run
 * on the transaction's own connection, inside it, without Prisma's per-call cost (one
 * raw statement through `tx.$executeRawUnsafe` added 95% to a one-row transaction's
 * client CPU, the same statement on the driver 36%: docs/outbox/README.md). The outbox
 * writer uses it so that adding an event costs a business transaction as little as
 * possible.
 *
 * Known only for transactions opened with `$transaction(async (tx) => …)` on a client
 * made by `createDatabase` (see {@link bindTransactions}); `undefined` for any other
 * `tx`, and then callers fall back to `tx.$queryRawUnsafe`. Throws once the
 * transaction has ended: its connection is back in the pool by then.
 */
export function transactionSql(tx: object): SqlQueryable | undefined {
  return byClient.get(tx);
}

/**
 * Makes a client's interactive transactions known to {@link transactionSql}: `factory`
 * goes to `new PrismaClient({ adapter })`, then `client(prisma)` is the client to hand
 * out. Both are thin proxies; everything else passes through untouched.
 *
 * How: `$transaction(fn)` runs inside an AsyncLocalStorage scope; the adapter's
 * `startTransaction`, called by Prisma within that scope, leaves its driver transaction
 * there; the wrapped `fn` then pairs it with the `tx` client Prisma passes in. Concurrent
 * transactions each have their own scope, so they cannot be mixed up.
 */
export function bindTransactions(factory: AdapterFactory): {
  factory: AdapterFactory;
  client(prisma: PrismaClient): PrismaClient;
} {
  const wrappedFactory = new Proxy(factory, {
    get(target, property, receiver) {
      if (property !== 'connect') return Reflect.get(target, property, receiver) as unknown;
      return async () => wrapAdapter(await target.connect());
    },
  });
  return { factory: wrappedFactory, client: wrapClient };
}

function wrapAdapter(adapter: DriverAdapter): DriverAdapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property !== 'startTransaction')
        return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<DriverAdapter['startTransaction']>) => {
        const transaction = await target.startTransaction(...args);
        const scope = opening.getStore();
        if (scope === undefined || scope.queryable !== undefined) return transaction;
        const queryable = new DriverTransactionQueryable(
          transaction as DriverTransaction,
          pgClientOf(transaction),
        );
        scope.queryable = queryable;
        return endsWith(transaction, queryable);
      };
    },
  });
}

/**
 * @prisma/adapter-pg's transaction keeps the pg client it began on as `client`; the
 * statements `atCommit` queues are sent on it together with the COMMIT.
 */
function pgClientOf(transaction: object): ClientBase | undefined {
  const client = (transaction as { client?: Partial<ClientBase> }).client;
  return typeof client?.query === 'function' && typeof client.connect === 'function'
    ? (client as ClientBase)
    : undefined;
}

/**
 * The transaction as Prisma sees it, telling the queryable when it commits or rolls
 * back, and sending the COMMIT (Prisma's `executeRaw({ sql: 'COMMIT' })`) with the
 * statements queued for it.
 */
function endsWith<T extends object>(transaction: T, queryable: DriverTransactionQueryable): T {
  return new Proxy(transaction, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'executeRaw' && typeof value === 'function') {
        return async (query: { sql?: string }) => {
          if (query?.sql === 'COMMIT' && (await queryable.commitWithQueued())) return 0;
          return (value as (q: unknown) => Promise<number>).call(target, query);
        };
      }
      if ((property !== 'commit' && property !== 'rollback') || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        queryable.end();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function wrapClient(prisma: PrismaClient): PrismaClient {
  return new Proxy(prisma, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== '$transaction' || typeof value !== 'function') return value;
      return (first: unknown, ...rest: unknown[]) => {
        const run = value as (...a: unknown[]) => Promise<unknown>;
        // Batch transactions ($transaction([...])) have no tx client to pair.
        if (typeof first !== 'function') return run.call(target, first, ...rest);
        const work = first as (tx: object) => Promise<unknown>;
        const scope: Opening = {};
        return opening.run(scope, () =>
          run.call(
            target,
            (tx: object) => {
              if (scope.queryable !== undefined) byClient.set(tx, scope.queryable);
              return work(tx);
            },
            ...rest,
          ),
        );
      };
    },
  });
}
