import { AmqpError, ReplyCode, type FieldTable } from '../protocol';
import type { Binding } from './binding';
import { ConsumerSet, type QueueConsumer } from './consumer';
import type { DeathReason } from './dead-letter';
import type { MemoryBudget } from './memory-budget';
import type { Message } from './message';
import type { PagedRecord } from './paged-deque';
import type { QueueSettings } from './queue-arguments';
import { QueueEntry, type StoredRef } from './queue-entry';
import { ReadyList, type PageInBatch } from './ready-list';
import type { TransientPaging } from './transient-paging';

/** A failed page-in is retried after this long (the store logs the error). */
const PAGE_IN_RETRY_MS = 1000;

/** What a queue asks of its vhost: dead-lettering, deletion, and the store. */
export interface QueueHost {
  deadLetter(queue: Queue, message: Message, reason: DeathReason): void;
  /** auto-delete (last consumer gone) or x-expires (unused too long). */
  deleteUnused(queue: Queue): void;
  /** Appends a persistent message routed to a durable queue; returns its store position. */
  persist(queue: Queue, message: Message): StoredRef;
  /** The persisted copy is no longer needed (ack, drop, expiry, dead-letter, purge). */
  forget(queue: Queue, ref: StoredRef): void;
  /** A persisted message went out for the first time to a consumer that acks (redelivered after a restart). */
  delivered(queue: Queue, ref: StoredRef): void;
  /** Rewrites a returned quorum-queue message with its x-delivery-count header. */
  withDeliveryCount(message: Message, count: number): Message;
  /** The broker-wide budget ready messages held in memory are charged to. */
  readonly memory: MemoryBudget;
  /** The persisted copy can be read back now (written out), so the body may leave memory. */
  isReadable(ref: StoredRef): boolean;
  /** Reads paged-out messages back, in the order given. */
  readPaged(refs: readonly StoredRef[]): Promise<Message[]>;
  /** Reads one paged-out message back synchronously (basic.get on a paged-out head). */
  readPagedSync(ref: StoredRef): Message;
  /** Where ready messages without a durable copy page out to. */
  readonly transientPaging: TransientPaging;
}

export interface QueueOptions {
  readonly vhost: string;
  readonly name: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  /** The owning connection of an exclusive queue. */
  readonly exclusiveOwner: object | undefined;
  readonly args: FieldTable;
  readonly settings: QueueSettings;
}

/** Flags returned by enqueue (a bit set, to keep the publish path allocation-free). */
export const ENQUEUED_PERSISTED = 1;
export const ENQUEUE_REJECTED = 2;

export interface QueueCounters {
  published: number;
  delivered: number;
  acked: number;
  redelivered: number;
  deadLettered: number;
  expired: number;
  dropped: number;
}

/**
 * A queue: ready messages in order, a count of unacknowledged ones (the channels
 * hold those), its consumers, and the x-argument behaviours: TTL and expiry at the
 * head, length limits with overflow, dead-lettering, delivery limit, x-expires,
 * auto-delete.
 */
export class Queue {
  readonly kind = 'queue' as const;
  /** "<vhost>/<name>", the store's key for this queue. */
  readonly key: string;
  readonly vhost: string;
  readonly name: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly exclusiveOwner: object | undefined;
  readonly args: FieldTable;
  readonly settings: QueueSettings;
  readonly consumers: ConsumerSet;
  /** Bindings that lead here (to drop them when the queue goes). */
  readonly incoming = new Set<Binding>();
  readonly counters: QueueCounters = {
    published: 0,
    delivered: 0,
    acked: 0,
    redelivered: 0,
    deadLettered: 0,
    expired: 0,
    dropped: 0,
  };
  unacked = 0;
  hadConsumer = false;
  deleted = false;
  routeStamp = 0;

  private readonly ready: ReadyList;
  private nextSeq = 1;
  private readonly hasTtl: boolean;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryTimerAt = Infinity;
  private unusedTimer: NodeJS.Timeout | undefined;
  private deliveryScheduled = false;
  private delivering = false;

  constructor(
    options: QueueOptions,
    private readonly host: QueueHost,
  ) {
    this.vhost = options.vhost;
    this.name = options.name;
    this.key = `${options.vhost}/${options.name}`;
    this.durable = options.durable;
    this.autoDelete = options.autoDelete;
    this.exclusiveOwner = options.exclusiveOwner;
    this.args = options.args;
    this.settings = options.settings;
    this.consumers = new ConsumerSet(options.settings.singleActiveConsumer);
    this.ready = new ReadyList(options.settings.maxPriority, host.memory);
    this.hasTtl = options.settings.messageTtl !== undefined;
    this.touch();
  }

