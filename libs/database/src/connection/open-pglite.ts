import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { PgliteDatabaseConfig } from '../config/database-config';
import { DatabaseConnectionError } from '../errors/database.errors';
import { runMigrations } from '../migrations/migration-runner';
import { PrismaClient } from '../prisma-client';
import { PgliteSqlExecutor } from '../sql/pglite-sql-executor';
import { bindTransactions } from '../sql/transaction-sql';
import type { CreateDatabaseOptions } from './create-database';
import type { DatabaseHandle } from './database-handle';
import { assertChannelName } from './notify-channel';
import { lockPgliteDir } from './pglite-dir-lock';

const PGLITE_TRANSACTION_DEFAULTS = { maxWait: 60_000, timeout: 30_000 };

export async function openPglite(
  config: PgliteDatabaseConfig,
  options: CreateDatabaseOptions,
): Promise<DatabaseHandle> {
  const { dataDir, source } = config;
  const release = dataDir === null ? async () => undefined : await claimDir(dataDir, source);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({ ...options.pglite, dataDir: dataDir ?? undefined });
    await pglite.query('SELECT 1');
  } catch (error) {
    await release();
    throw new DatabaseConnectionError(
      `cannot open the embedded database (${config.source}=${config.url}): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const transactions = bindTransactions(new PrismaPGlite(pglite));
  const prisma = transactions.client(
    new PrismaClient({
      adapter: transactions.factory,
      transactionOptions: { ...PGLITE_TRANSACTION_DEFAULTS, ...options.transactionOptions },
    }),
  );
  const sql = new PgliteSqlExecutor(pglite);
  let closing: Promise<void> | undefined;
  return {
    kind: 'pglite',
    url: config.url,
    prisma,
    sql,
    async listen(channel, onPayload) {
      assertChannelName(channel);
      const unlisten = await pglite.listen(channel, onPayload);
      return async () => {
        if (!pglite.closed) await unlisten();
      };
    },
    migrate: (migrationOptions) => runMigrations(sql, migrationOptions),
    close() {
      closing ??= (async () => {
        await prisma.$disconnect();
        await pglite.close();
        await release();
      })();
      return closing;
    },
  };
}

/** PGlite does not create parent directories; and one process per directory. */
async function claimDir(dataDir: string, source: string): Promise<() => Promise<void>> {
  try {
    await mkdir(path.dirname(dataDir), { recursive: true });
  } catch (error) {
    throw new DatabaseConnectionError(
      `cannot create the parent directory of the embedded database ${dataDir} (${source}): ` +
        `${(error as Error).message}`,
      { cause: error },
    );
  }
  return lockPgliteDir(dataDir);
}
