import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DbIdempotencyOptions } from './db/db-idempotency.store';
import type { IdempotencyMiddlewareOptions } from './idempotency.middleware';
import type { RedisIdempotencyOptions } from './redis/redis-idempotency.store';

/** @publicApi */
export interface IdempotencyModuleOptions {
  /** The inbox-table store; needs DatabaseModule (its DATABASE_HANDLE). */
  readonly db?: true | DbIdempotencyOptions;
  /** The Redis store, on its own auto-pipelined client. */
  readonly redis?: RedisIdempotencyOptions & { readonly url: string | undefined };
  readonly middleware?: IdempotencyMiddlewareOptions;
}

export const {
  ConfigurableModuleClass: ConfigurableIdempotencyModule,
  MODULE_OPTIONS_TOKEN: IDEMPOTENCY_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<IdempotencyModuleOptions>({ moduleName: 'SuretyIdempotency' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
