import type { MessagingError } from '../errors';

/** @publicApi */
export interface PublishOptions {
  /** Default: a fresh uuid v7 (time-ordered, so ids sort by publish time). */
  readonly messageId?: string;
  /** The event type, a past-tense fact such as 'policy.issued'. Default: the routing key. */
  readonly type?: string;
  /** Default: the correlation id of the message being handled, else the messageId. */
  readonly correlationId?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  /** Default true: the broker writes the message to disk before it confirms. */
  readonly persistent?: boolean;
  /** Default true: an unroutable message comes back as UnroutableMessageError instead of vanishing. */
  readonly mandatory?: boolean;
  /** Default 'application/json' (payload JSON-encoded), or 'application/octet-stream' for a Buffer. */
  readonly contentType?: string;
  readonly priority?: number;
  readonly expiration?: string | number;
  readonly replyTo?: string;
  /** Deliver after this many ms (TTL + dead-letter levels; see docs/messaging/delays.md). */
  readonly delay?: number;
  /** Confirm timeout in ms; overrides the module's publishing.confirmTimeoutMs. */
  readonly timeoutMs?: number;
}

/** One message of publishBatch(). @publicApi */
export interface OutgoingMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly payload: unknown;
  readonly options?: PublishOptions;
}

/**
 * The broker's verdict on one message: 'confirmed' (stored), 'returned'
 * (unroutable, not retryable), 'nacked' (retryable), or 'failed' (timeout,
 * connection loss, shutdown, missing exchange; see `error.retryable`).
 *
 * @publicApi
 */
export interface PublishResult {
  readonly messageId: string;
  readonly status: 'confirmed' | 'returned' | 'nacked' | 'failed';
  readonly error?: MessagingError;
}
