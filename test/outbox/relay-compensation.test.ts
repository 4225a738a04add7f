import type { DatabaseHandle, Prisma } from '@surety/database';
import {
  Outbox,
  OutboxRelay,
  type FailedOutboxEvent,
  type RelayDatabase,
} from '@surety/messaging/outbox';
import { brokerTargets, type BrokerUnderTest } from '../support/brokers';
import { freshPostgres, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { describeWithServices } from '../support/services';
import { startPublisher, type StartedPublisher } from './support/messaging-env';
import { RecordingPublisher } from './support/recording-publisher';
import { openAnotherHandle } from './support/relay-instance';
import { describeRelayMatrix } from './support/relay-matrix';

jest.setTimeout(90_000);

// Publishing to an exchange that does not exist is a final failure at the first attempt:
// the relay goes straight to the compensation.
const MISSING_EXCHANGE = 'outbox.compensation.no-such-exchange';

/** The compensation's business effect: one row per run that committed. */
const COMPENSATION_TABLE =
  'CREATE TABLE compensation_log (message_id uuid NOT NULL, relay text NOT NULL)';

interface OutboxState {
  status: string;
  attempts: number;
  last_error: string | null;
}

async function outboxRow(db: TestDatabase, messageId: string): Promise<OutboxState> {
  const { rows } = await db.sql.query<OutboxState>(
    'SELECT status::text, attempts, last_error FROM surety_outbox WHERE message_id = $1::uuid',
    [messageId],
  );
  return rows[0];
}

async function committedCompensations(db: TestDatabase, messageId: string): Promise<string[]> {
  const { rows } = await db.sql.query<{ relay: string }>(
    'SELECT relay FROM compensation_log WHERE message_id = $1::uuid',
    [messageId],
  );
  return rows.map((r) => r.relay);
}

/** Writes the compensation's effect in its transaction, then waits `holdMs` before committing. */
function logCompensation(relayName: string, onRun: () => void, holdMs = 0) {
  return async (event: FailedOutboxEvent, tx: Prisma.TransactionClient) => {
    onRun();
    await tx.$executeRawUnsafe(
      'INSERT INTO compensation_log (message_id, relay) VALUES ($1::uuid, $2)',
      event.messageId,
      relayName,
    );
    if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
  };
}

describeRelayMatrix('OutboxRelay compensation that throws', (env) => {
  const outbox = new Outbox();

  beforeEach(() => env.db.sql.exec(COMPENSATION_TABLE));

  it('keeps the row pending and counts the error, retries, and commits the compensation once when it succeeds', async () => {
    let broken = true;
    let runs = 0;
    const compensate = logCompensation('only', () => runs++);
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      pollIntervalMs: 50,
      backoff: { initialMs: 50, maxMs: 100 },
    }).onPublishFailed('fee.charged', async (event, tx: Prisma.TransactionClient) => {
      // Its write happens, then it throws: the write must roll back with the mark.
      await compensate(event, tx);
      if (broken) throw new Error('ledger service unavailable');
    });
    await env.relay.start();
    const { messageId } = await env.db.prisma.$transaction((tx) =>
      outbox.add(tx, {
        type: 'fee.charged',
        exchange: MISSING_EXCHANGE,
        payload: { fee: 5 },
      }),
    );

    // Retried later by the relay itself: a second run proves it came back to the row.
    await eventually(
      async () => expect((await env.relay!.metrics()).compensationErrors).toBeGreaterThanOrEqual(2),
      { timeoutMs: 30_000 },
    );
    const whileBroken = await outboxRow(env.db, messageId);
    expect(whileBroken.status).toBe('pending');
    expect(whileBroken.last_error).toMatch(/compensation failed: ledger service unavailable/);
    expect(await committedCompensations(env.db, messageId)).toEqual([]);
    expect(await env.relay.metrics()).toMatchObject({
      failures: 0,
      compensations: 0,
      pending: 1,
    });

    broken = false;
    await eventually(
      async () => expect((await outboxRow(env.db, messageId)).status).toBe('failed'),
      {
        timeoutMs: 30_000,
      },
    );
    // Counted just after the commit that the status above already shows.
    const metrics = await eventually(async () => {
      const m = await env.relay!.metrics();
      expect(m).toMatchObject({ failures: 1, compensations: 1, pending: 0 });
      return m;
    });
    // Every run but the last threw and was counted; the last committed, once.
    expect(metrics.compensationErrors).toBe(runs - 1);
    expect(await committedCompensations(env.db, messageId)).toEqual(['only']);
    const failed = await outboxRow(env.db, messageId);
    expect(failed.last_error).toMatch(MISSING_EXCHANGE);
    // Each run followed a publish of the row: the deferrals counted as attempts.
    expect(failed.attempts).toBe(runs);
  });
});

