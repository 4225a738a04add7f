import { transactionSql, type SqlQueryable } from '@surety/database';
import { validate as isUuid } from 'uuid';
import { newMessageId } from '../publishing/message-id';
import { TraceContext } from '../tracing/trace-context';
import { Headers } from '../messaging.constants';
import type {
  OutboxEvent,
  OutboxRecord,
  OutboxTransaction,
  PrismaTransactionLike,
} from './interfaces/outbox-event.interface';
import { OUTBOX_CHANNEL, OutboxHeaders } from './outbox.constants';
import { InvalidOutboxEventError } from './outbox.errors';
import { assertSerializable } from './serializable';
import {
  INSERT_KEYED,
  INSERT_KEYED_NOTIFY,
  INSERT_KEYED_ONE,
  INSERT_KEYED_ONE_NOTIFY,
  INSERT_KEYLESS,
  INSERT_KEYLESS_NOTIFY,
  INSERT_ONE,
  INSERT_ONE_NOTIFY,
  NOTIFY_AT_COMMIT,
} from './sql/insert-events.sql';

interface InsertedRow {
  messageId?: string;
  key?: string | null;
  sequence: bigint | number | null;
}

/**
 * Writes events into the outbox table inside the caller's Prisma interactive
 * transaction. No broker I/O happens here: the event exists exactly when the
 * business rows exist, and the relay publishes it after commit.
 *
 *     await prisma.$transaction(async (tx) => {
 *       await tx.policy.create({ data });
 *       await outbox.add(tx, { type: 'policy.issued', exchange: 'policy.events', key: id, payload });
 *     });
 *
 * @publicApi
 */
export class Outbox {
  private lastNotifyAt = -Infinity;
  /** Transactions whose COMMIT already has the wake-up decision queued. */
  private readonly wakeQueued = new WeakSet<SqlQueryable>();

  /**
   * @param channel NOTIFY channel the relays listen on.
   * @param notifyIntervalMs where the transaction can queue a statement for its COMMIT
   *   (PostgreSQL, with a client made by createDatabase or `handle.sql.transaction`), at
   *   most one COMMIT per interval (per process) carries the wake-up NOTIFY: notifying
   *   commits are serialised by PostgreSQL. The choice is made as the COMMIT goes out,
   *   so a transaction that rolls back never uses up the interval, and a commit without
   *   one follows a notified commit by less than the interval, while the relay it woke
   *   is still lingering for more (docs/outbox/relay.md). Elsewhere every transaction
   *   notifies. 0 notifies in every transaction.
   */
  constructor(
    private readonly channel = OUTBOX_CHANNEL,
    private readonly notifyIntervalMs = 5,
  ) {}

  /** Adds one event. Throws (failing the transaction) if it is invalid or not serializable. */
  async add<T>(tx: OutboxTransaction, event: OutboxEvent<T>): Promise<OutboxRecord> {
    const [record] = await this.addMany(tx, [event]);
    return record;
  }

  /**
   * Adds one event, written in the same round trip as the transaction's COMMIT
   * instead of one of its own (PostgreSQL, in a `$transaction` of a client made by
   * createDatabase or in `handle.sql.transaction`; elsewhere — PGlite, other clients —
   * it is written at once, as `add` does). A transaction that adds one event saves
   * a round trip to the database (docs/outbox/README.md has the figures).
   *
   * The event is checked and serialized here, so a bad event still throws here. What
   * only the database can refuse (a `messageId` that is already in the outbox) fails
   * the COMMIT instead: the transaction rejects with that error and nothing of it is
   * kept. The key's sequence number is assigned at commit and not returned.
   */
  async addWithCommit<T>(
    tx: OutboxTransaction,
    event: OutboxEvent<T>,
  ): Promise<Omit<OutboxRecord, 'sequence'>> {
    const row = prepare(event);
    const sql = sqlOf(tx);
    if (sql?.atCommit === undefined) {
      const [record] = await this.addRows(tx, [row]);
      return { messageId: record.messageId, key: record.key };
    }
    if (sql.atCommitDeferred !== undefined && !this.wakeQueued.has(sql)) {
      // The transaction's first event: its statement is built as the COMMIT goes out,
      // carrying the wake-up then if the interval allows (one statement, not two).
      this.wakeQueued.add(sql);
      sql.atCommitDeferred(() => {
        const giveBack = this.takeNotifySlot();
        const { statement, params } = this.oneRowStatement(row, giveBack !== undefined);
        return { sql: statement, params, onRollback: giveBack };
      });
    } else {
      const { statement, params } = this.oneRowStatement(row, this.wakeAtCommit(sql));
      sql.atCommit(statement, params);
    }
    return { messageId: row.messageId, key: row.key };
  }

