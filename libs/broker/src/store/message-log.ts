import { open, type FileHandle } from 'node:fs/promises';
import { encodeAckEntries } from './ack-entries';
import { Deferred } from './deferred';
import { DeliveryMarks } from './delivery-marks';
import { readFully, readFullySync, unlinkIfExists, writeFully } from './file-io';
import { HandleCache } from './handle-cache';
import { encodeRecord, recordSize } from './message-record';
import type { QueueIndex } from './queue-index';
import { ackPath, SEGMENT_HEADER, segmentPath, syncDirectory } from './segment-files';
import {
  commitRewrite,
  discardRewrite,
  isCompactionCandidate,
  prepareRewrite,
  type PreparedRewrite,
} from './segment-compaction';
import { filePosition, isReclaimable, newSegmentState, type SegmentState } from './segment-state';
import { fsError, StoreError } from './store-error';
import { decodeRecordAt, readRecords } from './record-reads';
import { SlabBatch, type PendingWrite as SegmentWrite } from './slab-batch';
import type { MessageRef, PersistedMessage, StoreLogger } from './types';

const OPEN_ACK_FILES = 64;
const OPEN_READ_FILES = 32;
/** Segments rewritten per compaction run at most (the next run takes the rest). */
const COMPACTIONS_PER_RUN = 8;
export const DEFAULT_COMPACTION_INTERVAL_MS = 1000;

type PendingWrite = SegmentWrite<SegmentState>;

export interface MessageLogState {
  segments: SegmentState[];
  index: QueueIndex;
  nextSegmentId: number;
}

/** A rewrite waiting for the flush to put it in place (no ack write may run meanwhile). */
interface PendingRewrite {
  rewrite: PreparedRewrite;
  committed: (done: boolean) => void;
}

/** Read handles are per file, and a compacted segment's file changes with its generation. */
function fileKey(segment: SegmentState): number {
  return segment.id * 1024 + segment.generation;
}

/**
 * Persistent messages: append-only segments shared by all durable queues, an ack file
 * per segment, group commit. append() only encodes into memory; one flush at a time
 * writes the batch (writev), fdatasyncs it, writes pending acks and deletes segments
 * whose records are all removed. Whatever arrives during a flush forms the next batch.
 */
export class MessageLog {
  private readonly segments = new Map<number, SegmentState>();
  private readonly index: QueueIndex;
  private nextSegmentId: number;
  private current: SegmentState | undefined;

  private readonly batch = new SlabBatch<SegmentState>();

  private readonly ackDirty = new Set<SegmentState>();
  private readonly reclaimable = new Set<SegmentState>();
  private readonly unsyncedAcks = new Set<number>();
  private durableAcksRequested = false;
  private readonly marks = new DeliveryMarks(() => this.scheduleFlush());

  private appendSeq = 0;
  private durableSeq = 0;
  private inflightSeq = 0;
  private inflight: Deferred | undefined;
  private next: Deferred | undefined;
  private flushing = false;
  private flushScheduled = false;
  private failure: StoreError | undefined;
  private closed = false;
  private syncCount = 0;

  private readonly writeHandles = new Map<SegmentState, FileHandle>();
  private readonly ackFiles: HandleCache;
  private readonly readFiles: HandleCache;

  /** Compaction's clock: advances once per interval; removals stamp segments with it. */
  private compactionTick = 1;
  private compactionTimer: NodeJS.Timeout | undefined;
  private compacting: Promise<number> | undefined;
  private rewrites: PendingRewrite[] = [];
  /** Segments whose records moved (compaction) while refs to them are held: reads translate. */
  private relocatedSegments = 0;

