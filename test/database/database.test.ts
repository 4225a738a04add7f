import { Prisma } from '@surety/database';
import { type TestDatabase, databaseTargets } from '../support/database';
import { eventually } from '../support/eventually';
import { uniqueIdentifier } from '../support/names';
import { describeWithServices } from '../support/services';

jest.setTimeout(60_000);

const aborted = new Error('abort on purpose');

for (const target of databaseTargets()) {
  describeWithServices(target.needs, `database handle on ${target.name}`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await target.fresh();
    });
    afterAll(() => db.drop());

    it(`reports its kind`, () => {
      expect(db.kind).toBe(target.name);
    });

    describe('Prisma client', () => {
      it('an interactive transaction commits all its writes', async () => {
        const consumer = uniqueIdentifier('commit');
        await db.prisma.$transaction(async (tx) => {
          await tx.inboxMessage.create({ data: { consumer, messageId: 'm1' } });
          await tx.inboxMessage.create({ data: { consumer, messageId: 'm2' } });
        });
        expect(await db.prisma.inboxMessage.count({ where: { consumer } })).toBe(2);
      });

      it('a throw inside an interactive transaction rolls all of it back', async () => {
        const consumer = uniqueIdentifier('rollback');
        await expect(
          db.prisma.$transaction(async (tx) => {
            await tx.inboxMessage.create({ data: { consumer, messageId: 'm1' } });
            throw aborted;
          }),
        ).rejects.toBe(aborted);
        expect(await db.prisma.inboxMessage.count({ where: { consumer } })).toBe(0);
      });

      it('a unique violation surfaces as P2002', async () => {
        const consumer = uniqueIdentifier('unique');
        await db.prisma.inboxMessage.create({ data: { consumer, messageId: 'dup' } });
        const failure = await db.prisma.inboxMessage
          .create({ data: { consumer, messageId: 'dup' } })
          .catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
        expect((failure as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
      });

      it('creates outbox rows with database defaults and a client-side uuid v7 messageId', async () => {
        const row = await db.prisma.outboxMessage.create({
          data: {
            exchange: 'policy.events',
            routingKey: 'policy.issued',
            type: 'policy.issued',
            payload: { a: 1 },
          },
        });
        expect(typeof row.id).toBe('bigint');
        expect(row).toMatchObject({
          status: 'pending',
          attempts: 0,
          headers: {},
          key: null,
          sequence: null,
        });
        expect(row.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
      });
    });

    describe('raw SQL (handle.sql)', () => {
      it('sees what Prisma wrote and returns int8 as bigint', async () => {
        const consumer = uniqueIdentifier('raw');
        await db.prisma.inboxMessage.create({ data: { consumer, messageId: 'x' } });
        const { rows } = await db.sql.query<{ n: bigint; processed_at: Date }>(
          'SELECT count(*) AS n, max(processed_at) AS processed_at FROM surety_inbox WHERE consumer = $1',
          [consumer],
        );
        expect(rows).toEqual([{ n: 1n, processed_at: expect.any(Date) }]);
      });

      it('reports affected rows', async () => {
        const consumer = uniqueIdentifier('count');
        await db.sql.query(
          `INSERT INTO surety_inbox (consumer, message_id) SELECT $1, g::text FROM generate_series(1, 3) g`,
          [consumer],
        );
        const { rowCount } = await db.sql.query('DELETE FROM surety_inbox WHERE consumer = $1', [
          consumer,
        ]);
        expect(rowCount).toBe(3);
      });

      it('a throw inside sql.transaction rolls it back', async () => {
        const consumer = uniqueIdentifier('rawtx');
        await expect(
          db.sql.transaction(async (tx) => {
            await tx.query('INSERT INTO surety_inbox (consumer, message_id) VALUES ($1, $2)', [
              consumer,
              'a',
            ]);
            throw aborted;
          }),
        ).rejects.toBe(aborted);
        expect(
          (await db.sql.query('SELECT 1 FROM surety_inbox WHERE consumer = $1', [consumer]))
            .rowCount,
        ).toBe(0);
      });
    });

    describe('LISTEN/NOTIFY through handle.listen', () => {
      it('delivers a NOTIFY from a committed transaction and never one from a rolled-back transaction', async () => {
        const channel = uniqueIdentifier('surety_test');
        const received: string[] = [];
        const unlisten = await db.listen(channel, (payload) => received.push(payload));
        try {
          await expect(
            db.prisma.$transaction(async (tx) => {
              await tx.$executeRaw`SELECT pg_notify(${channel}, 'from-rolled-back')`;
              throw aborted;
            }),
          ).rejects.toBe(aborted);
          await db.prisma.$transaction(async (tx) => {
            await tx.$executeRaw`SELECT pg_notify(${channel}, 'from-committed')`;
          });
          await db.sql.transaction((tx) => tx.query("SELECT pg_notify($1, 'from-sql')", [channel]));

          // Notifications arrive in commit order: once the later ones are here,
          // the rolled-back one would have been too.
          await eventually(() => expect(received).toEqual(['from-committed', 'from-sql']));
        } finally {
          await unlisten();
        }
      });

      it('stops delivering to a handler after its unlisten, others on the channel keep theirs', async () => {
        const channel = uniqueIdentifier('surety_test');
        const first: string[] = [];
        const second: string[] = [];
        const stopFirst = await db.listen(channel, (p) => first.push(p));
        const stopSecond = await db.listen(channel, (p) => second.push(p));
        try {
          await db.sql.query("SELECT pg_notify($1, 'one')", [channel]);
          await eventually(() => expect(first).toEqual(['one']));
          await stopFirst();
          await db.sql.query("SELECT pg_notify($1, 'two')", [channel]);
          await eventually(() => expect(second).toEqual(['one', 'two']));
          expect(first).toEqual(['one']);
        } finally {
          await stopSecond();
        }
      });

      if (target.name === 'postgres') {
        it('re-LISTENs after the listening connection is killed by the server', async () => {
          const channel = uniqueIdentifier('surety_test');
          const received: string[] = [];
          const unlisten = await db.listen(channel, (payload) => received.push(payload));
          try {
            const { rowCount } = await db.sql.query(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query = $1`,
              [`LISTEN "${channel}"`],
            );
            expect(rowCount).toBe(1);
            // Notifications sent while it is down are lost (the relay also polls), so keep sending.
            await eventually(
              async () => {
                await db.sql.query("SELECT pg_notify($1, 'after-restart')", [channel]);
                expect(received).toContain('after-restart');
              },
              { intervalMs: 200 },
            );
          } finally {
            await unlisten();
          }
        });
      }

      it('rejects a channel name the two databases would read differently', async () => {
        await expect(db.listen('Outbox-Wakeup', () => undefined)).rejects.toThrow(
          'invalid NOTIFY channel "Outbox-Wakeup"',
        );
      });
    });
  });
}
