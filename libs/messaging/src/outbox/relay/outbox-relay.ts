import { Logger } from '@nestjs/common';
import type { DatabaseHandle, Unlisten } from '@surety/database';
import type { OutgoingMessage, PublishResult } from '../../interfaces/publish-options.interface';
import type { Compensation, FailedOutboxEvent } from '../interfaces/failed-outbox-event.interface';
import { OutboxHeaders } from '../outbox.constants';
import {
  DEFER_FAILED,
  MARK_FAILED,
  NEXT_DUE,
  PENDING_INDEX_ONLY,
  PENDING_STATS,
  PRUNE_SENT,
} from '../sql/relay.sql';
import {
  InProcessBatchClaimer,
  LockedBatchClaimer,
  type BatchClaimer,
  type ClaimedBatch,
} from './batch-claimer';
import { CompensationRegistry } from './compensation-registry';
import type { OutboxRow } from './outbox-row';
import { RelayCounters, type OutboxMetricsSnapshot } from './relay-metrics';
import {
  resolveRelayOptions,
  type OutboxRelayOptions,
  type ResolvedRelayOptions,
} from './relay-options';
import { backoffDelay, verdictFor, type RetryPolicyOptions } from './retry-policy';
import { WakeSignal } from './wake-signal';

/** What the relay needs from the messaging core (Publisher satisfies it). */
export interface BatchPublisher {
  publishBatch(messages: readonly OutgoingMessage[]): Promise<PublishResult[]>;
}

/** What the relay needs from the database handle. */
export type RelayDatabase = Pick<DatabaseHandle, 'kind' | 'sql' | 'prisma' | 'listen'>;

/**
 * What a compensation's transaction may take beyond the compensation itself (the mark
 * and the commit): Prisma's own default for a whole interactive transaction.
 */
const COMPENSATION_TX_MARGIN_MS = 5_000;

/** After a batch, empty claims are repeated every LINGER_POLL_MS for LINGER_MS. */
const LINGER_MS = 200;
const LINGER_POLL_MS = 10;

type PrismaTx = Parameters<Parameters<DatabaseHandle['prisma']['$transaction']>[0]>[0];

/**
 * Publishes committed outbox rows: claims due rows in batches, publishes them through
 * the batch publisher (persistent, mandatory, confirmed), marks them sent in one
 * statement, retries failures with backoff, and after the last attempt marks a row
 * failed and runs its compensation in that same transaction. Several instances may
 * run against one PostgreSQL database. Woken by NOTIFY, with polling as a fallback.
 *
 * @publicApi
 */
export class OutboxRelay {
  private readonly logger = new Logger('Surety.OutboxRelay');
  private readonly options: ResolvedRelayOptions;
  private readonly retryPolicy: RetryPolicyOptions;
  private readonly claimer: BatchClaimer;
  private readonly counters = new RelayCounters();
  private readonly signal = new WakeSignal();
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | undefined;
  /** The last start() or stop(), which the next one waits for. */
  private lifecycle: Promise<void> = Promise.resolve();
  private stopping = false;
  private unlisten: Unlisten | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  /** When dueTimer fires (Date.now() scale); Infinity when none is set. */
  private dueTimerAt = Infinity;
  private pausedUntil = 0;
  private lastWorkAt = -Infinity;
  /** Rows updated or deleted since the last VACUUM (counted on PGlite, see vacuumAfterRows). */
  private changedSinceVacuum = 0;

  constructor(
    private readonly db: RelayDatabase,
    private readonly publisher: BatchPublisher,
    options: OutboxRelayOptions = {},
    readonly compensations: CompensationRegistry = new CompensationRegistry(),
  ) {
    this.options = resolveRelayOptions(options);
    this.retryPolicy = {
      maxAttempts: this.options.maxAttempts,
      backoff: this.options.backoff,
      unroutable: this.options.unroutable,
    };
    const mode = this.options.claim ?? (db.kind === 'pglite' ? 'in-process' : 'locked');
    this.claimer =
      mode === 'locked' ? new LockedBatchClaimer(db.sql) : new InProcessBatchClaimer(db.sql);
  }

