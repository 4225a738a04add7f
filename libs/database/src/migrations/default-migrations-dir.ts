import { existsSync } from 'node:fs';
import path from 'node:path';

const RELATIVE = path.join('prisma', 'migrations');

/**
 * The repository's prisma/migrations: found by walking up from this file (so
 * it works whatever the working directory), else under the working directory.
 */
export function defaultMigrationsDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, RELATIVE);
    if (existsSync(path.join(candidate, 'migration_lock.toml'))) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(RELATIVE);
  }
}
