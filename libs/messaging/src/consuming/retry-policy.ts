import type { BackoffPolicy, RetryOptions } from '../interfaces/subscribe-options.interface';

export const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF = { initialMs: 1000, factor: 2, maxMs: 60_000 };

/** Total attempts (first delivery included). */
export function maxAttempts(retry: RetryOptions | false | undefined): number {
  if (retry === false) return 1;
  return Math.max(1, Math.floor(retry?.attempts ?? DEFAULT_ATTEMPTS));
}

/** Delay before the retry that follows failed attempt `attempt` (1-based). */
export function retryDelayMs(retry: RetryOptions | false | undefined, attempt: number): number {
  const backoff: BackoffPolicy = (retry && retry.backoff) || DEFAULT_BACKOFF;
  if (Array.isArray(backoff)) {
    const list = backoff as readonly number[];
    return list.length === 0 ? 0 : list[Math.min(attempt, list.length) - 1];
  }
  const { initialMs, factor, maxMs } = { ...DEFAULT_BACKOFF, ...(backoff as object) };
  return Math.min(maxMs, initialMs * factor ** (attempt - 1));
}

/**
 * Whether an error says the delivery was not processed at all and must go back to its
 * queue as it is (`redeliver: true`, as the idempotency stage sets at shutdown for a
 * delivery it held for an unavailable store): no attempt is counted, so it can never
 * be dead-lettered for it.
 */
export function isRedelivery(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { redeliver?: unknown }).redeliver === true
  );
}

/** Whether an error says retrying cannot help (`retryable: false`, as MessagingError subclasses set). */
export function isRetryable(error: unknown): boolean {
  return !(
    typeof error === 'object' &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === false
  );
}
