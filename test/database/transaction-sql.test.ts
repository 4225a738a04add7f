import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient, transactionSql, type SqlQueryable } from '@surety/database';
import { type TestDatabase, databaseTargets, postgresUrl } from '../support/database';
import { uniqueIdentifier } from '../support/names';
import { describeWithServices } from '../support/services';

jest.setTimeout(60_000);

const aborted = new Error('abort on purpose');

function inbox(sql: SqlQueryable, consumer: string, messageId: string) {
  return sql.query('INSERT INTO surety_inbox (consumer, message_id) VALUES ($1, $2)', [
    consumer,
    messageId,
  ]);
}

for (const target of databaseTargets()) {
  describeWithServices(target.needs, `transactionSql on ${target.name}`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await target.fresh();
    });
    afterAll(() => db.drop());

    it('runs statements inside the Prisma transaction: they commit with it', async () => {
      const consumer = uniqueIdentifier('commit');
      await db.prisma.$transaction(async (tx) => {
        await tx.inboxMessage.create({ data: { consumer, messageId: 'by-prisma' } });
        const sql = transactionSql(tx);
        expect(sql).toBeDefined();
        await inbox(sql!, consumer, 'by-driver');
        // The same transaction: Prisma sees the driver's row before commit.
        expect(await tx.inboxMessage.count({ where: { consumer } })).toBe(2);
      });
      expect(await db.prisma.inboxMessage.count({ where: { consumer } })).toBe(2);
    });

    it('…and roll back with it', async () => {
      const consumer = uniqueIdentifier('rollback');
      await expect(
        db.prisma.$transaction(async (tx) => {
          await inbox(transactionSql(tx)!, consumer, 'by-driver');
          throw aborted;
        }),
      ).rejects.toBe(aborted);
      expect(await db.prisma.inboxMessage.count({ where: { consumer } })).toBe(0);
    });

    it('returns rows as objects with int8 as bigint, and arrays as parameters', async () => {
      const rows = await db.prisma.$transaction(async (tx) => {
        const { rows } = await transactionSql(tx)!.query<{ n: bigint; words: string[] }>(
          'SELECT count(*) AS n, $1::text[] AS words FROM (VALUES (1), (2)) v(x)',
          [['a', 'b']],
        );
        return rows;
      });
      expect(rows).toEqual([{ n: 2n, words: ['a', 'b'] }]);
    });

    it('refuses use after the transaction ended, naming why', async () => {
      let escaped: SqlQueryable | undefined;
      await db.prisma.$transaction(async (tx) => {
        escaped = transactionSql(tx);
        await escaped!.query('SELECT 1');
      });
      await expect(escaped!.query('SELECT 1')).rejects.toThrow(/already committed or rolled back/);
      // The connection went back to the pool unharmed.
      expect(await db.prisma.inboxMessage.count({ where: { consumer: 'nobody' } })).toBe(0);
    });

    it('keeps concurrent transactions apart', async () => {
      const consumers = Array.from({ length: 6 }, (_, i) => uniqueIdentifier(`lane${i}`));
      await Promise.all(
        consumers.map((consumer, i) =>
          db.prisma
            .$transaction(async (tx) => {
              await inbox(transactionSql(tx)!, consumer, 'm');
              await new Promise((resolve) => setTimeout(resolve, 5 * (i % 3)));
              await tx.inboxMessage.create({ data: { consumer, messageId: 'n' } });
              if (i % 2 === 1) throw aborted;
            })
            .catch((error: unknown) => {
              if (error !== aborted) throw error;
            }),
        ),
      );
      const counts = await Promise.all(
        consumers.map((consumer) => db.prisma.inboxMessage.count({ where: { consumer } })),
      );
      expect(counts).toEqual([2, 0, 2, 0, 2, 0]);
    });

    it('knows nothing of batch transactions or queries outside a transaction', async () => {
      expect(transactionSql(db.prisma)).toBeUndefined();
      const [count] = await db.prisma.$transaction([db.prisma.inboxMessage.count()]);
      expect(typeof count).toBe('number');
    });
  });
}

describeWithServices(['postgres'], 'transactionSql with a client made elsewhere', () => {
  it('is undefined for a PrismaClient not made by createDatabase (callers fall back to Prisma)', async () => {
    const pool = new Pool({ connectionString: postgresUrl('postgres'), max: 1 });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      const seen = await prisma.$transaction(async (tx) => transactionSql(tx));
      expect(seen).toBeUndefined();
    } finally {
      await prisma.$disconnect();
      await pool.end();
    }
  });
});
