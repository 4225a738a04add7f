/** Reconnect pacing: exponential growth, capped, with jitter so a fleet does not reconnect in step. */
export interface BackoffOptions {
  /** First delay in ms. Default 100. */
  readonly initialMs?: number;
  /** Cap in ms. Default 10 000. */
  readonly maxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Fraction of the delay that is randomised (0..1). Default 0.3. */
  readonly jitter?: number;
}

/**
 * Delay before reconnect attempt `attempt` (1-based): initial * factor^(attempt-1),
 * capped at max, then spread over [d * (1 - jitter), d].
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialMs = 100, maxMs = 10_000, factor = 2, jitter = 0.3 } = options;
  const base = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - jitter * random()));
}
