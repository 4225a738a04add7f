import { randomUUID } from 'node:crypto';
import type { SqlExecutor, SqlQueryable } from '../sql/sql-executor';
import { withMigrationLock } from './advisory-lock';
import { defaultMigrationsDir } from './default-migrations-dir';
import {
  FailedMigrationBlocksError,
  MigrationChecksumMismatchError,
  MigrationFailedError,
  describeDatabaseError,
} from './migration.errors';
import { type MigrationFile, loadMigrations } from './migration-source';
import {
  CREATE_MIGRATIONS_TABLE,
  type MigrationRecord,
  isApplied,
  isFailed,
  readMigrationRecords,
} from './migrations-table';

export interface MigrationOptions {
  /** Prisma migrations folder; default: the repository's prisma/migrations. */
  migrationsDir?: string;
  /** How long to wait for another runner's lock before failing (default 60 s). */
  lockWaitMs?: number;
  /** Progress lines ("applying …"); default: silent. */
  log?: (line: string) => void;
}

/** What a run did. Names are migration folder names, in order. */
export interface MigrationResult {
  /** Applied by this run. */
  readonly applied: string[];
  /** Found applied already (checksums verified). */
  readonly alreadyApplied: string[];
  /** Recorded as applied in the database but absent from the folder (e.g. a newer release ran). */
  readonly notInFolder: string[];
}

const DEFAULT_LOCK_WAIT_MS = 60_000;

/**
 * Applies the migrations folder the way `prisma migrate deploy` does, keeping
 * Prisma's `_prisma_migrations` table: under Prisma's advisory lock, each
 * pending migration in its own transaction, in name order. A failure is
 * recorded (finished_at null, logs) and blocks later runs until resolved;
 * an edited applied migration is refused. Re-running is a no-op.
 */
export async function runMigrations(
  sql: SqlExecutor,
  options: MigrationOptions = {},
): Promise<MigrationResult> {
  const files = await loadMigrations(options.migrationsDir ?? defaultMigrationsDir());
  const log = options.log ?? (() => undefined);
  return sql.session((session) =>
    withMigrationLock(session, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, async () => {
      await session.exec(CREATE_MIGRATIONS_TABLE);
      const records = await readMigrationRecords(session);
      const pending = checkHistory(files, records);
      const applied: string[] = [];
      for (const file of pending) {
        log(`applying migration ${file.name}`);
        await applyOne(session, file);
        applied.push(file.name);
      }
      const appliedBefore = new Set(records.filter(isApplied).map((r) => r.migration_name));
      const inFolder = new Set(files.map((f) => f.name));
      return {
        applied,
        alreadyApplied: files.filter((f) => appliedBefore.has(f.name)).map((f) => f.name),
        notInFolder: [...appliedBefore].filter((name) => !inFolder.has(name)),
      };
    }),
  );
}

/** Refuses a blocked or edited history; returns the migrations still to apply. */
function checkHistory(files: MigrationFile[], records: MigrationRecord[]): MigrationFile[] {
  const failed = records.find(isFailed);
  if (failed)
    throw new FailedMigrationBlocksError(failed.migration_name, failed.started_at, failed.logs);
  const applied = new Map(records.filter(isApplied).map((r) => [r.migration_name, r]));
  for (const file of files) {
    const record = applied.get(file.name);
    if (record && record.checksum !== file.checksum) {
      throw new MigrationChecksumMismatchError(file.name, record.checksum, file.checksum);
    }
  }
  return files.filter((file) => !applied.has(file.name));
}

/**
 * The start row is committed on its own first, so that a failure (or a crash)
 * leaves it unfinished: that is what blocks the next run. The script and the
 * finish mark commit together, so "finished" never lies.
 */
async function applyOne(session: SqlExecutor, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await session.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, file.checksum, file.name],
  );
  try {
    await session.transaction(async (tx) => {
      await tx.exec(file.sql);
      await markFinished(tx, id);
    });
  } catch (error) {
    await session.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [
      id,
      describeDatabaseError(error),
    ]);
    throw new MigrationFailedError(file.name, error);
  }
}

async function markFinished(tx: SqlQueryable, id: string): Promise<void> {
  await tx.query(
    `UPDATE "_prisma_migrations"
        SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1
      WHERE id = $1`,
    [id],
  );
}
