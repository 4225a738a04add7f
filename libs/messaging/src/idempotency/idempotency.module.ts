import { Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DATABASE_HANDLE, type DatabaseHandle, type Prisma } from '@surety/database';
import { DbIdempotencyStore } from './db/db-idempotency.store';
import { IDEMPOTENCY_STORES } from './idempotency.constants';
import { IdempotencyExplorer } from './idempotency.explorer';
import { IdempotencyMiddleware } from './idempotency.middleware';
import {
  ConfigurableIdempotencyModule,
  IDEMPOTENCY_MODULE_OPTIONS,
  type IdempotencyModuleOptions,
} from './idempotency-module-options';
import { RedisIdempotencyStore } from './redis/redis-idempotency.store';

async function createStores(
  options: IdempotencyModuleOptions,
  database: DatabaseHandle | undefined,
) {
  const stores: {
    db?: DbIdempotencyStore<Prisma.TransactionClient>;
    redis?: RedisIdempotencyStore;
  } = {};
  if (options.db) {
    if (!database) {
      throw new TypeError(
        'IdempotencyModule.forRoot({ db }) needs DatabaseModule (no DATABASE_HANDLE provider found)',
      );
    }
    stores.db = new DbIdempotencyStore(database.prisma, options.db === true ? {} : options.db);
  }
  if (options.redis) {
    const { url, ...redisOptions } = options.redis;
    stores.redis = await RedisIdempotencyStore.connect(url, redisOptions);
  }
  return stores;
}

const providers: Provider[] = [
  {
    provide: IDEMPOTENCY_STORES,
    inject: [IDEMPOTENCY_MODULE_OPTIONS, { token: DATABASE_HANDLE, optional: true }],
    useFactory: createStores,
  },
  {
    provide: IdempotencyMiddleware,
    inject: [IDEMPOTENCY_STORES, IDEMPOTENCY_MODULE_OPTIONS],
    useFactory: (
      stores: ConstructorParameters<typeof IdempotencyMiddleware>[0],
      options: IdempotencyModuleOptions,
    ) => new IdempotencyMiddleware(stores, options.middleware),
  },
  IdempotencyExplorer,
];

/**
 * Idempotent consumers for a Nest application. Global by default; hand its middleware
 * to the messaging module:
 *
 *     IdempotencyModule.forRoot({ db: true, redis: { url: process.env.REDIS_URL } }),
 *     MessagingModule.forRootAsync({
 *       inject: [IdempotencyMiddleware],
 *       useFactory: (idempotency: IdempotencyMiddleware) => ({ consumerMiddleware: [idempotency.handle] }),
 *     }),
 *
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers,
  exports: [IdempotencyMiddleware, IDEMPOTENCY_STORES],
})
export class IdempotencyModule extends ConfigurableIdempotencyModule {}
