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
export { RedisConfigurationError, resolveRedisUrl } from './redis/redis-url';
export {
  DbIdempotencyStore,
  type DbIdempotencyOptions,
  type RawSqlTransaction,
  type TransactionalClient,
} from './db/db-idempotency.store';
export { trackTransactionUsage, type TrackedTransaction } from './db/transaction-usage';
export type {
  IdempotencyKeyFn,
  IdempotencySetting,
  IdempotencyStoreKind,
} from './interfaces/idempotency-options.interface';
export { IdempotencyKeyBusyError, InvalidIdempotencyKeyError } from './idempotency.errors';
export { IdempotencyMiddleware, type IdempotencyMiddlewareOptions } from './idempotency.middleware';
export { InboxTransaction } from './inbox-transaction';
export { IdempotencyModule } from './idempotency.module';
export {
  IDEMPOTENCY_MODULE_OPTIONS,
  type IdempotencyModuleOptions,
} from './idempotency-module-options';
export { IDEMPOTENCY_STORES } from './idempotency.constants';
import './messaging-augmentation';
