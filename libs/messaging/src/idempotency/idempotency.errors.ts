/**
 * The idempotency store (Redis or the database) could not be asked. The delivery's
 * fate is unknown, so it must be neither run nor acked: back off and ask again.
 *
 * @publicApi
 */
export class IdempotencyStoreUnavailableError extends Error {
  /**
   * Set when the delivery was held, never run, and the application is shutting down:
   * the consumer requeues it unchanged instead of counting a failed attempt.
   */
  readonly redeliver: boolean;

  constructor(
    readonly store: 'db' | 'redis',
    cause: unknown,
    { redeliver = false }: { redeliver?: boolean } = {},
  ) {
    super(
      `idempotency store "${store}" is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'IdempotencyStoreUnavailableError';
    this.redeliver = redeliver;
  }
}

/**
 * A delivery has no idempotency key (by default the AMQP message-id), so it cannot be
 * deduplicated. Not retryable: the same message will never grow a key.
 *
 * @publicApi
 */
export class MissingIdempotencyKeyError extends Error {
  /** Read by the consumer: dead-letter at once instead of retrying. */
  readonly retryable = false;
  /** `consumer` names the handler (`Class.method`) and its queue. */
  constructor(readonly consumer: string) {
    super(
      `consumer ${consumer} uses idempotency but the delivery has no idempotency key ` +
        `(no messageId, or the key function returned nothing or an empty string); ` +
        `dead-lettered rather than run unguarded`,
    );
    this.name = 'MissingIdempotencyKeyError';
  }
}

/**
 * The consumer's idempotency key function threw, or returned something other than a
 * string. Not retryable: the function sees the same message on every attempt, so the
 * delivery is dead-lettered with this reason instead of being run unguarded.
 *
 * @publicApi
 */
export class InvalidIdempotencyKeyError extends Error {
  /** Read by the consumer: dead-letter at once instead of retrying. */
  readonly retryable = false;
  /** `consumer` names the handler (`Class.method`) and its queue. */
  constructor(
    readonly consumer: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      `consumer ${consumer}: the idempotency key function ${problem}; ` +
        `dead-lettered rather than run unguarded`,
      options,
    );
    this.name = 'InvalidIdempotencyKeyError';
  }
}

/**
 * Another worker has held this delivery's key for longer than the middleware was
 * willing to wait. Retryable: the delivery comes back later and asks again.
 *
 * @publicApi
 */
export class IdempotencyKeyBusyError extends Error {
  readonly retryable = true;
  constructor(
    readonly consumer: string,
    readonly key: string,
    waitedMs: number,
  ) {
    super(
      `consumer "${consumer}": message ${key} is being handled by another worker ` +
        `(still busy after ${waitedMs} ms); retrying later`,
    );
    this.name = 'IdempotencyKeyBusyError';
  }
}
