// npm run db:migrate                                  apply pending migrations to DATABASE_URL
// npm run db:migrate -- --resolve-rolled-back <name>   a failed migration will be retried
// npm run db:migrate -- --resolve-applied <name>       a failed migration was completed by hand
//
// DATABASE_URL is read exactly as the application reads it (unset: embedded PGlite in .data/pglite).
import {
  DatabaseConfigError,
  DatabaseConnectionError,
  MigrationError,
  createDatabase,
  markMigrationApplied,
  markMigrationRolledBack,
  resolveDatabaseConfig,
} from '@surety/database';

type Command = { kind: 'deploy' } | { kind: 'rolled-back' | 'applied'; name: string };

function parseArgs(args: string[]): Command {
  if (args.length === 0) return { kind: 'deploy' };
  const [flag, name] = args;
  if (
    (flag === '--resolve-rolled-back' || flag === '--resolve-applied') &&
    name &&
    args.length === 2
  ) {
    return { kind: flag === '--resolve-applied' ? 'applied' : 'rolled-back', name };
  }
  throw new MigrationError(
    `unknown arguments "${args.join(' ')}"; usage: db:migrate [-- --resolve-rolled-back <name> | --resolve-applied <name>]`,
  );
}

async function main(): Promise<void> {
  const command = parseArgs(process.argv.slice(2));
  const database = await createDatabase(resolveDatabaseConfig(process.env));
  try {
    if (command.kind === 'rolled-back') {
      await markMigrationRolledBack(database.sql, command.name);
      console.log(
        `${command.name} marked rolled back on ${database.url}; the next db:migrate applies it again`,
      );
      return;
    }
    if (command.kind === 'applied') {
      await markMigrationApplied(database.sql, command.name);
      console.log(`${command.name} marked applied on ${database.url}`);
      return;
    }
    const result = await database.migrate({ log: (line) => console.log(line) });
    for (const name of result.notInFolder) {
      console.warn(
        `warning: ${name} is applied in the database but not in prisma/migrations (a newer release?)`,
      );
    }
    console.log(
      result.applied.length === 0
        ? `${database.url}: up to date (${result.alreadyApplied.length} migrations applied)`
        : `${database.url}: applied ${result.applied.length} migration(s)`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  const expected =
    error instanceof MigrationError ||
    error instanceof DatabaseConfigError ||
    error instanceof DatabaseConnectionError;
  // Expected failures are one clear line; anything else keeps its stack for debugging.
  console.error(expected ? `db:migrate: ${(error as Error).message}` : error);
  process.exitCode = 1;
});
