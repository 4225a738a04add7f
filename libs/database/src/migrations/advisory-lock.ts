import type { SqlExecutor } from '../sql/sql-executor';
import { MigrationLockTimeoutError } from './migration.errors';

/** The key Prisma's own migrate commands lock, so our runner and Prisma's exclude each other. */
export const PRISMA_MIGRATION_LOCK_KEY = 72707369;

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Runs `work` holding the session-level advisory lock. Waiting is bounded by
 * lock_timeout so that a stuck runner elsewhere yields a clear error, not a hang.
 */
export async function withMigrationLock<T>(
  session: SqlExecutor,
  waitMs: number,
  work: () => Promise<T>,
): Promise<T> {
  await session.query("SELECT set_config('lock_timeout', $1, false)", [`${waitMs}ms`]);
  try {
    await session.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATION_LOCK_KEY})`);
  } catch (error) {
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) {
      throw new MigrationLockTimeoutError(
        `another migration run has held the migration lock (pg_advisory_lock ${PRISMA_MIGRATION_LOCK_KEY}) ` +
          `for more than ${waitMs} ms; is a deploy stuck?`,
      );
    }
    throw error;
  } finally {
    await session.query('RESET lock_timeout');
  }
  try {
    return await work();
  } finally {
    await session.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATION_LOCK_KEY})`);
  }
}
