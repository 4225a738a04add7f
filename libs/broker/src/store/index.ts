export type {
  BindingDefinition,
  DurableStore,
  ExchangeDefinition,
  FileStoreOptions,
  MessageRef,
  OpenOptions,
  PersistedMessage,
  QueueDefinition,
  RecoveredMessage,
  RecoveredMessageVisitor,
  RecoveredState,
  StoreLogger,
  StoreStats,
} from './types';
export { exchangeHoldKey, queueKeyOf } from './types';
export { DEFAULT_SEGMENT_SIZE, FileStore, openFileStore } from './file-store';
export { StoreError } from './store-error';
