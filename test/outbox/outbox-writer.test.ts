import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient, transactionSql } from '@surety/database';
import { Outbox, OutboxSerializationError } from '@surety/messaging/outbox';
import { type TestDatabase, databaseTargets, postgresUrl } from '../support/database';
import { eventually } from '../support/eventually';
import { uniqueIdentifier } from '../support/names';
import { describeWithServices } from '../support/services';

jest.setTimeout(60_000);

const aborted = new Error('abort on purpose');

interface Row {
  key: string | null;
  sequence: bigint | null;
  type: string;
  payload: unknown;
  headers: unknown;
}

/**
 * The writer alone (no broker I/O happens in it): rows, per-key sequences, rollback and
 * the commit-time NOTIFY, through both ways it reaches the database — the transaction's
 * own connection (a client made by createDatabase) and plain Prisma calls (any other
 * client) — which must give the same rows.
 */
for (const target of databaseTargets()) {
  describeWithServices(target.needs, `outbox writer on ${target.name}`, () => {
    let db: TestDatabase;
    let foreign: { prisma: PrismaClient; close(): Promise<void> } | undefined;
    beforeAll(async () => {
      db = await target.fresh();
      if (db.kind === 'postgres') foreign = foreignClient(db);
    });
    afterAll(async () => {
      await foreign?.close();
      await db.drop();
    });

    const rowsOf = (key: string) =>
      db.sql
        .query<Row>(
          'SELECT key, sequence, type, payload, headers FROM surety_outbox WHERE key = $1 ORDER BY sequence',
          [key],
        )
        .then((r) => r.rows);

    // PGlite runs in-process with one client (the handle's); PostgreSQL can also be
    // reached by a client the application made itself.
    const ways: [string, () => PrismaClient, boolean][] = [
      ['the transaction connection', () => db.prisma, true],
    ];
    if (target.name === 'postgres') ways.push(['plain Prisma calls', () => foreign!.prisma, false]);

    it.each(ways)(
      'through %s: consecutive sequences per key, payload and headers as given',
      async (_, client, fast) => {
        const outbox = new Outbox();
        const key = uniqueIdentifier('policy');
        await client().$transaction(async (tx) => {
          expect(transactionSql(tx) !== undefined).toBe(fast);
          await outbox.add(tx, {
            type: 'policy.issued',
            exchange: 'policy',
            key,
            payload: { n: 1 },
            headers: { 'x-tenant': 't1' },
          });
          await outbox.addMany(tx, [
            { type: 'policy.endorsed', exchange: 'policy', key, payload: { n: 2 } },
            { type: 'policy.endorsed', exchange: 'policy', key, payload: { n: 3 } },
          ]);
        });
        await client().$transaction(async (tx) => {
          await outbox.add(tx, { type: 'policy.cancelled', exchange: 'policy', key, payload: {} });
        });
        const rows = await rowsOf(key);
        expect(rows.map((r) => [r.sequence, r.type, r.payload])).toEqual([
          [1n, 'policy.issued', { n: 1 }],
          [2n, 'policy.endorsed', { n: 2 }],
          [3n, 'policy.endorsed', { n: 3 }],
          [4n, 'policy.cancelled', {}],
        ]);
        expect(rows[0]!.headers).toMatchObject({ 'x-tenant': 't1' });
      },
    );

    it('writes through handle.sql.transaction too: sequences go on, a rollback leaves nothing', async () => {
      const outbox = new Outbox();
      const key = uniqueIdentifier('policy');
      const records = await db.sql.transaction(async (tx) => [
        await outbox.add(tx, { type: 'policy.issued', exchange: 'policy', key, payload: { n: 1 } }),
        ...(await outbox.addMany(tx, [
          { type: 'policy.endorsed', exchange: 'policy', key, payload: { n: 2 } },
        ])),
      ]);
      expect(records.map((r) => r.sequence)).toEqual([1, 2]);
      await expect(
        db.sql.transaction(async (tx) => {
          await outbox.add(tx, { type: 'policy.cancelled', exchange: 'policy', key, payload: {} });
          throw aborted;
        }),
      ).rejects.toBe(aborted);
      const rows = await rowsOf(key);
      expect(rows.map((r) => [r.sequence, r.type])).toEqual([
        [1n, 'policy.issued'],
        [2n, 'policy.endorsed'],
      ]);
    });

    if (target.name === 'postgres') {
      it('prepares its statements once per connection (no parse and plan per event)', async () => {
        const outbox = new Outbox();
        const names = await db.prisma.$transaction(async (tx) => {
          await outbox.add(tx, { type: 't', exchange: 'x', payload: {} });
          await outbox.add(tx, {
            type: 't',
            exchange: 'x',
            key: uniqueIdentifier('k'),
            payload: {},
          });
          const { rows } = await transactionSql(tx)!.query<{ name: string }>(
            "SELECT name FROM pg_prepared_statements WHERE name LIKE 'surety_outbox_insert%'",
          );
          return rows.map((r) => r.name.replace(/_n$/, ''));
        });
        // The pool's connection may have prepared others before (addMany's, in another test).
        expect(names).toEqual(
          expect.arrayContaining(['surety_outbox_insert_one', 'surety_outbox_insert_keyed_one']),
        );
      });
    }

    it('writes nothing and notifies no one when the business transaction rolls back', async () => {
      const outbox = new Outbox('surety_writer_test', 0);
      const heard: string[] = [];
      const unlisten = await db.listen('surety_writer_test', (p) => heard.push(p));
      try {
        const rolledBack = uniqueIdentifier('rolled-back');
        await expect(
          db.prisma.$transaction(async (tx) => {
            await outbox.add(tx, { type: 't', exchange: 'x', key: rolledBack, payload: {} });
            throw aborted;
          }),
        ).rejects.toBe(aborted);
        const committed = uniqueIdentifier('committed');
        await db.prisma.$transaction(async (tx) => {
          await outbox.add(tx, { type: 't', exchange: 'x', key: committed, payload: {} });
        });
        await eventually(() => expect(heard).toHaveLength(1));
        expect(await rowsOf(rolledBack)).toEqual([]);
        expect(await rowsOf(committed)).toHaveLength(1);
      } finally {
        await unlisten();
      }
    });

    it.each(ways)(
      'through %s: a rolled-back transaction does not use up the wake-up interval; commits inside it are throttled where the COMMIT can carry the NOTIFY',
      async (_, client, fast) => {
        // An interval longer than the test: only the first COMMIT in it may notify.
        const channel = uniqueIdentifier('surety_wake');
        const outbox = new Outbox(channel, 60_000);
        const heard: string[] = [];
        const unlisten = await db.listen(channel, (payload) => heard.push(payload));
        // Both writers: `addWithCommit` builds its statement (and the wake-up) at commit.
        const write = (
          tx: Parameters<Parameters<PrismaClient['$transaction']>[0]>[0],
          n: number,
        ) =>
          n % 2 === 0
            ? outbox.add(tx, { type: 't', exchange: 'x', payload: { n } })
            : outbox.addWithCommit(tx, { type: 't', exchange: 'x', payload: { n } });
        const commitOne = (n: number) => client().$transaction((tx) => write(tx, n));
        try {
          for (const n of [0, 1]) {
            await expect(
              client().$transaction(async (tx) => {
                await write(tx, n);
                throw aborted;
              }),
            ).rejects.toBe(aborted);
          }
          await commitOne(1);
          await eventually(() => expect(heard).toEqual(['']));
          await commitOne(2);
          await commitOne(3);
          // Notifications arrive in commit order: once this one is heard, all are.
          await db.sql.query('SELECT pg_notify($1, $2)', [channel, 'sentinel']);
          await eventually(() => expect(heard).toContain('sentinel'));
          const wakeUps = heard.filter((payload) => payload === '').length;
          // Throttled only where the decision rides on the COMMIT (fast path, PostgreSQL).
          const throttled = fast && target.name === 'postgres';
          expect(wakeUps).toBe(throttled ? 1 : 3);
        } finally {
          await unlisten();
        }
      },
    );

    it('numbers one key consecutively across concurrent writers, rolled-back ones leaving no gap', async () => {
      const outbox = new Outbox();
      const key = uniqueIdentifier('hot');
      const writers = Array.from({ length: 24 }, (_, i) => i);
      const outcomes = await Promise.allSettled(
        writers.map((i) =>
          db.prisma.$transaction(async (tx) => {
            const event = (n: number) => ({
              type: 'hot.changed',
              exchange: 'x',
              key,
              payload: { writer: i, n },
            });
            if (i % 3 === 0) await outbox.add(tx, event(0));
            else if (i % 3 === 1) await outbox.addMany(tx, [event(0), event(1)]);
            else await outbox.addWithCommit(tx, event(0));
            if (i % 5 === 4) throw aborted;
          }),
        ),
      );
      const committed = writers.filter((i) => i % 5 !== 4);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(committed.length);
      const rows = await rowsOf(key);
      const expected = committed.reduce((n, i) => n + (i % 3 === 1 ? 2 : 1), 0);
      expect(rows.map((r) => r.sequence)).toEqual(
        Array.from({ length: expected }, (_, i) => BigInt(i + 1)),
      );
      // A writer's events sit next to each other, in the order it gave them.
      const order = rows.map((r) => r.payload as { writer: number; n: number });
      for (let i = 1; i < order.length; i++) {
        if (order[i].writer === order[i - 1].writer) expect(order[i].n).toBe(order[i - 1].n + 1);
        else expect(order.slice(0, i).some((p) => p.writer === order[i].writer)).toBe(false);
      }
    });

    it('refuses an unserializable event before anything reaches the database', async () => {
      const outbox = new Outbox();
      const key = uniqueIdentifier('bad');
      await expect(
        db.prisma.$transaction(async (tx) => {
          await outbox.add(tx, { type: 't', exchange: 'x', key, payload: { amount: 10n } });
        }),
      ).rejects.toBeInstanceOf(OutboxSerializationError);
      expect(await rowsOf(key)).toEqual([]);
    });
  });
}

/** A Prisma client on the same PostgreSQL database that createDatabase did not make. */
function foreignClient(db: TestDatabase): { prisma: PrismaClient; close(): Promise<void> } {
  const pool = new Pool({ connectionString: postgresUrl(db.name), max: 2 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
