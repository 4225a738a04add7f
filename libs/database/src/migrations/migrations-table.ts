import type { SqlQueryable } from '../sql/sql-executor';

/**
 * Prisma's own bookkeeping table, column for column as `prisma migrate`
 * creates it on PostgreSQL, so that Prisma's engine accepts a database this
 * runner migrated (and the other way round).
 */
export const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** One row of `_prisma_migrations`. */
export interface MigrationRecord {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

export async function readMigrationRecords(sql: SqlQueryable): Promise<MigrationRecord[]> {
  const { rows } = await sql.query<MigrationRecord>(
    'SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name',
  );
  return rows;
}

/** Prisma's notion of "failed": started, never finished, not marked rolled back. */
export function isFailed(record: MigrationRecord): boolean {
  return record.finished_at === null && record.rolled_back_at === null;
}

export function isApplied(record: MigrationRecord): boolean {
  return record.finished_at !== null && record.rolled_back_at === null;
}
