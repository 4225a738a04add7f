import { Injectable, type LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { DatabaseHandle } from '@surety/database';
import { globalDatabase } from '../../outbox/support/global-database';
import {
  MessagingModule,
  Publisher,
  Subscribe,
  type ConsumerMiddleware,
  type MessageContext,
  type RetryOptions,
} from '@surety/messaging';
import {
  IdempotencyMiddleware,
  IdempotencyModule,
  type IdempotencyModuleOptions,
  type IdempotencySetting,
} from '@surety/messaging/idempotency';
import { uniqueName } from '../../support/names';

/** What the handler under test does with each delivery. */
export type TestHandler = (payload: { n: number }, context: MessageContext) => Promise<void>;

/** The name the idempotency middleware (and its errors) know the test handler by. */
export const TEST_HANDLER_NAME = 'TestConsumer.handle';

export interface ConsumerApp {
  readonly module: TestingModule;
  readonly publisher: Publisher;
  readonly queue: string;
  close(): Promise<void>;
}

/**
 * A Nest application with DatabaseHandle (given), IdempotencyModule and MessagingModule
 * wired the documented way, and one @Subscribe handler with the given idempotency.
 */
export async function startConsumerApp(options: {
  brokerUrl: string;
  database?: DatabaseHandle;
  idempotency: IdempotencySetting;
  stores: IdempotencyModuleOptions;
  handler: TestHandler;
  logger?: LoggerService;
  queue?: string;
  concurrency?: number;
  /** Default { attempts: 5, backoff: [100] }. */
  retry?: RetryOptions | false;
  /** Runs before the idempotency stage: sees each delivery arrive and how it settles. */
  observe?: ConsumerMiddleware;
}): Promise<ConsumerApp> {
  const queue = options.queue ?? uniqueName('idem.q');

  @Injectable()
  class TestConsumer {
    @Subscribe({
      queue,
      idempotency: options.idempotency,
      retry: options.retry ?? { attempts: 5, backoff: [100] },
      prefetch: options.concurrency ?? 20,
    })
    handle(payload: { n: number }, context: MessageContext): Promise<void> {
      return options.handler(payload, context);
    }
  }

  const module = await Test.createTestingModule({
    imports: [
      ...(options.database ? [globalDatabase(options.database)] : []),
      IdempotencyModule.forRoot(options.stores),
      MessagingModule.forRootAsync({
        inject: [IdempotencyMiddleware],
        useFactory: (idempotency: IdempotencyMiddleware) => ({
          urls: options.brokerUrl,
          delay: { prefix: uniqueName('idem.delay'), levels: 8 },
          consumerMiddleware: [...(options.observe ? [options.observe] : []), idempotency.handle],
          shutdownTimeoutMs: 3_000,
        }),
      }),
    ],
    providers: [TestConsumer],
  }).compile();
  module.useLogger(options.logger ?? ['error']);
  await module.init();
  return {
    module,
    publisher: module.get(Publisher),
    queue,
    close: () => module.close(),
  };
}
