import type { Options } from 'amqplib';
import type { ZodType } from 'zod';
import type { ExchangeDeclaration } from './topology.interface';

/**
 * Delay before retry n (n = the attempt that just failed, from 1):
 * initialMs * factor^(n-1), capped at maxMs. Or an explicit list of delays.
 *
 * @publicApi
 */
export type BackoffPolicy =
  | { readonly initialMs?: number; readonly factor?: number; readonly maxMs?: number }
  | readonly number[];

/** @publicApi */
export interface RetryOptions {
  /** Total attempts, the first delivery included. Default 3. 1 = no retries. */
  readonly attempts?: number;
  /** Default { initialMs: 1000, factor: 2, maxMs: 60 000 }. */
  readonly backoff?: BackoffPolicy;
}

/**
 * Options of @Subscribe. Queue-level settings (prefetch, concurrency,
 * deadLetter, queueOptions) must agree when several handlers share a queue.
 *
 * @publicApi
 */
export interface SubscribeOptions<T = unknown> {
  /** The queue to consume; declared durable unless `declare` is false. */
  readonly queue: string;
  /**
   * Exchange to bind the queue to: a name (it must be declared in the
   * topology) or a declaration (declared here).
   */
  readonly exchange?: string | ExchangeDeclaration;
  readonly routingKey?: string;
  readonly routingKeys?: readonly string[];
  /** Message types this handler takes; others on the queue go to other handlers. Omit for a catch-all. */
  readonly type?: string | readonly string[];
  /** Unacked messages the broker may push to this consumer. Default 20. */
  readonly prefetch?: number;
  /** Handlers running at once for this queue. Default: prefetch. */
  readonly concurrency?: number;
  /** Retries with delays (TTL + dead-letter levels); false = no retries. */
  readonly retry?: RetryOptions | false;
  /** Dead-letter queue for exhausted or unprocessable messages. Default true: `<queue>.dlq`. */
  readonly deadLetter?: boolean | { readonly queue: string };
  /** zod schema the payload must satisfy; failures go straight to the dead-letter queue. */
  readonly schema?: ZodType<T>;
  /** Extra queue arguments (e.g. { arguments: { 'x-queue-type': 'quorum' } }). */
  readonly queueOptions?: Options.AssertQueue;
  /** Declare the queue (default true). False: the queue must exist already. */
  readonly declare?: boolean;
}
