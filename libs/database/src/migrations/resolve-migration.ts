import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../sql/sql-executor';
import { withMigrationLock } from './advisory-lock';
import { defaultMigrationsDir } from './default-migrations-dir';
import { MigrationResolveError } from './migration.errors';
import { loadMigrations } from './migration-source';
import {
  CREATE_MIGRATIONS_TABLE,
  isApplied,
  isFailed,
  readMigrationRecords,
} from './migrations-table';

const LOCK_WAIT_MS = 60_000;

/**
 * `prisma migrate resolve --rolled-back`: the failed migration stays in the
 * table as history (rolled_back_at set) and is applied again by the next run.
 */
export async function markMigrationRolledBack(
  sql: SqlExecutor,
  migrationName: string,
): Promise<void> {
  await sql.session((session) =>
    withMigrationLock(session, LOCK_WAIT_MS, async () => {
      await session.exec(CREATE_MIGRATIONS_TABLE);
      const { rowCount } = await session.query(
        `UPDATE "_prisma_migrations" SET rolled_back_at = now()
          WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
        [migrationName],
      );
      if (rowCount === 0) {
        throw new MigrationResolveError(
          `migration ${migrationName} is not in a failed state; nothing to roll back`,
        );
      }
    }),
  );
}

/**
 * `prisma migrate resolve --applied`: for a migration whose effect was made
 * by hand. A failed row is marked rolled back and a finished row recorded.
 */
export async function markMigrationApplied(
  sql: SqlExecutor,
  migrationName: string,
  migrationsDir: string = defaultMigrationsDir(),
): Promise<void> {
  const file = (await loadMigrations(migrationsDir)).find((m) => m.name === migrationName);
  if (!file)
    throw new MigrationResolveError(`migration ${migrationName} is not in ${migrationsDir}`);
  await sql.session((session) =>
    withMigrationLock(session, LOCK_WAIT_MS, async () => {
      await session.exec(CREATE_MIGRATIONS_TABLE);
      const records = (await readMigrationRecords(session)).filter(
        (r) => r.migration_name === migrationName,
      );
      if (records.some(isApplied)) {
        throw new MigrationResolveError(
          `migration ${migrationName} is already recorded as applied`,
        );
      }
      await session.transaction(async (tx) => {
        if (records.some(isFailed)) {
          await tx.query(
            `UPDATE "_prisma_migrations" SET rolled_back_at = now()
              WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
            [migrationName],
          );
        }
        await tx.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 0)`,
          [randomUUID(), file.checksum, migrationName],
        );
      });
    }),
  );
}
