import { DbIdempotencyStore } from '@surety/messaging/idempotency';
import { databaseTargets, type TestDatabase } from '../support/database';
import { describeWithServices } from '../support/services';

jest.setTimeout(60_000);

/**
 * The db store shares one transaction among deliveries that arrive together. What the
 * handlers write must still be exactly-once per delivery when one of them fails.
 */
for (const target of databaseTargets()) {
  describeWithServices(target.needs, `DbIdempotencyStore batches [${target.name}]`, () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await target.fresh();
      await db.sql.exec('CREATE TABLE effects (key text NOT NULL)');
    });
    afterEach(() => db.drop());

    it('commits each successful delivery once even when a batch-mate fails', async () => {
      const store = new DbIdempotencyStore(db.prisma, {
        batch: { maxSize: 50, concurrency: 1 },
        retentionMs: false, // no pruning timer: these stores are not closed
      });
      const keys = Array.from({ length: 40 }, (_, i) => `m${i}`);
      const outcomes = await Promise.allSettled(
        keys.map((key) =>
          store.execute('c', key, async (tx) => {
            await tx.$executeRawUnsafe('INSERT INTO effects (key) VALUES ($1)', key);
            if (key === 'm7') throw new Error('m7 fails after writing');
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
      const { rows } = await db.sql.query<{ key: string; n: bigint }>(
        'SELECT key, count(*) AS n FROM effects GROUP BY key ORDER BY key',
      );
      expect(rows.map((r) => r.key).sort()).toEqual(keys.filter((k) => k !== 'm7').sort());
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      const inbox = await db.sql.query('SELECT message_id FROM surety_inbox');
      expect(inbox.rows).toHaveLength(39);
    });

    // Postgres aborts a transaction at a failed statement even if the handler catches the
    // error, and turns its COMMIT into a silent ROLLBACK: reported as executed (and acked),
    // the inbox rows and every write of it were gone — a batch-mate's too.
    for (const batch of [{ maxSize: 50, concurrency: 1 }, false] as const) {
      it(`never reports executed what a caught statement error rolled back (batch ${batch === false ? 'off' : 'on'})`, async () => {
        const store = new DbIdempotencyStore(db.prisma, { batch, retentionMs: false });
        await db.sql.exec("INSERT INTO effects (key) VALUES ('taken')");
        await db.sql.exec('CREATE UNIQUE INDEX effects_key ON effects (key)');
        const [swallows, other] = await Promise.allSettled([
          store.execute('c', 'swallows', async (tx) => {
            try {
              await tx.$executeRawUnsafe("INSERT INTO effects (key) VALUES ('taken')");
            } catch {
              // "already there, fine": but the transaction is aborted now
            }
          }),
          store.execute('c', 'other', async (tx) => {
            await tx.$executeRawUnsafe("INSERT INTO effects (key) VALUES ('other')");
          }),
        ]);
        expect(swallows.status).toBe('rejected');
        expect(String((swallows as PromiseRejectedResult).reason)).toContain(
          'the inbox transaction cannot commit',
        );
        expect(other).toEqual({ status: 'fulfilled', value: { status: 'executed' } });
        const { rows } = await db.sql.query<{ key: string }>(
          'SELECT key FROM effects ORDER BY key',
        );
        expect(rows.map((r) => r.key)).toEqual(['other', 'taken']);
        const inbox = await db.sql.query<{ message_id: string }>(
          'SELECT message_id FROM surety_inbox',
        );
        expect(inbox.rows.map((r) => r.message_id)).toEqual(['other']);
      });
    }

    it('runs a key that appears twice in one batch once', async () => {
      const store = new DbIdempotencyStore(db.prisma, {
        batch: { maxSize: 50, concurrency: 1 },
        retentionMs: false, // no pruning timer: these stores are not closed
      });
      const outcomes = await Promise.all(
        ['a', 'b', 'a', 'a'].map((key) =>
          store.execute('c', key, async (tx) => {
            await tx.$executeRawUnsafe('INSERT INTO effects (key) VALUES ($1)', key);
          }),
        ),
      );
      expect(outcomes.map((o) => o.status)).toEqual([
        'executed',
        'executed',
        'duplicate',
        'duplicate',
      ]);
      const { rows } = await db.sql.query('SELECT key FROM effects ORDER BY key');
      expect(rows).toEqual([{ key: 'a' }, { key: 'b' }]);
    });
  });
}
