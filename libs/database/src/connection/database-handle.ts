import type { PrismaClient } from '../prisma-client';
import type { MigrationOptions, MigrationResult } from '../migrations/migration-runner';
import type { SqlExecutor } from '../sql/sql-executor';

/** Called with each NOTIFY payload ('' when the notification had none). */
export type NotificationHandler = (payload: string) => void;

/** Stops one subscription made by `listen`. */
export type Unlisten = () => Promise<void>;

/** An open database: the same shape for PGlite and PostgreSQL. */
export interface DatabaseHandle {
  readonly kind: 'pglite' | 'postgres';
  /** What was opened, password masked (`pglite:memory`, `pglite:<dir>`, `postgresql://…`). */
  readonly url: string;
  readonly prisma: PrismaClient;
  /** Raw SQL beside Prisma, sharing its connections (pool or PGlite instance). */
  readonly sql: SqlExecutor;
  /**
   * Subscribes to a NOTIFY channel (a lower-case identifier: [a-z_][a-z0-9_]*).
   * A notification is delivered only when the notifying transaction commits.
   * Resolves once the LISTEN is in effect.
   */
  listen(channel: string, onPayload: NotificationHandler): Promise<Unlisten>;
  /** Applies pending migrations (see runMigrations). */
  migrate(options?: MigrationOptions): Promise<MigrationResult>;
  /** Disconnects Prisma, stops listeners, closes the pool or PGlite. Idempotent. */
  close(): Promise<void>;
}
