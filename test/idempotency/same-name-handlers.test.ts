import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { v7 as uuidv7 } from 'uuid';
import { MessagingModule, Publisher, Subscribe } from '@surety/messaging';
import {
  IdempotencyMiddleware,
  IdempotencyModule,
  type IdempotencySetting,
} from '@surety/messaging/idempotency';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeWithServices, serviceUrl } from '../support/services';
import { declaredBy } from './support/cleanup';

jest.setTimeout(60_000);

/** A handler class; every call makes a class of the same name (as two modules of one app may). */
function consumerClass(queue: string, idempotency: IdempotencySetting | undefined, runs: string[]) {
  @Injectable()
  class Consumer {
    @Subscribe({ queue, idempotency, retry: false })
    async handle(payload: { n: number }): Promise<void> {
      runs.push(`${queue} ${payload.n}`);
    }
  }
  return Consumer;
}

for (const brokerTarget of brokerTargets()) {
  describeWithServices(
    [...brokerTarget.needs, 'redis'],
    `idempotency of handler classes that share a name [${brokerTarget.name}]`,
    () => {
      let broker: BrokerUnderTest;
      let module: TestingModule | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        broker = await brokerTarget.start();
      });
      afterAll(() => broker.stop());
      afterEach(async () => {
        await module?.close();
        await cleanup?.();
      });

      it('guards only the one that asked for it', async () => {
        const guarded = uniqueName('idem.same-name.guarded');
        const plain = uniqueName('idem.same-name.plain');
        const runs: string[] = [];
        module = await Test.createTestingModule({
          imports: [
            IdempotencyModule.forRoot({
              redis: { url: serviceUrl('redis'), prefix: uniqueName('idem') },
            }),
            MessagingModule.forRootAsync({
              inject: [IdempotencyMiddleware],
              useFactory: (idempotency: IdempotencyMiddleware) => ({
                urls: broker.url,
                delay: false,
                consumerMiddleware: [idempotency.handle],
              }),
            }),
          ],
          // Registered in this order, the plain one after: its name must not pick up the setting.
          providers: [consumerClass(guarded, 'redis', runs), consumerClass(plain, undefined, runs)],
        }).compile();
        module.useLogger(['error']);
        await module.init();
        cleanup = declaredBy(module, broker.url);

        const publisher = module.get(Publisher);
        const messageId = uuidv7();
        for (const queue of [guarded, plain]) {
          for (let i = 0; i < 2; i++) await publisher.publish('', queue, { n: i }, { messageId });
        }
        await eventually(() => expect(runs.filter((r) => r.startsWith(plain))).toHaveLength(2));
        await eventually(() => expect(runs.filter((r) => r.startsWith(guarded))).toHaveLength(1));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(runs.filter((r) => r.startsWith(guarded))).toEqual([`${guarded} 0`]);
      });
    },
  );
}
