// @surety/database: the schema's Prisma client, the database handle (PGlite or
// PostgreSQL), raw SQL for hot paths, LISTEN/NOTIFY, migrations, Nest module.

export { Prisma, PrismaClient, OutboxStatus } from './prisma-client';
export type { InboxMessage, OutboxKeySequence, OutboxMessage } from './prisma-client';

export {
  DEFAULT_PGLITE_DIR,
  resolveDatabaseConfig,
  resolveDatabaseUrl,
} from './config/database-config';
export type {
  DatabaseConfig,
  PgliteDatabaseConfig,
  PostgresDatabaseConfig,
} from './config/database-config';
export { maskUrl } from './config/mask-url';
export { DatabaseConfigError, DatabaseConnectionError } from './errors/database.errors';

export { createDatabase } from './connection/create-database';
export type { CreateDatabaseOptions } from './connection/create-database';
export type { DatabaseHandle, NotificationHandler, Unlisten } from './connection/database-handle';

export type { SqlExecutor, SqlQueryable, SqlResult } from './sql/sql-executor';
export type { DeferredStatement } from './sql/commit-with';
export { PgSqlExecutor } from './sql/pg-sql-executor';
export { PgliteSqlExecutor } from './sql/pglite-sql-executor';
export { transactionSql } from './sql/transaction-sql';
export { prepared } from './sql/prepared-statements';

export { runMigrations } from './migrations/migration-runner';
export type { MigrationOptions, MigrationResult } from './migrations/migration-runner';
export { markMigrationApplied, markMigrationRolledBack } from './migrations/resolve-migration';
export { defaultMigrationsDir } from './migrations/default-migrations-dir';
export { loadMigrations, migrationChecksum } from './migrations/migration-source';
export type { MigrationFile } from './migrations/migration-source';
export type { MigrationRecord } from './migrations/migrations-table';
export { PRISMA_MIGRATION_LOCK_KEY } from './migrations/advisory-lock';
export {
  FailedMigrationBlocksError,
  MigrationChecksumMismatchError,
  MigrationError,
  MigrationFailedError,
  MigrationLockTimeoutError,
  MigrationResolveError,
  MigrationsFolderError,
} from './migrations/migration.errors';

export { DatabaseModule } from './nest/database.module';
export { DATABASE_HANDLE, PRISMA_CLIENT } from './nest/database.constants';
export { DATABASE_MODULE_OPTIONS } from './nest/database-module-options';
export type { DatabaseModuleOptions } from './nest/database-module-options';
