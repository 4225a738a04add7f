/** The database URL (DATABASE_URL or the module's `url`) is not one Surety accepts. */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
}

/** The configured database could not be opened or reached when starting. */
export class DatabaseConnectionError extends Error {
  override readonly name = 'DatabaseConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
