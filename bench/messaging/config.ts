import type { Options } from 'amqplib';
import { randomUUID } from 'node:crypto';

/** Timed messages per workload (SURETY_BENCH_N). */
export const N = Number(process.env.SURETY_BENCH_N ?? 20_000);
/** Untimed messages before the timed ones, so both sides are measured with warm JIT. */
export const WARMUP = Number(process.env.SURETY_BENCH_WARMUP ?? 2_000);
/** Unconfirmed publishes in flight (Surety's default window). */
export const WINDOW = 1000;
export const PREFETCH = 1000;

// A JSON payload of 256 bytes once encoded. Raw sends these bytes as they are;
// Surety gets the object and must JSON-encode it per message, as an application would.
export const payload = { policyId: 'P-000123', event: 'policy.issued', pad: 'x'.repeat(195) };
export const body = Buffer.from(JSON.stringify(payload));

/** Bare raw properties: what the baseline sends. */
export function bareProperties(): Options.Publish {
  return { persistent: true, mandatory: true, contentType: 'application/json' };
}

/**
 * What every Surety message carries (messageId, correlationId, type, timestamp,
 * headers), so a raw publisher sending these stores messages of equal size.
 * The id is Node's randomUUID (pooled entropy, the cheapest uuid there is), not
 * the uuid package's v7, which draws fresh randomness per id and would make
 * this baseline look slower than a careful raw publisher is.
 */
export function suretyLikeProperties(type: string): Options.Publish {
  const id = randomUUID();
  return {
    persistent: true,
    mandatory: true,
    contentType: 'application/json',
    messageId: id,
    correlationId: id,
    type,
    timestamp: Math.floor(Date.now() / 1000),
    headers: {},
  };
}
