import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { MigrationsFolderError } from './migration.errors';

/** One `<timestamp>_<name>/migration.sql` of Prisma's migrations folder. */
export interface MigrationFile {
  /** Folder name, e.g. `20261121200222_init`; Prisma's `migration_name`. */
  readonly name: string;
  readonly sql: string;
  /** sha256 hex of the file's bytes, as Prisma records it. */
  readonly checksum: string;
}

export function migrationChecksum(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads the migrations folder in name (= timestamp) order, as Prisma does. */
export async function loadMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      throw new MigrationsFolderError(
        `cannot read the migrations folder ${dir}: ${error.code ?? error.message}`,
      );
    },
  );
  await checkLockfile(
    dir,
    entries.map((entry) => entry.name),
  );
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    folders.map(async (name) => {
      const file = path.join(dir, name, 'migration.sql');
      const bytes = await readFile(file).catch(() => {
        throw new MigrationsFolderError(
          `migration folder ${name} has no readable migration.sql (${file})`,
        );
      });
      return { name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    }),
  );
}

async function checkLockfile(dir: string, names: string[]): Promise<void> {
  if (!names.includes('migration_lock.toml')) return;
  const lock = await readFile(path.join(dir, 'migration_lock.toml'), 'utf8');
  const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock)?.[1];
  if (provider !== 'postgresql') {
    throw new MigrationsFolderError(
      `${path.join(dir, 'migration_lock.toml')} names provider "${provider}"; these migrations must be for "postgresql"`,
    );
  }
}
