import { brokerTargets, type BrokerUnderTest } from '../../support/brokers';
import { describeWithServices, type ServiceName } from '../../support/services';
import { CrashEnv, crashEvents, type StoreKind } from './crash-env';
import { CrashRig } from './crash-rig';
import { crashSummary, expectEndState, waitUntilSettled } from './end-state';
import { crashSeed, seededRandom } from './seeded-random';
import { Supervisor, type Role } from './supervisor';

/** Business rows per soak: SURETY_CRASH_EVENTS (npm run test:crash:large: 10 000). */
const EVENTS = crashEvents(300);
/** How long kills keep coming: 8 s, or 8 ms per event for big runs. */
const CHAOS_MS = Math.max(8_000, EVENTS * 8);
const PREFETCH = 10;
/** A handler takes a few ms: kills land inside open inbox transactions, not only between. */
const HANDLER_MS = 5;

/**
 * The soak: a producer process commits EVENTS business rows, each with its outbox event
 * in the same transaction; a relay process publishes them; a consumer process takes
 * effect. Meanwhile the test kills one of the three -9 at seeded random moments — and
 * some relay/consumer starts stop dead at a crash point and are killed there — and
 * starts it again, for CHAOS_MS. Then the data
 * must show the guarantee end to end (see expectEndState).
 */
export function defineSoak(store: StoreKind, seedBase: number): void {
  const seed = crashSeed(seedBase);
  // Kills keep coming while the producer writes: the big run must not hit the limit.
  jest.setTimeout(90_000 + EVENTS * 80);

  for (const brokerTarget of brokerTargets()) {
    const needs: ServiceName[] = [...brokerTarget.needs, 'postgres'];
    if (store === 'redis') needs.push('redis');
    describeWithServices(
      needs,
      `crash soak: relay, consumer and producer killed -9 at random [${brokerTarget.name} + ${store}]`,
      () => {
        let broker: BrokerUnderTest;
        let rig: CrashRig | undefined;
        let supervisor: Supervisor | undefined;

        beforeAll(async () => {
          broker = await brokerTarget.start();
        });
        afterAll(async () => {
          supervisor?.dispose();
          await rig?.dispose();
          await broker.stop();
        });

        it(`${EVENTS} business rows: one effect each, nothing lost, nothing pending (seed ${seed})`, async () => {
          const r = (rig = await CrashRig.create(store, broker.url));
          const random = seededRandom(seed);
          const pauseMs = Math.max(0, Math.floor((CHAOS_MS * 0.4) / EVENTS) - 3);
          const s = (supervisor = new Supervisor(
            {
              consumer: (env) =>
                r.startConsumer({
                  [CrashEnv.prefetch]: String(PREFETCH),
                  [CrashEnv.handlerMs]: String(HANDLER_MS),
                  ...env,
                }),
              relay: (env) => r.startRelay({ [CrashEnv.batchSize]: '50', ...env }),
              producer: () => r.startProducer(EVENTS, pauseMs),
            },
            {
              relay: ['after-confirm'],
              consumer: ['after-commit', 'before-done-marker'],
            },
            // Its own stream: which starts carry a crash point does not shift the kill schedule.
            seededRandom(seed + 1),
          ));
          await s.launch('consumer');
          await s.launch('relay');
          await s.launch('producer');
          const producerDone = () => r.reported('producer', 'DONE ').length > 0;

          const began = Date.now();
          const chaosEnds = began + CHAOS_MS;
          while (Date.now() < chaosEnds) {
            await sleep(150 + random() * 600);
            if (s.failures.length > 0) throw s.failures[0];
            const producer = await s.process('producer');
            if (!producer.alive && !producerDone() && producer.exitCode !== null) {
              throw new Error(`the producer failed on its own:\n${producer.errors}`);
            }
            const pick = random();
            const victim: Role = pick < 0.45 ? 'consumer' : pick < 0.9 ? 'relay' : 'producer';
            if (victim === 'producer' && producerDone()) continue;
            // Not awaited: the victim restarts while the next kill may hit another role.
            void s.killCurrent(victim);
          }
          s.armed = false;
          // Processes started with a crash point may still trip; they are replaced unarmed.
          const chaosDone = Date.now();
          await s.settled();
          // The producer finishes in peace if the kills kept it from finishing during them.
          await (await s.process('producer')).waitForLine(/^DONE /, 60_000 + EVENTS * 20);
          await waitUntilSettled(r, EVENTS, 60_000 + EVENTS * 10);
          await s.settled();
          const settledAt = Date.now();
          const summary = crashSummary(r, EVENTS, s.kills);
          console.log(
            `[crash] soak ${brokerTarget.name}+${store} seed=${seed}: ${summary} trips=${JSON.stringify(s.trips)}`,
          );

          expect(s.kills.consumer).toBeGreaterThan(0);
          expect(s.kills.relay).toBeGreaterThan(0);
          await expectEndState(r, EVENTS);
          console.log(
            `[crash] soak ${brokerTarget.name}+${store} phases: chaos ${chaosDone - began} ms, ` +
              `settle ${settledAt - chaosDone} ms, drain+checks ${Date.now() - settledAt} ms`,
          );
          // A relay killed after the broker's confirm publishes its batch again.
          const published = r.reported('relay', 'CONFIRMED ').flatMap((l) => l.split(','));
          if (s.trips['after-confirm']) expect(published.length).toBeGreaterThan(EVENTS);
          // A handler runs again only for a delivery that was in flight in a consumer that
          // was killed (at most PREFETCH each). With the Redis store some of those re-runs
          // come after the effect committed (the documented window): the idempotent effect
          // write absorbed them (effectAlreadyThere in the summary).
          const runs = r.reported('consumer', 'RUN ');
          const reruns = runs.length - new Set(runs).size;
          expect(reruns).toBeLessThanOrEqual(s.kills.consumer * PREFETCH);
          if (store === 'db') expect(r.reported('consumer', 'EFFECT-ALREADY ')).toEqual([]);
        });
      },
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
