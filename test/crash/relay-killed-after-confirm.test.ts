import { Outbox } from '@surety/messaging/outbox';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { eventually } from '../support/eventually';
import { describeWithServices } from '../support/services';
import { AmqpAdmin } from './support/amqp-admin';
import { CrashEnv, type StoreKind } from './support/crash-env';
import { CrashRig } from './support/crash-rig';
import { effectCounts } from './support/effects';
import { tally } from './support/tally';

// Three real processes per case (consumer, doomed relay, fresh relay) on a busy machine.
jest.setTimeout(60_000);

const EVENTS = 20;
const STORES: StoreKind[] = ['db', 'redis'];

for (const brokerTarget of brokerTargets()) {
  for (const store of STORES) {
    describeWithServices(
      [...brokerTarget.needs, 'postgres', ...(store === 'redis' ? (['redis'] as const) : [])],
      `crash: relay killed -9 between the broker's confirm and marking rows sent [${brokerTarget.name} + ${store}]`,
      () => {
        let broker: BrokerUnderTest;
        let rig: CrashRig | undefined;

        beforeAll(async () => {
          broker = await brokerTarget.start();
        });
        afterAll(async () => {
          await rig?.dispose();
          await broker.stop();
        });

        it('publishes the confirmed batch again; the consumer absorbs every duplicate (one effect per event)', async () => {
          rig = await CrashRig.create(store, broker.url);
          const consumer = await rig.startConsumer();
          const records = await rig.db.prisma.$transaction((tx) =>
            new Outbox().addMany(
              tx,
              Array.from({ length: EVENTS }, (_, i) => ({
                type: 'business.recorded',
                exchange: rig!.exchange,
                payload: { businessId: i + 1 },
              })),
            ),
          );
          const ids = records.map((r) => r.messageId).sort();

          // The doomed relay reports the broker's confirms, then stops dead before the
          // relay marks anything; we kill it -9 right there.
          const doomed = await rig.startRelay({
            [CrashEnv.crashPoint]: 'after-confirm',
            [CrashEnv.batchSize]: String(EVENTS),
          });
          await doomed.waitForLine(/^CRASH-POINT after-confirm$/);
          expect(doomed.reported('CONFIRMED ')[0].split(',').sort()).toEqual(ids);
          expect((await doomed.kill9()).signal).toBe('SIGKILL');
          // Confirmed (so in the queue), but never marked: the rows are still pending.
          expect(await rig.outboxStatuses()).toEqual({ pending: EVENTS, sent: 0, failed: 0 });

          await rig.startRelay();
          await eventually(
            async () =>
              expect(await rig!.outboxStatuses()).toEqual({ pending: 0, sent: EVENTS, failed: 0 }),
            { timeoutMs: 20_000 },
          );
          // Every event reached the consumer twice (once per relay)...
          const deliveries = () =>
            tally(consumer.reported('SETTLING ').map((l) => l.split(' ')[0]));
          await eventually(
            () => {
              for (const id of ids) expect(deliveries().get(id)).toBeGreaterThanOrEqual(2);
            },
            { timeoutMs: 20_000 },
          );
          // ...and took effect once: the second copy was absorbed without running the handler.
          const effects = await effectCounts(rig.db.sql);
          expect([...effects.keys()].sort()).toEqual(ids);
          expect([...effects.values()].every((n) => n === 1)).toBe(true);
          const runs = tally(consumer.reported('RUN '));
          expect([...runs.values()].every((n) => n === 1)).toBe(true);
          const absorbed = consumer.reported('SETTLING ').filter((l) => l.includes(' ran=0 '));
          expect(absorbed.length).toBeGreaterThanOrEqual(EVENTS);
          if (store === 'db') expect(await rig.count('surety_inbox')).toBe(EVENTS);

          // Queue drained: after a graceful stop nothing is left ready (unacked would be requeued).
          expect((await consumer.stop()).code).toBe(0);
          const admin = await AmqpAdmin.open(broker.url);
          try {
            expect((await admin.queueState(rig.queue)).messages).toBe(0);
            expect((await admin.queueState(`${rig.queue}.dlq`)).messages).toBe(0);
          } finally {
            await admin.close();
          }
          console.log(
            `[crash] relay-after-confirm ${brokerTarget.name}+${store}: events=${EVENTS} ` +
              `deliveries=${[...deliveries().values()].reduce((a, b) => a + b, 0)} ` +
              `absorbed=${absorbed.length} handlerRuns=${[...runs.values()].reduce((a, b) => a + b, 0)} ` +
              `effects=${EVENTS} kills=1`,
          );
        });
      },
    );
  }
}
