import type { ConsumerMiddlewareContext } from '../../interfaces/consumer-middleware.interface';

/** Which store guards a consumer. @publicApi */
export type IdempotencyStoreKind = 'db' | 'redis';

/**
 * The idempotency key of a delivery. Default: the AMQP message-id (the outbox sets it
 * to the row's uuid, so a republished row has the same key). Synchronous; return a
 * non-empty string, or undefined when the delivery has none. A delivery without a key,
 * or whose key function throws or returns anything else, is dead-lettered at once
 * (MissingIdempotencyKeyError / InvalidIdempotencyKeyError) rather than run unguarded.
 *
 * @publicApi
 */
export type IdempotencyKeyFn = (ctx: ConsumerMiddlewareContext) => string | undefined;

/**
 * `@Subscribe({ ..., idempotency: 'db' })`, or with options.
 *
 * @publicApi
 */
export type IdempotencySetting =
  | IdempotencyStoreKind
  | {
      readonly store: IdempotencyStoreKind;
      readonly key?: IdempotencyKeyFn;
      /**
       * Dedup namespace. Default: the queue name (stable across code refactors).
       * Consumers declaring the same scope share one record: a message runs once across them.
       */
      readonly scope?: string;
    };
