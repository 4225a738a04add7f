/**
 * The idempotency store (Redis or the database) could not be asked. The delivery's
 * fate is unknown, so it must be neither run nor acked: back off and ask again.
 *
 * @publicApi
 */
export class IdempotencyStoreUnavailableError extends Error {
  constructor(
    readonly store: 'db' | 'redis',
    cause: unknown,
  ) {
    super(
      `idempotency store "${store}" is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'IdempotencyStoreUnavailableError';
  }
}

/**
 * A delivery has no idempotency key (by default the AMQP message-id), so it cannot be
 * deduplicated. Not retryable: the same message will never grow a key.
 *
 * @publicApi
 */
export class MissingIdempotencyKeyError extends Error {
  constructor(readonly consumer: string) {
    super(
      `consumer "${consumer}" uses idempotency but the delivery has no idempotency key ` +
        `(no messageId, or the key function returned nothing)`,
    );
    this.name = 'MissingIdempotencyKeyError';
  }
}
