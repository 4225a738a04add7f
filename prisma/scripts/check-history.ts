// DATABASE_URL=… node -r @swc-node/register prisma/scripts/check-history.ts [migrationsDir]
//
// Asks Prisma's own schema engine (WebAssembly) what it thinks of the
// database's migration history — the proof that databases migrated by our
// runner are ones Prisma accepts. Prints the engine's diagnosis as JSON.
// Reads only; PostgreSQL or a PGlite directory.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { resolveDatabaseConfig } from '@surety/database';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { NO_FILTERS, migrationList, startSchemaEngine } from './schema-engine-wasm';

const PRISMA_DIR = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const migrationsDir = path.resolve(process.argv[2] ?? path.join(PRISMA_DIR, 'migrations'));
  const config = resolveDatabaseConfig(process.env);
  if (config.kind === 'pglite' && config.dataDir === null) {
    throw new Error(
      'an in-memory database has no history to check; use PostgreSQL or pglite:<directory>',
    );
  }
  const pglite = config.kind === 'pglite' ? new PGlite(config.dataDir ?? undefined) : undefined;
  const adapter = pglite
    ? new PrismaPGlite(pglite)
    : new PrismaPg({ connectionString: process.env.DATABASE_URL });
  try {
    const engine = await startSchemaEngine(path.join(PRISMA_DIR, 'schema.prisma'), adapter);
    const diagnosis = await engine.diagnoseMigrationHistory({
      migrationsList: await migrationList(migrationsDir),
      optInToShadowDatabase: false,
      filters: NO_FILTERS,
    });
    console.log(JSON.stringify(diagnosis));
  } finally {
    await pglite?.close();
  }
}

main().catch((error: unknown) => {
  console.error(`check-history: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
