import { Outbox, OutboxRelay, type FailedOutboxEvent } from '@surety/messaging/outbox';
import { eventually } from '../support/eventually';
import { startPublisher } from './support/messaging-env';
import { describeRelayMatrix } from './support/relay-matrix';

// Real services and PGlite start-up (seconds on a busy machine) in hooks too.
jest.setTimeout(60_000);

interface StatusRow {
  status: string;
  attempts: number;
  last_error: string | null;
}

describeRelayMatrix('OutboxRelay', (env) => {
  const outbox = new Outbox();

  beforeEach(() =>
    env.db.sql.exec(
      'CREATE TABLE compensation_log (message_id uuid PRIMARY KEY, reason text NOT NULL)',
    ),
  );

  const statuses = async () =>
    (
      await env.db.sql.query<StatusRow>(
        'SELECT status, attempts, last_error FROM surety_outbox ORDER BY id',
      )
    ).rows;

  it('publishes committed events with their properties and marks them sent', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, { pollIntervalMs: 60_000 });
    await env.relay.start();
    const records = await env.db.prisma.$transaction((tx) =>
      outbox.addMany(tx, [
        { type: 'policy.issued', exchange: env.topology.exchange, key: 'P1', payload: { n: 1 } },
        {
          type: 'policy.noted',
          exchange: env.topology.exchange,
          routingKey: 'policy.x',
          payload: ['a'],
          correlationId: 'corr-7',
          headers: { tenant: 't1' },
        },
      ]),
    );
    // The poll interval is a minute: arriving now proves the NOTIFY woke the relay.
    await eventually(() => expect(env.collector.messages).toHaveLength(2));
    const [first, second] = env.collector.messages;
    expect(first.properties).toMatchObject({
      messageId: records[0].messageId,
      type: 'policy.issued',
      contentType: 'application/json',
      deliveryMode: 2,
    });
    expect(first.properties.headers).toMatchObject({
      'x-surety-key': 'P1',
      'x-surety-seq': 1,
    });
    expect(JSON.parse(first.content.toString())).toEqual({ n: 1 });
    expect(second.fields.routingKey).toBe('policy.x');
    expect(second.properties.correlationId).toBe('corr-7');
    expect(second.properties.headers).toMatchObject({ tenant: 't1' });
    expect(second.properties.headers).not.toHaveProperty('x-surety-correlation-id');
    await eventually(async () =>
      expect((await statuses()).map((r) => r.status)).toEqual(['sent', 'sent']),
    );
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, { pollIntervalMs: 50 });
    await env.relay.start();
    await expect(
      env.db.prisma.$transaction(async (tx) => {
        await outbox.add(tx, { type: 'ghost', exchange: env.topology.exchange, payload: 1 });
        throw new Error('business rule violated');
      }),
    ).rejects.toThrow('business rule violated');
    await env.db.prisma.$transaction((tx) =>
      outbox.add(tx, { type: 'real', exchange: env.topology.exchange, payload: 2 }),
    );
    await eventually(() => expect(env.collector.messages).toHaveLength(1));
    expect(env.collector.messages[0].properties.type).toBe('real');
    expect(await statuses()).toHaveLength(1);
  });

  it('keeps the order of each key across many keys and batches', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      batchSize: 7,
      pollIntervalMs: 50,
    });
    const keys = ['A', 'B', 'C', 'D'];
    for (let round = 0; round < 10; round++) {
      await env.db.prisma.$transaction((tx) =>
        outbox.addMany(
          tx,
          keys.map((key) => ({
            type: 'step',
            exchange: env.topology.exchange,
            key,
            payload: { key, round },
          })),
        ),
      );
    }
    await env.relay.start();
    await eventually(() => expect(env.collector.messages).toHaveLength(40));
    for (const key of keys) {
      const rounds = env.collector
        .payloads<{ key: string; round: number }>()
        .filter((p) => p.key === key)
        .map((p) => p.round);
      expect(rounds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    const seqs = env.collector.messages
      .filter((m) => m.properties.headers?.['x-surety-key'] === 'B')
      .map((m) => m.properties.headers?.['x-surety-seq']);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('fails a row whose exchange does not exist, with the reason, and compensates once', async () => {
    const compensated: FailedOutboxEvent[] = [];
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      pollIntervalMs: 50,
    }).onPublishFailed('fee.charged', async (event, tx) => {
      compensated.push(event);
      await tx.$executeRawUnsafe(
        'INSERT INTO compensation_log (message_id, reason) VALUES ($1::uuid, $2)',
        event.messageId,
        event.reason,
      );
    });
    await env.relay.start();
    const [record] = await env.db.prisma.$transaction((tx) =>
      outbox.addMany(tx, [
        { type: 'fee.charged', exchange: 'no.such.exchange', payload: { fee: 5 } },
        { type: 'fine', exchange: env.topology.exchange, payload: 'ok' },
      ]),
    );
    await eventually(async () =>
      expect((await statuses()).map((r) => r.status)).toEqual(['failed', 'sent']),
    );
    const [failed] = await statuses();
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/no.such.exchange/);
    expect(compensated).toHaveLength(1);
    expect(compensated[0]).toMatchObject({
      messageId: record.messageId,
      payload: { fee: 5 },
    });
    const log = await env.db.sql.query<{ message_id: string; reason: string }>(
      'SELECT message_id::text, reason FROM compensation_log',
    );
    expect(log.rows).toEqual([{ message_id: record.messageId, reason: failed.last_error }]);
    expect((await env.relay.metrics()).failures).toBe(1);
  });

  it('treats an unroutable (returned) message as a final failure with the broker reason', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, { pollIntervalMs: 50 });
    await env.relay.start();
    await env.db.prisma.$transaction((tx) =>
      outbox.add(tx, { type: 'lost', exchange: env.topology.deadEnd, payload: {} }),
    );
    await eventually(async () => expect((await statuses())[0]?.status).toBe('failed'));
    expect((await statuses())[0].last_error).toMatch(/unroutable: 312 NO_ROUTE/);
  });

  it('fails a row larger than the broker takes at its first attempt, and publishes its batch-mates', async () => {
    // A small limit stands for the broker's max_message_size (test/messaging covers the real one).
    const limited = await startPublisher(env.broker.url, { maxMessageBytes: 1024 });
    try {
      env.relay = new OutboxRelay(env.db, limited.publisher, { pollIntervalMs: 50 });
      await env.db.prisma.$transaction((tx) =>
        outbox.addMany(tx, [
          { type: 'fine', exchange: env.topology.exchange, payload: 1 },
          { type: 'huge', exchange: env.topology.exchange, payload: 'x'.repeat(2000) },
          { type: 'fine', exchange: env.topology.exchange, payload: 2 },
        ]),
      );
      await env.relay.start();
      await eventually(async () =>
        expect((await statuses()).map((r) => r.status)).toEqual(['sent', 'failed', 'sent']),
      );
      const huge = (await statuses())[1];
      expect(huge.attempts).toBe(1);
      expect(huge.last_error).toMatch(/2002 bytes is larger than the broker takes/);
      expect(env.collector.payloads()).toEqual([1, 2]);
    } finally {
      await env.relay?.stop();
      env.relay = undefined;
      await limited.close();
    }
  });

  it('retries an unroutable message with backoff when configured to', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      pollIntervalMs: 20,
      unroutable: 'retry',
      backoff: { initialMs: 20, maxMs: 40 },
      maxAttempts: 3,
    });
    await env.relay.start();
    await env.db.prisma.$transaction((tx) =>
      outbox.add(tx, { type: 'lost', exchange: env.topology.deadEnd, payload: {} }),
    );
    await eventually(async () => expect((await statuses())[0]?.status).toBe('failed'));
    const [row] = await statuses();
    expect(row.attempts).toBe(3);
    expect(row.last_error).toMatch(/gave up after 3 attempts/);
    expect((await env.relay.metrics()).retries).toBe(2);
  });

  /**
   * Shutting down out of order: the publisher closed first, the relay still running. One
   * row is written; returns once the relay has claimed it (and given it back).
   */
  async function relayWithClosedPublisher(pollIntervalMs: number): Promise<OutboxRelay> {
    const relay = new OutboxRelay(env.db, env.started.publisher, { pollIntervalMs });
    env.relay = relay;
    await env.started.publisher.close();
    await relay.start();
    await env.db.prisma.$transaction((tx) =>
      outbox.add(tx, { type: 't', exchange: env.topology.exchange, payload: 1 }),
    );
    await eventually(async () =>
      expect((await relay.metrics()).claimedBatches).toBeGreaterThanOrEqual(1),
    );
    return relay;
  }

  it('gives rows back untouched while the publisher is closed, without claiming them again at once', async () => {
    const relay = await relayWithClosedPublisher(1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Once per poll interval, not once per claim round trip.
    expect((await relay.metrics()).claimedBatches).toBeLessThanOrEqual(4);
    expect(await statuses()).toEqual([{ status: 'pending', attempts: 0, last_error: null }]);
  });

  it('stops at once while paused after the publisher gave rows back', async () => {
    // The row was claimed and given back: the relay now pauses for the poll interval.
    const relay = await relayWithClosedPublisher(30_000);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the batch is done by now
    const started = Date.now();
    await relay.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('runs when started while it was still stopping', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, { pollIntervalMs: 50 });
    await env.relay.start();
    const stopping = env.relay.stop();
    await env.relay.start();
    await stopping;
    await env.db.prisma.$transaction((tx) =>
      outbox.add(tx, { type: 't', exchange: env.topology.exchange, payload: 1 }),
    );
    await eventually(() => expect(env.collector.messages).toHaveLength(1));
  });

  it('refuses an unserializable payload at add(): the business transaction fails', async () => {
    await env.db.sql.exec('CREATE TABLE business (id int PRIMARY KEY)');
    await expect(
      env.db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO business (id) VALUES (1)');
        await outbox.add(tx, {
          type: 'amount.changed',
          exchange: env.topology.exchange,
          payload: { amount: 10n },
        });
      }),
    ).rejects.toThrow('outbox event "amount.changed" is not serializable: BigInt');
    const { rows } = await env.db.sql.query('SELECT * FROM business');
    expect(rows).toHaveLength(0);
    expect(await statuses()).toHaveLength(0);
  });

  it('prunes sent rows past retention and reports its metrics', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      pollIntervalMs: 50,
      retentionMs: 1,
    });
    await env.relay.start();
    await env.db.prisma.$transaction((tx) =>
      outbox.addMany(
        tx,
        Array.from({ length: 5 }, (_, i) => ({
          type: 't',
          exchange: env.topology.exchange,
          payload: i,
        })),
      ),
    );
    await eventually(async () => expect((await env.relay!.metrics()).published).toBe(5));
    const metrics = await env.relay.metrics();
    expect(metrics).toMatchObject({ pending: 0, oldestPendingAgeMs: 0, failures: 0 });
    expect(metrics.publishedPerSecond).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await env.relay.prune()).toBe(5);
    expect(await statuses()).toHaveLength(0);
  });

  it('vacuums the outbox table on PGlite once enough rows changed (PostgreSQL leaves it to autovacuum)', async () => {
    env.relay = new OutboxRelay(env.db, env.started.publisher, {
      pollIntervalMs: 50,
      retentionMs: false,
      vacuumAfterRows: 8,
    });
    await env.relay.start();
    const lastVacuum = async () =>
      (
        await env.db.sql.query<{ last_vacuum: Date | null }>(
          "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'surety_outbox'",
        )
      ).rows[0]?.last_vacuum ?? null;
    const send = async (count: number, sent: number) => {
      await env.db.prisma.$transaction((tx) =>
        outbox.addMany(
          tx,
          Array.from({ length: count }, (_, i) => ({
            type: 't',
            exchange: env.topology.exchange,
            payload: i,
          })),
        ),
      );
      await eventually(async () => expect((await env.relay!.metrics()).published).toBe(sent));
    };
    await send(5, 5);
    await env.relay.maintain();
    expect(await lastVacuum()).toBeNull(); // 5 rows changed: below the threshold
    await send(5, 10);
    await env.relay.maintain();
    if (env.db.kind === 'pglite') expect(await lastVacuum()).toBeInstanceOf(Date);
    else expect(await lastVacuum()).toBeNull();
    expect((await statuses()).map((r) => r.status)).toEqual(Array(10).fill('sent'));
  });
});
