import {
  CLAIM_LOCKED,
  CLAIM_UNLOCKED,
  PENDING_INDEX_ONLY,
  PENDING_STATS,
  PRUNE_SENT,
} from '../../libs/messaging/src/outbox/sql/relay.sql';
import { databaseTargets, type TestDatabase } from '../support/database';
import { describeWithServices } from '../support/services';

jest.setTimeout(120_000);

const PENDING = 2_000;
/** Thrown to roll a transaction back on purpose. */
const rollback = new Error('rollback');
const SENT = 100_000;
const BATCH = 500;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Parent Relationship'?: string;
  'Actual Rows'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/**
 * `count` outbox rows numbered from `from`, even ones keyed (one event per key). Sent rows
 * are due a day before pending ones, as in a live outbox: ahead of them in due order.
 */
function insertRows(status: 'pending' | 'sent', from: number, count: number): string {
  return `
INSERT INTO surety_outbox (key, sequence, exchange, routing_key, type, payload, message_id, status, sent_at, next_attempt_at)
SELECT CASE WHEN g % 2 = 0 THEN 'policy-' || g END, CASE WHEN g % 2 = 0 THEN 1 END,
       'policy.events', 'policy.issued', 'policy.issued',
       jsonb_build_object('policyId', 'P-' || g, 'pad', repeat('x', 195)), gen_random_uuid(),
       '${status}', ${status === 'sent' ? "now() - interval '1 day'" : 'NULL'},
       ${status === 'sent' ? "now() - interval '2 days'" : "now() - interval '1 day'"} + g * interval '1 microsecond'
FROM generate_series(${from}, ${from + count - 1}) g`;
}

/**
 * The relay's statements stay cheap however many sent rows retention keeps: they read
 * the pending-only partial indexes, so a claim touches the same pages with 100,000 sent
 * rows as with none, retention deletes by primary key, and the backlog gauges keep to
 * the index even when the planner's statistics still count a backlog that has been sent
 * since (see PENDING_INDEX_ONLY).
 * The figures at millions of rows: `npm run bench:outbox:claim`.
 */
for (const target of databaseTargets()) {
  describeWithServices(target.needs, `relay statements at scale on ${target.name}`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await target.fresh();
    });
    afterAll(() => db.drop());

    // The statement this database's relay claims with (locked on PostgreSQL,
    // in-process on PGlite), its parameters written in for EXPLAIN.
    const claim = () =>
      db.kind === 'postgres'
        ? CLAIM_LOCKED.replace('$1', String(BATCH))
        : CLAIM_UNLOCKED.replace('$1', String(BATCH)).replace('$2', "'{}'");

    /** The claim's plan and the buffers it touched, in a transaction that is rolled back (its row locks go with it). */
    async function explainClaim(): Promise<{ nodes: PlanNode[]; buffers: number }> {
      let explained: { nodes: PlanNode[]; buffers: number } | undefined;
      await db.sql
        .transaction(async (tx) => {
          const { rows } = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
            `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${claim()}`,
          );
          const plan = rows[0]['QUERY PLAN'][0].Plan;
          explained = {
            nodes: nodesOf(plan),
            buffers: (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0),
          };
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
      return explained!;
    }

    function expectPendingIndexScan(nodes: PlanNode[]): void {
      const onOutbox = nodes.filter((n) => n['Relation Name'] === 'surety_outbox');
      expect(onOutbox.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(onOutbox.map((n) => n['Node Type'])).not.toContain('Bitmap Heap Scan');
      expect(onOutbox.map((n) => n['Index Name'])).toContain('surety_outbox_pending_due_idx');
    }

    it('a claim reads the pending index and touches as many pages with 100,000 sent rows as with none', async () => {
      await db.sql.query(insertRows('pending', 1, PENDING));
      await db.sql.query('VACUUM ANALYZE surety_outbox');
      const before = await explainClaim();
      expectPendingIndexScan(before.nodes);
      expect(before.nodes[0]['Actual Rows']).toBe(BATCH);

      await db.sql.query(insertRows('sent', PENDING + 1, SENT));
      await db.sql.query('VACUUM ANALYZE surety_outbox');
      const after = await explainClaim();
      expectPendingIndexScan(after.nodes);
      expect(after.nodes[0]['Actual Rows']).toBe(BATCH);
      // A full index on the due time, or none, would step over or scan the sent rows.
      expect(after.buffers).toBeLessThanOrEqual(before.buffers * 1.1 + 10);
    });

    it('retention deletes the sent rows it picked by primary key', async () => {
      const { rows } = await db.sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) ${PRUNE_SENT.replace('$1', '3600000').replace('$2', '5000')}`,
      );
      // The rows to delete are looked up by primary key, not found by a scan of the
      // table (the id list itself comes from an InitPlan under a LIMIT).
      const modify = rows[0]['QUERY PLAN'][0].Plan;
      expect(modify['Node Type']).toBe('ModifyTable');
      const target = (modify.Plans ?? []).filter((n) => n['Parent Relationship'] !== 'InitPlan');
      const targetNodes = target.flatMap(nodesOf);
      expect(targetNodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(targetNodes.map((n) => n['Index Name'])).toContain('surety_outbox_pkey');
      const before = await db.sql.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM surety_outbox WHERE status = 'sent'",
      );
      const pruned = await db.sql.query(PRUNE_SENT, [3_600_000, 5000]);
      expect(pruned.rowCount).toBe(5000);
      const after = await db.sql.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM surety_outbox WHERE status = 'sent'",
      );
      expect(after.rows[0].n).toBe(before.rows[0].n - 5000n);
    });

    it('the backlog gauges keep to the pending index when the statistics still count a sent backlog', async () => {
      const backlog = 20_000;
      const first = PENDING + SENT + 1;
      await db.sql.query(insertRows('pending', first, backlog));
      await db.sql.query('ANALYZE surety_outbox');
      // The backlog is sent after ANALYZE: the statistics now overstate what is pending.
      await db.sql.query(
        `UPDATE surety_outbox SET status = 'sent', sent_at = now()
         WHERE status = 'pending' AND id > (SELECT max(id) FROM surety_outbox) - $1`,
        [backlog],
      );
      const { rows } = await db.sql.transaction(async (tx) => {
        await tx.exec(PENDING_INDEX_ONLY);
        const explained = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (FORMAT JSON) ${PENDING_STATS}`,
        );
        expectPendingIndexScan(nodesOf(explained.rows[0]['QUERY PLAN'][0].Plan));
        expect(
          nodesOf(explained.rows[0]['QUERY PLAN'][0].Plan).map((n) => n['Node Type']),
        ).not.toContain('Gather');
        return tx.query<{ pending: bigint }>(PENDING_STATS);
      });
      const { rows: counted } = await db.sql.query<{ pending: bigint }>(
        "SELECT count(*) AS pending FROM surety_outbox WHERE status = 'pending'",
      );
      expect(rows[0].pending).toBe(counted[0].pending);
      expect(rows[0].pending).toBeLessThan(BigInt(backlog));
    });
  });
}
