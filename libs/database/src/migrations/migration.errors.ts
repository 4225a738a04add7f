/** Base class: anything that stops a migration run. */
export class MigrationError extends Error {
  override readonly name: string = 'MigrationError';
}

/** The migrations folder is missing, unreadable, or for another provider. */
export class MigrationsFolderError extends MigrationError {
  override readonly name = 'MigrationsFolderError';
}

/** An applied migration's migration.sql was edited afterwards. */
export class MigrationChecksumMismatchError extends MigrationError {
  override readonly name = 'MigrationChecksumMismatchError';
  constructor(
    readonly migrationName: string,
    readonly recordedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `migration ${migrationName} was modified after it was applied: recorded checksum ${recordedChecksum}, ` +
        `file checksum ${fileChecksum}. Restore its migration.sql and put the change into a new migration ` +
        `(npm run db:migration:new -- <name>).`,
    );
  }
}

/** A migration failed earlier (finished_at is null); nothing more is applied until it is resolved. */
export class FailedMigrationBlocksError extends MigrationError {
  override readonly name = 'FailedMigrationBlocksError';
  constructor(
    readonly migrationName: string,
    readonly startedAt: Date,
    readonly logs: string | null,
  ) {
    super(
      `migration ${migrationName} (started ${startedAt.toISOString()}) failed and blocks further migrations. ` +
        `Fix the database by hand, then mark it: ` +
        `npm run db:migrate -- --resolve-rolled-back ${migrationName} (it will be retried) or ` +
        `npm run db:migrate -- --resolve-applied ${migrationName} (treated as done). ` +
        `Its error: ${logs ?? '(no logs)'}`,
    );
  }
}

/** The migration run just now failed; it is recorded and will block until resolved. */
export class MigrationFailedError extends MigrationError {
  override readonly name = 'MigrationFailedError';
  constructor(
    readonly migrationName: string,
    cause: unknown,
  ) {
    super(
      `migration ${migrationName} failed and was rolled back: ${describeDatabaseError(cause)}`,
      { cause },
    );
  }
}

/** Another runner held the advisory lock for longer than the configured wait. */
export class MigrationLockTimeoutError extends MigrationError {
  override readonly name = 'MigrationLockTimeoutError';
}

/** `--resolve-*` named a migration that is not in a failed state. */
export class MigrationResolveError extends MigrationError {
  override readonly name = 'MigrationResolveError';
}

/** Message, SQLSTATE and position of a driver error, for logs and messages. */
export function describeDatabaseError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = error as Error & {
    code?: string;
    position?: string;
    detail?: string;
    hint?: string;
  };
  const parts = [error.message];
  if (details.code) parts.push(`SQLSTATE ${details.code}`);
  if (details.position) parts.push(`at character ${details.position}`);
  if (details.detail) parts.push(`detail: ${details.detail}`);
  if (details.hint) parts.push(`hint: ${details.hint}`);
  return parts.join('; ');
}
