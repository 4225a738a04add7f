// npm run db:migration:new -- <name>           diff prisma/migrations against schema.prisma, write the SQL
// npm run db:migration:new -- <name> --empty   an empty migration.sql to write by hand
//
// Offline: Prisma's schema engine (WebAssembly) replays the migrations on an
// in-memory PGlite shadow database and diffs the result against the schema.
// No other database is touched; DATABASE_URL is ignored.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { NO_FILTERS, migrationList, startSchemaEngine } from './schema-engine-wasm';

const PRISMA_DIR = path.resolve(__dirname, '..');
const SCHEMA = path.join(PRISMA_DIR, 'schema.prisma');
const MIGRATIONS = path.join(PRISMA_DIR, 'migrations');

function parseArgs(args: string[]): { name: string; empty: boolean } {
  const empty = args.includes('--empty');
  const names = args.filter((a) => a !== '--empty');
  const name = names[0]
    ?.trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (names.length !== 1 || !name) {
    throw new Error(
      'usage: npm run db:migration:new -- <name> [--empty]   (e.g. add_outbox_partition)',
    );
  }
  return { name, empty };
}

/** Prisma's folder prefix: UTC yyyyMMddHHmmss. */
function timestamp(now = new Date()): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function diffSchema(): Promise<string> {
  // The "main" database is in memory too: the diff only uses the shadow database.
  const pglite = new PGlite();
  try {
    const engine = await startSchemaEngine(SCHEMA, new PrismaPGlite(pglite));
    const result = await engine.diff({
      from: { tag: 'migrations', ...(await migrationList(MIGRATIONS)) },
      to: {
        tag: 'schemaDatamodel',
        files: [{ path: SCHEMA, content: await readFile(SCHEMA, 'utf8') }],
      },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return (result.stdout ?? '').trim();
  } finally {
    await pglite.close();
  }
}

async function main(): Promise<void> {
  const { name, empty } = parseArgs(process.argv.slice(2));
  let sql = empty ? '' : await diffSchema();
  if (!empty && (sql === '' || sql === '-- This is an empty migration.')) {
    console.log(
      'schema.prisma matches the migrations: nothing to write (use --empty for a hand-written migration)',
    );
    return;
  }
  if (empty)
    sql = '-- Write this migration by hand; it runs in one transaction (npm run db:migrate).';
  const folder = path.join(MIGRATIONS, `${timestamp()}_${name}`);
  await mkdir(folder, { recursive: false });
  await writeFile(path.join(folder, 'migration.sql'), `${sql}\n`);
  console.log(`wrote ${path.relative(process.cwd(), path.join(folder, 'migration.sql'))}`);
  console.log('review it, then apply with: npm run db:migrate');
}

main().catch((error: unknown) => {
  console.error(`db:migration:new: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