  get messageCount(): number {
    return this.ready.length;
  }

  get messageBytes(): number {
    return this.ready.bytes;
  }

  /** Ready messages whose body is on disk only. */
  get pagedCount(): number {
    return this.ready.paged;
  }

  /** Estimated memory of the ready messages held in memory (charged to the budget). */
  get memoryBytes(): number {
    return this.ready.memoryBytes;
  }

  get consumerCount(): number {
    return this.consumers.size;
  }

  get isQuorum(): boolean {
    return this.settings.type === 'quorum';
  }

  /**
   * Accepts a routed message: straight to a consumer with credit when nothing is
   * waiting, else to the ready list (then length limits and head expiry apply).
   */
  enqueue(message: Message): number {
    const settings = this.settings;
    if (settings.overflow !== 'drop-head' && this.wouldOverflow(message)) {
      if (settings.overflow === 'reject-publish-dlx') this.deadLetterOrDrop(message, 'maxlen');
      return ENQUEUE_REJECTED;
    }
    this.counters.published++;
    const expiresAt =
      this.hasTtl || message.expiration !== undefined ? this.expiryOf(message) : Infinity;
    let flags = 0;
    let ref: StoredRef | undefined;
    if (this.durable && message.deliveryMode === 2) {
      ref = this.host.persist(this, message);
      flags = ENQUEUED_PERSISTED;
    }
    const entry = new QueueEntry(message, this.nextSeq++, expiresAt, ref);
    if (this.ready.length === 0 && this.consumers.size > 0) {
      const consumer = this.consumers.pick();
      // TTL 0 means "deliver now or expire": a consumer ready this instant still gets it
      if (consumer !== undefined && (expiresAt === Infinity || expiresAt >= Date.now())) {
        this.deliverTo(consumer, entry);
        return flags;
      }
    }
    this.ready.push(entry);
    if (settings.maxLength !== undefined || settings.maxLengthBytes !== undefined)
      this.dropOverflow();
    if (expiresAt !== Infinity && this.ready.peek() === entry) this.expireHead(Date.now());
    return flags;
  }

  /** basic.get: the next live message, or undefined. */
  get(noAck: boolean): QueueEntry | undefined {
    this.touch();
    const entry = this.takeHeadOrPaged();
    this.prefetch();
    if (entry === undefined) return undefined;
    this.counters.delivered++;
    if (entry.redelivered) this.counters.redelivered++;
    if (noAck) {
      this.release(entry);
    } else {
      this.unacked++;
      if (entry.ref !== undefined && !entry.redelivered) this.host.delivered(this, entry.ref);
    }
    return entry;
  }

  /** The consumer acknowledged the entry. */
  ack(entry: QueueEntry): void {
    this.unacked--;
    this.counters.acked++;
    this.release(entry);
  }

  /** reject/nack with requeue=false: dead-letter (reason rejected) or drop. */
  reject(entry: QueueEntry): void {
    this.unacked--;
    if (this.deleted) return;
    this.deadLetterOrDrop(entry.message, 'rejected');
    this.release(entry);
  }

  /**
   * Back to its original position, marked redelivered. A quorum queue counts the
   * return and dead-letters the message once it exceeds the delivery limit.
   */
  requeue(entry: QueueEntry): void {
    this.unacked--;
    if (this.deleted) return;
    entry.redelivered = true;
    if (this.isQuorum) {
      entry.returns++;
      if (entry.returns > this.settings.deliveryLimit) {
        this.deadLetterOrDrop(entry.message, 'delivery_limit');
        this.release(entry);
        return;
      }
      entry.message = this.host.withDeliveryCount(entry.message, entry.returns);
    }
    this.ready.requeue(entry);
    if (entry.expiresAt !== Infinity) this.expireHead(Date.now());
    this.scheduleDelivery();
  }

  addConsumer(consumer: QueueConsumer): void {
    this.consumers.add(consumer);
    this.hadConsumer = true;
    this.clearUnusedTimer();
    this.scheduleDelivery();
  }

  /** Removes a consumer; an auto-delete queue goes when its last consumer leaves. */
  removeConsumer(consumer: QueueConsumer): void {
    if (!this.consumers.remove(consumer)) return;
    if (this.consumers.size > 0) {
      // single active consumer: the next in line may now take over
      this.scheduleDelivery();
      return;
    }
    if (this.autoDelete && this.hadConsumer) this.host.deleteUnused(this);
    else this.touch();
  }

