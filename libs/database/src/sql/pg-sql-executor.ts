import type { ClientBase, CustomTypesConfig, Pool, PoolClient } from 'pg';
import { types as pgTypes } from 'pg';
import { commitWith, type StatementAtCommit } from './commit-with';
import { preparedName } from './prepared-statements';
import type { SqlExecutor, SqlQueryable, SqlResult } from './sql-executor';

const INT8_OID = 20;

/** int8 as bigint (pg's default is a string), every other type as pg parses it. */
const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => BigInt(value)
      : pgTypes.getTypeParser(oid, format ?? 'text')) as CustomTypesConfig['getTypeParser'],
};

/** How pg is asked to run one statement (named when it is marked `prepared`). */
export function pgQueryConfig(sql: string, params: readonly unknown[]) {
  return { name: preparedName(sql), text: sql, values: [...params], types: typeParsers };
}

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
  private readonly atCommitStatements: StatementAtCommit[] = [];
  private ending = false;

  readonly atCommit = (sql: string, params: readonly unknown[]): void => {
    // Queued after the COMMIT went out, a statement would be dropped without a word.
    if (this.ending) throw new Error(TRANSACTION_ENDED);
    this.atCommitStatements.push({ config: pgQueryConfig(sql, params) });
  };

  /** No more statements may be queued: the ones queued go out with the COMMIT. */
  end(): StatementAtCommit[] {
    this.ending = true;
    return this.atCommitStatements;
  }
}

const TRANSACTION_ENDED =
  'this transaction has already committed or rolled back: use the `tx` only inside its callback';

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
    tx.end();
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  // Rolls back itself when it fails.
  await commitWith(client, tx.end());
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
