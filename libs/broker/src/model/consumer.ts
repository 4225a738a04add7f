import type { Queue } from './queue';
import type { QueueEntry } from './queue-entry';

/** What a queue needs from a consumer; the server's channel implements it. */
export interface QueueConsumer {
  readonly tag: string;
  /** x-priority: higher-priority consumers get messages while they have credit. */
  readonly priority: number;
  readonly exclusive: boolean;
  readonly noAck: boolean;
  /** Room for one more delivery: prefetch, channel flow and socket backpressure allow it. */
  hasCredit(): boolean;
  deliver(queue: Queue, entry: QueueEntry): void;
  /** The queue is gone: tell the client (basic.cancel, consumer_cancel_notify). */
  cancelByServer(queue: Queue): void;
}

interface PriorityGroup {
  readonly priority: number;
  readonly members: QueueConsumer[];
  cursor: number;
}

/**
 * A queue's consumers: round-robin within the highest priority that has credit,
 * or only the single active consumer (x-single-active-consumer), which hands over
 * to the next in subscription order when it leaves.
 */
export class ConsumerSet {
  private readonly groups: PriorityGroup[] = [];
  /** Subscription order (single active consumer is the first of it). */
  private readonly order: QueueConsumer[] = [];

  constructor(private readonly singleActive: boolean) {}

  get size(): number {
    return this.order.length;
  }

  get active(): QueueConsumer | undefined {
    return this.singleActive ? this.order[0] : undefined;
  }

  all(): readonly QueueConsumer[] {
    return this.order;
  }

  find(tag: string): QueueConsumer | undefined {
    return this.order.find((c) => c.tag === tag);
  }

  add(consumer: QueueConsumer): void {
    this.order.push(consumer);
    let index = this.groups.findIndex((g) => g.priority <= consumer.priority);
    if (index < 0) index = this.groups.length;
    const group = this.groups[index];
    if (group !== undefined && group.priority === consumer.priority) group.members.push(consumer);
    else
      this.groups.splice(index, 0, { priority: consumer.priority, members: [consumer], cursor: 0 });
  }

  remove(consumer: QueueConsumer): boolean {
    const at = this.order.indexOf(consumer);
    if (at < 0) return false;
    this.order.splice(at, 1);
    const gi = this.groups.findIndex((g) => g.members.includes(consumer));
    const group = this.groups[gi]!;
    const mi = group.members.indexOf(consumer);
    group.members.splice(mi, 1);
    if (mi < group.cursor) group.cursor--;
    if (group.members.length === 0) this.groups.splice(gi, 1);
    return true;
  }

  /** The consumer the next message goes to, or undefined when none has credit. */
  pick(): QueueConsumer | undefined {
    if (this.singleActive) {
      const active = this.order[0];
      return active !== undefined && active.hasCredit() ? active : undefined;
    }
    const groups = this.groups;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const members = group.members;
      const n = members.length;
      for (let i = 0; i < n; i++) {
        const index = (group.cursor + i) % n;
        const consumer = members[index]!;
        if (consumer.hasCredit()) {
          group.cursor = index + 1 === n ? 0 : index + 1;
          return consumer;
        }
      }
    }
    return undefined;
  }
}
