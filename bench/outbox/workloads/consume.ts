import { Global, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  DATABASE_HANDLE,
  createDatabase,
  resolveDatabaseUrl,
  type DatabaseHandle,
} from '@surety/database';
import { MessagingModule, Subscribe, type ConsumerMiddleware } from '@surety/messaging';
import {
  IdempotencyMiddleware,
  IdempotencyModule,
  type IdempotencyStoreKind,
} from '@surety/messaging/idempotency';
import { CONCURRENCY, DB_CONCURRENCY, DB_POOL, PREFETCH } from '../config';
import { Meter, type Costs } from '../meter';

export interface ConsumeArgs {
  readonly url: string;
  readonly queue: string;
  /** 'plain': no idempotency; 'redis' / 'db': `@Subscribe({ idempotency })` with that store. */
  readonly mode: 'plain' | IdempotencyStoreKind;
  readonly count: number;
  readonly warmup: number;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  readonly redisPrefix?: string;
}

/**
 * (c) A @Subscribe consumer draining a pre-filled queue (each delivery with its own
 * message id). The handler does nothing, so what is measured is what idempotency adds:
 * with 'redis' a Lua lease and done-marker, with 'db' an interactive transaction
 * holding the inbox row. A delivery counts once the whole pipeline — idempotency's
 * commit or done-marker included — has finished with it: the first middleware counts
 * after `next()`.
 */
export async function consume(args: ConsumeArgs): Promise<Costs> {
  const { count, warmup } = args;
  let database: DatabaseHandle | undefined;
  if (args.mode === 'db') {
    database = await createDatabase(resolveDatabaseUrl(args.databaseUrl!), { poolSize: DB_POOL });
  }
  const meter = await Meter.create(args.databaseUrl, `consume-${args.mode}`);
  let finished = 0;
  let done!: () => void;
  const allDone = new Promise<void>((resolve) => (done = resolve));
  let started: Promise<void> = warmup === 0 ? meter.start() : Promise.resolve();
  const counted = (): void => {
    if (++finished === warmup) started = meter.start();
    if (finished === warmup + count) done();
  };
  // Not an async function: its frame and promises would live as long as the delivery,
  // which with idempotency spans two Redis round trips (and is then garbage the
  // collector copies), so the counter itself would weigh on the side it measures.
  const counter: ConsumerMiddleware = (_ctx, next) => next().then(counted);
  const concurrency = args.mode === 'db' ? DB_CONCURRENCY : CONCURRENCY;

  @Injectable()
  class Sink {
    @Subscribe({
      queue: args.queue,
      prefetch: PREFETCH,
      concurrency,
      retry: false,
      deadLetter: false,
      ...(args.mode === 'plain' ? {} : { idempotency: args.mode }),
    })
    async handle() {
      // nothing: the benchmark measures the pipeline around the handler
    }
  }

  // The handle as DatabaseModule would provide it (global), with this pool size.
  @Global()
  @Module({
    providers: [{ provide: DATABASE_HANDLE, useValue: database }],
    exports: [DATABASE_HANDLE],
  })
  class BenchDatabaseModule {}

  @Module({
    imports: [...(database ? [BenchDatabaseModule] : []), ...idempotencyImports(args, counter)],
    providers: [Sink],
  })
  class ConsumeModule {}

  const app = await NestFactory.createApplicationContext(ConsumeModule, { logger: ['error'] });
  try {
    await allDone;
    await started;
    return await meter.stop(count);
  } finally {
    await app.close();
    await meter.close();
    await database?.close();
  }
}

function idempotencyImports(args: ConsumeArgs, counter: ConsumerMiddleware): DynamicModule[] {
  if (args.mode === 'plain') {
    return [
      MessagingModule.forRoot({ urls: args.url, delay: false, consumerMiddleware: [counter] }),
    ];
  }
  return [
    IdempotencyModule.forRoot(
      args.mode === 'redis'
        ? { redis: { url: args.redisUrl!, prefix: args.redisPrefix! } }
        : { db: { warnOnUnusedTransaction: false } },
    ),
    MessagingModule.forRootAsync({
      inject: [IdempotencyMiddleware],
      useFactory: (idempotency: IdempotencyMiddleware) => ({
        urls: args.url,
        delay: false,
        consumerMiddleware: [counter, idempotency.handle],
      }),
    }),
  ];
}
