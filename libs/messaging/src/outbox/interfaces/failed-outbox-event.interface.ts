/**
 * An outbox event the relay gave up on, as a compensation sees it.
 *
 * @publicApi
 */
export interface FailedOutboxEvent<T = unknown> {
  readonly messageId: string;
  readonly type: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly key: string | null;
  readonly sequence: number | null;
  readonly payload: T;
  readonly headers: Readonly<Record<string, unknown>>;
  /** Failed attempts, this last one included. */
  readonly attempts: number;
  /** Why it failed (the broker's return reason, the missing exchange, the last error). */
  readonly reason: string;
}

/**
 * Runs inside the transaction that marks the row failed: its writes commit together
 * with the failed status, exactly once per failed row. `tx` is a Prisma interactive
 * transaction client.
 *
 * @publicApi
 */
export type Compensation<T = unknown, Tx = unknown> = (
  event: FailedOutboxEvent<T>,
  tx: Tx,
) => Promise<void>;
