// npm run bench:outbox:claim — what the relay's statements cost PostgreSQL once the
// outbox holds millions of sent rows (retention keeps them for 7 days by default).
//
//   1. settled: the claim of one batch, the backlog gauges (as the relay runs them, on
//      the pending-only index, and as the planner alone would) and NEXT_DUE, with no sent
//      rows and then with CLAIM_SCALE_SENT sent rows (vacuumed, as autovacuum leaves
//      them). Each claim runs in a transaction that is rolled back, so every repetition
//      claims the same rows; buffers come from EXPLAIN (ANALYZE, BUFFERS).
//   2. drain: CLAIM_SCALE_DRAIN pending rows claimed and marked sent batch by batch, as
//      the relay does, with autovacuum off for the table: every row marked sent leaves
//      a dead entry at the head of the pending index until VACUUM removes it, and each
//      claim steps over them. Then VACUUM, and the claim again.
//   3. retention: pruning CLAIM_SCALE_PRUNE of the sent rows, in the relay's statements.
//
// Knobs: CLAIM_SCALE_SENT (1000000), CLAIM_SCALE_PENDING (10000, half of them keyed),
// CLAIM_SCALE_DRAIN (400000), CLAIM_SCALE_PRUNE (100000), CLAIM_SCALE_REPEAT (50),
// SURETY_BENCH_POSTGRES_URL. Uses (and drops) a database of its own.
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import {
  CLAIM_LOCKED,
  MARK_SENT,
  NEXT_DUE,
  PENDING_INDEX_ONLY,
  PENDING_STATS,
  PRUNE_SENT,
} from '../../libs/messaging/src/outbox/sql/relay.sql';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SENT = int('CLAIM_SCALE_SENT', 1_000_000);
const PENDING = int('CLAIM_SCALE_PENDING', 10_000);
const DRAIN = int('CLAIM_SCALE_DRAIN', 400_000);
const PRUNE = int('CLAIM_SCALE_PRUNE', 100_000);
const REPEAT = int('CLAIM_SCALE_REPEAT', 50);
const BATCH = 500; // the relay's default batchSize
const PRUNE_BATCH = 5000; // the relay's rows per PRUNE_SENT statement
const SERVER =
  process.env.SURETY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const NAME = `surety_claim_scale_${process.pid}`;
const DATABASE = `${SERVER.slice(0, SERVER.lastIndexOf('/'))}/${NAME}`;

/**
 * `count` rows numbered from `from`, even ones keyed (one event per key). Sent rows are
 * due (and created) a day before pending ones, as they are in a live outbox: they sit
 * ahead of the pending rows in due order, where an index that held them would make a
 * claim step over them.
 */
function insertRows(status: 'pending' | 'sent', from: number, count: number): string {
  const due = status === 'sent' ? "now() - interval '2 days'" : "now() - interval '1 day'";
  return `
INSERT INTO surety_outbox (key, sequence, exchange, routing_key, type, payload, message_id, status, sent_at, next_attempt_at, created_at)
SELECT CASE WHEN g % 2 = 0 THEN 'policy-' || g END, CASE WHEN g % 2 = 0 THEN 1 END,
       'policy.events', 'policy.issued', 'policy.issued',
       jsonb_build_object('policyId', 'P-' || g, 'pad', repeat('x', 195)), gen_random_uuid(),
       '${status}', ${status === 'sent' ? "now() - interval '1 day'" : 'NULL'},
       ${due} + g * interval '1 microsecond', ${due}
FROM generate_series(${from}, ${from + count - 1}) g`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Median ms of one claim of BATCH rows (rolled back) and the buffers it touches. */
async function claimCost(db: Client): Promise<{ ms: number; buffers: number; rows: number }> {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    await db.query('BEGIN');
    times.push(await timed(() => db.query({ name: 'claim', text: CLAIM_LOCKED, values: [BATCH] })));
    await db.query('ROLLBACK');
  }
  await db.query('BEGIN');
  const explain = CLAIM_LOCKED.replace('$1', String(BATCH));
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: Record<string, number> }] }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${explain}`,
  );
  await db.query('ROLLBACK');
  const plan = rows[0]['QUERY PLAN'][0].Plan;
  return {
    ms: median(times),
    buffers: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'],
    rows: plan['Actual Rows'],
  };
}

/**
 * Median ms of the backlog gauges as the relay runs them, and as the planner alone would
 * pick. Unnamed statements, as the relay sends them: planned at every call, so the
 * transaction's settings apply (a prepared plan would keep the first one).
 */
async function gaugeMs(db: Client): Promise<{ stats: number; unforced: number; nextDue: number }> {
  const stats: number[] = [];
  const unforced: number[] = [];
  const nextDue: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    unforced.push(await timed(() => db.query(PENDING_STATS)));
    stats.push(
      await timed(async () => {
        await db.query('BEGIN');
        await db.query(PENDING_INDEX_ONLY);
        await db.query(PENDING_STATS);
        await db.query('COMMIT');
      }),
    );
    nextDue.push(await timed(() => db.query(NEXT_DUE)));
  }
  return { stats: median(stats), unforced: median(unforced), nextDue: median(nextDue) };
}

async function settled(db: Client, label: string): Promise<void> {
  const claim = await claimCost(db);
  const gauges = await gaugeMs(db);
  console.log(
    `  ${label.padEnd(28)} claim ${claim.ms.toFixed(2)} ms (${claim.rows} rows, ${claim.buffers} buffers)` +
      `   gauges ${gauges.stats.toFixed(2)} ms (planner's pick ${gauges.unforced.toFixed(2)} ms)` +
      `   next due ${gauges.nextDue.toFixed(2)} ms`,
  );
}

