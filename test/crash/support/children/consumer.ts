// An idempotent consumer in its own process: a Nest application with DatabaseHandle,
// IdempotencyModule and MessagingModule wired the documented way, one @Subscribe handler
// with `idempotency: 'db' | 'redis'` whose effect is a row in the test's `effects` table.
//
// Consumer middleware, outermost first:
//   observe      after the idempotency stage returned — inbox row committed (db) or
//                done-marker written (redis) — and BEFORE the core acks:
//                reports SETTLING; crash point 'after-commit'
//   idempotency  the store under test
//   window       after the handler's effect, before the idempotency stage records it:
//                crash point 'before-done-marker' (db: the inbox transaction is still open)
//
// Reports: TOPOLOGY <json> and READY at start; DELIVERED <id> as a delivery enters the
// pipeline; RUN <id> when the handler runs; EFFECT-ALREADY <id> (redis) when a re-run
// found its effect already written;
// SETTLING <id> ran=<0|1> redelivered=<0|1> before the ack; FAILED <id> <error> when the
// pipeline threw; CRASH-POINT <point> <id>,
// after which it hangs (holding the delivery unacked) until killed -9.
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DATABASE_HANDLE, DatabaseModule, type DatabaseHandle } from '@surety/database';
import {
  MessagingModule,
  Subscribe,
  TopologyRegistry,
  type ConsumerMiddleware,
  type MessageContext,
} from '@surety/messaging';
import {
  IdempotencyMiddleware,
  IdempotencyModule,
  type IdempotencyModuleOptions,
} from '@surety/messaging/idempotency';
import { CrashEnv, required, type CrashPoint, type StoreKind } from '../crash-env';
import { EFFECT_WRITES, type EffectEvent } from '../effects';
import { hangForever, onSigterm, runChild, say } from './child-runtime';

const store = required(CrashEnv.store) as StoreKind;
const queue = required(CrashEnv.queue);
const exchange = required(CrashEnv.exchange);
const crashPoint = process.env[CrashEnv.crashPoint] as CrashPoint | undefined;
const prefetch = Number(process.env[CrashEnv.prefetch] ?? 10);
/** Handler work time: keeps deliveries in flight (unacked, transaction open) when crashes hit. */
const handlerMs = Number(process.env[CrashEnv.handlerMs] ?? 0);

/** Deliveries whose handler ran in this process (the MessageContext object is per delivery). */
const ran = new WeakSet<MessageContext>();

@Injectable()
class EffectConsumer {
  constructor(@Inject(DATABASE_HANDLE) private readonly database: DatabaseHandle) {}

  @Subscribe({
    queue,
    exchange,
    routingKey: '#',
    idempotency: store,
    prefetch,
    retry: { attempts: 20, backoff: [200, 500, 1_000] },
  })
  async onEvent(payload: EffectEvent, context: MessageContext): Promise<void> {
    ran.add(context);
    say(`RUN ${context.messageId}`);
    if (handlerMs > 0) await new Promise((resolve) => setTimeout(resolve, handlerMs));
    await EFFECT_WRITES[store](this.database, context, payload);
  }
}

const observe: ConsumerMiddleware = async (ctx, next) => {
  say(`DELIVERED ${ctx.message.messageId}`);
  try {
    await next();
  } catch (error) {
    // The core retries it later (delay queue) or dead-letters it.
    say(`FAILED ${ctx.message.messageId} ${error instanceof Error ? error.name : 'error'}`);
    throw error;
  }
  const id = ctx.message.messageId;
  say(
    `SETTLING ${id} ran=${ran.has(ctx.message) ? 1 : 0} redelivered=${ctx.message.redelivered ? 1 : 0}`,
  );
  if (crashPoint === 'after-commit') {
    say(`CRASH-POINT after-commit ${id}`);
    await hangForever();
  }
};

const window: ConsumerMiddleware = async (ctx, next) => {
  await next();
  if (crashPoint === 'before-done-marker') {
    say(`CRASH-POINT before-done-marker ${ctx.message.messageId}`);
    await hangForever();
  }
};

function storeOptions(): IdempotencyModuleOptions {
  if (store === 'db') return { db: { maxWaitMs: 20_000 } };
  return {
    redis: {
      url: required(CrashEnv.redisUrl),
      prefix: required(CrashEnv.redisPrefix),
      leaseMs: Number(process.env[CrashEnv.redisLeaseMs] ?? 2_000),
      retentionMs: 3_600_000,
    },
  };
}

async function main(): Promise<void> {
  @Module({
    imports: [
      DatabaseModule.forRoot({
        url: required(CrashEnv.databaseUrl),
        database: { poolSize: prefetch + 2 },
      }),
      IdempotencyModule.forRoot(storeOptions()),
      MessagingModule.forRootAsync({
        inject: [IdempotencyMiddleware],
        useFactory: (idempotency: IdempotencyMiddleware) => ({
          urls: required(CrashEnv.brokerUrl),
          connectionName: 'surety-crash-consumer',
          // init() returns once the consumer is attached (READY means consuming).
          startupRounds: 40,
          reconnect: { initialMs: 50, maxMs: 500 },
          topology: { exchanges: [{ name: exchange, type: 'topic', options: { durable: true } }] },
          delay: { prefix: required(CrashEnv.delayPrefix), levels: 4 },
          consumerMiddleware: [observe, idempotency.handle, window],
          shutdownTimeoutMs: 5_000,
        }),
      }),
    ],
    providers: [EffectConsumer],
  })
  class ConsumerChildModule {}

  const app = await NestFactory.createApplicationContext(ConsumerChildModule, {
    logger: ['error', 'warn'],
  });
  const topology = app.get(TopologyRegistry).list();
  say(
    `TOPOLOGY ${JSON.stringify({
      queues: (topology.queues ?? []).map((q) => q.name),
      exchanges: (topology.exchanges ?? []).map((e) => e.name),
    })}`,
  );
  onSigterm(() => app.close());
  say('READY');
}

runChild('consumer', main);
