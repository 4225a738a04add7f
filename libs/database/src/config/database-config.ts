import path from 'node:path';
import { DatabaseConfigError } from '../errors/database.errors';
import { maskUrl } from './mask-url';

/** Embedded PostgreSQL in this process: on disk, or in memory when dataDir is null. */
export interface PgliteDatabaseConfig {
  readonly kind: 'pglite';
  /** Absolute data directory, or null for in-memory. */
  readonly dataDir: string | null;
  /** Printable form: `pglite:memory` or `pglite:<dataDir>`. */
  readonly url: string;
  /** Where the URL came from, for messages (e.g. DATABASE_URL). */
  readonly source: string;
}

/** A PostgreSQL server reached through a pg.Pool. */
export interface PostgresDatabaseConfig {
  readonly kind: 'postgres';
  readonly connectionString: string;
  /** connectionString with the password masked. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** Where the URL came from, for messages (e.g. DATABASE_URL). */
  readonly source: string;
}

export type DatabaseConfig = PgliteDatabaseConfig | PostgresDatabaseConfig;

/** Where the embedded database lives when DATABASE_URL is unset (relative to the working directory). */
export const DEFAULT_PGLITE_DIR = path.join('.data', 'pglite');

const ACCEPTED =
  'accepted: unset (embedded PGlite in .data/pglite), "pglite:memory" or "memory://" (in-memory PGlite), ' +
  '"pglite:<directory>" (PGlite on disk), "postgres://user:password@host:port/database" or "postgresql://…" (PostgreSQL)';

/** Chooses the database from the environment's DATABASE_URL. */
export function resolveDatabaseConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): DatabaseConfig {
  return resolveDatabaseUrl(env.DATABASE_URL, { source: 'DATABASE_URL', cwd });
}

/**
 * Same, for a URL from elsewhere; `source` names it in error messages
 * (e.g. "DatabaseModule url"). Empty or unset means the embedded default.
 */
export function resolveDatabaseUrl(
  value: string | undefined,
  { source = 'DATABASE_URL', cwd = process.cwd() }: { source?: string; cwd?: string } = {},
): DatabaseConfig {
  const raw = value?.trim() ?? '';
  if (raw === '') return pglite(path.resolve(cwd, DEFAULT_PGLITE_DIR), source);
  if (raw === 'pglite:memory' || raw.startsWith('memory://')) return pglite(null, source);
  if (raw.startsWith('pglite:')) {
    const dir = raw.slice('pglite:'.length);
    if (dir === '') throw invalid(source, raw, 'pglite: needs a directory or "memory"');
    return pglite(path.resolve(cwd, dir), source);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return postgres(raw, source);
  throw invalid(source, raw, scheme ? `unsupported scheme "${scheme}:"` : 'not a URL');
}

function pglite(dataDir: string | null, source: string): PgliteDatabaseConfig {
  return {
    kind: 'pglite',
    dataDir,
    url: dataDir === null ? 'pglite:memory' : `pglite:${dataDir}`,
    source,
  };
}

function postgres(raw: string, source: string): PostgresDatabaseConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(source, raw, 'malformed PostgreSQL URL');
  }
  const host = url.hostname || url.searchParams.get('host') || '';
  if (host === '') throw invalid(source, raw, 'no host');
  const database =
    decodeURIComponent(url.pathname.replace(/^\//, '')) ||
    decodeURIComponent(url.username) ||
    'postgres';
  return {
    kind: 'postgres',
    connectionString: raw,
    url: maskUrl(raw),
    host,
    port: url.port ? Number(url.port) : 5432,
    database,
    source,
  };
}

function invalid(source: string, raw: string, reason: string): DatabaseConfigError {
  return new DatabaseConfigError(
    `${source}="${maskUrl(raw)}" is not usable (${reason}); ${ACCEPTED}`,
  );
}
