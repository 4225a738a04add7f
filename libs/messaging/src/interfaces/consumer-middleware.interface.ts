import type { MessageContext } from './message-context.interface';

/**
 * What flows through the consumer pipeline for one delivery.
 *
 * @publicApi
 */
export interface ConsumerMiddlewareContext {
  readonly message: MessageContext;
  /** The decoded (and, if a schema is set, validated) payload. */
  readonly payload: unknown;
  readonly queue: string;
  /** `Class.method` of the handler that will run. */
  readonly handlerName: string;
}

/**
 * One stage of the consumer pipeline, between validation and the handler.
 * Call `next()` to continue; return without calling it to finish the message
 * (it is acked: e.g. an idempotency check that finds it done); throw to fail
 * it (retried, or dead-lettered at once when the error has `retryable: false`).
 * Runs in the order of the CONSUMER_MIDDLEWARE list.
 *
 * @publicApi
 */
export type ConsumerMiddleware = (
  ctx: ConsumerMiddlewareContext,
  next: () => Promise<void>,
) => Promise<void>;
