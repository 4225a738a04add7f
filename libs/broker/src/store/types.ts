/**
 * The durable store's contract with the rest of the broker (see broker-contracts.md).
 * Definitions carry `arguments` as AMQP-encoded field-table bytes so the store does
 * not depend on the protocol codec.
 */

/** Where a persisted message lives: segment number, byte offset of its record, record length. */
export interface MessageRef {
  readonly segment: number;
  readonly position: number;
  readonly length: number;
}

export interface PersistedMessage {
  exchange: string;
  routingKey: string;
  /** Raw content-header payload, forwarded untouched on delivery. */
  header: Buffer;
  body: Buffer;
}

export interface ExchangeDefinition {
  vhost: string;
  name: string;
  type: string;
  durable: true;
  autoDelete: boolean;
  internal: boolean;
  arguments: Buffer;
}

export interface QueueDefinition {
  vhost: string;
  name: string;
  durable: true;
  autoDelete: boolean;
  exclusive: false;
  arguments: Buffer;
}

export interface BindingDefinition {
  vhost: string;
  source: string;
  destination: string;
  destinationKind: 'queue' | 'exchange';
  routingKey: string;
  arguments: Buffer;
}

export interface RecoveredMessage {
  ref: MessageRef;
  message: PersistedMessage;
  /** It had been delivered before the restart (markDelivered): RabbitMQ's redelivered flag. */
  redelivered: boolean;
}

export interface RecoveredState {
  exchanges: ExchangeDefinition[];
  queues: QueueDefinition[];
  bindings: BindingDefinition[];
  /** Per queue ("<vhost>/<queue>"), messages in queue (append) order. */
  messages: Map<string, RecoveredMessage[]>;
}

export interface StoreStats {
  segments: number;
  bytesOnDisk: number;
  liveMessages: number;
  syncs: number;
}

/**
 * Called by open() for each recovered message, per queue in queue order, instead of
 * collecting them into RecoveredState.messages (which then stays empty). `message`
 * holds views into a segment buffer valid only during the call: copy what you keep.
 * Lets the broker keep only refs for a backlog larger than its memory budget.
 */
export type RecoveredMessageVisitor = (
  queueKey: string,
  ref: MessageRef,
  message: PersistedMessage,
  redelivered: boolean,
) => void;

export interface OpenOptions {
  onMessage?: RecoveredMessageVisitor;
}

export interface DurableStore {
  open(options?: OpenOptions): Promise<RecoveredState>;
  putExchange(d: ExchangeDefinition): Promise<void>;
  removeExchange(vhost: string, name: string): Promise<void>;
  putQueue(d: QueueDefinition): Promise<void>;
  /** Drops the queue's messages and bindings too. */
  removeQueue(vhost: string, name: string): Promise<void>;
  putBinding(b: BindingDefinition): Promise<void>;
  removeBinding(b: BindingDefinition): Promise<void>;
  /** Buffered write; durable once a later sync() resolves. queueKey = "<vhost>/<queue>". */
  append(queueKey: string, message: PersistedMessage): MessageRef;
  /** Group commit: resolves when everything appended before this call is written and fdatasync'd. */
  sync(): Promise<void>;
  /** The message left the queue (ack, drop, expiry, dead-lettered elsewhere). Batched; reclaims fully removed segments. */
  remove(queueKey: string, ref: MessageRef): void;
  /**
   * The message was delivered for the first time (to a consumer that acks): recovery
   * then restores it with redelivered=true. Lazy and never fsync'd — a mark lost in a
   * crash only costs the flag.
   */
  markDelivered(ref: MessageRef): void;
  /** Body of a paged-out message (the queue may drop bodies from memory over its budget). */
  read(ref: MessageRef): Promise<PersistedMessage>;
  /**
   * Several at once, in the order given: records adjacent on disk are read with one
   * read, so a queue paging in its next few hundred messages costs a few reads.
   * The buffers returned may be views of one larger buffer.
   */
  readMany(refs: readonly MessageRef[]): Promise<PersistedMessage[]>;
  /** One record, synchronously; only for a ref isReadable() accepts (else throws StoreError). */
  readSync(ref: MessageRef): PersistedMessage;
  /** The record is written out (a flush covering it completed), so read/readSync find it in its file. */
  isReadable(ref: MessageRef): boolean;
  close(): Promise<void>;
  stats(): StoreStats;
}

/** Where the store reports recoverable problems (corrupt records, torn tails). */
export interface StoreLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface FileStoreOptions {
  dataDir: string;
  /** Segment files roll over once the next record would pass this size. Default 16 MiB. */
  segmentSize?: number;
  /**
   * How often compaction looks for mostly-removed segments to rewrite (a segment must
   * also have had no removal for one interval). Default 1000 ms; 0 turns it off.
   */
  compactionIntervalMs?: number;
  /** Defaults to console. */
  logger?: StoreLogger;
}

/** The queue key used throughout the store and the broker. */
export function queueKeyOf(vhost: string, name: string): string {
  return `${vhost}/${name}`;
}

const EXCHANGE_HOLD_PREFIX = '\u0000exchange:';

/**
 * Key under which a durable exchange (x-delayed-message) holds persistent messages.
 * It cannot collide with a queue key (a queue and an exchange may share a name);
 * such messages survive recovery while the exchange is defined and go with it.
 */
export function exchangeHoldKey(vhost: string, name: string): string {
  return `${EXCHANGE_HOLD_PREFIX}${vhost}/${name}`;
}

/** The exchange key ("<vhost>/<name>") an exchangeHoldKey refers to, else undefined. */
export function exchangeOfHoldKey(key: string): string | undefined {
  return key.startsWith(EXCHANGE_HOLD_PREFIX) ? key.slice(EXCHANGE_HOLD_PREFIX.length) : undefined;
}
