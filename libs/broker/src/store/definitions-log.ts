import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { decodeDefinitionLine, encodeDefinitionLine } from './definitions-codec';
import { DefinitionsState, type DefinitionEntry } from './definitions-state';
import { Deferred } from './deferred';
import { syncDirectory } from './segment-files';
import { errnoCode, fsError, StoreError } from './store-error';
import type { StoreLogger } from './types';

/** Rewrite the log once it holds this many lines more than the live definitions need. */
const COMPACT_SLACK = 1000;

/**
 * Exchanges, queues and bindings as an append-only log of JSON lines, compacted on open
 * (and when it has grown well past the live state). Each change resolves once its line
 * is fdatasync'd; changes arriving during a write are committed together by the next.
 */
export class DefinitionsLog {
  readonly state = new DefinitionsState();
  private handle: FileHandle | undefined;
  private lines = 0;
  private pending: string[] = [];
  private next: Deferred | undefined;
  private inflight: Deferred | undefined;
  private writing = false;
  private failure: StoreError | undefined;

  constructor(
    private readonly path: string,
    private readonly logger: StoreLogger,
  ) {}

  /** Replays the log (skipping damaged lines), rewrites it compacted, opens it for appends. */
  async open(): Promise<DefinitionsState> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw fsError('cannot read definitions log', this.path, err);
    }
    const lines = text.split('\n');
    const tail = lines.pop() ?? '';
    if (tail.length > 0) {
      this.logger.warn(
        `torn line at the end of ${this.path} (${tail.length} bytes, a crash mid-write): dropped`,
      );
    }
    let offset = 0;
    for (const [i, line] of lines.entries()) {
      try {
        this.state.apply(decodeDefinitionLine(line));
      } catch (err) {
        this.logger.error(
          `corrupt definitions log line ${i + 1} in ${this.path} at offset ${offset}: ` +
            `${(err as Error).message}; skipped`,
        );
      }
      offset += Buffer.byteLength(line) + 1;
    }
    await this.compact();
    return this.state;
  }

  append(entry: DefinitionEntry): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.handle === undefined) return Promise.reject(new StoreError('the store is not open'));
    this.state.apply(entry);
    this.pending.push(encodeDefinitionLine(entry));
    this.next ??= new Deferred();
    const done = this.next.promise;
    if (!this.writing) void this.drain();
    return done;
  }

  /**
   * A promise for the completion of every change made so far, or undefined when all
   * are already on disk (the common case: callers can skip waiting).
   */
  settled(): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    // Batches are written in order: the last one finishing means all have.
    return (this.next ?? this.inflight)?.promise;
  }

  async close(): Promise<void> {
    while (this.writing || this.pending.length > 0) {
      await this.next?.promise.catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await this.handle?.close();
    this.handle = undefined;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0 && this.failure === undefined) {
      const text = this.pending.join('');
      const count = this.pending.length;
      const done = this.next!;
      this.pending = [];
      this.next = undefined;
      this.inflight = done;
      try {
        await this.handle!.write(text);
        await this.handle!.datasync();
        this.lines += count;
        if (this.lines > this.state.size * 2 + COMPACT_SLACK) await this.compact();
        done.resolve();
      } catch (err) {
        this.failure = fsError('cannot write definitions log', this.path, err);
        this.logger.error(`${this.failure.message}; definitions can no longer be saved`);
        done.reject(this.failure);
        (this.next as Deferred | undefined)?.reject(this.failure); // set again by callers during the await
      }
    }
    this.inflight = undefined;
    this.writing = false;
  }

  /** Writes the live state to a temp file, fdatasyncs it and renames it over the log. */
  private async compact(): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const text = [...this.state.entries()].map(encodeDefinitionLine).join('');
    try {
      const out = await open(tmp, 'w');
      try {
        await out.write(text);
        await out.datasync();
      } finally {
        await out.close();
      }
      await this.handle?.close();
      this.handle = undefined;
      await rename(tmp, this.path);
      await syncDirectory(dirname(this.path));
      this.handle = await open(this.path, 'a');
    } catch (err) {
      throw fsError(`cannot compact ${basename(this.path)} at`, this.path, err);
    }
    this.lines = this.state.size;
  }
}