describeRelayMatrix('OutboxRelay compensation that hangs or is slow', (env) => {
  const outbox = new Outbox();

  beforeEach(() => env.db.sql.exec(COMPENSATION_TABLE));

  const failingEvent = () =>
    env.db.prisma.$transaction((tx) =>
      outbox.add(tx, { type: 'fee.charged', exchange: MISSING_EXCHANGE, payload: { fee: 5 } }),
    );

  it('rolls back a compensation that never finishes, counts it, and keeps relaying', async () => {
    let runs = 0;
    const compensate = logCompensation('only', () => runs++);
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      // One batch at a time: a relay waiting on the hung compensation would relay nothing.
      pipelineDepth: 1,
      pollIntervalMs: 50,
      backoff: { initialMs: 50, maxMs: 100 },
      compensationTimeoutMs: 300,
    }).onPublishFailed('fee.charged', async (event, tx: Prisma.TransactionClient) => {
      await compensate(event, tx);
      if (runs === 1) await new Promise(() => undefined); // the first run never returns
    });
    await env.relay.start();
    const { messageId } = await failingEvent();

    await eventually(
      async () => expect((await outboxRow(env.db, messageId)).status).toBe('failed'),
      { timeoutMs: 30_000 },
    );
    // The hung run's write rolled back with it; the second run committed.
    expect(await committedCompensations(env.db, messageId)).toEqual(['only']);
    expect(runs).toBe(2);
    await eventually(async () =>
      expect(await env.relay!.metrics()).toMatchObject({
        failures: 1,
        compensations: 1,
        compensationErrors: 1,
      }),
    );
    expect((await outboxRow(env.db, messageId)).attempts).toBe(2);

    // Still relaying, and stopping does not wait for the run that never returned.
    await env.db.prisma.$transaction((tx) =>
      outbox.add(tx, { type: 'fee.noted', exchange: env.topology.exchange, payload: 1 }),
    );
    await eventually(() => expect(env.collector.messages).toHaveLength(1));
    const stopped = env.relay.stop().then(() => 'stopped');
    const late = new Promise((resolve) => setTimeout(() => resolve('still stopping'), 5_000));
    expect(await Promise.race([stopped, late])).toBe('stopped');
  });

  it('commits a compensation that takes longer than a Prisma transaction may by default (5 s)', async () => {
    let runs = 0;
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      pollIntervalMs: 50,
      backoff: { initialMs: 50, maxMs: 100 },
    }).onPublishFailed(
      'fee.charged',
      logCompensation('slow', () => runs++, 6_000),
    );
    await env.relay.start();
    const { messageId } = await failingEvent();

    await eventually(
      async () => expect((await outboxRow(env.db, messageId)).status).toBe('failed'),
      { timeoutMs: 30_000 },
    );
    expect(await committedCompensations(env.db, messageId)).toEqual(['slow']);
    expect(runs).toBe(1);
    expect((await env.relay.metrics()).compensationErrors).toBe(0);
  });
});

