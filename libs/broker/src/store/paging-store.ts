import { mkdir, mkdtemp, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deferred } from './deferred';
import { readFully, readFullySync, unlinkIfExists, writeFully } from './file-io';
import { HandleCache } from './handle-cache';
import { encodeRecord, recordSize } from './message-record';
import { fsError, StoreError } from './store-error';
import { decodeRecordAt, readRecords } from './record-reads';
import { SlabBatch, type PendingWrite as FileWrite } from './slab-batch';
import type { MessageRef, PersistedMessage, StoreLogger } from './types';

/** Paging files roll over at this size; an emptied file is deleted, so smaller reclaims sooner. */
export const DEFAULT_PAGING_FILE_SIZE = 8 * 1024 * 1024;
const OPEN_READ_FILES = 16;
/** Paged records need no queue key: the queue that wrote one holds its ref. */
const NO_KEY = Buffer.alloc(0);
const FILE_NAME = /^\d{10}\.page$/;

interface PageFile {
  readonly id: number;
  /** Bytes appended (written or still buffered). */
  size: number;
  /** Bytes handed to the kernel: readable from the file from here on. */
  written: number;
  /** Records not yet released. */
  live: number;
  /** No more appends go here. */
  sealed: boolean;
}

type PendingWrite = FileWrite<PageFile>;

export interface PagingStoreOptions {
  /** Files roll over once the next record would pass this size. */
  fileSize?: number;
  logger?: StoreLogger;
}

export interface PagingStoreStats {
  files: number;
  /** Bytes in paging files on disk (records of released messages included until their file goes). */
  bytes: number;
  /** Records written and not yet released. */
  live: number;
}

/**
 * Scratch files for transient messages the broker pages out of memory. Unlike the
 * message log nothing here must survive a crash, so nothing is fsync'd and nothing
 * is recovered: open() deletes whatever paging files a previous run left, close()
 * deletes its own. Records use the message log's framing (so a read checks the CRC)
 * without a queue key. Each file counts its live records; once all are released
 * (read back into memory, or dropped) and the file is no longer appended to, it is
 * deleted, so disk space follows the paged backlog down.
 */
export class PagingStore {
  private readonly files = new Map<number, PageFile>();
  private nextId = 1;
  private current: PageFile | undefined;

  private readonly batch = new SlabBatch<PageFile>();
  private inflight: PendingWrite[] = [];
  private readonly writeHandles = new Map<PageFile, FileHandle>();
  private readonly readFiles: HandleCache;
  private readonly emptied = new Set<PageFile>();

  private appendSeq = 0;
  private writtenSeq = 0;
  private waiters: Array<{ seq: number; done: Deferred }> = [];
  private flushing = false;
  private flushScheduled = false;
  private failure: StoreError | undefined;
  private closed = false;
  /** Bytes appended and not yet handed to the kernel (memory the budget does not see). */
  unwrittenBytes = 0;

  private constructor(
    readonly dir: string,
    private readonly fileSize: number,
    private readonly logger: StoreLogger,
    private readonly removeDirOnClose: boolean,
  ) {
    this.readFiles = new HandleCache(OPEN_READ_FILES, (id, err) =>
      this.logger.warn(`closing paging file ${id} failed: ${String(err)}`),
    );
  }

  /**
   * Opens the paging area in `dir` (created if missing), deleting the paging files a
   * previous run left behind: transient messages must not outlive the broker.
   */
  static async open(dir: string, options: PagingStoreOptions = {}): Promise<PagingStore> {
    try {
      await mkdir(dir, { recursive: true });
      for (const name of await readdir(dir)) {
        if (FILE_NAME.test(name)) await unlinkIfExists(join(dir, name));
      }
    } catch (err) {
      throw err instanceof StoreError ? err : fsError('cannot prepare paging directory', dir, err);
    }
    return new PagingStore(dir, fileSizeOf(options), options.logger ?? console, false);
  }

  /** A paging area in a new directory under os.tmpdir(), removed with its files on close(). */
  static async openTemporary(options: PagingStoreOptions = {}): Promise<PagingStore> {
    const dir = await mkdtemp(join(tmpdir(), 'surety-paging-'));
    return new PagingStore(dir, fileSizeOf(options), options.logger ?? console, true);
  }

