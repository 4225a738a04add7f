/**
 * Base of every error Surety raises. `retryable` tells a caller (or the outbox
 * relay) whether trying the same operation again can succeed: a nack or a lost
 * connection can; an unroutable message or a bad configuration cannot.
 *
 * @publicApi
 */
export abstract class MessagingError extends Error {
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