  /**
   * Adds several events in one statement. Events of one key get consecutive sequence
   * numbers in the order given. Records come back in input order.
   */
  async addMany(tx: OutboxTransaction, events: readonly OutboxEvent[]): Promise<OutboxRecord[]> {
    if (events.length === 0) return [];
    // Checked before anything is sent: a bad event throws without touching the database.
    return this.addRows(tx, events.map(prepare));
  }

  /**
   * Arranges the relays' wake-up for `tx`'s commit. Where the COMMIT can carry a
   * statement decided on as it goes out, queues that decision once per transaction and
   * answers false: the insert goes without a notify. Otherwise answers true: the insert
   * must carry the notify itself.
   */
  private wakeAtCommit(tx: SqlQueryable | undefined): boolean {
    if (tx?.atCommitDeferred === undefined) return true;
    if (!this.wakeQueued.has(tx)) {
      this.wakeQueued.add(tx);
      tx.atCommitDeferred(() => {
        const giveBack = this.takeNotifySlot();
        if (giveBack === undefined) return undefined;
        return { sql: NOTIFY_AT_COMMIT, params: [this.channel], onRollback: giveBack };
      });
    }
    return false;
  }

  /**
   * Takes the interval's NOTIFY if it is still free. Returns undefined if not, else
   * how to give it back: a COMMIT that fails (a duplicate message id refused at
   * COMMIT, a serialization failure) notifies no one, and must not leave the commits
   * that follow it within the interval unsignalled.
   */
  private takeNotifySlot(): (() => void) | undefined {
    const now = performance.now();
    const previous = this.lastNotifyAt;
    if (now - previous < this.notifyIntervalMs) return undefined;
    this.lastNotifyAt = now;
    return () => {
      // Unless a later COMMIT has taken the slot since.
      if (this.lastNotifyAt === now) this.lastNotifyAt = previous;
    };
  }

  /** One event: scalar parameters (keyed: the key's counter upsert too). */
  private oneRowStatement(
    row: PreparedRow,
    notify: boolean,
  ): { statement: string; params: unknown[] } {
    const params = [
      ...(row.key === null ? [] : [row.key]),
      row.exchange,
      row.routingKey,
      row.type,
      row.payload,
      row.headers,
      row.messageId,
      ...(notify ? [this.channel] : []),
    ];
    if (row.key === null) return { statement: notify ? INSERT_ONE_NOTIFY : INSERT_ONE, params };
    return { statement: notify ? INSERT_KEYED_ONE_NOTIFY : INSERT_KEYED_ONE, params };
  }

  private async addRows(tx: OutboxTransaction, rows: PreparedRow[]): Promise<OutboxRecord[]> {
    const sql = sqlOf(tx);
    const notify = this.wakeAtCommit(sql);
    if (rows.length === 1) {
      // The common call: the single-row statements.
      const [row] = rows;
      const { statement, params } = this.oneRowStatement(row, notify);
      if (row.key === null) {
        await run(tx, sql, statement, params, false);
        return [{ messageId: row.messageId, key: null, sequence: null }];
      }
      const [inserted] = await run(tx, sql, statement, params, true);
      return [{ messageId: row.messageId, key: row.key, sequence: sequenceOf(inserted) }];
    }
    const keyed = rows.some((r) => r.key !== null);
    const statement = keyed
      ? notify
        ? INSERT_KEYED_NOTIFY
        : INSERT_KEYED
      : notify
        ? INSERT_KEYLESS_NOTIFY
        : INSERT_KEYLESS;
    const inserted = await run(
      tx,
      sql,
      statement,
      [
        rows.map((r) => r.key),
        rows.map((r) => r.exchange),
        rows.map((r) => r.routingKey),
        rows.map((r) => r.type),
        rows.map((r) => r.payload),
        rows.map((r) => r.headers),
        rows.map((r) => r.messageId),
        ...(notify ? [this.channel] : []),
      ],
      true,
    );
    const byId = new Map(inserted.map((row) => [row.messageId, row]));
    return rows.map(({ messageId }) => {
      const row = byId.get(messageId);
      return { messageId, key: row?.key ?? null, sequence: sequenceOf(row) };
    });
  }
}