for (const brokerTarget of brokerTargets()) {
  // Several relays: PostgreSQL only (one process owns a PGlite database).
  describeWithServices(
    [...brokerTarget.needs, 'postgres'],
    `Two OutboxRelays failing the same row [${brokerTarget.name}]`,
    () => {
      let broker: BrokerUnderTest;
      let db: TestDatabase;
      const handles: DatabaseHandle[] = [];
      const publishers: StartedPublisher[] = [];
      const relays: OutboxRelay[] = [];
      const outbox = new Outbox();

      beforeAll(async () => {
        broker = await brokerTarget.start();
      });
      afterAll(() => broker.stop());

      beforeEach(async () => {
        db = await freshPostgres();
        await db.sql.exec(COMPENSATION_TABLE);
      });
      afterEach(async () => {
        for (const relay of relays.splice(0)) await relay.stop();
        for (const started of publishers.splice(0)) await started.close();
        for (const handle of handles.splice(0)) await handle.close();
        await db.drop();
      });

      it('commits the compensation exactly once when both reach it at the same time', async () => {
        const recorders: RecordingPublisher[] = [];
        let runs = 0;
        let messageId = '';
        const triedByBoth = () =>
          recorders.length === 2 &&
          recorders.every((r) => r.attempts.some((a) => a.messageId === messageId));

        for (const name of ['first', 'second']) {
          const handle = await openAnotherHandle(db, { poolSize: 5 });
          handles.push(handle);
          const started = await startPublisher(broker.url);
          publishers.push(started);
          const recorder = new RecordingPublisher(started.publisher);
          recorders.push(recorder);
          const relay = new OutboxRelay(
            bothRelaysFirst(handle, triedByBoth),
            recorder,
            // No hold: the row is claimable again as soon as one relay let go of it.
            { pollIntervalMs: 20, compensationHoldMs: 0 },
          ).onPublishFailed(
            'fee.charged',
            // Holds its transaction open a while, so that the other relay's mark waits on it.
            logCompensation(name, () => runs++, 300),
          );
          relays.push(relay);
          await relay.start();
        }

        ({ messageId } = await db.prisma.$transaction((tx) =>
          outbox.add(tx, { type: 'fee.charged', exchange: MISSING_EXCHANGE, payload: { fee: 5 } }),
        ));

        await eventually(
          async () => expect((await outboxRow(db, messageId)).status).toBe('failed'),
          {
            timeoutMs: 30_000,
          },
        );
        // Stopping waits for what each relay still has in hand, the losing mark included.
        for (const relay of relays) await relay.stop();
        // Both relays had the row and went on to fail it (the gate below saw to that) …
        expect(triedByBoth()).toBe(true);
        // … and the compensation ran, and committed, once.
        expect(await committedCompensations(db, messageId)).toHaveLength(1);
        expect(runs).toBe(1);
        const metrics = await Promise.all(relays.map((r) => r.metrics()));
        expect(metrics.map((m) => m.compensations).sort()).toEqual([0, 1]);
        expect(metrics.map((m) => m.failures).sort()).toEqual([0, 1]);
        expect(metrics.map((m) => m.compensationErrors)).toEqual([0, 0]);
        expect((await outboxRow(db, messageId)).attempts).toBe(1);
      });
    },
  );
}

/**
 * The handle, except that a relay's final-failure transaction (the only Prisma
 * transaction a relay opens) starts only once `ready()` holds. Without it the first relay
 * would mark the row failed long before the second could claim it; with it, both relays
 * have claimed and published the row and enter the mark-and-compensate step together.
 */
function bothRelaysFirst(handle: DatabaseHandle, ready: () => boolean): RelayDatabase {
  const prisma = new Proxy(handle.prisma, {
    get(target, property) {
      if (property !== '$transaction') return Reflect.get(target, property) as unknown;
      return async (...args: Parameters<typeof target.$transaction>) => {
        await eventually(() => expect(ready()).toBe(true), { timeoutMs: 30_000 });
        return target.$transaction(...args);
      };
    },
  });
  return { kind: handle.kind, sql: handle.sql, listen: handle.listen, prisma };
}
