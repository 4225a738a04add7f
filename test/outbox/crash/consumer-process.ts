// An idempotent consumer in its own process, for crash tests.
//
//   DATABASE_URL, BROKER_URL, REDIS_URL, QUEUE
//   SURETY_IDEMPOTENCY=db|redis, SURETY_REDIS_PREFIX (leases of 3 s)
//   SURETY_CRASH_POINT=after-commit
//       the first delivery whose effect is recorded prints "COMMITTED <messageId>" and
//       hangs before the ack, so the parent can kill -9 it at exactly that point.
//
// Every delivery is logged in `deliveries` before the idempotency check (to prove that
// duplicates did arrive); the effect is one row in `effects` — through the inbox
// transaction in db mode, on its own in redis mode.
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createDatabase, resolveDatabaseUrl, type DatabaseHandle } from '@surety/database';
import {
  MessagingModule,
  Subscribe,
  type ConsumerMiddleware,
  type MessageContext,
} from '@surety/messaging';
import {
  IdempotencyMiddleware,
  IdempotencyModule,
  type IdempotencyStoreKind,
} from '@surety/messaging/idempotency';
import { globalDatabase } from '../support/global-database';

const store = (process.env.SURETY_IDEMPOTENCY ?? 'db') as IdempotencyStoreKind;
const queue = process.env.QUEUE ?? '';

async function main(): Promise<void> {
  const db: DatabaseHandle = await createDatabase(resolveDatabaseUrl(process.env.DATABASE_URL), {
    poolSize: 8,
  });

  @Injectable()
  class EffectConsumer {
    @Subscribe({
      queue,
      declare: false,
      idempotency: store,
      prefetch: 50,
      // No delay infrastructure in crash tests (nothing to clean up per run): a handler
      // error would dead-letter at once, and then show up as a missing effect.
      retry: false,
    })
    async handle(payload: { businessId: number }, context: MessageContext): Promise<void> {
      const insert = 'INSERT INTO effects (business_id, message_id) VALUES ($1, $2)';
      if (store === 'db') {
        await context.tx!.$executeRawUnsafe(insert, payload.businessId, context.messageId);
      } else {
        await db.sql.query(insert, [payload.businessId, context.messageId]);
      }
    }
  }

  const logDelivery: ConsumerMiddleware = async (ctx, next) => {
    await db.sql.query('INSERT INTO deliveries (message_id, pid) VALUES ($1, $2)', [
      ctx.message.messageId,
      process.pid,
    ]);
    return next();
  };

  let hung = false;
  @Module({
    imports: [
      globalDatabase(db),
      IdempotencyModule.forRoot({
        ...(store === 'db'
          ? { db: { maxWaitMs: 30_000 } }
          : {
              redis: {
                url: process.env.REDIS_URL ?? '',
                prefix: process.env.SURETY_REDIS_PREFIX,
                // A killed consumer's leases must expire within the test's patience.
                leaseMs: 3_000,
              },
            }),
        middleware: {
          afterRecorded:
            process.env.SURETY_CRASH_POINT === 'after-commit'
              ? async (ctx) => {
                  if (hung) return;
                  hung = true;
                  process.stdout.write(`COMMITTED ${ctx.message.messageId}\n`);
                  await new Promise(() => undefined); // wait for kill -9
                }
              : undefined,
        },
      }),
      MessagingModule.forRootAsync({
        inject: [IdempotencyMiddleware],
        useFactory: (idempotency: IdempotencyMiddleware) => ({
          urls: process.env.BROKER_URL,
          connectionName: `crash-consumer-${process.pid}`,
          startup: 'retry' as const,
          reconnect: { initialMs: 50, maxMs: 500 },
          delay: false as const,
          consumerMiddleware: [logDelivery, idempotency.handle],
          shutdownTimeoutMs: 2_000,
        }),
      }),
    ],
    providers: [EffectConsumer],
  })
  class ConsumerModule {}

  const app = await NestFactory.createApplicationContext(ConsumerModule, {
    logger: process.env.SURETY_TEST_LOGS ? undefined : ['error'],
  });
  process.stdout.write('READY\n');
  process.once('SIGTERM', () => {
    void app.close().then(
      () => db.close().then(() => process.exit(0)),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`consumer process failed: ${String(error)}\n`);
  process.exit(1);
});
