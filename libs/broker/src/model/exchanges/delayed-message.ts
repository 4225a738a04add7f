import { numericValue } from '../../protocol';
import type { Binding, Destination } from '../binding';
import { Exchange, type ExchangeOptions } from '../exchange';
import type { Message } from '../message';
import { MinHeap } from '../min-heap';

export interface DelayedEntry {
  readonly message: Message;
  readonly dueAt: number;
  readonly seq: number;
  /** Set by the durability layer when the entry was persisted. */
  handle?: unknown;
}

/** Called when a delayed message is due; routes it through this exchange without delaying again. */
export type ReleaseDelayed = (exchange: DelayedMessageExchange, entry: DelayedEntry) => void;

/**
 * x-delayed-message (as RabbitMQ's plugin): a message with a positive `x-delay`
 * header (ms) is held and routed when due, in due order (publish order on ties);
 * routing itself is that of the `x-delayed-type` exchange this one wraps.
 */
export class DelayedMessageExchange extends Exchange {
  private readonly pending = new MinHeap<DelayedEntry>(
    (a, b) => a.dueAt - b.dueAt || a.seq - b.seq,
  );
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private seq = 0;
  /** Wired by the vhost: where due messages go, and how newly held ones are persisted. */
  onRelease: ReleaseDelayed = () => undefined;
  onHold: (exchange: DelayedMessageExchange, entry: DelayedEntry) => void = () => undefined;

  constructor(
    options: ExchangeOptions,
    private readonly inner: Exchange,
  ) {
    super(options);
  }

  get delayedType(): string {
    return this.inner.type;
  }

  get heldCount(): number {
    return this.pending.length;
  }

  protected override validateBinding(binding: Binding): void {
    // the inner exchange validates key/arguments for its own type
    this.inner.bind(binding);
    this.inner.unbind(binding.id);
  }

  protected addBinding(binding: Binding): void {
    this.inner.bind(binding);
  }

  protected removeBinding(binding: Binding): void {
    this.inner.unbind(binding.id);
  }

  route(message: Message, routingKey: string, out: Destination[]): void {
    this.inner.route(message, routingKey, out);
  }

  override intercept(message: Message): boolean {
    if (!message.hasHeaders) return false;
    const delay = numericValue(message.headers?.['x-delay']);
    if (delay === undefined || delay <= 0) return false;
    this.hold(message, Date.now() + Number(delay));
    return true;
  }

  /** Holds a message until `dueAt` (also used to restore persisted entries on recovery). */
  hold(message: Message, dueAt: number, handle?: unknown): DelayedEntry {
    const entry: DelayedEntry = { message, dueAt, seq: this.seq++, handle };
    this.pending.push(entry);
    if (handle === undefined) this.onHold(this, entry);
    this.arm();
    return entry;
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private arm(): void {
    const head = this.pending.peek();
    if (head === undefined || head.dueAt >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = head.dueAt;
    this.timer = setTimeout(() => this.releaseDue(), Math.max(0, head.dueAt - Date.now()));
    this.timer.unref();
  }

  private releaseDue(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    while (this.pending.length > 0 && this.pending.peek()!.dueAt <= now) {
      this.onRelease(this, this.pending.pop()!);
    }
    this.arm();
  }
}
