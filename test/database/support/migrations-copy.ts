import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultMigrationsDir, loadMigrations } from '@surety/database';

/** A scratch copy of prisma/migrations that a test may edit and extend. */
export interface MigrationsCopy {
  readonly dir: string;
  /** Folder names present now, in order. */
  names(): Promise<string[]>;
  /** Adds `<name>/migration.sql`; name it so it sorts after the real ones (e.g. 99990101000000_x). */
  add(name: string, sql: string): Promise<void>;
  remove(): Promise<void>;
}

export async function copyMigrations(): Promise<MigrationsCopy> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'surety-migrations-')), 'migrations');
  await cp(defaultMigrationsDir(), dir, { recursive: true });
  return {
    dir,
    names: async () => (await loadMigrations(dir)).map((m) => m.name),
    add: async (name, sql) => {
      await mkdir(path.join(dir, name));
      await writeFile(path.join(dir, name, 'migration.sql'), sql);
    },
    remove: () => rm(path.dirname(dir), { recursive: true, force: true }),
  };
}
