import type {
  IdempotencyOutcome,
  IdempotentEffect,
} from '../interfaces/idempotency-store.interface';
import type { LeaseBatch } from './lease-batch';

/** What a GuardedRun asks of its store. */
export interface GuardedRunHost {
  /** Queues the run's done-marker for the next complete batch (answered by `marked`). */
  markDone(run: GuardedRun): void;
  /** The effect is over (done or failed): its lease needs no more renewal. */
  finished(leases: LeaseBatch, index: number): void;
  /** Deletes our lease after a failed effect, best effort (never rejects). */
  release(key: string, token: string): Promise<void>;
  /** The done-marker found another worker's lease: the effect may run twice. */
  leaseLost(key: string): void;
}

const DUPLICATE = Object.freeze({ status: 'duplicate' as const });
/** Done-marker calls per run before the delivery fails (the first and three retries). */
const MARK_ATTEMPTS = 4;

/**
 * One delivery going through the Redis store: lease, effect, done-marker. The store's
 * batch answers call it back (`acquired`, `marked`, ...) instead of each delivery
 * awaiting a batch promise, so a delivery in flight holds this one object and the
 * promise its caller awaits, not an async frame, a promise and a reaction per step.
 *
 * The order is the guarantee: the outcome is settled only after the done-marker call
 * answered (so the caller acks after the marker is written), a key another worker
 * holds is answered `in-progress` without running the effect, and a failed Redis call
 * rejects the outcome (the caller must not ack).
 */
export class GuardedRun {
  private leases: LeaseBatch | undefined;
  private index = 0;
  private result: unknown;
  private markAttempts = 0;
  resolve!: (outcome: IdempotencyOutcome<unknown>) => void;
  reject!: (error: unknown) => void;

  constructor(
    private readonly host: GuardedRunHost,
    /** The Redis key (prefix, scope and idempotency key). */
    readonly key: string,
    private readonly effect: IdempotentEffect<unknown, undefined>,
  ) {}

  /** The lease token of this run's acquire batch (set once acquired). */
  get token(): string {
    return this.leases!.token;
  }

  /** The acquire batch answered; this run's key is at `index`. */
  acquired(leases: LeaseBatch, index: number): void {
    const state = leases.state(index);
    if (state === 'done') return this.resolve(DUPLICATE);
    if (state !== 'acquired') return this.resolve({ status: 'in-progress', retryAfterMs: state });
    this.leases = leases;
    this.index = index;
    let running: Promise<unknown>;
    try {
      running = this.effect(undefined);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (result) => this.effectDone(result),
      (error: unknown) => this.effectFailed(error),
    );
  }

  /** The acquire call failed (Redis unavailable): nothing ran. */
  acquireFailed(error: unknown): void {
    this.reject(error);
  }

  /** The complete batch answered: 1 or 2 the marker is written, 0 another worker holds the key. */
  marked(code: number): void {
    if (code === 0) this.host.leaseLost(this.key);
    this.resolve({ status: 'executed', result: this.result });
  }

  /**
   * The done-marker call failed. The effect has taken place, and a missing marker means
   * it runs again once the lease expires, so a short Redis hiccup is worth a few quick
   * retries before the delivery fails (unacked, so it is redelivered).
   */
  markFailed(error: unknown): void {
    if (++this.markAttempts >= MARK_ATTEMPTS) return this.reject(error);
    setTimeout(() => this.host.markDone(this), 100 * this.markAttempts);
  }

  private effectDone(result: unknown): void {
    this.host.finished(this.leases!, this.index);
    this.result = result;
    this.host.markDone(this);
  }

  private effectFailed(error: unknown): void {
    this.host.finished(this.leases!, this.index);
    void this.host.release(this.key, this.token).then(() => this.reject(error));
  }
}
