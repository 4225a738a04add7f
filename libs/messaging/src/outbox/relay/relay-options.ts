import type { PublishResult } from '../../interfaces/publish-options.interface';
import type { OutboxRow } from './outbox-row';
import type { OutboxBackoff } from './retry-policy';

/** @publicApi */
export interface OutboxRelayOptions {
  /** Rows per claim. Default 500. */
  readonly batchSize?: number;
  /** Batches in flight at once: batch k+1 is claimed while batch k awaits its confirms. Default 3. */
  readonly pipelineDepth?: number;
  /** Polling fallback when no NOTIFY arrives. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Attempts before a row is marked failed (its compensation runs). Default 20. */
  readonly maxAttempts?: number;
  readonly backoff?: OutboxBackoff;
  /** A returned (unroutable) message: 'fail' at once (default) or 'retry' with backoff. */
  readonly unroutable?: 'fail' | 'retry';
  /**
   * 'locked' (FOR UPDATE SKIP LOCKED, several relays; PostgreSQL default) or
   * 'in-process' (one relay per database; PGlite default). See docs/outbox/relay.md.
   */
  readonly claim?: 'locked' | 'in-process';
  /** Sent rows are deleted after this long. Default 7 days; false keeps them. */
  readonly retentionMs?: number | false;
  /** How often retention (and, on PGlite, the vacuum below) runs. Default 60 s. */
  readonly pruneIntervalMs?: number;
  /**
   * PGlite only, which has no autovacuum: VACUUM the outbox table at the next retention
   * run once this many rows were marked sent, retried, failed or pruned since the last
   * VACUUM. Until then their old versions take disk space that is never reused, and
   * claims step over their index entries. Default 50,000; false never. PostgreSQL's
   * autovacuum does this there (docs/outbox/relay.md, "At scale").
   */
  readonly vacuumAfterRows?: number | false;
  /** How long a final failure is held back from re-claiming while its compensation runs. Default 60 s. */
  readonly compensationHoldMs?: number;
  /**
   * How long a compensation may run. One that has not finished by then is given up on:
   * its transaction rolls back, the row stays pending and is tried again later, as when
   * a compensation throws. Keep it below compensationHoldMs. Default 30 s.
   */
  readonly compensationTimeoutMs?: number;
  /** NOTIFY channel (must match the writer's). Default 'surety_outbox'. */
  readonly channel?: string;
  /**
   * Test seam: runs after the broker's verdicts arrived and before any row is marked.
   * Crash tests kill the process here to prove a confirmed-but-unmarked row is only
   * published twice, never lost.
   */
  readonly afterConfirm?: (
    rows: readonly OutboxRow[],
    results: readonly PublishResult[],
  ) => void | Promise<void>;
}

export type ResolvedRelayOptions = Required<
  Omit<OutboxRelayOptions, 'afterConfirm' | 'claim' | 'backoff'>
> &
  Pick<OutboxRelayOptions, 'afterConfirm' | 'claim'> & { backoff: Required<OutboxBackoff> };

export function resolveRelayOptions(options: OutboxRelayOptions): ResolvedRelayOptions {
  const resolved = {
    batchSize: options.batchSize ?? 500,
    pipelineDepth: options.pipelineDepth ?? 3,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    maxAttempts: options.maxAttempts ?? 20,
    backoff: {
      initialMs: options.backoff?.initialMs ?? 1000,
      factor: options.backoff?.factor ?? 2,
      maxMs: options.backoff?.maxMs ?? 60_000,
    },
    unroutable: options.unroutable ?? 'fail',
    claim: options.claim,
    retentionMs: options.retentionMs ?? 7 * 24 * 3600_000,
    pruneIntervalMs: options.pruneIntervalMs ?? 60_000,
    vacuumAfterRows: options.vacuumAfterRows ?? 50_000,
    compensationHoldMs: options.compensationHoldMs ?? 60_000,
    compensationTimeoutMs: options.compensationTimeoutMs ?? 30_000,
    channel: options.channel ?? 'surety_outbox',
    afterConfirm: options.afterConfirm,
  };
  validate(resolved);
  return resolved;
}

/** Node runs a longer timer after 1 ms instead (TimeoutOverflowWarning). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Refuses what would only misbehave later: a NaN or infinite delay makes PostgreSQL
 * refuse the batch's marks ("interval out of range"), so a confirmed batch would be
 * published again and again; a timer of 0, a negative one or one past Node's limit
 * fires every millisecond.
 */
function validate(o: ResolvedRelayOptions): void {
  const check = (name: string, value: unknown, ok: boolean, what: string) => {
    if (!ok) {
      throw new RangeError(`outbox relay option ${name} must be ${what}, got ${String(value)}`);
    }
  };
  const positiveInteger = (name: string, value: number) =>
    check(name, value, Number.isInteger(value) && value >= 1, 'a positive integer');
  const timer = (name: string, value: number) =>
    check(
      name,
      value,
      value > 0 && value <= LONGEST_TIMER_MS,
      `a number of milliseconds above 0 and at most ${LONGEST_TIMER_MS}`,
    );
  const milliseconds = (name: string, value: number, zeroAllowed: boolean) =>
    check(
      name,
      value,
      Number.isFinite(value) && (zeroAllowed ? value >= 0 : value > 0),
      `a finite number of milliseconds, ${zeroAllowed ? '0 or more' : 'above 0'}`,
    );

  positiveInteger('batchSize', o.batchSize);
  positiveInteger('pipelineDepth', o.pipelineDepth);
  positiveInteger('maxAttempts', o.maxAttempts);
  timer('pollIntervalMs', o.pollIntervalMs);
  timer('pruneIntervalMs', o.pruneIntervalMs);
  if (o.retentionMs !== false) milliseconds('retentionMs', o.retentionMs, true);
  milliseconds('compensationHoldMs', o.compensationHoldMs, true);
  timer('compensationTimeoutMs', o.compensationTimeoutMs);
  if (o.vacuumAfterRows !== false) positiveInteger('vacuumAfterRows', o.vacuumAfterRows);
  // 0 would retry at once, forever: the backoff is what keeps a failing row from spinning.
  milliseconds('backoff.initialMs', o.backoff.initialMs, false);
  check(
    'backoff.factor',
    o.backoff.factor,
    o.backoff.factor >= 1 && Number.isFinite(o.backoff.factor),
    'a finite number, 1 or more',
  );
  milliseconds('backoff.maxMs', o.backoff.maxMs, false);
  check(
    'unroutable',
    o.unroutable,
    o.unroutable === 'fail' || o.unroutable === 'retry',
    "'fail' or 'retry'",
  );
  check(
    'claim',
    o.claim,
    o.claim === undefined || o.claim === 'locked' || o.claim === 'in-process',
    "'locked' or 'in-process'",
  );
  check(
    'channel',
    o.channel,
    typeof o.channel === 'string' && o.channel.length > 0,
    'a non-empty string',
  );
}
