import type { QueueConsumer } from '../model/consumer';
import type { Queue } from '../model/queue';
import type { QueueEntry } from '../model/queue-entry';

/** What a consumer needs from its channel. */
export interface ConsumerChannel {
  /** Channel-wide credit: open, flow on, global prefetch and socket room allow one more. */
  canDeliver(): boolean;
  deliver(consumer: ChannelConsumer, queue: Queue, entry: QueueEntry): void;
  cancelledByServer(consumer: ChannelConsumer): void;
}

/** A basic.consume subscription: one queue, one channel, its own prefetch (global=false qos). */
export class ChannelConsumer implements QueueConsumer {
  /** Unacknowledged deliveries of this consumer (for its own prefetch). */
  unacked = 0;

  constructor(
    private readonly channel: ConsumerChannel,
    readonly queue: Queue,
    readonly tag: string,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    readonly priority: number,
    /** 0 = unlimited. */
    readonly prefetch: number,
  ) {}

  hasCredit(): boolean {
    return (this.prefetch === 0 || this.unacked < this.prefetch) && this.channel.canDeliver();
  }

  deliver(queue: Queue, entry: QueueEntry): void {
    this.channel.deliver(this, queue, entry);
  }

  cancelByServer(): void {
    this.channel.cancelledByServer(this);
  }
}

/** One unacknowledged delivery held by a channel until ack/nack/reject/close. */
export class Unacked {
  constructor(
    readonly tag: number,
    readonly queue: Queue,
    readonly entry: QueueEntry,
    readonly consumer: ChannelConsumer | undefined,
  ) {}
}
