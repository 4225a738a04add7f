import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { PrismaClient, type Prisma } from '@surety/database';
import { MessagingModule } from '@surety/messaging';
import {
  OnPublishFailed,
  Outbox,
  OutboxModule,
  OutboxRelay,
  type FailedOutboxEvent,
} from '@surety/messaging/outbox';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { freshPostgres, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { describeWithServices } from '../support/services';
import { globalDatabase } from './support/global-database';
import { Collector, declareTopology, type TestTopology } from './support/messaging-env';

jest.setTimeout(60_000);

/** A business service: one transaction writes the policy row and its event. */
@Injectable()
class PolicyService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly outbox: Outbox,
  ) {}

  issue(id: string, exchange: string): Promise<void> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('INSERT INTO policies (id) VALUES ($1)', id);
      await this.outbox.add(tx, { type: 'policy.issued', exchange, key: id, payload: { id } });
    });
  }
}

@Injectable()
class PolicyCompensations {
  readonly seen: FailedOutboxEvent[] = [];

  @OnPublishFailed('policy.issued')
  async onIssuedLost(event: FailedOutboxEvent<{ id: string }>, tx: Prisma.TransactionClient) {
    this.seen.push(event);
    await tx.$executeRawUnsafe(
      "UPDATE policies SET state = 'event-lost' WHERE id = $1",
      event.payload.id,
    );
  }
}

for (const brokerTarget of brokerTargets()) {
  describeWithServices(
    [...brokerTarget.needs, 'postgres'],
    `OutboxModule in a Nest application [${brokerTarget.name}]`,
    () => {
      let broker: BrokerUnderTest;
      let db: TestDatabase;
      let topology: TestTopology;
      let collector: Collector;
      let module: TestingModule;

      beforeAll(async () => {
        broker = await brokerTarget.start();
        db = await freshPostgres();
        await db.sql.exec(
          "CREATE TABLE policies (id text PRIMARY KEY, state text NOT NULL DEFAULT 'issued')",
        );
        topology = await declareTopology(broker.url);
        collector = await Collector.start(broker.url, topology.queue);
        module = await Test.createTestingModule({
          imports: [
            globalDatabase(db),
            MessagingModule.forRoot({ urls: broker.url, delay: false }),
            OutboxModule.forRoot({ relayOptions: { pollIntervalMs: 100 } }),
          ],
          providers: [PolicyService, PolicyCompensations],
        }).compile();
        module.useLogger(process.env.SURETY_TEST_LOGS ? console : ['error']);
        await module.init();
      });
      afterAll(async () => {
        await module?.close();
        await collector.close();
        await topology.dispose();
        await db.drop();
        await broker.stop();
      });

      it('publishes what a business transaction added, after commit', async () => {
        await module.get(PolicyService).issue('P-1', topology.exchange);
        await eventually(() => expect(collector.payloads()).toEqual([{ id: 'P-1' }]));
      });

      it('runs the @OnPublishFailed compensation once, in the transaction that fails the row', async () => {
        await module.get(PolicyService).issue('P-2', 'exchange.that.does.not.exist');
        await eventually(async () => {
          const { rows } = await db.sql.query<{ state: string }>(
            "SELECT state FROM policies WHERE id = 'P-2'",
          );
          expect(rows[0].state).toBe('event-lost');
        });
        const compensations = module.get(PolicyCompensations).seen;
        expect(compensations).toHaveLength(1);
        expect(compensations[0]).toMatchObject({ type: 'policy.issued', key: 'P-2', sequence: 1 });
        expect(compensations[0].reason).toMatch(/exchange.that.does.not.exist/);
        expect((await module.get(OutboxRelay).metrics()).compensations).toBe(1);
      });
    },
  );
}