  /** Messages became deliverable or a consumer gained credit: deliver once this turn ends. */
  scheduleDelivery(): void {
    if (this.deliveryScheduled || this.ready.length === 0 || this.consumers.size === 0) return;
    this.deliveryScheduled = true;
    process.nextTick(this.runScheduledDelivery);
  }

  /** Delivers ready messages to consumers while any has credit. */
  deliverReady(): void {
    if (this.delivering || this.deleted) return;
    this.delivering = true;
    try {
      while (this.ready.length > 0) {
        const consumer = this.consumers.pick();
        if (consumer === undefined) break;
        const entry = this.takeHead();
        if (entry === undefined) break;
        this.deliverTo(consumer, entry);
      }
    } finally {
      this.delivering = false;
    }
    if (this.ready.paged > 0) this.prefetch();
  }

  /**
   * Pages out up to `max` persisted, never-delivered ready messages behind the head
   * window (the broker's pager calls this while over the memory budget). Returns
   * how many left memory.
   */
  pageOut(max: number): number {
    if (this.deleted) return 0;
    return this.ready.pageOut(max, this.canPage, this.writeTransient);
  }

  /** Starts reading paged-out messages back while a level's in-memory head is short. */
  prefetch(): void {
    if (this.deleted) return;
    for (let batch = this.ready.startLoad(); batch; batch = this.ready.startLoad()) {
      this.load(batch);
    }
  }

  /**
   * Drops all ready messages, in memory or paged out (unacknowledged ones stay, as in
   * RabbitMQ); returns how many.
   */
  purge(): number {
    const count = this.ready.length;
    // Each purged record is released: unacknowledged messages keep theirs in the store,
    // so one requeued after the purge still survives a crash.
    const entries = this.ready.clear(this.releaseTransient, this.releaseStored);
    for (const entry of entries) this.release(entry);
    this.disarmExpiry();
    return count;
  }

  /** Marks the queue deleted and tells its consumers; returns the ready count. */
  delete(): number {
    if (this.deleted) return 0;
    this.deleted = true;
    const count = this.ready.length;
    this.ready.clear(this.releaseTransient);
    this.disarmExpiry();
    this.clearUnusedTimer();
    for (const consumer of [...this.consumers.all()]) {
      this.consumers.remove(consumer);
      consumer.cancelByServer(this);
    }
    return count;
  }

  /**
   * Restores a recovered persistent message (startup); `redelivered` when it had been
   * delivered before the restart.
   */
  restore(message: Message, ref: StoredRef, redelivered = false): void {
    const expiresAt =
      this.hasTtl || message.expiration !== undefined ? this.expiryOf(message) : Infinity;
    const entry = new QueueEntry(message, this.nextSeq++, expiresAt, ref);
    entry.redelivered = redelivered;
    this.ready.push(entry);
  }

  /**
   * Restores a recovered persistent message without its body (startup over the
   * memory budget): it is read back when it nears the head. Call prefetch() after.
   */
  restorePaged(
    ref: StoredRef,
    size: number,
    priority: number,
    expiration: string | undefined,
  ): void {
    const expiresAt =
      this.hasTtl || expiration !== undefined ? this.ttlExpiry(expiration) : Infinity;
    this.ready.pushPaged(priority, { ref, size, seq: this.nextSeq++, expiresAt, transient: false });
  }

  /** Restarts the x-expires clock (declare, get, last consumer gone). */
  touch(): void {
    if (this.settings.expires === undefined || this.deleted) return;
    this.clearUnusedTimer();
    if (this.consumers.size > 0) return;
    this.unusedTimer = setTimeout(() => {
      this.unusedTimer = undefined;
      if (this.consumers.size === 0 && !this.deleted) this.host.deleteUnused(this);
    }, this.settings.expires);
    this.unusedTimer.unref();
  }

  /** Ready entries in delivery order (management, tests). */
  readyEntries(): QueueEntry[] {
    return [...this.ready];
  }

  private readonly runScheduledDelivery = (): void => {
    this.deliveryScheduled = false;
    this.deliverReady();
  };

  private deliverTo(consumer: QueueConsumer, entry: QueueEntry): void {
    this.counters.delivered++;
    if (entry.redelivered) this.counters.redelivered++;
    if (consumer.noAck) {
      consumer.deliver(this, entry);
      this.release(entry);
    } else {
      this.unacked++;
      // a redelivered entry was marked when it first went out (or recovered marked)
      if (entry.ref !== undefined && !entry.redelivered) this.host.delivered(this, entry.ref);
      consumer.deliver(this, entry);
    }
  }

