import { Deque } from './deque';
import { entryCost, MemoryBudget } from './memory-budget';
import { PagedDeque, type PagedRecord } from './paged-deque';
import { QueueEntry, type StoredRef } from './queue-entry';
import type { Message } from './message';

/** At most this many body bytes are read back per batch (records: the budget's window). */
export const PAGE_IN_BYTES = 1024 * 1024;

/** Paged records of one level being read back from the store. */
export interface PageInBatch {
  readonly level: number;
  readonly records: PagedRecord[];
  /** Records at the front already taken by basic.get, drop-head or expiry while reading. */
  taken: number;
  readonly generation: number;
}

/**
 * One priority level. Unpaged it is just `front`. Paged, it is `front` (in memory:
 * the head window, page-ins, requeued entries), then `loading` (records being read
 * back), then `middle` (paged out: refs only), then `back` (arrivals since paging
 * began, in memory until the pager takes them). Only never-delivered entries are
 * ever paged out, so a requeued entry (it was delivered, so it is older than all of
 * them) always goes back into `front`.
 */
class ReadyLevel {
  front = new Deque<QueueEntry>();
  /** Defined while the level is paged (any of middle, loading, back non-empty). */
  back: Deque<QueueEntry> | undefined;
  readonly middle = new PagedDeque();
  loading: PageInBatch | undefined;
  count = 0;

  /** Leaves paged mode once nothing is on disk or being read and `front` ran empty. */
  settle(): void {
    if (this.front.length === 0 && this.middle.length === 0 && this.loading === undefined) {
      if (this.back !== undefined) this.front = this.back;
      this.back = undefined;
    }
  }
}

/**
 * The ready (not yet delivered) messages of a queue in delivery order. Without
 * x-max-priority it is one level; with it, one level per priority, highest first.
 * A requeued entry goes back to its original position (by seq). Entries held in
 * memory are charged to the broker's MemoryBudget; over budget the pager moves
 * persisted ones out (pageOut) and the queue reads them back ahead of delivery
 * (startLoad / completeLoad).
 */
export class ReadyList {
  private readonly levels: ReadyLevel[];
  private count = 0;
  private byteCount = 0;
  private memory = 0;
  private pagedCount = 0;
  /** Bumped by clear(): a page-in started before it is stale. */
  private generation = 0;

  constructor(
    private readonly maxPriority: number,
    private readonly budget: MemoryBudget = new MemoryBudget(),
  ) {
    this.levels = [];
    for (let i = 0; i <= maxPriority; i++) this.levels.push(new ReadyLevel());
  }

  get length(): number {
    return this.count;
  }

  /** Sum of body sizes (x-max-length-bytes counts bodies only, as RabbitMQ does), paged or not. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Estimated memory of the entries held in memory (charged to the budget). */
  get memoryBytes(): number {
    return this.memory;
  }

  /** Messages whose bodies are on disk only (paged out or being read back). */
  get paged(): number {
    return this.pagedCount;
  }

  push(entry: QueueEntry): void {
    const level = this.levelOf(entry.priority);
    if (level.back === undefined) level.front.push(entry);
    else level.back.push(entry);
    level.count++;
    this.count++;
    this.byteCount += entry.size;
    this.charge(entry);
  }

  /** The head if it is in memory; undefined when empty or when the head is paged out. */
  peek(): QueueEntry | undefined {
    const level = this.headLevel();
    if (level === undefined) return undefined;
    const head = level.front.peek();
    if (head !== undefined || level.middle.length > 0 || level.loading !== undefined) return head;
    return level.back?.peek();
  }

  /** Takes the head if it is in memory; undefined when empty or when the head is paged out. */
  shift(): QueueEntry | undefined {
    const level = this.headLevel();
    if (level === undefined) return undefined;
    let entry = level.front.shift();
    if (entry === undefined) {
      level.settle();
      entry = level.front.shift();
      if (entry === undefined) return undefined;
    }
    level.count--;
    this.count--;
    this.byteCount -= entry.size;
    this.refund(entry);
    return entry;
  }