/** Claims and marks sent like the relay (one transaction per batch) until `count` rows are sent. */
async function drain(db: Client, count: number): Promise<void> {
  let sent = 0;
  let times: number[] = [];
  const reportEvery = Math.max(BATCH, Math.floor(count / 4 / BATCH) * BATCH);
  while (sent < count) {
    await db.query('BEGIN');
    let claimed: { id: string }[] = [];
    times.push(
      await timed(async () => {
        claimed = (await db.query({ name: 'claim', text: CLAIM_LOCKED, values: [BATCH] })).rows;
      }),
    );
    await db.query({ name: 'sent', text: MARK_SENT, values: [claimed.map((r) => r.id)] });
    await db.query('COMMIT');
    if (claimed.length === 0) break;
    sent += claimed.length;
    if (sent % reportEvery === 0) {
      console.log(
        `  after ${String(sent).padStart(7)} marked sent, not vacuumed: claim ${median(times).toFixed(2)} ms`,
      );
      times = [];
    }
  }
}

async function main(): Promise<void> {
  console.log(
    `surety outbox claim at scale: claims of ${BATCH} rows, median of ${REPEAT}; ` +
      `${PENDING} pending rows; PostgreSQL`,
  );
  const server = new Client({ connectionString: SERVER });
  await server.connect();
  await server.query(`CREATE DATABASE ${NAME}`);
  const db = new Client({ connectionString: DATABASE });
  try {
    execFileSync('npm', ['run', '-s', 'db:migrate'], {
      env: { ...process.env, DATABASE_URL: DATABASE },
      stdio: 'ignore',
    });
    await db.connect();
    // The drain measures dead entries as they pile up between vacuums: no autovacuum
    // may clear them in the middle of it.
    await db.query('ALTER TABLE surety_outbox SET (autovacuum_enabled = false)');

    console.log('1. settled (after VACUUM ANALYZE)');
    await db.query(insertRows('pending', 1, PENDING));
    await db.query('VACUUM ANALYZE surety_outbox');
    await settled(db, 'no sent rows');
    const filling = await timed(() => db.query(insertRows('sent', PENDING + 1, SENT)));
    await db.query('VACUUM ANALYZE surety_outbox');
    await settled(db, `${SENT} sent rows`);
    console.log(`  (inserting the sent rows took ${(filling / 1000).toFixed(1)} s)`);

    console.log(`2. drain: ${DRAIN} more rows claimed and marked sent, one batch at a time`);
    await db.query(insertRows('pending', PENDING + SENT + 1, DRAIN));
    await db.query('VACUUM ANALYZE surety_outbox');
    await drain(db, DRAIN);
    await settled(db, 'before VACUUM');
    const vacuum = await timed(() => db.query('VACUUM surety_outbox'));
    console.log(`  VACUUM took ${(vacuum / 1000).toFixed(1)} s`);
    await db.query('ANALYZE surety_outbox');
    await settled(db, 'after VACUUM');

    console.log(`3. retention: pruning ${PRUNE} sent rows, ${PRUNE_BATCH} per statement`);
    const prunes: number[] = [];
    for (let pruned = 0; pruned < PRUNE; pruned += PRUNE_BATCH) {
      prunes.push(
        await timed(() =>
          db.query({ name: 'prune', text: PRUNE_SENT, values: [3_600_000, PRUNE_BATCH] }),
        ),
      );
    }
    console.log(
      `  PRUNE_SENT of ${PRUNE_BATCH} rows: median ${median(prunes).toFixed(1)} ms ` +
        `(${((median(prunes) * 1000) / PRUNE_BATCH).toFixed(1)} µs per row)`,
    );
  } finally {
    await db.end().catch(() => undefined);
    await server.query(`DROP DATABASE IF EXISTS ${NAME}`);
    await server.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
