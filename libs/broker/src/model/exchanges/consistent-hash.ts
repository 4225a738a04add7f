import { AmqpError, ReplyCode, plainValue } from '../../protocol';
import { oneOfArgument, stringArgument } from '../arguments';
import type { Binding, Destination } from '../binding';
import { Exchange, type ExchangeOptions } from '../exchange';
import type { Message } from '../message';

const HASHABLE_PROPERTIES = ['message_id', 'correlation_id', 'timestamp'] as const;

/**
 * x-consistent-hash: each binding's key is its weight (an integer), giving it that
 * many buckets. A message goes to the bucket that jump consistent hashing picks
 * for the hash of its routing key (or of a configured header / property) — as
 * RabbitMQ's plugin does — so shares follow the weights and adding a binding
 * moves only about 1/N of the keys.
 */
export class ConsistentHashExchange extends Exchange {
  private buckets: Destination[] = [];
  private readonly hashHeader: string | undefined;
  private readonly hashProperty: (typeof HASHABLE_PROPERTIES)[number] | undefined;

  constructor(options: ExchangeOptions) {
    super(options);
    const what = `exchange '${options.name}' in vhost '${options.vhost}'`;
    this.hashHeader =
      stringArgument(options.args, 'hash-header', what) ??
      stringArgument(options.args, 'x-hash-on-header', what);
    this.hashProperty =
      oneOfArgument(options.args, 'hash-property', what, HASHABLE_PROPERTIES) ??
      oneOfArgument(options.args, 'x-hash-on-message-property', what, HASHABLE_PROPERTIES);
    if (this.hashHeader !== undefined && this.hashProperty !== undefined) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `exchange '${options.name}': hash-header and hash-property are mutually exclusive`,
      );
    }
  }

  protected override validateBinding(binding: Binding): void {
    weightOf(binding);
  }

  protected addBinding(): void {
    this.rebuild();
  }

  protected removeBinding(): void {
    this.rebuild();
  }

  route(message: Message, routingKey: string, out: Destination[]): void {
    if (this.buckets.length === 0) return;
    const key = this.hashInput(message, routingKey);
    if (key === undefined) return;
    out.push(this.buckets[jumpHash(hashString(key), this.buckets.length)]!);
  }

  private hashInput(message: Message, routingKey: string): string | undefined {
    if (this.hashHeader !== undefined) {
      const fv = message.headers?.[this.hashHeader];
      return fv === undefined ? undefined : String(plainValue(fv));
    }
    if (this.hashProperty !== undefined) {
      const props = message.properties;
      const value =
        this.hashProperty === 'message_id'
          ? props.messageId
          : this.hashProperty === 'correlation_id'
            ? props.correlationId
            : props.timestamp;
      return value === undefined ? undefined : String(value);
    }
    return routingKey;
  }

  private rebuild(): void {
    const buckets: Destination[] = [];
    for (const binding of this.bindings.values()) {
      const weight = weightOf(binding);
      for (let i = 0; i < weight; i++) buckets.push(binding.destination);
    }
    this.buckets = buckets;
  }
}

/**
 * Jump consistent hash (Lamping & Veach): the bucket in [0, n) for a key, with a
 * 32-bit generator seeded by the key standing in for the paper's 64-bit LCG.
 */
export function jumpHash(key: number, n: number): number {
  let state = key >>> 0;
  let bucket = -1;
  let next = 0;
  while (next < n) {
    bucket = next;
    // mulberry32 step: a well-mixed uniform value in (0, 1]
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = (((t ^ (t >>> 14)) >>> 0) + 1) / 0x1_0000_0000;
    next = Math.floor((bucket + 1) / r);
  }
  return bucket;
}

function weightOf(binding: Binding): number {
  const weight = Number(binding.routingKey);
  if (!Number.isInteger(weight) || weight < 1 || weight > 100_000) {
    throw new AmqpError(
      ReplyCode.PreconditionFailed,
      `The binding key must be an integer weight: '${binding.routingKey}'`,
    );
  }
  return weight;
}

/** MurmurHash3 (x86, 32-bit) over UTF-16 code units: fast, well spread, deterministic. */
export function hashString(text: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