  /** Takes the head, expiring dead heads on the way. */
  private takeHead(): QueueEntry | undefined {
    let entry = this.ready.shift();
    if (entry === undefined || entry.expiresAt === Infinity) return entry;
    const now = Date.now();
    while (entry !== undefined && entry.expiresAt <= now) {
      this.expire(entry);
      entry = this.ready.shift();
    }
    this.armExpiry();
    return entry;
  }

  /** Removes expired messages from the head and re-arms the timer for the next one. */
  private expireHead(now: number): void {
    let head = this.ready.peek();
    while (head !== undefined && head.expiresAt <= now) {
      this.ready.shift();
      this.expire(head);
      head = this.ready.peek();
    }
    this.armExpiry();
    if (this.ready.paged > 0) this.prefetch();
  }

  private expire(entry: QueueEntry): void {
    this.counters.expired++;
    this.deadLetterOrDrop(entry.message, 'expired');
    this.release(entry);
  }

  /** basic.get when the head is paged out: read it synchronously (one record). */
  private takeHeadOrPaged(): QueueEntry | undefined {
    const now = Date.now();
    for (;;) {
      const entry = this.takeHead();
      if (entry !== undefined) return entry;
      const record = this.ready.shiftPaged();
      if (record === undefined) return undefined;
      if (record.expiresAt <= now) {
        this.counters.expired++;
        this.deadLetterPaged(record, 'expired');
        continue;
      }
      let message: Message;
      try {
        message = record.transient
          ? this.host.transientPaging.readSync(record.ref)
          : this.host.readPagedSync(record.ref);
      } catch (error) {
        // a persisted copy stays in the store, so a restart brings it back; a transient
        // one is lost with its paging file, as it would be with the broker's memory
        if (record.transient) this.host.transientPaging.release(record.ref);
        throw new AmqpError(
          ReplyCode.InternalError,
          `cannot read message of queue '${this.name}' back from disk: ${(error as Error).message}`,
        );
      }
      if (record.transient) {
        this.host.transientPaging.release(record.ref);
        return new QueueEntry(message, record.seq, record.expiresAt, undefined);
      }
      return new QueueEntry(message, record.seq, record.expiresAt, record.ref);
    }
  }

  /**
   * Only never-delivered entries may page: persisted ones once the store can read
   * their record back, transient ones (no store ref) while the paging area works.
   */
  private readonly canPage = (entry: QueueEntry): boolean => {
    if (entry.redelivered || entry.returns !== 0) return false;
    if (entry.ref !== undefined) return this.host.isReadable(entry.ref);
    return this.host.transientPaging.available;
  };

  private readonly writeTransient = (entry: QueueEntry): StoredRef =>
    this.host.transientPaging.write(entry.message);

  private readonly releaseTransient = (ref: StoredRef): void =>
    this.host.transientPaging.release(ref);

  private readonly releaseStored = (ref: StoredRef): void => {
    if (!this.deleted) this.host.forget(this, ref);
  };

  /** Reads a batch back (the records basic.get or drop-head have not taken meanwhile). */
  private load(batch: PageInBatch): void {
    const offset = batch.taken;
    this.readRecords(batch.records, offset).then(
      (messages) => this.loaded(batch, messages, offset),
      () => {
        // the store reported it; try again, unless the batch is no longer wanted
        const retry = setTimeout(() => {
          if (!this.deleted && this.ready.isCurrent(batch)) this.load(batch);
        }, PAGE_IN_RETRY_MS);
        retry.unref();
      },
    );
  }

  /**
   * Reads records[from..] back: from the store, the paging area, or both when a
   * durable queue holds persistent and transient messages side by side.
   */
  private readRecords(records: readonly PagedRecord[], from: number): Promise<Message[]> {
    const durable: StoredRef[] = [];
    const transient: StoredRef[] = [];
    for (let i = from; i < records.length; i++) {
      const record = records[i]!;
      (record.transient ? transient : durable).push(record.ref);
    }
    if (transient.length === 0) return this.host.readPaged(durable);
    if (durable.length === 0) return this.host.transientPaging.read(transient);
    return Promise.all([
      this.host.readPaged(durable),
      this.host.transientPaging.read(transient),
    ]).then(([fromStore, fromPaging]) => {
      const messages: Message[] = [];
      let d = 0;
      let t = 0;
      for (let i = from; i < records.length; i++) {
        messages.push(records[i]!.transient ? fromPaging[t++]! : fromStore[d++]!);
      }
      return messages;
    });
  }

