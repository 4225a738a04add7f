/** A store failure that names the file (and offset) it concerns, so an operator can act on it. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** `err.code` of a Node system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

/** Wraps a filesystem error with what the store was doing and the path. */
export function fsError(action: string, path: string, err: unknown): StoreError {
  const detail = err instanceof Error ? err.message : String(err);
  return new StoreError(`${action} ${path}: ${detail}`, path, { cause: err });
}
