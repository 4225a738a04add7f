import { Logger } from '@nestjs/common';
import { IdempotencyStoreUnavailableError } from '../idempotency.errors';
import type {
  IdempotencyOutcome,
  IdempotencyStore,
  IdempotentEffect,
} from '../interfaces/idempotency-store.interface';
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
}

const INSERT_INBOX_ROW =
  'INSERT INTO surety_inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING';

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
  private readonly maxWaitMs: number;
  private readonly timeoutMs: number;
  private readonly warnOnUnusedTransaction: boolean;

  constructor(
    private readonly prisma: TransactionalClient<Tx>,
    options: DbIdempotencyOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.warnOnUnusedTransaction = options.warnOnUnusedTransaction ?? true;
  }

  async execute<T>(
    scope: string,
    key: string,
    effect: IdempotentEffect<T, Tx>,
  ): Promise<IdempotencyOutcome<T>> {
    let effectStarted = false;
    try {
      return await this.prisma.$transaction(
        async (tx) => {
          const inserted = await tx.$executeRawUnsafe(INSERT_INBOX_ROW, scope, key);
          if (inserted === 0) return { status: 'duplicate' } as const;
          effectStarted = true;
          const tracked = trackTransactionUsage(tx);
          const result = await effect(tracked.client);
          if (!tracked.used()) this.warnUnusedTransaction(scope);
          return { status: 'executed', result } as const;
        },
        { maxWait: this.maxWaitMs, timeout: this.timeoutMs },
      );
    } catch (error) {
      // Before the effect ran, a failure can only be the database's: back off, don't
      // count it against the message. The effect's own errors go back unchanged.
      if (!effectStarted) throw new IdempotencyStoreUnavailableError('db', error);
      throw error;
    }
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

  async close(): Promise<void> {
    // The Prisma client belongs to the application's database handle.
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