  private loaded(batch: PageInBatch, messages: Message[], offset: number): void {
    if (this.deleted) return;
    const taken = batch.taken;
    if (!this.ready.completeLoad(batch, messages, offset)) return;
    // back in memory: their copies in the paging area are not needed any more
    for (let i = taken; i < batch.records.length; i++) {
      const record = batch.records[i]!;
      if (record.transient) this.host.transientPaging.release(record.ref);
    }
    this.expireHead(Date.now()); // also arms the expiry timer and prefetches the next batch
    this.scheduleDelivery();
  }

  /** Expiry, drop-head or basic.get met a paged-out head: dead-letter after reading it back. */
  private deadLetterPaged(record: PagedRecord, reason: DeathReason): void {
    const paging = this.host.transientPaging;
    if (this.settings.deadLetterExchange === undefined) {
      this.counters.dropped++;
      if (record.transient) paging.release(record.ref);
      else if (!this.deleted) this.host.forget(this, record.ref);
      return;
    }
    this.counters.deadLettered++;
    if (record.transient) {
      paging.read([record.ref]).then(
        ([message]) => {
          paging.release(record.ref);
          this.host.deadLetter(this, message!, reason);
        },
        () => paging.release(record.ref), // reported by the paging area; the message is lost
      );
      return;
    }
    this.host.readPaged([record.ref]).then(
      ([message]) => {
        this.host.deadLetter(this, message!, reason);
        if (!this.deleted) this.host.forget(this, record.ref);
      },
      // reported by the store; the persisted copy stays and comes back after a restart
      () => undefined,
    );
  }

  private armExpiry(): void {
    const head = this.ready.peek();
    if (head === undefined || head.expiresAt === Infinity) return;
    if (this.expiryTimer !== undefined && this.expiryTimerAt <= head.expiresAt) return;
    this.disarmExpiry();
    this.expiryTimerAt = head.expiresAt;
    this.expiryTimer = setTimeout(this.onExpiryTimer, Math.max(0, head.expiresAt - Date.now()));
    this.expiryTimer.unref();
  }

  private readonly onExpiryTimer = (): void => {
    this.expiryTimer = undefined;
    this.expiryTimerAt = Infinity;
    if (!this.deleted) this.expireHead(Date.now());
  };

  private disarmExpiry(): void {
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryTimerAt = Infinity;
  }

  private clearUnusedTimer(): void {
    if (this.unusedTimer !== undefined) clearTimeout(this.unusedTimer);
    this.unusedTimer = undefined;
  }

  private expiryOf(message: Message): number {
    return this.ttlExpiry(message.expiration);
  }

  private ttlExpiry(expiration: string | undefined): number {
    let ttl = this.settings.messageTtl;
    if (expiration !== undefined) {
      const perMessage = Number(expiration);
      ttl = ttl === undefined ? perMessage : Math.min(ttl, perMessage);
    }
    return ttl === undefined ? Infinity : Date.now() + ttl;
  }

  private wouldOverflow(message: Message): boolean {
    const { maxLength, maxLengthBytes } = this.settings;
    return (
      (maxLength !== undefined && this.ready.length + 1 > maxLength) ||
      (maxLengthBytes !== undefined && this.ready.bytes + message.body.length > maxLengthBytes)
    );
  }

  /** drop-head: remove (and dead-letter, reason maxlen) the oldest until within limits. */
  private dropOverflow(): void {
    const { maxLength, maxLengthBytes } = this.settings;
    while (
      (maxLength !== undefined && this.ready.length > maxLength) ||
      (maxLengthBytes !== undefined && this.ready.bytes > maxLengthBytes)
    ) {
      const head = this.ready.shift();
      if (head !== undefined) {
        this.deadLetterOrDrop(head.message, 'maxlen');
        this.release(head);
        continue;
      }
      const paged = this.ready.shiftPaged();
      if (paged === undefined) break;
      this.deadLetterPaged(paged, 'maxlen');
    }
  }

  private deadLetterOrDrop(message: Message, reason: DeathReason): void {
    if (this.settings.deadLetterExchange !== undefined) {
      this.counters.deadLettered++;
      this.host.deadLetter(this, message, reason);
    } else {
      this.counters.dropped++;
    }
  }

  /** The entry left this queue for good: free its persisted copy. */
  private release(entry: QueueEntry): void {
    if (entry.ref !== undefined && !this.deleted) this.host.forget(this, entry.ref);
  }
}
