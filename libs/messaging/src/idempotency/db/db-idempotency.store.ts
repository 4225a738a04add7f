import { Logger } from '@nestjs/common';
import { IdempotencyStoreUnavailableError } from '../idempotency.errors';
import type {
  IdempotencyOutcome,
  IdempotencyStore,
  IdempotentEffect,
} from '../interfaces/idempotency-store.interface';
import { TransactionBatcher, type Settled } from './transaction-batcher';
import { trackTransactionUsage } from './transaction-usage';

/** The part of a Prisma transaction client this store needs (Prisma's satisfies it). */
export interface RawSqlTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** The part of a Prisma client this store needs (Prisma's satisfies it). */
export interface TransactionalClient<Tx extends RawSqlTransaction> {
  $transaction<R>(
    fn: (tx: Tx) => Promise<R>,
    options?: { maxWait?: number; timeout?: number },
  ): Promise<R>;
}

/** @publicApi */
export interface DbIdempotencyOptions {
  /** Longest wait for a pooled connection (PGlite has one: raise it there). Default 10 s. */
  readonly maxWaitMs?: number;
  /** Longest a handler's transaction may stay open. Default 30 s. */
  readonly timeoutMs?: number;
  /** Warn when a handler never touches the transaction it was given. Default true. */
  readonly warnOnUnusedTransaction?: boolean;
  /**
   * Deliveries that arrive together share one transaction (up to `maxSize`, at most
   * `concurrency` transactions at once): a Prisma interactive transaction costs far
   * more than the inbox insert. If any handler of a batch fails, the batch rolls back
   * and each delivery runs again in a transaction of its own — see
   * docs/outbox/idempotency.md. Default { maxSize: 64, concurrency: 4 }; false: one
   * transaction per delivery.
   */
  readonly batch?: false | { readonly maxSize?: number; readonly concurrency?: number };
  /**
   * The dedup window: inbox rows older than this are deleted, and a redelivery older
   * than that runs again. Default 7 days, as the Redis store's; false keeps every row.
   */
  readonly retentionMs?: number | false;
  /** How often expired inbox rows are deleted, from the first delivery until close(). Default 60 s. */
  readonly pruneIntervalMs?: number;
}

const INSERT_ONE =
  'INSERT INTO surety_inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING';

/** Sorted, so that two batches sharing keys lock them in the same order (no deadlock). */
const INSERT_MANY = `
INSERT INTO surety_inbox (consumer, message_id)
SELECT consumer, message_id FROM unnest($1::text[], $2::text[]) AS i(consumer, message_id)
ORDER BY consumer, message_id
ON CONFLICT DO NOTHING
RETURNING consumer, message_id`;

/**
 * Up to $2 rows past the window of $1 ms, looked up on surety_inbox_processed_at_idx
 * (or a scan that stops at $2 rows) and deleted by their row address: a short
 * statement, which prune() repeats.
 */
const PRUNE = `
DELETE FROM surety_inbox
WHERE ctid = ANY (ARRAY(
  SELECT ctid FROM surety_inbox
  WHERE processed_at < now() - $1 * interval '1 millisecond'
  LIMIT $2))`;
const PRUNE_BATCH = 5000;

interface Item<Tx> {
  readonly scope: string;
  readonly key: string;
  readonly effect: IdempotentEffect<unknown, Tx>;
}

class BatchRolledBack extends Error {}

/**
 * Database idempotency: the inbox row is inserted first, in the same transaction as
 * the handler's effects. A concurrent duplicate blocks on the primary key until the
 * first transaction ends, then finds the row (duplicate) or, after a rollback, runs.
 * Effect and dedup record commit or roll back together: exactly-once effect.
 *
 * @publicApi
 */
export class DbIdempotencyStore<Tx extends RawSqlTransaction> implements IdempotencyStore<Tx> {
  readonly kind = 'db' as const;
  private readonly logger = new Logger(DbIdempotencyStore.name);
  private readonly warnedScopes = new Set<string>();
  private readonly transactionOptions: { maxWait: number; timeout: number };
  private readonly warnOnUnusedTransaction: boolean;
  private readonly batcher: TransactionBatcher<Item<Tx>, IdempotencyOutcome<unknown>> | undefined;
  private readonly retentionMs: number | false;
  private readonly pruneIntervalMs: number;
  /** Started by the first delivery, stopped by close(). */
  private pruneTimer: NodeJS.Timeout | undefined;
  /** Set once (by the first delivery or by close()): the per-delivery check is one read. */
  private pruningDecided = false;

  constructor(
    private readonly prisma: TransactionalClient<Tx>,
    options: DbIdempotencyOptions = {},
  ) {
    this.transactionOptions = {
      maxWait: options.maxWaitMs ?? 10_000,
      timeout: options.timeoutMs ?? 30_000,
    };
    this.warnOnUnusedTransaction = options.warnOnUnusedTransaction ?? true;
    if (options.batch !== false) {
      this.batcher = new TransactionBatcher(
        (items) => this.runBatch(items),
        options.batch?.maxSize ?? 64,
        options.batch?.concurrency ?? 4,
      );
    }
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
  }

  execute<T>(
    scope: string,
    key: string,
    effect: IdempotentEffect<T, Tx>,
  ): Promise<IdempotencyOutcome<T>> {
    if (!this.pruningDecided) this.schedulePruning();
    if (!this.batcher) return this.executeOne(scope, key, effect);
    return this.batcher.call({ scope, key, effect }) as Promise<IdempotencyOutcome<T>>;
  }

  async isDone(scope: string, key: string): Promise<boolean> {
    // Through a transaction so that the store needs nothing beyond $transaction.
    return this.prisma.$transaction(async (tx) => {
      const found = await tx.$queryRawUnsafe<unknown[]>(
        'SELECT 1 FROM surety_inbox WHERE consumer = $1 AND message_id = $2',
        scope,
        key,
      );
      return found.length > 0;
    });
  }

  /** Deletes inbox rows past the retention window. Returns how many; never rejects. */
  async prune(): Promise<number> {
    if (this.retentionMs === false) return 0;
    const retentionMs = this.retentionMs;
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.prisma.$transaction((tx) =>
          tx.$executeRawUnsafe(PRUNE, retentionMs, PRUNE_BATCH),
        );
        total += deleted;
        if (deleted < PRUNE_BATCH) return total;
      }
    } catch (error) {
      this.logger.warn(`pruning the inbox failed: ${(error as Error).message}`);
      return total;
    }
  }

  async close(): Promise<void> {
    // The Prisma client belongs to the application's database handle.
    this.pruningDecided = true;
    clearInterval(this.pruneTimer);
  }

  /** Retention runs while the store is in use: from its first delivery until close(). */
  private schedulePruning(): void {
    this.pruningDecided = true;
    if (this.retentionMs === false) return;
    this.pruneTimer = setInterval(() => void this.prune(), this.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  /** One delivery, one transaction: the inbox row, then the effect, then commit. */
  private async executeOne<T>(
    scope: string,
    key: string,
    effect: IdempotentEffect<T, Tx>,
  ): Promise<IdempotencyOutcome<T>> {
    let effectStarted = false;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const inserted = await tx.$executeRawUnsafe(INSERT_ONE, scope, key);
        if (inserted === 0) return { status: 'duplicate' } as const;
        effectStarted = true;
        const result = await this.runEffect(scope, tx, effect);
        await assertNotAborted(tx);
        return { status: 'executed', result } as const;
      }, this.transactionOptions);
    } catch (error) {
      // Before the effect ran, a failure can only be the database's: back off, don't
      // count it against the message. The effect's own errors go back unchanged.
      if (!effectStarted) throw new IdempotencyStoreUnavailableError('db', error);
      throw error;
    }
  }

  /**
   * Several deliveries in one transaction: their inbox rows in one statement, then
   * their effects (concurrently on the one transaction), then one commit. Any failure
   * after the inbox insert rolls everything back and each delivery runs alone, so a
   * failing handler only fails itself.
   */
  private async runBatch(items: Item<Tx>[]): Promise<Settled<IdempotencyOutcome<unknown>>[]> {
    if (items.length === 1)
      return [await settle(this.executeOne(items[0].scope, items[0].key, items[0].effect))];
    let effectsStarted = false;
    try {
      const outcomes = await this.prisma.$transaction(async (tx) => {
        const fresh = await tx.$queryRawUnsafe<{ consumer: string; message_id: string }[]>(
          INSERT_MANY,
          items.map((i) => i.scope),
          items.map((i) => i.key),
        );
        const unclaimed = new Set(fresh.map((row) => `${row.consumer}\u0000${row.message_id}`));
        effectsStarted = true;
        const runs = items.map(async (item): Promise<IdempotencyOutcome<unknown>> => {
          // A key twice in one batch: the first runs, the second is its duplicate.
          if (!unclaimed.delete(`${item.scope}\u0000${item.key}`)) return { status: 'duplicate' };
          return { status: 'executed', result: await this.runEffect(item.scope, tx, item.effect) };
        });
        const settled = await Promise.allSettled(runs);
        if (settled.some((s) => s.status === 'rejected')) throw new BatchRolledBack();
        await assertNotAborted(tx);
        return settled.map((s) => (s as PromiseFulfilledResult<IdempotencyOutcome<unknown>>).value);
      }, this.transactionOptions);
      return outcomes.map((value) => ({ ok: true, value }));
    } catch (error) {
      if (!effectsStarted) {
        const unavailable = new IdempotencyStoreUnavailableError('db', error);
        return items.map(() => ({ ok: false, error: unavailable }));
      }
      // A handler failed, or the commit did (a deadlock between batches, a timeout):
      // nothing of the batch is committed; give every delivery its own transaction.
      return Promise.all(
        items.map((item) => settle(this.executeOne(item.scope, item.key, item.effect))),
      );
    }
  }

  private async runEffect<T>(scope: string, tx: Tx, effect: IdempotentEffect<T, Tx>): Promise<T> {
    const tracked = trackTransactionUsage(tx);
    const result = await effect(tracked.client);
    if (!tracked.used()) this.warnUnusedTransaction(scope);
    return result;
  }

  private warnUnusedTransaction(scope: string): void {
    if (!this.warnOnUnusedTransaction || this.warnedScopes.has(scope)) return;
    this.warnedScopes.add(scope);
    this.logger.warn(
      `consumer "${scope}" never used the transaction it was given: its effects (if any) ` +
        `were committed outside the inbox transaction and are NOT exactly-once. ` +
        `Write through ctx.tx (see docs/outbox/idempotency.md).`,
    );
  }
}

/**
 * A statement that failed inside the transaction aborts it, even when the handler
 * caught the error; Postgres then answers the COMMIT with a silent ROLLBACK, which
 * would be reported (and acked) as executed: the inbox row and every write of the
 * transaction — a batch-mate's too — gone. One cheap statement before the commit
 * tells: it fails in an aborted transaction.
 */
async function assertNotAborted(tx: RawSqlTransaction): Promise<void> {
  try {
    await tx.$queryRawUnsafe('SELECT 1');
  } catch (error) {
    throw new Error(
      `the inbox transaction cannot commit: a statement of the handler failed and aborted it ` +
        `(${(error as Error).message}); let that error propagate, or run the statement in a savepoint`,
      { cause: error },
    );
  }
}

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