  /** Registers a compensation without Nest (Nest users: @OnPublishFailed). */
  onPublishFailed<T>(type: string, compensation: Compensation<T, PrismaTx>): this {
    this.compensations.register(type, compensation);
    return this;
  }

  /** Starts listening and relaying. Resolves once LISTEN is in effect. */
  start(): Promise<void> {
    return this.serially(() => this.startNow());
  }

  /** Stops claiming, lets in-flight batches finish (their confirms are bounded), stops listening. */
  stop(): Promise<void> {
    return this.serially(() => this.stopNow());
  }

  /**
   * One start or stop at a time, in call order: a start() while a stop() is under way
   * would otherwise find the relay still running, do nothing, and be undone by the stop.
   */
  private serially(step: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(step);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private async startNow(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    try {
      this.unlisten = await this.db.listen(this.options.channel, () => this.signal.wake());
    } catch (error) {
      this.logger.warn(`LISTEN ${this.options.channel} failed, polling only: ${describe(error)}`);
    }
    if (this.options.retentionMs !== false || this.vacuums) {
      this.pruneTimer = setInterval(() => void this.maintain(), this.options.pruneIntervalMs);
      this.pruneTimer.unref();
    }
    this.running = this.loop();
  }

  private async stopNow(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.signal.wake();
    clearInterval(this.pruneTimer);
    clearTimeout(this.dueTimer);
    this.dueTimerAt = Infinity;
    await this.running;
    this.running = undefined;
    await this.unlisten?.().catch(() => undefined);
    this.unlisten = undefined;
  }

  /**
   * What the retention timer runs: prune, then on PGlite VACUUM the outbox table once
   * `vacuumAfterRows` rows have changed since the last one. Never rejects.
   */
  async maintain(): Promise<void> {
    this.changedSinceVacuum += await this.prune();
    const threshold = this.options.vacuumAfterRows;
    if (!this.vacuums || threshold === false || this.changedSinceVacuum < threshold) return;
    this.changedSinceVacuum = 0;
    try {
      await this.db.sql.query('VACUUM surety_outbox');
    } catch (error) {
      this.logger.warn(`VACUUM of the outbox table failed: ${describe(error)}`);
    }
  }

  /** PGlite has no autovacuum: the relay vacuums the table it churns (vacuumAfterRows). */
  private get vacuums(): boolean {
    return this.db.kind === 'pglite' && this.options.vacuumAfterRows !== false;
  }

  /** Deletes sent rows older than the retention period. Returns how many. */
  async prune(): Promise<number> {
    if (this.options.retentionMs === false) return 0;
    let total = 0;
    try {
      for (;;) {
        const { rowCount } = await this.db.sql.query(PRUNE_SENT, [this.options.retentionMs, 5000]);
        total += rowCount;
        if (rowCount < 5000) return total;
      }
    } catch (error) {
      this.logger.warn(`pruning sent outbox rows failed: ${describe(error)}`);
      return total;
    }
  }

  async metrics(): Promise<OutboxMetricsSnapshot> {
    const { rows } = await this.db.sql.transaction(async (tx) => {
      await tx.exec(PENDING_INDEX_ONLY);
      return tx.query<{ pending: bigint; oldest_ms: number }>(PENDING_STATS);
    });
    const c = this.counters;
    return {
      pending: Number(rows[0]?.pending ?? 0),
      oldestPendingAgeMs: Math.round(Number(rows[0]?.oldest_ms ?? 0)),
      publishedPerSecond: c.publishedPerSecond(),
      published: c.published,
      retries: c.retries,
      failures: c.failures,
      compensations: c.compensations,
      compensationErrors: c.compensationErrors,
      claimedBatches: c.claimedBatches,
    };
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      if (this.inFlight.size >= this.options.pipelineDepth) {
        await Promise.race(this.inFlight);
        continue;
      }
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) {
        // On the wake signal, so that stop() does not wait out the pause (a NOTIFY
        // meanwhile only brings the loop back here).
        await this.signal.wait(pause);
        continue;
      }
      this.signal.consume();
      let batch: ClaimedBatch | undefined;
      try {
        batch = await this.claimer.claim(this.options.batchSize);
      } catch (error) {
        this.logger.warn(`claiming outbox rows failed (retrying): ${describe(error)}`);
        await this.signal.wait(this.options.pollIntervalMs);
        continue;
      }
      if (!batch) {
        // Nothing eligible. A finishing batch can unblock the next row of its keys,
        // so it wakes us as well as NOTIFY and the poll timer do. Right after work, look
        // again soon: writers send at most one NOTIFY per few ms, so the tail of a burst
        // may have committed without one.
        const recent = Date.now() - this.lastWorkAt < LINGER_MS;
        await this.signal.wait(recent ? LINGER_POLL_MS : this.options.pollIntervalMs);
        continue;
      }
      this.lastWorkAt = Date.now();
      if (this.stopping) {
        await batch.abandon();
        break;
      }
      this.counters.claimedBatches++;
      const work: Promise<void> = this.process(batch).finally(() => {
        this.inFlight.delete(work);
        this.signal.wake();
      });
      this.inFlight.add(work);
    }
    await Promise.allSettled(this.inFlight);
  }

  private async process(batch: ClaimedBatch): Promise<void> {
    let results: PublishResult[];
    try {
      results = await this.publisher.publishBatch(batch.rows.map(toOutgoing));
      await this.options.afterConfirm?.(batch.rows, results);
    } catch (error) {
      this.logger.error(`publishing an outbox batch failed unexpectedly: ${describe(error)}`);
      await batch.abandon();
      // Not a verdict on the rows: pause instead of reclaiming them in a tight loop.
      this.pausedUntil = Date.now() + this.options.pollIntervalMs;
      return;
    }
    const sent: bigint[] = [];
    const retry: { id: bigint; delayMs: number; error: string }[] = [];
    const failed: { row: OutboxRow; error: string }[] = [];
    let released = false;
    batch.rows.forEach((row, index) => {
      const verdict = verdictFor(results[index], row.attempts, this.retryPolicy);
      if (verdict.kind === 'sent') sent.push(row.id);
      else if (verdict.kind === 'retry') retry.push({ id: row.id, ...verdict });
      else if (verdict.kind === 'fail') failed.push({ row, error: verdict.error });
      else released = true;
    });
    // The publisher is shutting down: the rows it gave back would be claimed and given
    // back again at once, in a loop, until the relay stops.
    if (released) this.pausedUntil = Date.now() + this.options.pollIntervalMs;
    try {
      await batch.settle({
        sent,
        retry,
        hold: failed.map((f) => f.row.id),
        holdMs: this.options.compensationHoldMs,
      });
    } catch (error) {
      // Confirmed rows stay pending and go out again: duplicates, which consumers absorb.
      this.logger.error(
        `marking an outbox batch failed (its rows will be published again): ${describe(error)}`,
      );
      return;
    }
    this.counters.countPublished(sent.length);
    this.counters.retries += retry.length;
    this.changedSinceVacuum += sent.length + retry.length + failed.length;
    if (retry.length > 0) this.wakeWhenDue();
    for (const { row, error } of failed) await this.failFinally(row, error);
  }

  /**
   * Marks the row failed and runs its compensation in one transaction. Only a still
   * pending row can be marked, so the compensation commits exactly once per failed row
   * even if relays race or crash mid-way (a rollback leaves the row pending).
   */
  private async failFinally(row: OutboxRow, reason: string): Promise<void> {
    const compensation = this.compensations.find(row.type);
    try {
      const timeoutMs = this.options.compensationTimeoutMs;
      const marked = await this.db.prisma.$transaction(
        async (tx: PrismaTx) => {
          const updated = await tx.$queryRawUnsafe<unknown[]>(MARK_FAILED, row.id, reason);
          if (updated.length === 0) return false;
          // Prisma rolls an expired transaction back but still waits for its callback: a
          // compensation that never returns would hold this batch, and stop(), forever.
          if (compensation) {
            const timedOut = () => new Error(`compensation did not finish within ${timeoutMs} ms`);
            await within(compensation(failedEvent(row, reason), tx), timeoutMs, timedOut);
          }
          return true;
        },
        // Prisma's default (5 s) would expire a compensation that is merely slow.
        { timeout: timeoutMs + COMPENSATION_TX_MARGIN_MS },
      );
      if (!marked) return;
      this.counters.failures++;
      if (compensation) this.counters.compensations++;
      const what = `outbox event ${row.type} ${row.messageId} (exchange '${row.exchange}', routing key '${row.routingKey}')`;
      if (compensation) this.logger.warn(`${what} failed: ${reason}; compensation committed`);
      else
        this.logger.error(
          `${what} failed: ${reason}; no @OnPublishFailed('${row.type}') compensation is registered`,
        );
    } catch (error) {
      this.counters.compensationErrors++;
      const delayMs = backoffDelay(row.attempts + 1, this.retryPolicy);
      this.logger.error(
        `compensation for outbox event ${row.type} ${row.messageId} threw (row stays pending, ` +
          `retried in ${delayMs} ms): ${describe(error)}`,
      );
      await this.db.sql
        .query(DEFER_FAILED, [row.id, delayMs, `compensation failed: ${describe(error)}`])
        .catch(() => undefined);
    }
  }

  /** Wakes the loop when the earliest backing-off row becomes due, not only at the next poll. */
  private wakeWhenDue(): void {
    void this.db.sql
      .query<{ due_in_ms: number | null }>(NEXT_DUE)
      .then(({ rows }) => {
        const dueInMs = rows[0]?.due_in_ms;
        if (dueInMs === null || dueInMs === undefined || this.stopping) return;
        const at = Date.now() + dueInMs + 5;
        // A wake already set for earlier stays: its row may be due by now, and so no
        // longer in the answer.
        if (at >= this.dueTimerAt) return;
        clearTimeout(this.dueTimer);
        this.dueTimerAt = at;
        this.dueTimer = setTimeout(() => {
          this.dueTimerAt = Infinity;
          this.signal.wake();
        }, at - Date.now());
        this.dueTimer.unref();
      })
      .catch(() => undefined);
  }
}

function toOutgoing(row: OutboxRow): OutgoingMessage {
  const { [OutboxHeaders.correlationId]: correlationId, ...headers } = row.headers;
  if (row.key !== null) {
    headers[OutboxHeaders.key] = row.key;
    headers[OutboxHeaders.sequence] = Number(row.sequence);
  }
  return {
    exchange: row.exchange,
    routingKey: row.routingKey,
    payload: Buffer.from(row.payload),
    options: {
      messageId: row.messageId,
      type: row.type,
      correlationId: typeof correlationId === 'string' ? correlationId : row.messageId,
      headers,
      contentType: 'application/json',
      persistent: true,
      mandatory: true,
    },
  };
}

function failedEvent(row: OutboxRow, reason: string): FailedOutboxEvent {
  return {
    messageId: row.messageId,
    type: row.type,
    exchange: row.exchange,
    routingKey: row.routingKey,
    key: row.key,
    sequence: row.sequence === null ? null : Number(row.sequence),
    payload: JSON.parse(row.payload) as unknown,
    headers: row.headers,
    attempts: row.attempts + 1,
    reason,
  };
}

/** `work`'s outcome, or `timeoutError()` after `ms` if it has none by then (its late outcome is dropped). */
function within<T>(work: T | Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