  /**
   * Takes the head when it is paged out (the in-memory head is empty): from a batch
   * being read, else from the paged records. For basic.get, drop-head and expiry.
   */
  shiftPaged(): PagedRecord | undefined {
    const level = this.headLevel();
    if (level === undefined || level.front.length > 0) return undefined;
    let record: PagedRecord | undefined;
    const batch = level.loading;
    if (batch !== undefined && batch.taken < batch.records.length) {
      record = batch.records[batch.taken++];
    } else {
      record = level.middle.shift();
    }
    if (record === undefined) return undefined;
    level.count--;
    this.count--;
    this.byteCount -= record.size;
    this.pagedCount--;
    this.budget.paged--;
    return record;
  }

  /** Puts an entry back where its seq says it was (always in the in-memory front). */
  requeue(entry: QueueEntry): void {
    const level = this.levelOf(entry.priority);
    const front = level.front;
    let low = 0;
    let high = front.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (front.at(mid)!.seq < entry.seq) low = mid + 1;
      else high = mid;
    }
    front.insert(low, entry);
    level.count++;
    this.count++;
    this.byteCount += entry.size;
    this.charge(entry);
  }

  /** A recovered message left on disk: appended behind everything restored so far. */
  pushPaged(priority: number, record: PagedRecord): void {
    const level = this.levelOf(priority);
    if (level.back !== undefined && level.back.length > 0) {
      throw new Error('pushPaged: a paged record cannot follow in-memory arrivals');
    }
    level.back ??= new Deque<QueueEntry>();
    level.middle.push(record.ref, record.size, record.seq, record.expiresAt, record.transient);
    level.count++;
    this.count++;
    this.byteCount += record.size;
    this.pagedCount++;
    this.budget.paged++;
  }

  /**
   * Moves up to `max` entries out of memory, lowest priority first, keeping each
   * level's head window. `canPage` must accept only never-delivered entries that are
   * either persisted with a record readable from the store, or transient (no store
   * ref) while the paging area can take them; the first it refuses stops that level
   * (order). A transient entry is handed to `writeTransient`, which writes it to the
   * paging area and returns where. Returns how many were paged.
   */
  pageOut(
    max: number,
    canPage: (entry: QueueEntry) => boolean,
    writeTransient: (entry: QueueEntry) => StoredRef,
  ): number {
    let paged = 0;
    const window = this.budget.window;
    for (let i = 0; i <= this.maxPriority && paged < max; i++) {
      const level = this.levels[i]!;
      let back = level.back;
      if (back === undefined) {
        // split off everything behind the head window, if the first of it can go at all
        const first = level.front.at(window);
        if (first === undefined || !canPage(first)) continue;
        back = level.back = new Deque<QueueEntry>();
        while (level.front.length > window) back.unshift(level.front.pop()!);
      }
      while (paged < max) {
        const entry = back.peek();
        if (entry === undefined || !canPage(entry)) break;
        back.shift();
        const transient = entry.ref === undefined;
        const ref = transient ? writeTransient(entry) : entry.ref!;
        level.middle.push(ref, entry.size, entry.seq, entry.expiresAt, transient);
        this.refund(entry);
        paged++;
      }
    }
    this.pagedCount += paged;
    this.budget.paged += paged;
    return paged;
  }

  /**
   * Takes the next batch to read back: the highest level whose in-memory head fell
   * below the window and that has paged records and no read in flight.
   */
  startLoad(): PageInBatch | undefined {
    const window = this.budget.window;
    for (let i = this.maxPriority; i >= 0; i--) {
      const level = this.levels[i]!;
      if (level.loading !== undefined || level.middle.length === 0) continue;
      if (level.front.length >= window) continue;
      const records: PagedRecord[] = [];
      let bytes = 0;
      while (records.length < window && bytes < PAGE_IN_BYTES) {
        const record = level.middle.shift();
        if (record === undefined) break;
        records.push(record);
        bytes += record.size;
      }
      const batch: PageInBatch = { level: i, records, taken: 0, generation: this.generation };
      level.loading = batch;
      return batch;
    }
    return undefined;
  }

  /**
   * The batch's messages were read (`messages[0]` is record `offset`): the records
   * not taken meanwhile join the in-memory front. Returns false when the batch is
   * stale (the list was cleared).
   */
  completeLoad(batch: PageInBatch, messages: readonly Message[], offset: number): boolean {
    if (batch.generation !== this.generation) return false;
    const level = this.levels[batch.level]!;
    level.loading = undefined;
    const loaded = batch.records.length - batch.taken;
    for (let i = batch.taken; i < batch.records.length; i++) {
      const record = batch.records[i]!;
      const entry = new QueueEntry(messages[i - offset]!, record.seq, record.expiresAt, record.ref);
      level.front.push(entry);
      this.charge(entry);
    }
    this.pagedCount -= loaded;
    this.budget.paged -= loaded;
    return true;
  }

  /** True while a batch is still wanted (not cleared since it started). */
  isCurrent(batch: PageInBatch): boolean {
    return batch.generation === this.generation;
  }

  /**
   * Removes everything, returning the in-memory entries (to release store refs).
   * Paged records in the paging area are handed to `releaseTransient`, record by
   * record, so their files can go; those of the durable store to `releaseStored`
   * (a purge: the store must forget exactly these, not the queue's unacknowledged
   * messages) or, without it, dropped without a word (a deleted queue's records go
   * all at once).
   */
  clear(
    releaseTransient: (ref: StoredRef) => void = noop,
    releaseStored: (ref: StoredRef) => void = noop,
  ): QueueEntry[] {
    const all = [...this];
    for (const level of this.levels) {
      level.middle.forEachTransient(releaseTransient);
      if (releaseStored !== noop) level.middle.forEachStored(releaseStored);
      const batch = level.loading;
      if (batch !== undefined) {
        for (let i = batch.taken; i < batch.records.length; i++) {
          const record = batch.records[i]!;
          if (record.transient) releaseTransient(record.ref);
          else releaseStored(record.ref);
        }
      }
    }
    for (const level of this.levels) {
      level.front.clear();
      level.back = undefined;
      level.middle.clear();
      level.loading = undefined;
      level.count = 0;
    }
    this.count = 0;
    this.byteCount = 0;
    this.budget.refund(this.memory);
    this.memory = 0;
    this.budget.paged -= this.pagedCount;
    this.pagedCount = 0;
    this.generation++;
    return all;
  }

  /** The in-memory entries in delivery order (paged-out ones are not included). */
  *[Symbol.iterator](): IterableIterator<QueueEntry> {
    for (let i = this.maxPriority; i >= 0; i--) {
      const level = this.levels[i]!;
      yield* level.front;
      if (level.back !== undefined) yield* level.back;
    }
  }

  /** The highest level holding anything: the head is there even when it is paged out. */
  private headLevel(): ReadyLevel | undefined {
    if (this.count === 0) return undefined;
    for (let i = this.maxPriority; i >= 0; i--) {
      const level = this.levels[i]!;
      if (level.count > 0) return level;
    }
    return undefined;
  }

  private levelOf(priority: number): ReadyLevel {
    return this.levels[priority > this.maxPriority ? this.maxPriority : priority]!;
  }

  private charge(entry: QueueEntry): void {
    const cost = entryCost(entry);
    this.memory += cost;
    this.budget.charge(cost);
  }

  private refund(entry: QueueEntry): void {
    const cost = entryCost(entry);
    this.memory -= cost;
    this.budget.refund(cost);
  }
}

function noop(): void {}
