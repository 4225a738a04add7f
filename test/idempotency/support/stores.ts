import type { IdempotencyStore } from '@surety/messaging/idempotency';
import type { ServiceName } from '../../support/services';

/** One store implementation as the conformance suite sees it. */
export interface StoreUnderTest {
  readonly name: string;
  readonly needs: ServiceName[];
  /** A fresh, empty store plus a way to drop it. */
  open(): Promise<OpenedStore>;
}

export interface OpenedStore {
  readonly store: IdempotencyStore<unknown>;
  /** Does with the effect's `tx` what a real handler does (writes through it). */
  useTransaction(tx: unknown): Promise<void>;
  /** The same kind of store pointed at a backend that does not answer. */
  unreachable(): Promise<IdempotencyStore<unknown>>;
  dispose(): Promise<void>;
}
