import type { ClientBase, Pool, PoolClient } from 'pg';
import { CommitQueue, commitWith, type DeferredStatement } from './commit-with';
import { pgQueryConfig } from './pg-query-config';
import type { SqlExecutor, SqlQueryable, SqlResult } from './sql-executor';

/** Statements on one pg client (a session's connection or an open transaction). */
class PgClientQueryable implements SqlQueryable {
  constructor(protected readonly client: ClientBase | Pool) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    const result = await this.client.query(pgQueryConfig(sql, params));
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  }

  async exec(script: string): Promise<void> {
    // Without values pg uses the simple query protocol, which accepts several statements.
    await this.client.query(script);
  }
}

/** An open transaction: its statements, and those it sends with its COMMIT. */
class PgTransactionQueryable extends PgClientQueryable {
  readonly atCommitQueue = new CommitQueue();
  readonly atCommit = (sql: string, params: readonly unknown[]): void =>
    this.atCommitQueue.add(sql, params);
  readonly atCommitDeferred = (build: DeferredStatement): void =>
    this.atCommitQueue.addDeferred(build);
}

async function inTransaction<T>(
  client: ClientBase,
  work: (tx: SqlQueryable) => Promise<T>,
): Promise<T> {
  await client.query('BEGIN');
  let result: T;
  const tx = new PgTransactionQueryable(client);
  try {
    result = await work(tx);
  } catch (error) {
    tx.atCommitQueue.close();
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  // Rolls back itself when it fails.
  await commitWith(client, tx.atCommitQueue.closeForCommit());
  return result;
}

/** A connection held for a session: its transactions run on that same connection. */
class PgSessionExecutor extends PgClientQueryable implements SqlExecutor {
  constructor(private readonly connection: PoolClient) {
    super(connection);
  }

  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return inTransaction(this.connection, work);
  }

  session<T>(work: (session: SqlExecutor) => Promise<T>): Promise<T> {
    return work(this);
  }
}

/** SqlExecutor over a pg.Pool: each call borrows a connection for as long as it needs one. */
export class PgSqlExecutor extends PgClientQueryable implements SqlExecutor {
  constructor(private readonly pool: Pool) {
    super(pool);
  }

  async transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    try {
      return await inTransaction(connection, work);
    } finally {
      connection.release();
    }
  }

  async session<T>(work: (session: SqlExecutor) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await work(new PgSessionExecutor(connection));
    } catch (error) {
      // Session state (locks, settings) may be left behind: do not return it to the pool.
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      connection.release(broken);
    }
  }
}
