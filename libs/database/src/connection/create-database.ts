import type { PGliteOptions } from '@electric-sql/pglite';
import type { DatabaseConfig } from '../config/database-config';
import type { DatabaseHandle } from './database-handle';
import { openPglite } from './open-pglite';
import { openPostgres } from './open-postgres';

/** Tuning for createDatabase; every field has a sensible default. */
export interface CreateDatabaseOptions {
  /**
   * Prisma interactive-transaction limits. PGlite runs one transaction at a
   * time, so queued ones wait: its defaults are raised to 60 s / 30 s
   * (Prisma's 2 s / 5 s would fail queued transactions with P2028).
   */
  transactionOptions?: { maxWait?: number; timeout?: number };
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL: give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * PGlite: extra constructor options, e.g. `loadDataDir` (start from a dump:
   * tests restore a migrated template instead of running initdb and the
   * migrations each time). The data directory comes from the config.
   */
  pglite?: Omit<PGliteOptions, 'dataDir'>;
}

/**
 * Opens the configured database and checks that it answers. Fails with a
 * DatabaseConnectionError naming DATABASE_URL and the host:port (or
 * directory) it tried. Does not migrate: call `handle.migrate()`.
 */
export function createDatabase(
  config: DatabaseConfig,
  options: CreateDatabaseOptions = {},
): Promise<DatabaseHandle> {
  return config.kind === 'pglite' ? openPglite(config, options) : openPostgres(config, options);
}
