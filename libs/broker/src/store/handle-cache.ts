import type { FileHandle } from 'node:fs/promises';

interface CachedHandle {
  handle: Promise<FileHandle>;
  users: number;
  /** Dropped while in use: close when the last user is done. */
  doomed: boolean;
}

/**
 * Open file handles keyed by segment id, least recently used closed first, so a store
 * with thousands of segments does not hold thousands of descriptors. A handle in use
 * is never closed under its user.
 */
export class HandleCache {
  private readonly entries = new Map<number, CachedHandle>();

  constructor(
    private readonly limit: number,
    private readonly onCloseError: (id: number, err: unknown) => void,
  ) {}

  async use<T>(
    id: number,
    open: () => Promise<FileHandle>,
    fn: (handle: FileHandle) => Promise<T>,
  ): Promise<T> {
    let entry = this.entries.get(id);
    if (entry !== undefined) {
      this.entries.delete(id); // re-insert: Map order is our recency order
      this.entries.set(id, entry);
    } else {
      entry = { handle: open(), users: 0, doomed: false };
      this.entries.set(id, entry);
      this.evictOverLimit();
    }
    entry.users++;
    try {
      let handle: FileHandle;
      try {
        handle = await entry.handle;
      } catch (err) {
        if (this.entries.get(id) === entry) this.entries.delete(id);
        throw err;
      }
      return await fn(handle);
    } finally {
      entry.users--;
      if (entry.doomed && entry.users === 0) this.close(id, entry);
    }
  }

  /** Closes the handle for `id` (now, or when its current users finish). */
  drop(id: number): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    if (entry.users > 0) entry.doomed = true;
    else this.close(id, entry);
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.handle.then((h) => h.close()).catch(() => undefined)));
  }

  private evictOverLimit(): void {
    if (this.entries.size <= this.limit) return;
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.limit) break;
      if (entry.users === 0) {
        this.entries.delete(id);
        this.close(id, entry);
      }
    }
  }

  private close(id: number, entry: CachedHandle): void {
    entry.handle.then(
      (h) => h.close().catch((err: unknown) => this.onCloseError(id, err)),
      () => undefined, // the open failed and was reported to its user
    );
  }
}
