import type { PagingStore, PagingStoreStats } from '../store/paging-store';
import { Message } from '../model/message';
import type { StoredRef } from '../model/queue-entry';
import type { TransientPaging } from '../model/transient-paging';

/**
 * Unwritten paging bytes above which transient messages stop paging out until the
 * writes catch up: those bytes are still in memory (the write buffer) and the
 * budget does not count them.
 */
const MAX_UNWRITTEN_BYTES = 16 * 1024 * 1024;

/**
 * The model's TransientPaging on top of a PagingStore, attached once the broker has
 * opened it (vhosts are created before that). Until then, after close, or once a
 * write failed, it is unavailable and transient messages stay in memory.
 */
export class PagingArea implements TransientPaging {
  private store: PagingStore | undefined;

  constructor(private readonly onReadError: (error: unknown) => void) {}

  attach(store: PagingStore): void {
    this.store = store;
  }

  get available(): boolean {
    const store = this.store;
    return store !== undefined && store.usable && store.unwrittenBytes < MAX_UNWRITTEN_BYTES;
  }

  write(message: Message): StoredRef {
    return this.opened().write(message);
  }

  read(refs: readonly StoredRef[]): Promise<Message[]> {
    return this.opened()
      .readMany(refs)
      .then(
        (records) => records.map((r) => new Message(r.exchange, r.routingKey, r.header, r.body)),
        (error: unknown) => {
          this.onReadError(error);
          throw error;
        },
      );
  }

  readSync(ref: StoredRef): Message {
    try {
      const r = this.opened().readSync(ref);
      return new Message(r.exchange, r.routingKey, r.header, r.body);
    } catch (error) {
      this.onReadError(error);
      throw error;
    }
  }

  release(ref: StoredRef): void {
    this.store?.release(ref);
  }

  /** Resolves once every paged transient message so far is in its file. */
  written(): Promise<void> {
    return this.store?.written().catch(() => undefined) ?? Promise.resolve();
  }

  stats(): PagingStoreStats {
    return this.store?.stats() ?? { files: 0, bytes: 0, live: 0 };
  }

  /** Deletes the paging files; transient messages never outlive the broker. */
  async close(): Promise<void> {
    const store = this.store;
    this.store = undefined;
    await store?.close();
  }

  private opened(): PagingStore {
    if (this.store === undefined) throw new Error('the paging area is closed');
    return this.store;
  }
}
