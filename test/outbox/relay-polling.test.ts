import { randomUUID } from 'node:crypto';
import { createDatabase, resolveDatabaseUrl, type DatabaseHandle } from '@surety/database';
import { Outbox, OutboxRelay } from '@surety/messaging/outbox';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { freshPostgres, postgresUrl, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { describeWithServices, hostPort } from '../support/services';
import {
  Collector,
  declareTopology,
  startPublisher,
  type StartedPublisher,
  type TestTopology,
} from './support/messaging-env';
import { describeRelayMatrix } from './support/relay-matrix';
import { TcpProxy } from '../support/tcp-proxy';

jest.setTimeout(60_000);

/** The relay's fallback for lost notifications; short, so that the tests wait little. */
const POLL_INTERVAL_MS = 250;

async function statuses(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.sql.query<{ status: string }>(
    'SELECT status::text FROM surety_outbox ORDER BY id',
  );
  return rows.map((r) => r.status);
}

describeRelayMatrix('OutboxRelay polling without a notification', (env) => {
  it('publishes a row committed without NOTIFY at the next poll', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      pollIntervalMs: POLL_INTERVAL_MS,
    });
    await env.relay.start();
    // Straight into the table, as a writer that never notifies (or whose NOTIFY was
    // lost) would leave it: nothing tells the relay this row exists.
    const messageId = randomUUID();
    await env.db.sql.query(
      `INSERT INTO surety_outbox (exchange, routing_key, type, payload, message_id)
       VALUES ($1, 'fee.noted', 'fee.noted', '{"fee": 7}', $2::uuid)`,
      [env.topology.exchange, messageId],
    );
    await eventually(() => expect(env.collector.messageIds()).toEqual([messageId]));
    expect(env.collector.payloads()).toEqual([{ fee: 7 }]);
    await eventually(async () => expect(await statuses(env.db)).toEqual(['sent']));
  });
});

for (const brokerTarget of brokerTargets()) {
  // PostgreSQL only: PGlite's notifications are in-process and have no connection to lose.
  describeWithServices(
    [...brokerTarget.needs, 'postgres'],
    `OutboxRelay whose LISTEN connection is lost [${brokerTarget.name}]`,
    () => {
      let broker: BrokerUnderTest;
      let db: TestDatabase;
      let topology: TestTopology;
      let started: StartedPublisher;
      let collector: Collector;
      let proxy: TcpProxy;
      let listenHandle: DatabaseHandle;
      let relay: OutboxRelay | undefined;
      const outbox = new Outbox();

      beforeAll(async () => {
        broker = await brokerTarget.start();
      });
      afterAll(() => broker.stop());

      beforeEach(async () => {
        db = await freshPostgres();
        topology = await declareTopology(broker.url);
        started = await startPublisher(broker.url);
        collector = await Collector.start(broker.url, topology.queue);
        // The relay LISTENs through a proxy the test can cut; its claims and marks go
        // straight to PostgreSQL, so that only the notifications are lost.
        proxy = await TcpProxy.start(hostPort('postgres'));
        listenHandle = await createDatabase(
          resolveDatabaseUrl(proxy.urlFor(postgresUrl(db.name))),
          { poolSize: 1 },
        );
      });
      afterEach(async () => {
        await relay?.stop();
        relay = undefined;
        await listenHandle.close();
        await proxy.close();
        await collector.close();
        await started.close();
        await topology.dispose();
        await db.drop();
      });

      /** Backends of this database whose last statement was a LISTEN: the relay's listener. */
      const listeners = async () =>
        (
          await db.sql.query<{ n: bigint }>(
            `SELECT count(*) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
          )
        ).rows[0].n;

      it('keeps publishing by polling while it cannot listen', async () => {
        relay = new OutboxRelay(
          { kind: db.kind, sql: db.sql, prisma: db.prisma, listen: listenHandle.listen },
          started.publisher,
          { pollIntervalMs: POLL_INTERVAL_MS },
        );
        await relay.start();
        await eventually(async () => expect(Number(await listeners())).toBe(1));

        // The LISTEN connection drops and cannot come back while the proxy refuses.
        proxy.refuse();
        await eventually(async () => expect(Number(await listeners())).toBe(0));

        const records = await db.prisma.$transaction((tx) =>
          outbox.addMany(
            tx,
            [1, 2, 3].map((n) => ({ type: 'fee.noted', exchange: topology.exchange, payload: n })),
          ),
        );
        await eventually(() =>
          expect(collector.messageIds()).toEqual(records.map((r) => r.messageId)),
        );
        await eventually(async () => expect(await statuses(db)).toEqual(['sent', 'sent', 'sent']));

        // Once PostgreSQL is reachable again the listener comes back on its own.
        proxy.accept();
        await eventually(async () => expect(Number(await listeners())).toBe(1), {
          timeoutMs: 20_000,
        });
      });
    },
  );
}