  /** False once a write failed (the area is then unusable) or after close(). */
  get usable(): boolean {
    return this.failure === undefined && !this.closed;
  }

  /** Buffers the record and returns its ref; written in the background (no fsync). */
  write(message: PersistedMessage): MessageRef {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new StoreError(`paging area ${this.dir} is closed`);
    const size = recordSize(NO_KEY, message);
    let file = this.current;
    if (file === undefined || (file.size + size > this.fileSize && file.size > 0)) {
      file = this.startFile();
    }
    this.batch.target(file, file.size);
    this.batch.reserve(size);
    encodeRecord(this.batch.slab, this.batch.offset, NO_KEY, message);
    const position = file.size;
    this.batch.advance(size);
    file.size += size;
    file.live++;
    this.unwrittenBytes += size;
    this.appendSeq++;
    this.scheduleFlush();
    return { segment: file.id, position, length: size };
  }

  /** Resolves once everything written before the call is in its file. */
  written(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.appendSeq === this.writtenSeq) return Promise.resolve();
    const done = new Deferred();
    this.waiters.push({ seq: this.appendSeq, done });
    this.scheduleFlush();
    return done.promise;
  }

  /** The record is no longer needed (read back or dropped); its file goes once all are. */
  release(ref: MessageRef): void {
    const file = this.files.get(ref.segment);
    if (file === undefined || file.live === 0) return;
    file.live--;
    if (file.live > 0) return;
    // An emptied current file is sealed too: the next write starts a fresh file, and an
    // idle broker keeps no paging bytes on disk.
    if (file === this.current) this.current = undefined;
    file.sealed = true;
    this.emptied.add(file);
    this.scheduleFlush();
  }

  async readMany(refs: readonly MessageRef[]): Promise<PersistedMessage[]> {
    for (const ref of refs) {
      if (ref.position + ref.length > this.fileOf(ref).written) {
        await this.written();
        break;
      }
    }
    return readRecords(refs, (ref, start, end) => this.readRange(ref, start, end));
  }

  /** One record, synchronously (basic.get): from the file, or from the write buffer. */
  readSync(ref: MessageRef): PersistedMessage {
    const file = this.fileOf(ref);
    const path = this.pathOf(file.id);
    if (ref.position + ref.length > file.written) {
      const pending = this.pendingBytesOf(ref);
      return decodeRecordAt(pending.buf, pending.offset, ref, path);
    }
    const buf = Buffer.allocUnsafe(ref.length);
    try {
      readFullySync(path, buf, ref.position);
    } catch (err) {
      throw fsError('cannot read paged message from', path, err);
    }
    return decodeRecordAt(buf, 0, ref, path);
  }

  stats(): PagingStoreStats {
    let files = 0;
    let bytes = 0;
    let live = 0;
    for (const file of this.files.values()) {
      if (file.written > 0) files++;
      bytes += file.written;
      live += file.live;
    }
    return { files, bytes, live };
  }

  /** Stops writing and deletes every paging file (and a temporary directory). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await new Promise((resolve) => setImmediate(resolve));
    for (const waiter of this.waiters) waiter.done.reject(new StoreError('paging area closed'));
    this.waiters = [];
    await Promise.all([...this.writeHandles.values()].map((h) => h.close().catch(() => undefined)));
    this.writeHandles.clear();
    await this.readFiles.closeAll();
    try {
      if (this.removeDirOnClose) {
        await rm(this.dir, { recursive: true, force: true });
      } else {
        for (const file of this.files.values()) await unlinkIfExists(this.pathOf(file.id));
      }
    } catch (err) {
      this.logger.warn(`cannot delete paging files in ${this.dir}: ${String(err)}`);
    }
    this.files.clear();
  }

  // --- append path -------------------------------------------------------------------

  private startFile(): PageFile {
    if (this.current !== undefined) this.current.sealed = true;
    const file: PageFile = { id: this.nextId++, size: 0, written: 0, live: 0, sealed: false };
    this.files.set(file.id, file);
    this.current = file;
    return file;
  }

  /** A record still in the write buffer: the slab chunk holding it (a record never spans two). */
  private pendingBytesOf(ref: MessageRef): { buf: Buffer; offset: number } {
    for (const write of [...this.inflight, ...this.batch.pending()]) {
      if (write.file.id !== ref.segment) continue;
      let at = write.position;
      for (const chunk of write.chunks) {
        if (ref.position >= at && ref.position + ref.length <= at + chunk.length) {
          return { buf: chunk, offset: ref.position - at };
        }
        at += chunk.length;
      }
    }
    throw new StoreError(
      `paged message ${ref.segment}:${ref.position} is neither written nor buffered`,
    );
  }

  // --- write path --------------------------------------------------------------------

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || this.closed) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.flushing || this.failure !== undefined || this.closed) return;
    const writes = this.batch.take();
    const covered = this.appendSeq;
    this.flushing = true;
    this.inflight = writes;
    try {
      for (const write of writes) await this.writeOut(write);
      this.writtenSeq = covered;
      await this.deleteEmptied();
      const waiting = this.waiters;
      this.waiters = waiting.filter((w) => w.seq > covered);
      for (const waiter of waiting) if (waiter.seq <= covered) waiter.done.resolve();
    } catch (err) {
      this.failure =
        err instanceof StoreError ? err : new StoreError(`paging write failed: ${String(err)}`);
      this.logger.error(`${this.failure.message}; transient messages no longer page out`);
      for (const waiter of this.waiters) waiter.done.reject(this.failure);
      this.waiters = [];
    } finally {
      this.flushing = false;
      this.inflight = [];
      if (this.failure === undefined && (!this.batch.isEmpty || this.waiters.length > 0)) {
        this.scheduleFlush();
      } else if (this.failure === undefined && this.emptied.size > 0) {
        this.scheduleFlush();
      }
    }
  }

  private async writeOut(write: PendingWrite): Promise<void> {
    const file = write.file;
    const path = this.pathOf(file.id);
    try {
      let handle = this.writeHandles.get(file);
      if (handle === undefined) {
        handle = await open(path, file.written === 0 ? 'w' : 'r+');
        this.writeHandles.set(file, handle);
      }
      await writeFully(handle, write.chunks, write.position, write.bytes);
    } catch (err) {
      throw fsError('cannot write paging file', path, err);
    }
    file.written = Math.max(file.written, write.position + write.bytes);
    this.unwrittenBytes -= write.bytes;
    if (file.sealed && file.written === file.size) {
      const handle = this.writeHandles.get(file)!;
      this.writeHandles.delete(file);
      await handle.close();
    }
  }

  private async deleteEmptied(): Promise<void> {
    for (const file of this.emptied) {
      if (file.live > 0 || file.written < file.size) continue; // bytes still in the next batch
      this.emptied.delete(file);
      this.files.delete(file.id);
      this.readFiles.drop(file.id);
      const handle = this.writeHandles.get(file);
      this.writeHandles.delete(file);
      await handle?.close().catch(() => undefined);
      await unlinkIfExists(this.pathOf(file.id));
    }
  }

  // --- read path ---------------------------------------------------------------------

  private fileOf(ref: MessageRef): PageFile {
    const file = this.files.get(ref.segment);
    if (file === undefined) {
      throw new StoreError(
        `paged message ${ref.segment}:${ref.position} is gone: paging file ${ref.segment} was released`,
      );
    }
    return file;
  }

  private async readRange(
    ref: MessageRef,
    start: number,
    end: number,
  ): Promise<{ buf: Buffer; path: string }> {
    const id = ref.segment;
    const path = this.pathOf(id);
    const buf = Buffer.allocUnsafe(end - start);
    try {
      await this.readFiles.use(
        id,
        () => open(path, 'r'),
        (handle) => readFully(handle, buf, start),
      );
    } catch (err) {
      throw fsError('cannot read paged message from', path, err);
    }
    return { buf, path };
  }

  private pathOf(id: number): string {
    return join(this.dir, `${String(id).padStart(10, '0')}.page`);
  }
}

function fileSizeOf(options: PagingStoreOptions): number {
  const size = options.fileSize ?? DEFAULT_PAGING_FILE_SIZE;
  if (!Number.isInteger(size) || size < 1024) {
    throw new StoreError(`paging fileSize must be an integer of at least 1024 bytes, got ${size}`);
  }
  return size;
}
