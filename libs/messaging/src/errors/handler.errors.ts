import { MessagingError } from './messaging.error';

/**
 * A message could not be handed to any handler: its body is not JSON, it fails
 * the schema, or no handler takes its type. Retrying cannot help, so the
 * message goes straight to the dead-letter queue with this reason.
 *
 * @publicApi
 */
export class UnprocessableMessageError extends MessagingError {
  readonly retryable = false;
  constructor(
    readonly reason: 'non-json' | 'invalid-payload' | 'unknown-type' | 'handler-contract',
    detail: string,
  ) {
    super(detail);
  }
}
