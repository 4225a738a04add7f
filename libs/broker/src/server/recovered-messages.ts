import type { MessageRef, PersistedMessage, RecoveredMessage } from '../store';
import { ENTRY_OVERHEAD } from '../model/memory-budget';
import { peekProperties } from '../model/property-peek';
import { DELAYED_QUEUE_PREFIX } from './store-durability';

/** Growable columns of recovered messages left on disk: ref, body size, priority, expiration. */
class RefColumns {
  length = 0;
  segment = new Uint32Array(1024);
  position = new Uint32Array(1024);
  recordLength = new Uint32Array(1024);
  size = new Uint32Array(1024);
  priority = new Uint8Array(1024);
  /** The expiration property in ms; -1 when absent. */
  expiration = new Float64Array(1024);

  push(ref: MessageRef, size: number, priority: number, expiration: number): void {
    if (this.length === this.segment.length) this.grow();
    const i = this.length++;
    this.segment[i] = ref.segment;
    this.position[i] = ref.position;
    this.recordLength[i] = ref.length;
    this.size[i] = size;
    this.priority[i] = priority;
    this.expiration[i] = expiration;
  }

  private grow(): void {
    const capacity = this.segment.length * 2;
    const grown = <T extends Uint32Array | Uint8Array | Float64Array>(a: T): T => {
      const next = new (a.constructor as new (n: number) => T)(capacity);
      next.set(a);
      return next;
    };
    this.segment = grown(this.segment);
    this.position = grown(this.position);
    this.recordLength = grown(this.recordLength);
    this.size = grown(this.size);
    this.priority = grown(this.priority);
    this.expiration = grown(this.expiration);
  }
}

/** One queue's recovered messages: a prefix with bodies in memory, the rest as refs. */
export interface RecoveredQueueMessages {
  readonly loaded: RecoveredMessage[];
  readonly paged: RefColumns;
}

/**
 * The store's recovery visitor: keeps copies of messages while their estimated
 * memory fits the budget, and only refs plus the few fields a queue needs for the
 * rest, so a restart with a backlog larger than memory does not load it all. Once
 * a queue's messages start going to refs, the rest of that queue does too (order) —
 * a message marked delivered that comes after that point (a priority level behind a
 * paged backlog, or a mark lost in the crash) is paged and loses its redelivered flag.
 * Messages held by durable delayed exchanges are always kept: the exchange holds
 * them in memory anyway.
 */
export class RecoveredMessages {
  private readonly queues = new Map<string, RecoveredQueueMessages>();
  private used = 0;

  constructor(private readonly budget: number) {}

  readonly visit = (
    queueKey: string,
    ref: MessageRef,
    message: PersistedMessage,
    redelivered: boolean,
  ): void => {
    let queue = this.queues.get(queueKey);
    if (queue === undefined) {
      queue = { loaded: [], paged: new RefColumns() };
      this.queues.set(queueKey, queue);
    }
    const cost = message.body.length + message.header.length + ENTRY_OVERHEAD;
    // Messages delivered before the restart stay in memory even over the budget: there
    // are at most as many as were unacknowledged, they lead their queue (delivery takes
    // the head), and a paged record could not carry the redelivered flag.
    const keep =
      queueKey.includes(`/${DELAYED_QUEUE_PREFIX}`) ||
      (queue.paged.length === 0 && (redelivered || this.used + cost <= this.budget));
    if (keep) {
      this.used += cost;
      queue.loaded.push({
        ref,
        message: {
          exchange: message.exchange,
          routingKey: message.routingKey,
          header: Buffer.from(message.header),
          body: Buffer.from(message.body),
        },
        redelivered,
      });
      return;
    }
    const peeked = peekProperties(message.header);
    const expiration = peeked.expiration === undefined ? -1 : Number(peeked.expiration);
    queue.paged.push(ref, message.body.length, peeked.priority, expiration);
  };

  get(queueKey: string): RecoveredQueueMessages | undefined {
    return this.queues.get(queueKey);
  }

  /** Visits the paged part of a queue in order. */
  static forEachPaged(
    paged: RefColumns,
    fn: (ref: MessageRef, size: number, priority: number, expiration: string | undefined) => void,
  ): void {
    for (let i = 0; i < paged.length; i++) {
      const expiration = paged.expiration[i]!;
      fn(
        {
          segment: paged.segment[i]!,
          position: paged.position[i]!,
          length: paged.recordLength[i]!,
        },
        paged.size[i]!,
        paged.priority[i]!,
        expiration < 0 ? undefined : String(expiration),
      );
    }
  }
}
