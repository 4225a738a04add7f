import { PublisherClosedError, type MessagingError } from '../../errors';
import type { PublishResult } from '../../interfaces/publish-options.interface';

/** @publicApi */
export interface OutboxBackoff {
  /** Delay after the first failed attempt. Default 1000 ms. */
  readonly initialMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Cap. Default 60 000 ms. */
  readonly maxMs?: number;
}

/** What the relay does with one row after the broker's verdict. */
export type RowVerdict =
  | { readonly kind: 'sent' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'fail'; readonly error: string }
  /** Not the row's fault (the publisher is shutting down): give it back, count nothing. */
  | { readonly kind: 'release' };

export interface RetryPolicyOptions {
  readonly maxAttempts: number;
  readonly backoff: Required<OutboxBackoff>;
  /** 'fail' (default): a returned (unroutable) message is a final failure; 'retry': back off. */
  readonly unroutable: 'fail' | 'retry';
  readonly random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so
 * relays that failed together (a broker restart) do not all come back together, yet
 * no retry comes back immediately.
 */
export function backoffDelay(failedAttempts: number, options: RetryPolicyOptions): number {
  const { initialMs, factor, maxMs } = options.backoff;
  const base = Math.min(maxMs, initialMs * factor ** Math.max(0, failedAttempts - 1));
  const random = options.random ?? Math.random;
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Turns the broker's verdict on a row (that had `attempts` failures before) into what to record. */
export function verdictFor(
  result: PublishResult,
  attempts: number,
  options: RetryPolicyOptions,
): RowVerdict {
  if (result.status === 'confirmed') return { kind: 'sent' };
  const error: MessagingError | undefined = result.error;
  if (error instanceof PublisherClosedError) return { kind: 'release' };
  const reason = error?.message ?? `publish ${result.status}`;
  const retryable =
    result.status === 'returned'
      ? options.unroutable === 'retry'
      : result.status === 'nacked' || (error?.retryable ?? true);
  const failedAttempts = attempts + 1;
  if (!retryable || failedAttempts >= options.maxAttempts) {
    const why = retryable ? `gave up after ${failedAttempts} attempts: ${reason}` : reason;
    return { kind: 'fail', error: why };
  }
  return { kind: 'retry', delayMs: backoffDelay(failedAttempts, options), error: reason };
}