function sequenceOf(row: { sequence?: bigint | number | null } | undefined): number | null {
  return row?.sequence === null || row?.sequence === undefined ? null : Number(row.sequence);
}

/**
 * Runs a writer statement in the caller's transaction: on the transaction's own
 * connection when @surety/database knows it (a `$transaction` of a client made by
 * createDatabase — Prisma's per-call cost would otherwise double what an event costs
 * the business transaction — or handle.sql.transaction's own), else through the
 * Prisma client it is.
 */
async function run(
  tx: OutboxTransaction,
  sql: SqlQueryable | undefined,
  statement: string,
  params: unknown[],
  wantRows: boolean,
): Promise<InsertedRow[]> {
  if (sql !== undefined) return (await sql.query<InsertedRow>(statement, params)).rows;
  const prisma = tx as PrismaTransactionLike;
  if (!wantRows && prisma.$executeRawUnsafe !== undefined) {
    await prisma.$executeRawUnsafe(statement, ...params);
    return [];
  }
  return prisma.$queryRawUnsafe<InsertedRow[]>(statement, ...params);
}

/**
 * The caller's transaction as raw SQL on its own connection, when @surety/database knows
 * it: handle.sql.transaction's own, or a `$transaction` of a client made by
 * createDatabase. Undefined for any other Prisma client.
 */
function sqlOf(tx: OutboxTransaction): SqlQueryable | undefined {
  return isSqlQueryable(tx) ? tx : transactionSql(tx);
}

/** A transaction of handle.sql.transaction (a Prisma client has `$`-methods instead). */
function isSqlQueryable(tx: OutboxTransaction): tx is SqlQueryable {
  return typeof (tx as Partial<SqlQueryable>).query === 'function' && !('$queryRawUnsafe' in tx);
}

interface PreparedRow {
  key: string | null;
  exchange: string;
  routingKey: string;
  type: string;
  payload: string;
  headers: string;
  messageId: string;
}

function prepare(event: OutboxEvent): PreparedRow {
  if (event === null || typeof event !== 'object') {
    throw new InvalidOutboxEventError(
      undefined,
      `expected an event object, got ${event === null ? 'null' : typeof event}`,
    );
  }
  const type = event.type;
  if (typeof type !== 'string' || type.length === 0) {
    throw new InvalidOutboxEventError(undefined, '`type` must be a non-empty string');
  }
  if (typeof event.exchange !== 'string') {
    throw new InvalidOutboxEventError(type, '`exchange` must be a string');
  }
  const routingKey = event.routingKey ?? type;
  if (typeof routingKey !== 'string') {
    throw new InvalidOutboxEventError(type, '`routingKey` must be a string');
  }
  if (event.key !== undefined && (typeof event.key !== 'string' || event.key.length === 0)) {
    throw new InvalidOutboxEventError(type, '`key` must be a non-empty string when given');
  }
  // The publisher's generator: the uuid package's v7 draws fresh randomness per id,
  // which cost more client CPU (≈23 µs) than the rest of add() together.
  const messageId = event.messageId ?? newMessageId();
  if (event.messageId !== undefined && !isUuid(messageId)) {
    throw new InvalidOutboxEventError(type, `\`messageId\` must be a UUID, got "${messageId}"`);
  }
  assertSerializable(event.payload, type, '$payload');
  const headers: Record<string, unknown> = { ...event.headers };
  assertSerializable(headers, type, '$headers');
  // Captured now: the relay publishes later, outside the request that caused the event.
  const traceparent = TraceContext.current();
  if (traceparent && headers[Headers.traceparent] === undefined) {
    headers[Headers.traceparent] = traceparent;
  }
  const correlationId = event.correlationId ?? TraceContext.correlationId();
  if (correlationId !== undefined) headers[OutboxHeaders.correlationId] = correlationId;
  return {
    key: event.key ?? null,
    exchange: event.exchange,
    routingKey,
    type,
    payload: JSON.stringify(event.payload),
    headers: JSON.stringify(headers),
    messageId,
  };
}
