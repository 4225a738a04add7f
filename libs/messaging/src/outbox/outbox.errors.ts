import { MessagingError } from '../errors';

/**
 * An event's payload (or headers) cannot survive JSON: refused at add(), so the
 * business transaction fails instead of committing an event nobody can publish.
 *
 * @publicApi
 */
export class OutboxSerializationError extends MessagingError {
  readonly retryable = false;
  constructor(
    readonly eventType: string,
    readonly path: string,
    reason: string,
  ) {
    super(`outbox event "${eventType}" is not serializable: ${reason} at ${path}`);
  }
}

/**
 * An event lacks something the relay needs (type, exchange) or has a malformed field.
 *
 * @publicApi
 */
export class InvalidOutboxEventError extends MessagingError {
  readonly retryable = false;
  constructor(eventType: string | undefined, reason: string) {
    super(`outbox event "${eventType ?? '(no type)'}" is invalid: ${reason}`);
  }
}
