import { v7 as uuidv7 } from 'uuid';
import { brokerTargets, type BrokerUnderTest } from '../../support/brokers';
import { eventually } from '../../support/eventually';
import { describeWithServices, type ServiceName } from '../../support/services';
import { AmqpAdmin } from './amqp-admin';
import { CrashEnv, type CrashPoint, type StoreKind } from './crash-env';
import { CrashRig } from './crash-rig';
import { effectCounts } from './effects';
import { tally } from './tally';

interface CrashCase {
  readonly store: StoreKind;
  readonly point: CrashPoint;
  readonly title: string;
  /** Is the effect row there when the consumer dies? */
  readonly effectCommittedAtKill: boolean;
  /** Does the redelivery run the handler again (true) or get absorbed by the store (false)? */
  readonly handlerRunsAgain: boolean;
}

const CASES: CrashCase[] = [
  {
    store: 'db',
    point: 'after-commit',
    title: 'db: killed after the inbox transaction committed, before the ack — redelivery absorbed',
    effectCommittedAtKill: true,
    handlerRunsAgain: false,
  },
  {
    store: 'db',
    point: 'before-done-marker',
    title:
      'db: killed inside the inbox transaction — effect rolled back with the inbox row, run again once',
    effectCommittedAtKill: false,
    handlerRunsAgain: true,
  },
  {
    store: 'redis',
    point: 'after-commit',
    title: 'redis: killed after the done-marker, before the ack — redelivery absorbed',
    effectCommittedAtKill: true,
    handlerRunsAgain: false,
  },
  {
    // The documented window of the Redis store (docs/outbox/idempotency.md): the effect
    // committed on its own, the done-marker was never written. Once the dead worker's
    // lease expires the handler runs again; only an idempotent effect keeps one row.
    store: 'redis',
    point: 'before-done-marker',
    title:
      'redis: killed after the effect, before the done-marker (documented window) — handler runs again, the idempotent effect keeps one row',
    effectCommittedAtKill: true,
    handlerRunsAgain: true,
  },
];

const MESSAGES = 3;

/**
 * A consumer process killed -9 at a crash point with one delivery in flight, then a fresh
 * consumer: the cases of one store, on both brokers.
 */
export function describeConsumerCrashes(store: StoreKind): void {
  // Two consumer processes per case on a busy machine.
  jest.setTimeout(60_000);
  for (const brokerTarget of brokerTargets()) {
    const needs: ServiceName[] = [...brokerTarget.needs, 'postgres'];
    if (store === 'redis') needs.push('redis');
    describeWithServices(
      needs,
      `crash: consumer killed -9 mid-delivery [${brokerTarget.name} + ${store}]`,
      () => {
        let broker: BrokerUnderTest;
        let rig: CrashRig | undefined;

        beforeAll(async () => {
          broker = await brokerTarget.start();
        });
        afterEach(async () => {
          await rig?.dispose();
          rig = undefined;
        });
        afterAll(() => broker.stop());

        for (const c of CASES.filter((k) => k.store === store)) {
          it(c.title, async () => {
            rig = await CrashRig.create(store, broker.url);
            // Prefetch 1: only the first message is in flight when the consumer stops dead.
            const doomed = await rig.startConsumer({
              [CrashEnv.crashPoint]: c.point,
              [CrashEnv.prefetch]: '1',
            });
            const ids = Array.from({ length: MESSAGES }, () => uuidv7());
            const admin = await AmqpAdmin.open(broker.url);
            try {
              await admin.publishConfirmed(
                rig.exchange,
                ids.map((messageId, i) => ({
                  routingKey: 'business.recorded',
                  messageId,
                  type: 'business.recorded',
                  payload: { businessId: i + 1 },
                })),
              );
              const line = await doomed.waitForLine(new RegExp(`^CRASH-POINT ${c.point} `));
              const crashed = line.split(' ')[2];
              expect(ids).toContain(crashed);
              expect((await doomed.kill9()).signal).toBe('SIGKILL');
              expect((await effectCounts(rig.db.sql)).get(crashed) ?? 0).toBe(
                c.effectCommittedAtKill ? 1 : 0,
              );
              if (store === 'db') {
                // The inbox row commits exactly when the effect does.
                const inbox = await rig.db.sql.query(
                  'SELECT 1 FROM surety_inbox WHERE message_id = $1',
                  [crashed],
                );
                expect(inbox.rowCount).toBe(c.effectCommittedAtKill ? 1 : 0);
              }

              const fresh = await rig.startConsumer();
              await eventually(
                async () => {
                  const effects = await effectCounts(rig!.db.sql);
                  expect([...effects.keys()].sort()).toEqual([...ids].sort());
                  expect(fresh.reported('SETTLING ').map((l) => l.split(' ')[0])).toContain(
                    crashed,
                  );
                },
                { timeoutMs: 20_000 },
              );

              // Exactly one effect per message, the crashed one included.
              const effects = await effectCounts(rig.db.sql);
              expect([...effects.values()]).toEqual(ids.map(() => 1));
              // The unacked delivery came back, flagged as redelivered.
              const settled = fresh.reported('SETTLING ').find((l) => l.startsWith(crashed))!;
              expect(settled).toContain('redelivered=1');
              expect(settled).toContain(c.handlerRunsAgain ? 'ran=1' : 'ran=0');
              const runs = tally(rig.reported('consumer', 'RUN '));
              expect(runs.get(crashed)).toBe(c.handlerRunsAgain ? 2 : 1);
              if (store === 'redis' && c.handlerRunsAgain) {
                // The second run found the first run's effect and wrote nothing.
                expect(fresh.reported('EFFECT-ALREADY ')).toEqual([crashed]);
              }
              if (store === 'db') expect(await rig.count('surety_inbox')).toBe(MESSAGES);

              // Queue drained: after a graceful stop nothing is ready (unacked would be requeued).
              expect((await fresh.stop()).code).toBe(0);
              expect((await admin.queueState(rig.queue)).messages).toBe(0);
              expect((await admin.queueState(`${rig.queue}.dlq`)).messages).toBe(0);
              console.log(
                `[crash] consumer ${c.point} ${brokerTarget.name}+${store}: messages=${MESSAGES} ` +
                  `deliveries=${rig.reported('consumer', 'DELIVERED ').length} ` +
                  `handlerRuns(crashed)=${runs.get(crashed)} effects(crashed)=1 kills=1`,
              );
            } finally {
              await admin.close();
            }
          });
        }
      },
    );
  }
}
