import { access, constants, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { DefinitionsLog } from './definitions-log';
import { DEFAULT_COMPACTION_INTERVAL_MS, MessageLog } from './message-log';
import { recoverMessages } from './message-recovery';
import { fsError, StoreError } from './store-error';
import {
  exchangeHoldKey,
  exchangeOfHoldKey,
  queueKeyOf,
  type BindingDefinition,
  type DurableStore,
  type ExchangeDefinition,
  type FileStoreOptions,
  type MessageRef,
  type OpenOptions,
  type PersistedMessage,
  type QueueDefinition,
  type RecoveredState,
  type StoreLogger,
  type StoreStats,
} from './types';

export const DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;
const MIN_SEGMENT_SIZE = 1024;
const MAX_SEGMENT_SIZE = 1024 * 1024 * 1024; // positions are u32 in ack entries

/**
 * The durable store on the local filesystem:
 *   <dataDir>/definitions.log   exchanges, queues, bindings (JSON lines)
 *   <dataDir>/messages/*.seg    message records, *.ack the positions removed from each
 * See libs/broker/src/docs/storage.md.
 */
export class FileStore implements DurableStore {
  readonly dataDir: string;
  private readonly segmentSize: number;
  private readonly compactionIntervalMs: number;
  private readonly logger: StoreLogger;
  private definitions: DefinitionsLog | undefined;
  private messages: MessageLog | undefined;
  private lock: DataDirLock | undefined;

  constructor(options: FileStoreOptions) {
    if (typeof options.dataDir !== 'string' || options.dataDir.length === 0) {
      throw new StoreError('openFileStore: dataDir must be a non-empty path');
    }
    const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    if (
      !Number.isInteger(segmentSize) ||
      segmentSize < MIN_SEGMENT_SIZE ||
      segmentSize > MAX_SEGMENT_SIZE
    ) {
      throw new StoreError(
        `openFileStore: segmentSize must be an integer from ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE} bytes, got ${segmentSize}`,
      );
    }
    this.dataDir = resolve(options.dataDir);
    this.segmentSize = segmentSize;
    const interval = options.compactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval < 0) {
      throw new StoreError(
        `openFileStore: compactionIntervalMs must be 0 (off) or a positive number of ms, got ${interval}`,
      );
    }
    this.compactionIntervalMs = interval;
    this.logger = options.logger ?? console;
  }

  async open(options: OpenOptions = {}): Promise<RecoveredState> {
    if (this.definitions !== undefined || this.lock !== undefined)
      throw new StoreError(`store ${this.dataDir} is already open`);
    const messagesDir = join(this.dataDir, 'messages');
    await prepareDirectory(this.dataDir);
    // Before reading anything: recovery truncates and deletes files another broker may own.
    const lock = await lockDataDir(this.dataDir);
    this.lock = lock;
    let definitions: DefinitionsLog | undefined;
    try {
      await prepareDirectory(messagesDir);
      definitions = new DefinitionsLog(join(this.dataDir, 'definitions.log'), this.logger);
      const state = await definitions.open();
      const isDefined = (key: string): boolean => {
        const exchange = exchangeOfHoldKey(key);
        return exchange === undefined ? state.queues.has(key) : state.exchanges.has(exchange);
      };
      const recovered = await recoverMessages(
        messagesDir,
        isDefined,
        this.logger,
        options.onMessage,
      );
      this.definitions = definitions;
      this.messages = new MessageLog(
        messagesDir,
        this.segmentSize,
        this.logger,
        recovered,
        this.compactionIntervalMs,
      );
      const messages = recovered.messages;
      if (options.onMessage === undefined) {
        for (const key of state.queues.keys()) if (!messages.has(key)) messages.set(key, []);
      }
      return {
        exchanges: [...state.exchanges.values()],
        queues: [...state.queues.values()],
        bindings: [...state.bindings.values()],
        messages,
      };
    } catch (err) {
      await definitions?.close();
      this.lock = undefined;
      await lock.release();
      throw err;
    }
  }

  async putExchange(d: ExchangeDefinition): Promise<void> {
    return this.defs().append({ op: 'put', kind: 'exchange', def: d });
  }

  /** Drops the exchange, its bindings and any messages it held (exchangeHoldKey). */
  async removeExchange(vhost: string, name: string): Promise<void> {
    const key = exchangeHoldKey(vhost, name);
    const messages = this.log();
    messages.purge(key);
    messages.forgetQueue(key);
    await Promise.all([
      this.defs().append({ op: 'del', kind: 'exchange', vhost, name }),
      messages.syncWithAcks(),
    ]);
  }

  async putQueue(d: QueueDefinition): Promise<void> {
    return this.defs().append({ op: 'put', kind: 'queue', def: d });
  }

  async removeQueue(vhost: string, name: string): Promise<void> {
    const key = queueKeyOf(vhost, name);
    const messages = this.log();
    messages.purge(key);
    messages.forgetQueue(key);
    // Both durable before we resolve: a queue re-declared under the same name must not
    // get the old messages back after a crash.
    await Promise.all([
      this.defs().append({ op: 'del', kind: 'queue', vhost, name }),
      messages.syncWithAcks(),
    ]);
  }

  async putBinding(b: BindingDefinition): Promise<void> {
    return this.defs().append({ op: 'put', kind: 'binding', def: b });
  }

  async removeBinding(b: BindingDefinition): Promise<void> {
    return this.defs().append({ op: 'del', kind: 'binding', def: b });
  }

  append(queueKey: string, message: PersistedMessage): MessageRef {
    return this.log().append(queueKey, message);
  }

  /**
   * Also waits for definition changes made before the call: a confirm must not
   * outrun the declaration of its queue, or recovery would find no queue for it.
   */
  sync(): Promise<void> {
    const messages = this.log().sync();
    const definitions = this.defs().settled();
    return definitions === undefined ? messages : Promise.all([messages, definitions]).then(noop);
  }

  remove(queueKey: string, ref: MessageRef): void {
    this.log().remove(queueKey, ref);
  }

  markDelivered(ref: MessageRef): void {
    this.log().markDelivered(ref);
  }

  read(ref: MessageRef): Promise<PersistedMessage> {
    return this.log().read(ref);
  }

  readMany(refs: readonly MessageRef[]): Promise<PersistedMessage[]> {
    return this.log().readMany(refs);
  }

  readSync(ref: MessageRef): PersistedMessage {
    return this.log().readSync(ref);
  }

  isReadable(ref: MessageRef): boolean {
    return this.log().isReadable(ref);
  }

  async close(): Promise<void> {
    const messages = this.messages;
    const definitions = this.definitions;
    const lock = this.lock;
    this.messages = undefined;
    this.definitions = undefined;
    this.lock = undefined;
    try {
      await Promise.all([messages?.close(), definitions?.close()]);
    } finally {
      // Also after a failed close: this process writes no more, the next broker may start.
      await lock?.release();
    }
  }

  /** Rewrites mostly-removed segments now (see storage.md, "Compaction"); returns how many. */
  compact(): Promise<number> {
    return this.log().compact();
  }

  stats(): StoreStats {
    return this.log().stats();
  }

  private log(): MessageLog {
    if (this.messages === undefined) throw notOpen(this.dataDir);
    return this.messages;
  }

  private defs(): DefinitionsLog {
    if (this.definitions === undefined) throw notOpen(this.dataDir);
    return this.definitions;
  }
}

function noop(): void {}

function notOpen(dataDir: string): StoreError {
  return new StoreError(`store ${dataDir} is not open (call open() first, and not after close())`);
}

/** Creates the directory (and missing parents) and proves we can write there. */
async function prepareDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fsError('cannot create data directory', dir, err);
  }
  const info = await stat(dir);
  if (!info.isDirectory()) throw new StoreError(`data directory ${dir} is not a directory`, dir);
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    throw fsError('data directory is not writable:', dir, err);
  }
}

/** The store the broker uses: segments and a definitions log under `dataDir`. */
export function openFileStore(options: FileStoreOptions): DurableStore {
  return new FileStore(options);
}
