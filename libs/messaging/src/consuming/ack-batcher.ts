import type { Channel, Message } from 'amqplib';

/** A delivery tag settled without this batcher's ack: acked alone, nacked or rejected. */
const SETTLED = 0;

/**
 * Acks a consumer channel's deliveries in batches: one basic.ack with
 * `multiple` per event-loop turn instead of one frame (and syscall) per message.
 *
 * Only a handler that has finished asks for its ack, and `multiple` acks
 * every unacked tag up to the one named, so a batch covers only the unbroken
 * run of tags from the oldest that are all finished (or already settled some
 * other way); a finished message beyond a still-running one is acked on its
 * own in the same turn, so no ack waits for a slow neighbour. Tags on a channel
 * are consecutive from 1 and this channel has one consumer, so the run is known
 * exactly.
 */
export class AckBatcher {
  // entries[i] is delivery tag firstTag + i: a finished message waiting for its ack,
  // SETTLED, or a hole (still being handled, or left for the broker to requeue).
  private entries: (Message | typeof SETTLED | undefined)[] = [];
  private firstTag = 1;
  private waiting = 0;
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
    const index = this.slot(message);
    if (index < 0) return;
    this.entries[index] = message;
    this.waiting++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** `message` was nacked or rejected directly on the channel: never name it in an ack. */
  settledElsewhere(message: Message): void {
    const index = this.slot(message);
    if (index >= 0) this.entries[index] = SETTLED;
  }

  /** Sends the waiting acks now (also before the channel is closed on purpose). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.waiting === 0) return;
    const entries = this.entries;
    let run = 0;
    let last: Message | undefined;
    let inRun = 0;
    while (run < entries.length && entries[run] !== undefined) {
      const entry = entries[run];
      if (entry !== SETTLED) {
        last = entry;
        inRun++;
      }
      run++;
    }
    let acked = 0;
    try {
      if (last !== undefined) {
        this.channel.ack(last, true);
        acked += inRun;
      }
      for (let i = run; i < entries.length; i++) {
        const entry = entries[i];
        if (entry !== undefined && entry !== SETTLED) {
          this.channel.ack(entry);
          entries[i] = SETTLED;
          acked++;
        }
      }
    } catch (error) {
      this.onLost(this.waiting - acked, error);
      this.entries = [];
      this.waiting = 0;
      if (acked > 0) this.onAcked(acked);
      return;
    }
    entries.splice(0, run);
    this.firstTag += run;
    this.waiting = 0;
    this.onAcked(acked);
  };

  /** Index of the message's tag in `entries`, growing it as needed; -1 if already behind us. */
  private slot(message: Message): number {
    const index = message.fields.deliveryTag - this.firstTag;
    if (index < 0) return -1;
    const entries = this.entries;
    while (entries.length <= index) entries.push(undefined);
    return index;
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
