/**
 * Binary-decomposed delay levels (pure arithmetic; see docs/messaging/delays.md).
 *
 * Level k is a queue whose x-message-ttl is 2^k * baseMs. A delay of n base
 * units visits exactly the levels of the set bits of n, highest first. Every
 * queue holds messages of one TTL only, so expiry order equals arrival order
 * and a long delay never holds back a short one (no head-of-line blocking).
 */
export interface DelayLevelOptions {
  /** Name prefix of the delay exchanges and queues. Default 'surety.delay'. */
  readonly prefix?: string;
  /** Duration of one unit in ms: the precision of delays. Default 100. */
  readonly baseMs?: number;
  /** Number of levels: the longest delay is (2^levels - 1) * baseMs. Default 28 (~310 days at 100 ms). */
  readonly levels?: number;
}

export type ResolvedDelayLevels = Required<DelayLevelOptions>;

export function resolveDelayLevels(options: DelayLevelOptions = {}): ResolvedDelayLevels {
  const resolved = { prefix: 'surety.delay', baseMs: 100, levels: 28, ...options };
  if (!Number.isInteger(resolved.baseMs) || resolved.baseMs < 1) {
    throw new RangeError(`delay.baseMs must be a positive integer, got ${resolved.baseMs}`);
  }
  if (!Number.isInteger(resolved.levels) || resolved.levels < 1 || resolved.levels > 40) {
    throw new RangeError(`delay.levels must be an integer in 1..40, got ${resolved.levels}`);
  }
  if (2 ** (resolved.levels - 1) * resolved.baseMs > 0xffffffff) {
    throw new RangeError(
      `delay.levels ${resolved.levels} x baseMs ${resolved.baseMs} exceeds the 2^32-1 ms TTL limit`,
    );
  }
  return resolved;
}

/** The longest delay the levels can express, in ms. */
export function maxDelayMs(levels: ResolvedDelayLevels): number {
  return (2 ** levels.levels - 1) * levels.baseMs;
}

/** Delay in whole units (rounded to the nearest unit, so the error is at most baseMs / 2). */
export function delayUnits(delayMs: number, levels: ResolvedDelayLevels): number {
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new RangeError(`delay must be a finite number of ms >= 0, got ${delayMs}`);
  }
  if (delayMs > maxDelayMs(levels)) {
    throw new RangeError(
      `delay ${delayMs} ms exceeds the longest configured delay ${maxDelayMs(levels)} ms ` +
        `(delay.levels=${levels.levels}, delay.baseMs=${levels.baseMs})`,
    );
  }
  return Math.round(delayMs / levels.baseMs);
}

/** Bits of `units`, least significant first: bits[k] is true when level k is visited. */
export function delayBits(units: number): boolean[] {
  const bits: boolean[] = [];
  for (let rest = units, k = 0; rest > 0; k++, rest = Math.floor(rest / 2)) {
    bits[k] = rest % 2 === 1;
  }
  return bits;
}

export function levelName(levels: ResolvedDelayLevels, k: number): string {
  return `${levels.prefix}.l${k}`;
}

export function deliverExchangeName(levels: ResolvedDelayLevels): string {
  return `${levels.prefix}.deliver`;
}

/** Not `x-`: headers exchanges ignore x- keys when matching. */
export const LEVEL_HEADER_PREFIX = 'surety-delay-l';

/** Header whose '1'/'0' value routes a message into level k or past it. */
export function levelHeader(k: number): string {
  return `${LEVEL_HEADER_PREFIX}${k}`;
}

export function levelTtlMs(levels: ResolvedDelayLevels, k: number): number {
  return 2 ** k * levels.baseMs;
}
