import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import {
  type DatabaseHandle,
  type MigrationOptions,
  PgliteSqlExecutor,
  createDatabase,
  resolveDatabaseUrl,
  runMigrations,
} from '@surety/database';
import { uniqueIdentifier } from './names';
import { type ServiceName, serviceUrl } from './services';

/** A database of its own for one test (suite): the handle plus how to get rid of it. */
export interface TestDatabase extends DatabaseHandle {
  /** PostgreSQL database name, or 'memory' for PGlite. */
  readonly name: string;
  /** Closes the handle and deletes the database (PGlite: closing is enough). */
  drop(): Promise<void>;
}

export interface FreshDatabaseOptions {
  /** Apply prisma/migrations (default true); false gives an empty database. */
  migrate?: boolean | MigrationOptions;
}

async function prepared(
  handle: DatabaseHandle,
  options: FreshDatabaseOptions,
): Promise<DatabaseHandle> {
  const migrate = options.migrate ?? true;
  if (migrate === false) return handle;
  try {
    await handle.migrate(migrate === true ? {} : migrate);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

let migratedTemplate: Promise<Blob> | undefined;

/**
 * A dump of an in-memory PGlite with prisma/migrations applied, made once per
 * test process: restoring it skips initdb and the migrations (about 3x faster).
 */
function pgliteTemplate(): Promise<Blob> {
  migratedTemplate ??= (async () => {
    const template = await PGlite.create();
    try {
      await runMigrations(new PgliteSqlExecutor(template));
      return (await template.dumpDataDir('none')) as Blob;
    } finally {
      await template.close();
    }
  })();
  return migratedTemplate;
}

/** In-memory PGlite, migrated (from the migrated template unless migrate options are given). */
export async function freshPglite(options: FreshDatabaseOptions = {}): Promise<TestDatabase> {
  const config = resolveDatabaseUrl('pglite:memory');
  const handle =
    options.migrate === undefined || options.migrate === true
      ? await createDatabase(config, { pglite: { loadDataDir: await pgliteTemplate() } })
      : await prepared(await createDatabase(config), options);
  return { ...handle, name: 'memory', drop: () => handle.close() };
}

/** URL of database `name` on the test PostgreSQL server. */
export function postgresUrl(name: string): string {
  const url = new URL(serviceUrl('postgres'));
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: serviceUrl('postgres') });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A new, uniquely named database on the test PostgreSQL server (127.0.0.1:5432), migrated. */
export async function freshPostgres(options: FreshDatabaseOptions = {}): Promise<TestDatabase> {
  const name = uniqueIdentifier('surety_test');
  await onServer((admin) => admin.query(`CREATE DATABASE "${name}"`));
  const drop = () =>
    onServer((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
      () => undefined,
    );
  let handle: DatabaseHandle;
  try {
    handle = await prepared(await createDatabase(resolveDatabaseUrl(postgresUrl(name))), options);
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    ...handle,
    name,
    async drop() {
      await handle.close();
      await drop();
    },
  };
}

/** One side of the database matrix that database-backed tests run against. */
export interface DatabaseTarget {
  readonly name: 'pglite' | 'postgres';
  /** Services to pass to describeWithServices. */
  readonly needs: ServiceName[];
  fresh(options?: FreshDatabaseOptions): Promise<TestDatabase>;
}

export const pgliteTarget: DatabaseTarget = { name: 'pglite', needs: [], fresh: freshPglite };
export const postgresTarget: DatabaseTarget = {
  name: 'postgres',
  needs: ['postgres'],
  fresh: freshPostgres,
};

/** Both databases (SURETY_TEST_DATABASES=pglite|postgres narrows it for local debugging). */
export function databaseTargets(): DatabaseTarget[] {
  const only = process.env.SURETY_TEST_DATABASES?.split(',');
  return [pgliteTarget, postgresTarget].filter((t) => !only || only.includes(t.name));
}
