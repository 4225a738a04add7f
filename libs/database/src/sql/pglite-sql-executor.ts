import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlExecutor, SqlQueryable, SqlResult } from './sql-executor';

const INT8_OID = 20;
/** int8 as bigint (PGlite's default is a lossy number), others as PGlite parses them. */
const queryOptions = { parsers: { [INT8_OID]: (value: string) => BigInt(value) } };

type PgliteTarget = Pick<PGlite | Transaction, 'query' | 'exec'>;

class PgliteQueryable implements SqlQueryable {
  constructor(private readonly target: PgliteTarget) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    const result = await this.target.query<Row>(sql, [...params], queryOptions);
    const rowCount = result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
    return { rows: result.rows, rowCount };
  }

  async exec(script: string): Promise<void> {
    await this.target.exec(script);
  }
}

/**
 * SqlExecutor over PGlite's single connection. PGlite itself serializes
 * statements and holds other callers (Prisma included) off while a
 * transaction is open; sessions are serialized here by a promise chain.
 */
export class PgliteSqlExecutor extends PgliteQueryable implements SqlExecutor {
  private sessionTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly pglite: PGlite) {
    super(pglite);
  }

  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) => work(new PgliteQueryable(tx)));
  }

  session<T>(work: (session: SqlExecutor) => Promise<T>): Promise<T> {
    const run = this.sessionTail.then(() => work(this));
    this.sessionTail = run.catch(() => undefined);
    return run;
  }
}
