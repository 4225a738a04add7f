import { DbIdempotencyStore } from '@surety/messaging/idempotency';
import { databaseTargets, type TestDatabase } from '../support/database';
import { describeWithServices } from '../support/services';

jest.setTimeout(60_000);

const DAY_MS = 24 * 3600_000;

/**
 * The inbox keeps a row per handled message for the dedup window and no longer: prune()
 * (run every pruneIntervalMs) deletes older rows in short statements, and a redelivery
 * after the window runs again — the same window as the Redis store's done-markers.
 */
for (const target of databaseTargets()) {
  describeWithServices(target.needs, `DbIdempotencyStore retention [${target.name}]`, () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await target.fresh();
      await db.sql.exec('CREATE TABLE effects (key text NOT NULL)');
    });
    afterEach(() => db.drop());

    const inboxCount = async () =>
      Number(
        (await db.sql.query<{ n: bigint }>('SELECT count(*) AS n FROM surety_inbox')).rows[0].n,
      );
    const effect =
      (key: string) =>
      async (tx: { $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> }) => {
        await tx.$executeRawUnsafe('INSERT INTO effects (key) VALUES ($1)', key);
      };

    it('deletes inbox rows past the window, more than one statement holds, and keeps the rest', async () => {
      const store = new DbIdempotencyStore(db.prisma, { retentionMs: DAY_MS, batch: false });
      try {
        // 12,000 expired rows (more than one prune statement deletes) and 3 fresh ones.
        await db.sql.query(
          `INSERT INTO surety_inbox (consumer, message_id, processed_at)
           SELECT 'billing.receivables', 'old-' || g, now() - interval '8 days'
           FROM generate_series(1, 12000) g`,
        );
        for (const key of ['a', 'b', 'c']) {
          await store.execute('billing.receivables', key, effect(key));
        }
        expect(await inboxCount()).toBe(12_003);

        expect(await store.prune()).toBe(12_000);
        expect(await inboxCount()).toBe(3);
        // Within the window a redelivery is still a duplicate.
        await expect(store.execute('billing.receivables', 'a', effect('a'))).resolves.toEqual({
          status: 'duplicate',
        });
        expect(await store.prune()).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('runs a redelivery again once its row is past the window; retentionMs false keeps every row', async () => {
      const keeping = new DbIdempotencyStore(db.prisma, { retentionMs: false, batch: false });
      const pruning = new DbIdempotencyStore(db.prisma, { retentionMs: DAY_MS, batch: false });
      try {
        await pruning.execute('fees.ledger', 'm-1', effect('m-1'));
        await db.sql.query(
          "UPDATE surety_inbox SET processed_at = now() - interval '2 days' WHERE message_id = 'm-1'",
        );
        expect(await keeping.prune()).toBe(0);
        expect(await inboxCount()).toBe(1);

        expect(await pruning.prune()).toBe(1);
        await expect(pruning.execute('fees.ledger', 'm-1', effect('m-1'))).resolves.toMatchObject({
          status: 'executed',
        });
        const { rows } = await db.sql.query<{ key: string }>('SELECT key FROM effects');
        expect(rows.map((r) => r.key)).toEqual(['m-1', 'm-1']);
      } finally {
        await keeping.close();
        await pruning.close();
      }
    });
  });
}
