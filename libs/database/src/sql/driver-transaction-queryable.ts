import type { ClientBase } from 'pg';
import { CommitQueue, commitWith, type DeferredStatement } from './commit-with';
import type { SqlQueryable, SqlResult } from './sql-executor';

/** What a Prisma driver adapter's transaction offers (@prisma/driver-adapter-utils `Transaction`). */
export interface DriverTransaction {
  queryRaw(
    query: DriverQuery,
  ): Promise<{ columnNames: string[]; columnTypes: number[]; rows: unknown[][] }>;
  executeRaw(query: DriverQuery): Promise<number>;
}

interface DriverQuery {
  sql: string;
  args: unknown[];
  argTypes: { scalarType: string; arity: 'scalar' | 'list' }[];
}

/** ColumnTypeEnum.Int64 and Int64Array of the driver adapter interface. */
const INT64 = 1;
const INT64_ARRAY = 65;

/**
 * SqlQueryable over a driver adapter's open transaction: statements go straight to the
 * driver on the transaction's connection. Rows come back as objects, int8 as bigint
 * (the SqlQueryable contract; drivers hand int8 over as text). Usable until the
 * transaction commits or rolls back.
 */
export class DriverTransactionQueryable implements SqlQueryable {
  private ended = false;
  private readonly atCommitQueue = new CommitQueue();
  /** Only where the transaction's pg client is at hand (@prisma/adapter-pg; not PGlite's). */
  readonly atCommit?: (sql: string, params: readonly unknown[]) => void;
  readonly atCommitDeferred?: (build: DeferredStatement) => void;

  constructor(
    private readonly transaction: DriverTransaction,
    /** The pg client the transaction runs on, when the adapter exposes it. */
    private readonly pgClient?: ClientBase,
  ) {
    if (pgClient !== undefined) {
      this.atCommit = (sql, params) => this.atCommitQueue.add(sql, params);
      this.atCommitDeferred = (build) => this.atCommitQueue.addDeferred(build);
    }
  }

  /**
   * Prisma is about to send COMMIT: with statements queued by `atCommit`, commits with
   * them (see commitWith) and answers true; otherwise false, and Prisma's own COMMIT goes
   * out as usual.
   */
  async commitWithQueued(): Promise<boolean> {
    const statements = this.atCommitQueue.closeForCommit();
    if (this.pgClient === undefined || statements.length === 0) return false;
    await commitWith(this.pgClient, statements);
    return true;
  }

  /** Called when Prisma commits or rolls back: the connection goes back to the pool. */
  end(): void {
    this.ended = true;
    this.atCommitQueue.close();
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    this.assertOpen();
    const result = await this.transaction.queryRaw({
      sql,
      args: [...params],
      argTypes: params.map(argTypeOf),
    });
    const { columnNames, columnTypes } = result;
    const rows = result.rows.map((values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < columnNames.length; i++) {
        row[columnNames[i]!] = int8(values[i], columnTypes[i]);
      }
      return row as Row;
    });
    return { rows, rowCount: rows.length };
  }

  async exec(script: string): Promise<void> {
    this.assertOpen();
    await this.transaction.executeRaw({ sql: script, args: [], argTypes: [] });
  }

  private assertOpen(): void {
    if (this.ended) {
      throw new Error(
        'this Prisma transaction has already committed or rolled back: use the `tx` only inside its $transaction callback',
      );
    }
  }
}

/** The driver converts by these (dates, bytes); everything else passes as the JS value. */
function argTypeOf(value: unknown): DriverQuery['argTypes'][number] {
  if (Array.isArray(value)) {
    const first = value.find((v) => v !== null && v !== undefined) as unknown;
    return { scalarType: scalarTypeOf(first), arity: 'list' };
  }
  return { scalarType: scalarTypeOf(value), arity: 'scalar' };
}

function scalarTypeOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint':
      return 'bigint';
    case 'boolean':
      return 'boolean';
    default:
      if (value instanceof Date) return 'datetime';
      if (value instanceof Uint8Array) return 'bytes';
      return 'unknown';
  }
}

function int8(value: unknown, columnType: number | undefined): unknown {
  if (value === null || value === undefined) return value;
  if (columnType === INT64 && (typeof value === 'string' || typeof value === 'number')) {
    return BigInt(value);
  }
  if (columnType === INT64_ARRAY && Array.isArray(value)) {
    return value.map((v: unknown) => (v === null ? null : BigInt(v as string)));
  }
  return value;
}
