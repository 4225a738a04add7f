export type {
  IdempotencyOutcome,
  IdempotencyStore,
  IdempotentEffect,
} from './interfaces/idempotency-store.interface';
export { IdempotencyStoreUnavailableError, MissingIdempotencyKeyError } from './idempotency.errors';
export {
  RedisIdempotencyStore,
  type RedisIdempotencyOptions,
} from './redis/redis-idempotency.store';
export {
  DbIdempotencyStore,
  type DbIdempotencyOptions,
  type RawSqlTransaction,
  type TransactionalClient,
} from './db/db-idempotency.store';
export { trackTransactionUsage, type TrackedTransaction } from './db/transaction-usage';
