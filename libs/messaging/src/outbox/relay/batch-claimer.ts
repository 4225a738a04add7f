import type { SqlExecutor, SqlQueryable } from '@surety/database';
import { CLAIM_LOCKED, CLAIM_UNLOCKED, HOLD, MARK_RETRY, MARK_SENT } from '../sql/relay.sql';
import { toOutboxRow, type OutboxRow, type RawOutboxRow } from './outbox-row';

/** What became of a claimed batch; rows in none of the lists are released untouched. */
export interface BatchSettlement {
  /** Confirmed by the broker. */
  readonly sent: readonly bigint[];
  /** Failed for now: one more attempt recorded, due again after `delayMs`. */
  readonly retry: readonly { id: bigint; delayMs: number; error: string }[];
  /** Kept back for `holdMs` (final failures while their compensation runs). */
  readonly hold: readonly bigint[];
  readonly holdMs: number;
}

/** A batch of rows this relay owns until it settles or abandons it. */
export interface ClaimedBatch {
  readonly rows: readonly OutboxRow[];
  /** Records the outcome (and, for a locked claim, commits and unlocks). */
  settle(outcome: BatchSettlement): Promise<void>;
  /** Gives the rows back unchanged (shutdown, or an error before publishing). */
  abandon(): Promise<void>;
}

export interface BatchClaimer {
  /** Up to `limit` eligible rows, or undefined when there are none. */
  claim(limit: number): Promise<ClaimedBatch | undefined>;
}

/**
 * PostgreSQL: the claim is a transaction that stays open while the batch is published.
 * Its row locks keep other relays off the rows (SKIP LOCKED), and a crash simply rolls
 * it back — the rows are claimable again at once, no lease to wait out. See
 * docs/outbox/relay.md for why this beats a lease column here.
 */
export class LockedBatchClaimer implements BatchClaimer {
  constructor(private readonly sql: SqlExecutor) {}

  claim(limit: number): Promise<ClaimedBatch | undefined> {
    return new Promise((resolveClaim, rejectClaim) => {
      let claimed = false;
      const transaction: Promise<void> = this.sql.transaction(async (tx) => {
        const { rows } = await tx.query<RawOutboxRow>(CLAIM_LOCKED, [limit]);
        if (rows.length === 0) {
          claimed = true;
          resolveClaim(undefined);
          return;
        }
        const outcome = deferred<BatchSettlement>();
        claimed = true;
        resolveClaim({
          rows: rows.map(toOutboxRow),
          settle: (settlement) => {
            outcome.resolve(settlement);
            return transaction;
          },
          abandon: () => {
            outcome.reject(new AbandonedBatch());
            return transaction.catch(() => undefined);
          },
        });
        // Rejected by abandon(): the transaction rolls back and the locks go.
        await applySettlement(tx, await outcome.promise);
      });
      transaction.catch((error: unknown) => {
        if (!claimed) rejectClaim(error);
      });
    });
  }
}

/**
 * PGlite: one process owns the database (two processes on one data directory lose
 * writes), so there is exactly one relay and nothing to lock against. Its own
 * in-flight rows are excluded by id; a crash loses the process and the claims with it.
 * No transaction spans the publish, so business transactions are not queued behind
 * broker round trips on PGlite's single connection.
 */
export class InProcessBatchClaimer implements BatchClaimer {
  private readonly inFlight = new Set<bigint>();

  constructor(private readonly sql: SqlExecutor) {}

  async claim(limit: number): Promise<ClaimedBatch | undefined> {
    const { rows } = await this.sql.query<RawOutboxRow>(CLAIM_UNLOCKED, [
      limit,
      [...this.inFlight],
    ]);
    if (rows.length === 0) return undefined;
    const claimed = rows.map(toOutboxRow);
    for (const row of claimed) this.inFlight.add(row.id);
    const release = () => {
      for (const row of claimed) this.inFlight.delete(row.id);
    };
    return {
      rows: claimed,
      settle: async (settlement) => {
        try {
          await this.sql.transaction((tx) => applySettlement(tx, settlement));
        } finally {
          release();
        }
      },
      abandon: async () => release(),
    };
  }
}

async function applySettlement(tx: SqlQueryable, settlement: BatchSettlement): Promise<void> {
  if (settlement.sent.length > 0) await tx.query(MARK_SENT, [settlement.sent]);
  if (settlement.hold.length > 0) await tx.query(HOLD, [settlement.hold, settlement.holdMs]);
  const retry = settlement.retry;
  if (retry.length > 0) {
    await tx.query(MARK_RETRY, [
      retry.map((r) => r.id),
      retry.map((r) => r.delayMs),
      retry.map((r) => r.error),
    ]);
  }
}

class AbandonedBatch extends Error {
  constructor() {
    super('batch abandoned');
  }
}

function deferred<T>(): {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
