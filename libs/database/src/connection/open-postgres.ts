import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import type { PostgresDatabaseConfig } from '../config/database-config';
import { DatabaseConnectionError } from '../errors/database.errors';
import { runMigrations } from '../migrations/migration-runner';
import { PrismaClient } from '../prisma-client';
import { PgSqlExecutor } from '../sql/pg-sql-executor';
import { preparedName } from '../sql/prepared-statements';
import { bindTransactions } from '../sql/transaction-sql';
import type { CreateDatabaseOptions } from './create-database';
import type { DatabaseHandle } from './database-handle';
import { PgNotificationListener } from './pg-notification-listener';

export async function openPostgres(
  config: PostgresDatabaseConfig,
  options: CreateDatabaseOptions,
): Promise<DatabaseHandle> {
  const connectionTimeoutMillis = options.connectTimeoutMs ?? 10_000;
  const pool = new Pool({
    connectionString: config.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis,
  });
  // An idle client that loses its server emits on the pool; the pool discards it.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectionError(config, error);
  }
  // Statements marked `prepared` are prepared on Prisma's connections too (transactionSql);
  // '' is pg's unnamed statement, parsed per call as usual.
  const adapter = new PrismaPg(pool, {
    statementNameGenerator: (query) => preparedName(query.sql) ?? '',
  });
  const transactions = bindTransactions(adapter);
  const prisma = transactions.client(
    new PrismaClient({
      adapter: transactions.factory,
      ...(options.transactionOptions ? { transactionOptions: options.transactionOptions } : {}),
    }),
  );
  const sql = new PgSqlExecutor(pool);
  const listener = new PgNotificationListener({
    connectionString: config.connectionString,
    connectionTimeoutMillis,
  });
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    url: config.url,
    prisma,
    sql,
    listen: (channel, onPayload) => listener.listen(channel, onPayload),
    migrate: (migrationOptions) => runMigrations(sql, migrationOptions),
    close() {
      closing ??= (async () => {
        await listener.close();
        await prisma.$disconnect();
        await pool.end();
      })();
      return closing;
    },
  };
}

/** One line naming what was tried and why it failed; the driver error stays as `cause`. */
function connectionError(config: PostgresDatabaseConfig, error: unknown): DatabaseConnectionError {
  return new DatabaseConnectionError(
    `cannot connect to PostgreSQL at ${config.host}:${config.port} (database "${config.database}", ` +
      `${config.source}=${config.url}): ${describeFailure(error)}`,
    { cause: error },
  );
}

/** Node reports a refused dual-stack connect as an AggregateError with an empty message. */
function describeFailure(error: unknown): string {
  const errors = error instanceof AggregateError ? error.errors : [error];
  const reasons = errors.map((e) => {
    const { code, message } = e as { code?: string; message?: string };
    if (message && code && !message.includes(code)) return `${message} (${code})`;
    return message || code || String(e);
  });
  return [...new Set(reasons)].join('; ');
}
