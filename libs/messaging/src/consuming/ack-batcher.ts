import type { Channel, Message } from 'amqplib';

/**
 * Acks a consumer channel's deliveries in batches: one basic.ack with
 * `multiple` per event-loop turn instead of one frame (and syscall) per message.
 *
 * Only a handler that has finished asks for its ack, and `multiple` acks
 * every unacked tag up to the one named, so a batch covers only tags below
 * the oldest delivery still unsettled (its handler running, or left for the
 * broker to requeue); a finished message beyond it is acked on its own in the
 * same turn, so no ack waits for a slow neighbour. Tags on a channel are
 * consecutive from 1 and this channel has one consumer, so every tag below the
 * highest one seen has been delivered: the unsettled ones are known exactly.
 *
 * The bookkeeping is the unsettled tags, not every tag since the oldest of
 * them: at most the prefetch window, however many deliveries finish behind a
 * handler that runs for minutes (or never returns).
 */
export class AckBatcher {
  /** The highest delivery tag settled so far (acked, nacked or rejected). */
  private highestTag = 0;
  /**
   * Tags up to `highestTag` not settled yet. Each is added once, in ascending
   * order, so the first in iteration order is the oldest.
   */
  private readonly unsettled = new Set<number>();
  /** Finished deliveries whose ack goes out with the next flush. */
  private waiting: Message[] = [];
  private scheduled = false;

  constructor(
    private readonly channel: Channel,
    /** Called after each flush with how many messages it acked. */
    private readonly onAcked: (count: number) => void,
    /** The channel closed before a flush: those messages will be redelivered. */
    private readonly onLost: (count: number, error: unknown) => void,
  ) {}

  /** The handler of `message` finished: ack it with this turn's batch. */
  ack(message: Message): void {
    if (!this.settle(message.fields.deliveryTag)) return;
    this.waiting.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** `message` was nacked or rejected directly on the channel: never name it in an ack. */
  settledElsewhere(message: Message): void {
    this.settle(message.fields.deliveryTag);
  }

  /** Sends the waiting acks now (also before the channel is closed on purpose). */
  readonly flush = (): void => {
    this.scheduled = false;
    const waiting = this.waiting;
    if (waiting.length === 0) return;
    this.waiting = [];
    // Every tag below the oldest unsettled one is settled: one `multiple` ack covers them.
    const oldest: number = this.unsettled.values().next().value ?? Infinity;
    let last: Message | undefined;
    let inRun = 0;
    for (const message of waiting) {
      if (message.fields.deliveryTag > oldest) continue;
      inRun++;
      if (last === undefined || message.fields.deliveryTag > last.fields.deliveryTag) {
        last = message;
      }
    }
    let acked = 0;
    try {
      if (last !== undefined) {
        this.channel.ack(last, true);
        acked += inRun;
      }
      for (const message of waiting) {
        if (message.fields.deliveryTag < oldest) continue;
        this.channel.ack(message);
        acked++;
      }
    } catch (error) {
      this.onLost(waiting.length - acked, error);
      if (acked > 0) this.onAcked(acked);
      return;
    }
    this.onAcked(acked);
  };

  /** Records `tag` as settled; false if it already was (never ack a tag twice). */
  private settle(tag: number): boolean {
    if (tag <= this.highestTag) return this.unsettled.delete(tag);
    // The tags skipped over were delivered too, and are still being handled.
    for (let skipped = this.highestTag + 1; skipped < tag; skipped++) this.unsettled.add(skipped);
    this.highestTag = tag;
    return true;
  }
}

const batchers = new WeakMap<Channel, AckBatcher>();

/** The one batcher of a consumer channel (made on first use). */
export function ackBatcherOf(channel: Channel, make: (channel: Channel) => AckBatcher): AckBatcher {
  let batcher = batchers.get(channel);
  if (batcher === undefined) {
    batcher = make(channel);
    batchers.set(channel, batcher);
  }
  return batcher;
}

/** Sends a channel's waiting acks now, if it has a batcher (before closing it on purpose). */
export function flushAcks(channel: Channel): void {
  batchers.get(channel)?.flush();
}
