import type { DeferredStatement } from './commit-with';

/** Rows and affected-row count of one statement. */
export interface SqlResult<Row> {
  readonly rows: Row[];
  /** Rows returned (SELECT, RETURNING) or affected (INSERT/UPDATE/DELETE). */
  readonly rowCount: number;
}

/** A statement runner bound to a connection or an open transaction. */
export interface SqlQueryable {
  /**
   * One statement with `$1…$n` parameters. Values come back as the drivers
   * parse them (timestamptz -> Date, json/jsonb -> value), except that int8
   * (bigint, bigserial, count(*)) is always a `bigint` on both databases.
   */
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<Row>>;
  /** A script of several statements, without parameters (migrations, DDL). */
  exec(script: string): Promise<void>;
  /**
   * Present on PostgreSQL transactions only: queues a statement to run just before
   * the COMMIT, sent in COMMIT's own round trip. Its result is not returned; if it
   * fails, the COMMIT fails with its error and the whole transaction rolls back.
   */
  readonly atCommit?: (sql: string, params: readonly unknown[]) => void;
  /**
   * Present where `atCommit` is: queues a statement that is only decided on as the
   * COMMIT goes out — `build` runs then, and not at all if the transaction rolls back;
   * returning undefined sends nothing; its `onRollback` runs if the COMMIT then fails.
   * For choices that depend on the commit itself (the outbox writer's throttled
   * wake-up NOTIFY).
   */
  readonly atCommitDeferred?: (build: DeferredStatement) => void;
}

/**
 * Raw SQL beside Prisma, for hot paths (relay claims, batched inserts) and for
 * the migration runner. PostgreSQL: a pg.Pool; PGlite: its single connection.
 */
export interface SqlExecutor extends SqlQueryable {
  /** Runs `work` in BEGIN … COMMIT on one connection; any throw rolls back and rethrows. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Holds one connection for the duration of `work` (session state such as
   * advisory locks lives on it). On PGlite sessions run one at a time in this
   * process, which is what a dedicated connection guarantees on PostgreSQL.
   * Do not open a session from inside another session.
   */
  session<T>(work: (session: SqlExecutor) => Promise<T>): Promise<T>;
}
