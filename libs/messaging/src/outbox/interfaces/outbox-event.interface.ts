import type { SqlQueryable } from '@surety/database';

/**
 * An event to publish once the business transaction commits.
 *
 * @publicApi
 */
export interface OutboxEvent<T = unknown> {
  /** Past-tense fact, e.g. 'policy.issued'. Becomes the AMQP `type`. */
  readonly type: string;
  /** JSON-serialisable body (checked at add(): no BigInt, functions, symbols, cycles, NaN). */
  readonly payload: T;
  /** Target exchange; it must exist when the relay publishes (else the row ends failed). */
  readonly exchange: string;
  /** Default: `type`. */
  readonly routingKey?: string;
  /**
   * Ordering key (e.g. the policy id). Events of one key get consecutive sequence
   * numbers and leave the outbox in that order. Omit for unordered events.
   */
  readonly key?: string;
  /** Extra AMQP headers (JSON values). */
  readonly headers?: Readonly<Record<string, unknown>>;
  /** Default: a fresh uuid v7. Consumers deduplicate on it. */
  readonly messageId?: string;
  /** Default: the correlation id of the message being handled, else the messageId. */
  readonly correlationId?: string;
}

/** What add() recorded. @publicApi */
export interface OutboxRecord {
  readonly messageId: string;
  readonly key: string | null;
  /** Position within the key (1, 2, …); null for keyless events. */
  readonly sequence: number | null;
}

/** The part of a Prisma interactive-transaction client the writer needs (Prisma's satisfies it). */
export interface PrismaTransactionLike {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  /** Used when present (Prisma's is): the single-event insert needs no result rows. */
  $executeRawUnsafe?(query: string, ...values: unknown[]): Promise<number>;
}

/**
 * Where an event is written: the `tx` of a Prisma interactive transaction, or the
 * transaction handle.sql.transaction passes to its callback.
 */
export type OutboxTransaction = PrismaTransactionLike | SqlQueryable;
