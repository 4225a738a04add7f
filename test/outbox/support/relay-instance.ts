import {
  createDatabase,
  resolveDatabaseUrl,
  type CreateDatabaseOptions,
  type DatabaseHandle,
} from '@surety/database';
import { postgresUrl, type TestDatabase } from '../../support/database';

/**
 * Another handle on a test PostgreSQL database — its own pool, Prisma client and LISTEN
 * connection — as a second application instance running a relay would have. Close it
 * before the test database is dropped.
 */
export function openAnotherHandle(
  db: TestDatabase,
  options: CreateDatabaseOptions = {},
): Promise<DatabaseHandle> {
  if (db.kind !== 'postgres') {
    throw new Error('only PostgreSQL can be opened twice (one process owns a PGlite database)');
  }
  return createDatabase(resolveDatabaseUrl(postgresUrl(db.name)), options);
}
