import { randomUUID } from 'node:crypto';
import { transactionSql, type SqlQueryable } from '@surety/database';
import { Outbox, OutboxSerializationError } from '@surety/messaging/outbox';
import { type TestDatabase, databaseTargets } from '../support/database';
import { eventually } from '../support/eventually';
import { uniqueIdentifier } from '../support/names';
import { describeWithServices } from '../support/services';

jest.setTimeout(60_000);

const aborted = new Error('abort on purpose');

/**
 * `outbox.addWithCommit`: on PostgreSQL the event's row is written in the COMMIT's
 * round trip (through both transaction APIs), on PGlite at once. Either way the
 * business rows and the event commit or roll back together, sequences continue
 * those `add` hands out, and an error only the database can raise (a duplicate
 * messageId) fails the whole transaction.
 */
for (const target of databaseTargets()) {
  describeWithServices(target.needs, `outbox.addWithCommit on ${target.name}`, () => {
    let db: TestDatabase;
    const outbox = new Outbox();
    beforeAll(async () => {
      db = await target.fresh();
      await db.sql.exec('CREATE TABLE writer_business (id text PRIMARY KEY)');
    });
    afterAll(() => db.drop());

    const sequencesOf = async (key: string) =>
      (
        await db.sql.query<{ sequence: bigint }>(
          'SELECT sequence FROM surety_outbox WHERE key = $1 ORDER BY sequence',
          [key],
        )
      ).rows.map((r) => Number(r.sequence));
    const businessRows = async (id: string) =>
      (await db.sql.query('SELECT id FROM writer_business WHERE id = $1', [id])).rowCount;
    const eventsVisibleIn = async (tx: SqlQueryable, key: string) =>
      (await tx.query('SELECT 1 FROM surety_outbox WHERE key = $1', [key])).rowCount;
    // PostgreSQL keeps the row back until COMMIT; PGlite writes it at once.
    const visibleBeforeCommit = target.name === 'pglite' ? 1 : 0;

    it('Prisma transaction: the event is written with the COMMIT, after the events add() wrote, in sequence', async () => {
      const key = uniqueIdentifier('policy');
      const seen = await db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO writer_business (id) VALUES ($1)', key);
        await outbox.add(tx, { type: 'policy.issued', exchange: 'policy', key, payload: {} });
        const record = await outbox.addWithCommit(tx, {
          type: 'policy.priced',
          exchange: 'policy',
          key,
          payload: { premium: 12 },
        });
        expect(record).toEqual({ messageId: expect.any(String), key });
        return eventsVisibleIn(transactionSql(tx)!, key);
      });
      expect(seen).toBe(1 + visibleBeforeCommit);
      await db.prisma.$transaction(async (tx) => {
        await outbox.addWithCommit(tx, { type: 'a', exchange: 'policy', key, payload: {} });
        await outbox.addWithCommit(tx, { type: 'b', exchange: 'policy', key, payload: {} });
      });
      expect(await sequencesOf(key)).toEqual([1, 2, 3, 4]);
      const { rows } = await db.sql.query<{ type: string }>(
        'SELECT type FROM surety_outbox WHERE key = $1 ORDER BY sequence',
        [key],
      );
      expect(rows.map((r) => r.type)).toEqual(['policy.issued', 'policy.priced', 'a', 'b']);
      expect(await businessRows(key)).toBe(1);
    });

    it('handle.sql.transaction: the same, and the payload arrives as given', async () => {
      const key = uniqueIdentifier('policy');
      const seen = await db.sql.transaction(async (tx) => {
        await tx.query('INSERT INTO writer_business (id) VALUES ($1)', [key]);
        await outbox.addWithCommit(tx, {
          type: 'policy.issued',
          exchange: 'policy',
          key,
          payload: { holder: 'Ada', premium: 1234.5 },
        });
        return eventsVisibleIn(tx, key);
      });
      expect(seen).toBe(visibleBeforeCommit);
      const { rows } = await db.sql.query<{ payload: unknown }>(
        'SELECT payload FROM surety_outbox WHERE key = $1',
        [key],
      );
      expect(rows.map((r) => r.payload)).toEqual([{ holder: 'Ada', premium: 1234.5 }]);
      expect(await sequencesOf(key)).toEqual([1]);
    });

    it('a transaction that throws after addWithCommit keeps neither its rows nor the event, and notifies no one', async () => {
      const channelOutbox = new Outbox('surety_with_commit_test', 0);
      const heard: string[] = [];
      const unlisten = await db.listen('surety_with_commit_test', (p) => heard.push(p));
      try {
        const rolledBack = uniqueIdentifier('rolled-back');
        await expect(
          db.prisma.$transaction(async (tx) => {
            await tx.$executeRawUnsafe('INSERT INTO writer_business (id) VALUES ($1)', rolledBack);
            await channelOutbox.addWithCommit(tx, {
              type: 't',
              exchange: 'x',
              key: rolledBack,
              payload: {},
            });
            throw aborted;
          }),
        ).rejects.toBe(aborted);
        const committed = uniqueIdentifier('committed');
        await db.sql.transaction((tx) =>
          channelOutbox.addWithCommit(tx, {
            type: 't',
            exchange: 'x',
            key: committed,
            payload: {},
          }),
        );
        await eventually(() => expect(heard).toHaveLength(1));
        expect(await sequencesOf(rolledBack)).toEqual([]);
        expect(await businessRows(rolledBack)).toBe(0);
        expect(await sequencesOf(committed)).toEqual([1]);
      } finally {
        await unlisten();
      }
    });

    it('a duplicate messageId fails the whole transaction with the database error; the next one commits', async () => {
      const messageId = randomUUID();
      await db.sql.transaction((tx) =>
        outbox.add(tx, { type: 't', exchange: 'x', messageId, payload: {} }),
      );
      const viaPrisma = uniqueIdentifier('dup-prisma');
      await expect(
        db.prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe('INSERT INTO writer_business (id) VALUES ($1)', viaPrisma);
          await outbox.addWithCommit(tx, { type: 't', exchange: 'x', messageId, payload: {} });
        }),
      ).rejects.toThrow(/duplicate key|unique/i);
      const viaSql = uniqueIdentifier('dup-sql');
      await expect(
        db.sql.transaction(async (tx) => {
          await tx.query('INSERT INTO writer_business (id) VALUES ($1)', [viaSql]);
          await outbox.addWithCommit(tx, {
            type: 't',
            exchange: 'x',
            key: viaSql,
            messageId,
            payload: {},
          });
        }),
      ).rejects.toThrow(/duplicate key|unique/i);
      expect(await businessRows(viaPrisma)).toBe(0);
      expect(await businessRows(viaSql)).toBe(0);
      expect(await sequencesOf(viaSql)).toEqual([]);
      // The connections went back to the pool outside any transaction: work goes on.
      const after = uniqueIdentifier('after');
      await db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO writer_business (id) VALUES ($1)', after);
        await outbox.addWithCommit(tx, { type: 't', exchange: 'x', key: after, payload: {} });
      });
      expect(await businessRows(after)).toBe(1);
      expect(await sequencesOf(after)).toEqual([1]);
    });

    it.each(['Prisma', 'handle.sql'])(
      '%s: a COMMIT that fails does not use up the wake-up interval',
      async (via) => {
        // An interval longer than the test: only the first successful COMMIT may notify.
        const channel = uniqueIdentifier('surety_failed_commit');
        const throttled = new Outbox(channel, 60_000);
        const heard: string[] = [];
        const unlisten = await db.listen(channel, (p) => heard.push(p));
        const commit = (messageId?: string) => {
          const event = { type: 't', exchange: 'x', messageId, payload: {} };
          return via === 'Prisma'
            ? db.prisma.$transaction((tx) => throttled.addWithCommit(tx, event))
            : db.sql.transaction((tx) => throttled.addWithCommit(tx, event));
        };
        try {
          const messageId = randomUUID();
          await db.sql.transaction((tx) =>
            outbox.add(tx, { type: 't', exchange: 'x', messageId, payload: {} }),
          );
          // Refused at COMMIT (the message id is taken): rolled back, its NOTIFY with it.
          await expect(commit(messageId)).rejects.toThrow(/duplicate key|unique/i);
          await commit();
          await eventually(() => expect(heard).toEqual(['']));
        } finally {
          await unlisten();
        }
      },
    );

    it('refuses a tx kept past its transaction instead of dropping the event', async () => {
      const key = uniqueIdentifier('late');
      const event = { type: 't', exchange: 'x', key, payload: {} };
      const prismaTx = await db.prisma.$transaction(async (tx) => tx);
      await expect(outbox.addWithCommit(prismaTx, event)).rejects.toThrow(
        /already committed or rolled back/,
      );
      const sqlTx = await db.sql.transaction(async (tx) => tx);
      // PGlite's own closed transaction refuses it in its words.
      await expect(outbox.addWithCommit(sqlTx, event)).rejects.toThrow(
        /already committed or rolled back|closed/i,
      );
      expect(await sequencesOf(key)).toEqual([]);
    });

    it('refuses an unserializable event at the call, before anything reaches the database', async () => {
      const key = uniqueIdentifier('bad');
      await expect(
        db.prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe('INSERT INTO writer_business (id) VALUES ($1)', key);
          await outbox.addWithCommit(tx, { type: 't', exchange: 'x', key, payload: { n: 1n } });
        }),
      ).rejects.toBeInstanceOf(OutboxSerializationError);
      expect(await businessRows(key)).toBe(0);
      expect(await sequencesOf(key)).toEqual([]);
    });
  });
}
