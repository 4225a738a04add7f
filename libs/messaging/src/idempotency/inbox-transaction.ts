import { AsyncLocalStorage } from 'node:async_hooks';
import type { Prisma } from '@surety/database';

const storage = new AsyncLocalStorage<Prisma.TransactionClient | undefined>();

/**
 * The transaction of the running `idempotency: 'db'` handler, for code the handler
 * calls (a repository, a service) that does not receive the MessageContext.
 *
 * @publicApi
 */
export const InboxTransaction = {
  /** The current inbox transaction; throws outside an `idempotency: 'db'` handler. */
  current(): Prisma.TransactionClient {
    const tx = storage.getStore();
    if (!tx) {
      throw new Error('InboxTransaction.current() called outside a handler with idempotency: "db"');
    }
    return tx;
  },

  /** The current inbox transaction, or undefined. */
  find(): Prisma.TransactionClient | undefined {
    return storage.getStore();
  },

  run<T>(tx: Prisma.TransactionClient | undefined, fn: () => Promise<T>): Promise<T> {
    return storage.run(tx, fn);
  },
};
