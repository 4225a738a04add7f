import { MessagingError } from './messaging.error';

/**
 * Declaring one exchange, queue or binding failed (e.g. a binding to an
 * undeclared exchange, a queue redeclared with other arguments). The other
 * declarations, and the consumers that do not depend on it, carry on.
 *
 * @publicApi
 */
export class TopologyError extends MessagingError {
  readonly retryable = false;
  constructor(
    readonly entity: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot declare ${entity}: ${reason}`, options);
  }
}
