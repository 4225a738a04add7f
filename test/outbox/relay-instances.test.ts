import type { DatabaseHandle } from '@surety/database';
import { Outbox, OutboxRelay, type OutboxEvent } from '@surety/messaging/outbox';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { freshPostgres, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { describeWithServices } from '../support/services';
import {
  Collector,
  declareTopology,
  startPublisher,
  type StartedPublisher,
  type TestTopology,
} from './support/messaging-env';
import { RecordingPublisher } from './support/recording-publisher';
import { openAnotherHandle } from './support/relay-instance';

// Thousands of rows through three relays and a real broker on a slow shared machine.
jest.setTimeout(180_000);

const RELAYS = 3;
const KEYS = Array.from({ length: 25 }, (_, i) => `policy-${i}`);
const EVENTS_PER_KEY = 40;
const KEYLESS = 2000;
const TOTAL = KEYS.length * EVENTS_PER_KEY + KEYLESS;

/** One application instance: its own database pool, broker connection and relay. */
interface RelayInstance {
  readonly handle: DatabaseHandle;
  readonly started: StartedPublisher;
  readonly recorder: RecordingPublisher;
  readonly relay: OutboxRelay;
}

/**
 * Keyed and keyless events interleaved as concurrent business transactions would write
 * them: round n carries event n of every key, then a share of the keyless ones.
 */
function events(exchange: string): OutboxEvent[] {
  const all: OutboxEvent[] = [];
  const keylessPerRound = KEYLESS / EVENTS_PER_KEY;
  for (let n = 0; n < EVENTS_PER_KEY; n++) {
    for (const key of KEYS)
      all.push({ type: 'policy.changed', exchange, key, payload: { key, n } });
    for (let i = 0; i < keylessPerRound; i++) {
      all.push({ type: 'fee.noted', exchange, payload: { n, i } });
    }
  }
  return all;
}

for (const brokerTarget of brokerTargets()) {
  // PostgreSQL only: one process owns a PGlite database, so it never has two relays.
  describeWithServices(
    [...brokerTarget.needs, 'postgres'],
    `${RELAYS} OutboxRelays on one PostgreSQL database [${brokerTarget.name}]`,
    () => {
      let broker: BrokerUnderTest;
      let db: TestDatabase;
      let topology: TestTopology;
      let collector: Collector;
      let instances: RelayInstance[] = [];
      const outbox = new Outbox();

      beforeAll(async () => {
        broker = await brokerTarget.start();
      });
      afterAll(() => broker.stop());

      beforeEach(async () => {
        db = await freshPostgres();
        topology = await declareTopology(broker.url);
        collector = await Collector.start(broker.url, topology.queue);
      });
      afterEach(async () => {
        for (const instance of instances) {
          await instance.relay.stop();
          await instance.started.close();
          await instance.handle.close();
        }
        instances = [];
        await collector.close();
        await topology.dispose();
        await db.drop();
      });

      async function startInstance(): Promise<RelayInstance> {
        const handle = await openAnotherHandle(db, { poolSize: 5 });
        const started = await startPublisher(broker.url);
        const recorder = new RecordingPublisher(started.publisher);
        // Small batches, so that there are many for the relays to share.
        const relay = new OutboxRelay(handle, recorder, { batchSize: 50, pollIntervalMs: 200 });
        const instance = { handle, started, recorder, relay };
        instances.push(instance);
        await relay.start();
        return instance;
      }

      it('share the work and publish every row exactly once, each key in sequence order', async () => {
        for (let i = 0; i < RELAYS; i++) await startInstance();

        // Written by the test's own handle, as by a further instance that only writes.
        const all = events(topology.exchange);
        for (let i = 0; i < all.length; i += 150) {
          await db.prisma.$transaction((tx) => outbox.addMany(tx, all.slice(i, i + 150)));
        }

        const unsent = async () =>
          (
            await db.sql.query<{ n: bigint }>(
              "SELECT count(*) AS n FROM surety_outbox WHERE status <> 'sent'",
            )
          ).rows[0].n;
        await eventually(async () => expect(Number(await unsent())).toBe(0), {
          timeoutMs: 150_000,
          intervalMs: 200,
        });
        // Stopping waits for batches still in flight: a duplicate would be confirmed by now.
        for (const instance of instances) await instance.relay.stop();

        // Exactly once, as the relays saw it: one confirmed publish per row, none twice.
        const confirmed = instances.flatMap((i) => i.recorder.confirmed());
        expect(confirmed.length).toBe(TOTAL);
        const { rows } = await db.sql.query<{ message_id: string }>(
          'SELECT message_id::text FROM surety_outbox',
        );
        const rowIds = rows.map((r) => r.message_id).sort();
        expect(confirmed.map((a) => a.messageId).sort()).toEqual(rowIds);

        // And as the consumer saw it: every row once.
        await eventually(() => expect(collector.messages.length).toBeGreaterThanOrEqual(TOTAL), {
          timeoutMs: 60_000,
        });
        expect(collector.messages).toHaveLength(TOTAL);
        expect(collector.messageIds().sort()).toEqual(rowIds);

        // Each key arrived in its sequence order, even where its rows went through different relays.
        for (const key of KEYS) {
          const arrived = collector.messages
            .filter((m) => m.properties.headers?.['x-surety-key'] === key)
            .map((m) => m.properties.headers?.['x-surety-seq'] as number);
          expect(arrived).toEqual(Array.from({ length: EVENTS_PER_KEY }, (_, n) => n + 1));
        }

        // The work was shared. Who takes which batch is a race, so only loosely: at least two
        // relays published, the counts add up, and at least one key crossed relays (else the
        // order above would only prove order within one relay).
        const published = await Promise.all(
          instances.map(async (i) => (await i.relay.metrics()).published),
        );
        expect(published.reduce((a, b) => a + b, 0)).toBe(TOTAL);
        expect(published.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
        const relaysPerKey = KEYS.map(
          (key) =>
            instances.filter((i) => i.recorder.confirmed().some((a) => a.key === key)).length,
        );
        expect(Math.max(...relaysPerKey)).toBeGreaterThanOrEqual(2);
      });
    },
  );
}