  constructor(
    private readonly dir: string,
    private readonly segmentSize: number,
    private readonly logger: StoreLogger,
    state: MessageLogState,
    compactionIntervalMs = DEFAULT_COMPACTION_INTERVAL_MS,
  ) {
    this.index = state.index;
    this.nextSegmentId = state.nextSegmentId;
    for (const segment of state.segments) {
      this.segments.set(segment.id, segment);
      if (segment.pendingAcks.length > 0) this.ackDirty.add(segment);
    }
    const closeError = (what: string) => (id: number, err: unknown) =>
      this.logger.warn(`closing ${what} of segment ${id} failed: ${String(err)}`);
    this.ackFiles = new HandleCache(OPEN_ACK_FILES, closeError('ack file'));
    this.readFiles = new HandleCache(OPEN_READ_FILES, closeError('segment'));
    if (this.ackDirty.size > 0) this.scheduleFlush();
    if (compactionIntervalMs > 0) {
      this.compactionTimer = setInterval(() => {
        this.compactionTick++;
        // quiet: no removal during the last full interval
        void this.runCompaction(this.compactionTick - 1);
      }, compactionIntervalMs);
      this.compactionTimer.unref();
    }
  }

  append(queueKey: string, message: PersistedMessage): MessageRef {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new StoreError('the store is closed');
    const entry = this.index.entry(queueKey);
    const size = recordSize(entry.keyBytes, message);
    let segment = this.current;
    if (
      segment === undefined ||
      (segment.size + size > this.segmentSize && segment.size > SEGMENT_HEADER.length)
    ) {
      segment = this.startSegment();
    }
    this.batch.target(segment, segment.size);
    this.batch.reserve(size);
    encodeRecord(this.batch.slab, this.batch.offset, entry.keyBytes, message);
    const position = segment.size;
    this.batch.advance(size);
    segment.size += size;
    segment.live++;
    segment.records++;
    entry.add(segment.id, position);
    this.appendSeq++;
    this.scheduleFlush();
    return { segment: segment.id, position, length: size };
  }

