/**
 * What an idempotency store decided about one delivery.
 *
 * - `executed`: this call ran the effect and recorded it as done.
 * - `duplicate`: the effect already took place earlier; the caller acks and skips.
 * - `in-progress`: another worker holds the key right now; the caller must retry the
 *   delivery later (never run it concurrently, never ack it as done).
 *
 * @publicApi
 */
export type IdempotencyOutcome<T> =
  | { readonly status: 'executed'; readonly result: T }
  | { readonly status: 'duplicate' }
  | { readonly status: 'in-progress'; readonly retryAfterMs: number };

/**
 * The effect a store guards. `tx` is the database transaction the effect must write
 * through (db store); stores without a transaction pass `undefined`.
 */
export type IdempotentEffect<T, Tx> = (tx: Tx) => Promise<T>;

/**
 * One interface, two implementations (`db`, `redis`); both pass
 * test/idempotency/store-conformance.test.ts.
 *
 * `execute` runs `effect` at most once per (scope, key) while the dedup record lives.
 * If the effect throws, nothing is recorded and the error is rethrown, so a later
 * delivery runs it again. If the store itself cannot be reached it throws
 * {@link IdempotencyStoreUnavailableError}: the caller must not ack.
 *
 * @publicApi
 */
export interface IdempotencyStore<Tx = unknown> {
  /** 'db' (exactly-once effect) or 'redis' (at-least-once with a dedup window). */
  readonly kind: 'db' | 'redis';
  execute<T>(
    scope: string,
    key: string,
    effect: IdempotentEffect<T, Tx>,
  ): Promise<IdempotencyOutcome<T>>;
  /** Whether (scope, key) is recorded as done (for tests, replay tools, reconciliation). */
  isDone(scope: string, key: string): Promise<boolean>;
  close(): Promise<void>;
}
