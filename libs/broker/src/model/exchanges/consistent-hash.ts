import { AmqpError, ReplyCode, plainValue } from '../../protocol';
import { oneOfArgument, stringArgument } from '../arguments';
import type { Binding, Destination } from '../binding';
import { Exchange, type ExchangeOptions } from '../exchange';
import type { Message } from '../message';

interface RingPoint {
  readonly hash: number;
  readonly destination: Destination;
}

const HASHABLE_PROPERTIES = ['message_id', 'correlation_id', 'timestamp'] as const;

/**
 * x-consistent-hash: each binding's key is its weight (an integer), giving it that
 * many points on a hash ring. A message goes to the destination owning the first
 * point at or after the hash of its routing key (or of a configured header /
 * property), so adding a destination moves only about 1/N of the keys.
 */
export class ConsistentHashExchange extends Exchange {
  private ring: RingPoint[] = [];
  private readonly hashHeader: string | undefined;
  private readonly hashProperty: (typeof HASHABLE_PROPERTIES)[number] | undefined;

  constructor(options: ExchangeOptions) {
    super(options);
    this.hashHeader =
      stringArgument(options.args, 'hash-header') ??
      stringArgument(options.args, 'x-hash-on-header');
    this.hashProperty =
      oneOfArgument(options.args, 'hash-property', HASHABLE_PROPERTIES) ??
      oneOfArgument(options.args, 'x-hash-on-message-property', HASHABLE_PROPERTIES);
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
    if (this.ring.length === 0) return;
    const key = this.hashInput(message, routingKey);
    if (key === undefined) return;
    const hash = hashString(key);
    // first point with point.hash >= hash, wrapping to the start of the ring
    let low = 0;
    let high = this.ring.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.ring[mid]!.hash < hash) low = mid + 1;
      else high = mid;
    }
    out.push(this.ring[low === this.ring.length ? 0 : low]!.destination);
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
    const points: RingPoint[] = [];
    for (const binding of this.bindings.values()) {
      const weight = weightOf(binding);
      const id = `${binding.destination.kind}:${binding.destination.name}`;
      for (let i = 0; i < weight; i++) {
        points.push({ hash: hashString(`${id}#${i}`), destination: binding.destination });
      }
    }
    points.sort((a, b) => a.hash - b.hash);
    this.ring = points;
  }
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