  sync(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.appendSeq === this.durableSeq) return Promise.resolve();
    if (this.flushing && this.inflightSeq === this.appendSeq) return this.inflight!.promise;
    this.next ??= new Deferred();
    this.scheduleFlush();
    return this.next.promise;
  }

  /** Like sync(), and also makes every ack written so far durable (removeQueue, close). */
  syncWithAcks(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.durableAcksRequested = true;
    this.next ??= new Deferred();
    this.scheduleFlush();
    return this.next.promise;
  }

  remove(queueKey: string, ref: MessageRef): void {
    // Unknown or already removed refs are ignored: removal is idempotent.
    if (this.closed || !this.index.delete(queueKey, ref)) return;
    this.markRemoved(this.segments.get(ref.segment)!, ref.position);
    this.scheduleFlush();
  }

  /**
   * The record was delivered for the first time: a mark in its segment's ack file (lazy,
   * never fsync'd) lets recovery flag it redelivered, as RabbitMQ does.
   */
  markDelivered(ref: MessageRef): void {
    if (this.closed || !this.segments.has(ref.segment)) return;
    this.marks.add(ref.segment, ref.position);
  }

  /** Removes every message of the queue; returns how many. */
  purge(queueKey: string): number {
    if (this.closed) return 0;
    let count = 0;
    for (const [segmentId, positions] of this.index.drain(queueKey)) {
      const segment = this.segments.get(segmentId)!;
      for (const position of positions) this.markRemoved(segment, position);
      count += positions.size;
    }
    if (count > 0) this.scheduleFlush();
    return count;
  }

  forgetQueue(queueKey: string): void {
    this.index.forget(queueKey);
  }

  async read(ref: MessageRef): Promise<PersistedMessage> {
    const [message] = await this.readMany([ref]);
    return message!;
  }

  async readMany(given: readonly MessageRef[]): Promise<PersistedMessage[]> {
    let unflushed = false;
    for (const ref of given) {
      const segment = this.segmentOf(ref);
      if (ref.position + ref.length > segment.flushedBytes) unflushed = true;
    }
    if (unflushed) await this.sync();
    // where the records are now: compaction may have moved some (positions only)
    const refs = this.relocatedSegments === 0 ? given : given.map((ref) => this.locate(ref));
    return readRecords(refs, (ref, start, end) => this.readRange(ref, start, end));
  }

  /** Synchronous read of one written-out record (basic.get on a paged-out head). */
  readSync(given: MessageRef): PersistedMessage {
    const segment = this.segmentOf(given);
    const ref = this.locate(given);
    const path = segmentPath(this.dir, segment.id, segment.generation);
    if (ref.position + ref.length > segment.flushedBytes) {
      throw new StoreError(`message ${ref.segment}:${ref.position} is not written out yet`, path);
    }
    const buf = Buffer.allocUnsafe(ref.length);
    try {
      readFullySync(path, buf, ref.position);
    } catch (err) {
      throw fsError('cannot read message from', path, err);
    }
    return decodeRecordAt(buf, 0, ref, path);
  }

  isReadable(ref: MessageRef): boolean {
    const segment = this.segments.get(ref.segment);
    if (segment === undefined) return false;
    if (segment.relocated !== undefined) return segment.relocated.has(ref.position);
    return ref.position + ref.length <= segment.flushedBytes;
  }

  /** The ref with the position its record has in the segment's current file. */
  private locate(ref: MessageRef): MessageRef {
    const segment = this.segmentOf(ref);
    if (segment.relocated === undefined) return ref;
    const position = filePosition(segment, ref.position);
    if (position === undefined) {
      throw new StoreError(`message ${ref.segment}:${ref.position} is not stored (removed)`);
    }
    return { segment: ref.segment, position, length: ref.length };
  }

  private segmentOf(ref: MessageRef): SegmentState {
    const segment = this.segments.get(ref.segment);
    if (segment === undefined) {
      throw new StoreError(
        `message ${ref.segment}:${ref.position} is not stored: segment ${ref.segment} was deleted or never written`,
      );
    }
    return segment;
  }

  private async readRange(
    ref: MessageRef,
    start: number,
    end: number,
  ): Promise<{ buf: Buffer; path: string }> {
    const segment = this.segmentOf(ref);
    const path = segmentPath(this.dir, segment.id, segment.generation);
    const buf = Buffer.allocUnsafe(end - start);
    try {
      await this.readFiles.use(
        fileKey(segment),
        () => open(path, 'r'),
        (handle) => readFully(handle, buf, start),
      );
    } catch (err) {
      throw fsError('cannot read message from', path, err);
    }
    return { buf, path };
  }

  stats(): { segments: number; bytesOnDisk: number; liveMessages: number; syncs: number } {
    let segments = 0;
    let bytesOnDisk = 0;
    let liveMessages = 0;
    for (const segment of this.segments.values()) {
      if (segment.created) segments++;
      bytesOnDisk += segment.flushedBytes + segment.ackBytes;
      liveMessages += segment.live;
    }
    return { segments, bytesOnDisk, liveMessages, syncs: this.syncCount };
  }

  /**
   * Rewrites sealed segments that are mostly removed, now (the timer does it for
   * segments that have been quiet for an interval). Returns how many were rewritten.
   */
  compact(): Promise<number> {
    return this.runCompaction(Infinity);
  }

  /** Flushes everything (acks made durable too), then closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.compactionTimer !== undefined) clearInterval(this.compactionTimer);
    this.marks.ripenAll(); // a clean stop keeps every redelivered flag
    const flushed = this.failure === undefined ? this.syncWithAcks() : Promise.resolve();
    this.closed = true;
    try {
      await flushed;
    } finally {
      this.marks.stop();
      while (this.flushing) await this.inflight?.promise.catch(() => undefined);
      await Promise.all(
        [...this.writeHandles.values()].map((h) => h.close().catch(() => undefined)),
      );
      this.writeHandles.clear();
      await this.ackFiles.closeAll();
      await this.readFiles.closeAll();
      await this.compacting?.catch(() => undefined);
    }
  }

  // --- compaction (see segment-compaction.ts and storage.md) -------------------------

  private runCompaction(quietSince: number): Promise<number> {
    this.compacting ??= this.compactCandidates(quietSince).finally(() => {
      this.compacting = undefined;
    });
    return this.compacting;
  }

  private async compactCandidates(quietSince: number): Promise<number> {
    const share = (s: SegmentState) => s.live / s.records;
    const candidates = [...this.segments.values()]
      .filter((segment) => isCompactionCandidate(segment, quietSince))
      .sort((a, b) => share(a) - share(b))
      .slice(0, COMPACTIONS_PER_RUN);
    let count = 0;
    for (const segment of candidates) {
      if (this.closed || this.failure !== undefined) break;
      if (!isCompactionCandidate(segment, quietSince)) continue;
      if (await this.compactSegment(segment)) count++;
    }
    return count;
  }

  /**
   * Copies the live records to a new generation of the file (no I/O of the flush path
   * waits for it), then hands it to the flush to put in place.
   */
  private async compactSegment(segment: SegmentState): Promise<boolean> {
    segment.removedWhileCompacting = [];
    let rewrite: PreparedRewrite;
    try {
      rewrite = await prepareRewrite(this.dir, segment, this.index.positionsIn(segment.id));
    } catch (err) {
      segment.removedWhileCompacting = undefined;
      this.logger.error(`segment compaction skipped: ${(err as Error).message}`);
      return false;
    }
    if (this.closed) {
      segment.removedWhileCompacting = undefined;
      await discardRewrite(this.dir, rewrite).catch(() => undefined);
      return false;
    }
    return new Promise<boolean>((committed) => {
      this.rewrites.push({ rewrite, committed });
      this.scheduleFlush();
    });
  }

  /**
   * Inside the flush, so no ack write touches the segment's files meanwhile: writes the
   * new generation's ack file, renames the file into place, then switches the segment
   * over (refs the broker holds are translated from now on) and deletes the old files.
   */
  private async commitRewrites(): Promise<void> {
    const pending = this.rewrites;
    this.rewrites = [];
    for (const { rewrite, committed } of pending) {
      const segment = rewrite.segment;
      const removed = segment.removedWhileCompacting!;
      if (this.closed || this.segments.get(segment.id) !== segment || segment.live === 0) {
        // emptied meanwhile (its files go the usual way), or closing: keep the old files
        segment.removedWhileCompacting = undefined;
        await discardRewrite(this.dir, rewrite);
        committed(false);
        continue;
      }
      const written = removed.length;
      const ackBytes = await commitRewrite(this.dir, rewrite, removed);
      // From here on synchronously: the rename made the new generation the segment.
      const oldGeneration = segment.generation;
      this.readFiles.drop(fileKey(segment));
      this.ackFiles.drop(segment.id);
      this.unsyncedAcks.delete(segment.id);
      for (let i = 0; i < written; i++) rewrite.relocated.delete(removed[i]!);
      if (segment.relocated === undefined) this.relocatedSegments++;
      segment.relocated = rewrite.relocated;
      segment.generation = rewrite.generation;
      segment.size = segment.flushedBytes = rewrite.size;
      segment.records = rewrite.records;
      segment.ackBytes = ackBytes;
      // removals made while the ack file was being written go to the new one
      segment.pendingAcks = removed.slice(written);
      if (segment.pendingAcks.length > 0) this.ackDirty.add(segment);
      segment.removedWhileCompacting = undefined;
      await unlinkIfExists(segmentPath(this.dir, segment.id, oldGeneration));
      await unlinkIfExists(ackPath(this.dir, segment.id, oldGeneration));
      committed(true);
    }
  }

  // --- append path -------------------------------------------------------------------

  private startSegment(): SegmentState {
    const previous = this.current;
    if (previous !== undefined) {
      previous.sealed = true;
      if (previous.live === 0) this.reclaimable.add(previous);
    }
    const segment = newSegmentState(this.nextSegmentId++);
    this.segments.set(segment.id, segment);
    this.current = segment;
    this.batch.target(segment, segment.size);
    this.batch.reserve(SEGMENT_HEADER.length);
    SEGMENT_HEADER.copy(this.batch.slab, this.batch.offset);
    this.batch.advance(SEGMENT_HEADER.length);
    segment.size = SEGMENT_HEADER.length;
    return segment;
  }

  private markRemoved(segment: SegmentState, position: number): void {
    segment.live--;
    segment.lastRemovalTick = this.compactionTick;
    segment.removedWhileCompacting?.push(position);
    segment.pendingAcks.push(position);
    this.marks.drop(segment.id, position);
    this.ackDirty.add(segment);
    if (segment.live === 0 && segment.sealed) this.reclaimable.add(segment);
  }

  // --- flush path --------------------------------------------------------------------

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: appends made by I/O callbacks of this loop turn
    // (for example confirm handlers that publish again) join the batch.
    setImmediate(() => void this.flush());
  }

  private hasPendingWork(): boolean {
    return (
      !this.batch.isEmpty ||
      this.ackDirty.size > 0 ||
      this.rewrites.length > 0 ||
      this.marks.hasDue() ||
      this.next !== undefined ||
      this.durableAcksRequested
    );
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.flushing || this.failure !== undefined || !this.hasPendingWork()) return;
    const writes = this.batch.take();
    const acks = [...this.ackDirty];
    this.ackDirty.clear();
    const marks = this.marks.takeDue();
    const durableAcks = this.durableAcksRequested;
    this.durableAcksRequested = false;
    const done = this.next ?? new Deferred();
    this.next = undefined;
    const covered = this.appendSeq;

    this.flushing = true;
    this.inflight = done;
    this.inflightSeq = covered;
    try {
      if (writes.length > 0) {
        await this.writeData(writes);
        this.syncCount++;
      }
      await this.writeAcks(acks, marks, durableAcks);
      await this.deleteReclaimable();
      if (this.rewrites.length > 0) await this.commitRewrites();
      this.durableSeq = covered;
      done.resolve();
    } catch (err) {
      this.failure =
        err instanceof StoreError ? err : new StoreError(`store write failed: ${String(err)}`);
      this.logger.error(`${this.failure.message}; the store accepts no more writes`);
      done.reject(this.failure);
      (this.next as Deferred | undefined)?.reject(this.failure); // set again by callers during the await
    } finally {
      this.flushing = false;
      this.inflight = undefined;
      if (this.failure === undefined && this.hasPendingWork()) this.scheduleFlush();
    }
  }

  private async writeData(writes: PendingWrite[]): Promise<void> {
    const used = new Set<SegmentState>();
    let created = false;
    for (const write of writes) {
      const segment = write.file;
      const path = segmentPath(this.dir, segment.id);
      let handle = this.writeHandles.get(segment);
      try {
        if (handle === undefined) {
          // 'wx': a segment id is never reused, so an existing file means a bug, not data to clobber.
          handle = await open(path, 'wx');
          this.writeHandles.set(segment, handle);
          segment.created = true;
          created = true;
        }
        await writeFully(handle, write.chunks, write.position, write.bytes);
      } catch (err) {
        throw fsError('cannot write segment', path, err);
      }
      used.add(segment);
    }
    await Promise.all(
      [...used].map(async (segment) => {
        const path = segmentPath(this.dir, segment.id);
        try {
          await this.writeHandles.get(segment)!.datasync();
        } catch (err) {
          throw fsError('fdatasync failed for', path, err);
        }
      }),
    );
    if (created) {
      try {
        await syncDirectory(this.dir);
      } catch (err) {
        throw fsError('cannot fsync directory', this.dir, err);
      }
    }
    for (const write of writes) {
      const segment = write.file;
      segment.flushedBytes = Math.max(segment.flushedBytes, write.position + write.bytes);
    }
    for (const segment of used) {
      if (segment.sealed && segment.flushedBytes === segment.size) {
        const handle = this.writeHandles.get(segment)!;
        this.writeHandles.delete(segment);
        await handle.close();
      }
    }
  }

  private async writeAcks(
    dirty: SegmentState[],
    marks: Map<number, Set<number>>,
    durable: boolean,
  ): Promise<void> {
    const segments = new Set(dirty);
    for (const id of marks.keys()) {
      const segment = this.segments.get(id);
      if (segment !== undefined) segments.add(segment);
    }
    for (const segment of segments) {
      let positions = segment.pendingAcks;
      segment.pendingAcks = [];
      let delivered = marks.get(segment.id);
      if (positions.length === 0 && (delivered === undefined || delivered.size === 0)) continue;
      if (isReclaimable(segment)) continue; // its files go below
      if (segment.relocated !== undefined) {
        ({ positions, delivered } = this.inCurrentFile(segment, positions, delivered));
        if (positions.length === 0 && delivered.size === 0) continue;
      }
      const path = ackPath(this.dir, segment.id, segment.generation);
      const entries = encodeAckEntries(positions, delivered);
      try {
        await this.ackFiles.use(
          segment.id,
          () => open(path, 'a'),
          (handle) => handle.write(entries),
        );
      } catch (err) {
        throw fsError('cannot write ack file', path, err);
      }
      segment.ackBytes += entries.length;
      this.unsyncedAcks.add(segment.id);
    }
    if (!durable) return;
    for (const id of this.unsyncedAcks) {
      const segment = this.segments.get(id);
      if (segment === undefined) continue;
      const path = ackPath(this.dir, id, segment.generation);
      try {
        // fdatasync on any descriptor of the file flushes it, so a re-opened one will do.
        await this.ackFiles.use(
          id,
          () => open(path, 'a'),
          (handle) => handle.datasync(),
        );
      } catch (err) {
        throw fsError('fdatasync failed for', path, err);
      }
    }
    this.unsyncedAcks.clear();
  }

  private async deleteReclaimable(): Promise<void> {
    for (const segment of this.reclaimable) {
      if (!isReclaimable(segment)) continue; // still has bytes waiting in the next batch
      this.reclaimable.delete(segment);
      this.segments.delete(segment.id);
      this.marks.forgetSegment(segment.id);
      this.unsyncedAcks.delete(segment.id);
      this.ackFiles.drop(segment.id);
      this.readFiles.drop(fileKey(segment));
      if (segment.relocated !== undefined) this.relocatedSegments--;
      // Segment first: a crash in between leaves an orphan ack file, which open() deletes.
      await unlinkIfExists(segmentPath(this.dir, segment.id, segment.generation));
      await unlinkIfExists(ackPath(this.dir, segment.id, segment.generation));
    }
  }

  /**
   * Ack entries of a compacted segment name positions in its current file; removed
   * records are forgotten by the relocation map (nothing reads them again). A removal
   * of a record the rewrite did not copy (removed before it) needs no entry.
   */
  private inCurrentFile(
    segment: SegmentState,
    refPositions: readonly number[],
    refDelivered: ReadonlySet<number> | undefined,
  ): { positions: number[]; delivered: Set<number> } {
    const relocated = segment.relocated!;
    const positions: number[] = [];
    for (const ref of refPositions) {
      const at = relocated.get(ref);
      if (at === undefined) continue;
      positions.push(at);
      relocated.delete(ref);
    }
    const delivered = new Set<number>();
    for (const ref of refDelivered ?? []) {
      const at = relocated.get(ref);
      if (at !== undefined) delivered.add(at);
    }
    return { positions, delivered };
  }
}
