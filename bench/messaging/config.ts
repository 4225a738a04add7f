import type { Options } from 'amqplib';

/**
 * Timed messages per workload: SURETY_BENCH_N, or by default enough for about a second
 * or more on each broker. RabbitMQ moves 15–30k msg/s here; the embedded broker
 * 100–160k, where 20,000 messages were a 0.2 s region and its rounds swung by ±20%.
 */
export function countFor(broker: string): number {
  const given = process.env.SURETY_BENCH_N;
  if (given !== undefined) return Number(given);
  return broker === 'embedded' ? 150_000 : 20_000;
}
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

export { suretyLikeProperties } from '../support/confirm-pump';
