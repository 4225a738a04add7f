import { closeSync, openSync, readSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { encodeAckEntries } from './ack-entries';
import { Deferred } from './deferred';
import { DeliveryMarks } from './delivery-marks';
import { HandleCache } from './handle-cache';
import { checkRecord, decodeRecord, encodeRecord, recordSize } from './message-record';
import type { QueueIndex } from './queue-index';
import { ackPath, SEGMENT_HEADER, segmentPath, syncDirectory } from './segment-files';
import { isReclaimable, newSegmentState, type SegmentState } from './segment-state';
import { errnoCode, fsError, StoreError } from './store-error';
import type { MessageRef, PersistedMessage, StoreLogger } from './types';

/** Records are encoded straight into slabs of this size; a batch writes views of them. */
const SLAB_SIZE = 1024 * 1024;
const OPEN_ACK_FILES = 64;
const OPEN_READ_FILES = 32;
/** readMany reads records this close together (bytes between them) with one read... */
const READ_MAX_GAP = 64 * 1024;
/** ...as long as the read stays below this size. */
const READ_MAX_SPAN = 4 * 1024 * 1024;

/** Bytes of one segment appended since the last flush: written with one writev. */
interface PendingWrite {
  segment: SegmentState;
  position: number;
  chunks: Buffer[];
  bytes: number;
}

export interface MessageLogState {
  segments: SegmentState[];
  index: QueueIndex;
  nextSegmentId: number;
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

  private slab = Buffer.allocUnsafe(0);
  private slabStart = 0; // [slabStart, slabOffset) belongs to `active`, not yet cut into a chunk
  private slabOffset = 0;
  private batch: PendingWrite[] = [];
  private active: PendingWrite | undefined;

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

  constructor(
    private readonly dir: string,
    private readonly segmentSize: number,
    private readonly logger: StoreLogger,
    state: MessageLogState,
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
    this.pendingWriteFor(segment);
    this.reserve(size);
    encodeRecord(this.slab, this.slabOffset, entry.keyBytes, message);
    const position = segment.size;
    this.slabOffset += size;
    segment.size += size;
    segment.live++;
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

  async readMany(refs: readonly MessageRef[]): Promise<PersistedMessage[]> {
    let unflushed = false;
    for (const ref of refs) {
      const segment = this.segmentOf(ref);
      if (ref.position + ref.length > segment.flushedBytes) unflushed = true;
    }
    if (unflushed) await this.sync();
    const out = new Array<PersistedMessage>(refs.length);
    const reads: Promise<void>[] = [];
    // runs of refs in one segment, ascending and close together, become one read
    for (let first = 0; first < refs.length;) {
      const start = refs[first]!.position;
      let end = start + refs[first]!.length;
      let next = first + 1;
      while (next < refs.length) {
        const ref = refs[next]!;
        if (
          ref.segment !== refs[first]!.segment ||
          ref.position < end ||
          ref.position - end > READ_MAX_GAP ||
          ref.position + ref.length - start > READ_MAX_SPAN
        ) {
          break;
        }
        end = ref.position + ref.length;
        next++;
      }
      reads.push(this.readRun(refs, first, next, start, end, out));
      first = next;
    }
    await Promise.all(reads);
    return out;
  }

  /** Synchronous read of one written-out record (basic.get on a paged-out head). */
  readSync(ref: MessageRef): PersistedMessage {
    const segment = this.segmentOf(ref);
    const path = segmentPath(this.dir, segment.id);
    if (ref.position + ref.length > segment.flushedBytes) {
      throw new StoreError(`message ${ref.segment}:${ref.position} is not written out yet`, path);
    }
    const buf = Buffer.allocUnsafe(ref.length);
    try {
      const fd = openSync(path, 'r');
      try {
        let done = 0;
        while (done < buf.length) {
          const n = readSync(fd, buf, done, buf.length - done, ref.position + done);
          if (n === 0) throw new Error(`file ends before offset ${ref.position + buf.length}`);
          done += n;
        }
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      throw fsError('cannot read message from', path, err);
    }
    return this.decodeAt(buf, 0, ref, path);
  }

  isReadable(ref: MessageRef): boolean {
    const segment = this.segments.get(ref.segment);
    return segment !== undefined && ref.position + ref.length <= segment.flushedBytes;
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

  private async readRun(
    refs: readonly MessageRef[],
    first: number,
    next: number,
    start: number,
    end: number,
    out: PersistedMessage[],
  ): Promise<void> {
    const segmentId = refs[first]!.segment;
    const path = segmentPath(this.dir, segmentId);
    const buf = Buffer.allocUnsafe(end - start);
    try {
      await this.readFiles.use(
        segmentId,
        () => open(path, 'r'),
        (handle) => readFully(handle, buf, start),
      );
    } catch (err) {
      throw fsError('cannot read message from', path, err);
    }
    for (let i = first; i < next; i++) {
      const ref = refs[i]!;
      out[i] = this.decodeAt(buf, ref.position - start, ref, path);
    }
  }

  /** Checks and decodes the record at `offset` of `buf` (views, no copies). */
  private decodeAt(buf: Buffer, offset: number, ref: MessageRef, path: string): PersistedMessage {
    const check = checkRecord(buf, offset);
    if (!check.ok || check.length !== ref.length) {
      const reason = check.ok ? 'length mismatch' : check.reason;
      throw new StoreError(`corrupt record in ${path} at offset ${ref.position}: ${reason}`, path);
    }
    return decodeRecord(buf, offset, false).message;
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

  /** Flushes everything (acks made durable too), then closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
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
    this.pendingWriteFor(segment);
    this.reserve(SEGMENT_HEADER.length);
    SEGMENT_HEADER.copy(this.slab, this.slabOffset);
    this.slabOffset += SEGMENT_HEADER.length;
    segment.size = SEGMENT_HEADER.length;
    return segment;
  }

  private pendingWriteFor(segment: SegmentState): void {
    if (this.active?.segment === segment) return;
    this.cutChunk();
    this.active = { segment, position: segment.size, chunks: [], bytes: 0 };
    this.batch.push(this.active);
  }

  private reserve(bytes: number): void {
    if (this.slab.length - this.slabOffset >= bytes) return;
    this.cutChunk();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, bytes));
    this.slabStart = 0;
    this.slabOffset = 0;
  }

  private cutChunk(): void {
    if (this.slabOffset === this.slabStart) return;
    const chunk = this.slab.subarray(this.slabStart, this.slabOffset);
    this.active!.chunks.push(chunk);
    this.active!.bytes += chunk.length;
    this.slabStart = this.slabOffset;
  }

  private markRemoved(segment: SegmentState, position: number): void {
    segment.live--;
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
      this.batch.length > 0 ||
      this.ackDirty.size > 0 ||
      this.marks.hasDue() ||
      this.next !== undefined ||
      this.durableAcksRequested
    );
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.flushing || this.failure !== undefined || !this.hasPendingWork()) return;
    this.cutChunk();
    const writes = this.batch;
    this.batch = [];
    this.active = undefined;
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
      const segment = write.segment;
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
      const segment = write.segment;
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
      const positions = segment.pendingAcks;
      segment.pendingAcks = [];
      const delivered = marks.get(segment.id);
      if (positions.length === 0 && (delivered === undefined || delivered.size === 0)) continue;
      if (isReclaimable(segment)) continue; // its files go below
      const path = ackPath(this.dir, segment.id);
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
      if (!this.segments.has(id)) continue;
      const path = ackPath(this.dir, id);
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
      this.readFiles.drop(segment.id);
      // Segment first: a crash in between leaves an orphan ack file, which open() deletes.
      await unlinkIfExists(segmentPath(this.dir, segment.id));
      await unlinkIfExists(ackPath(this.dir, segment.id));
    }
  }
}

async function writeFully(
  handle: FileHandle,
  chunks: Buffer[],
  position: number,
  total: number,
): Promise<void> {
  const { bytesWritten } = await handle.writev(chunks, position);
  if (bytesWritten === total) return;
  // A short write (rare, e.g. a signal or a nearly full disk): finish with plain writes.
  const rest = Buffer.concat(chunks).subarray(bytesWritten);
  let done = 0;
  while (done < rest.length) {
    const { bytesWritten: n } = await handle.write(
      rest,
      done,
      rest.length - done,
      position + bytesWritten + done,
    );
    if (n === 0) throw new Error('write made no progress');
    done += n;
  }
}

async function readFully(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await handle.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) throw new Error(`file ends before offset ${position + buf.length}`);
    done += bytesRead;
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw fsError('cannot delete', path, err);
  }
}
