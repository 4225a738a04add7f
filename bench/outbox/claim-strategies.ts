// node -r @swc-node/register bench/outbox/claim-strategies.ts
//
// The database side of the relay's claim, without a broker: drains N pending rows in
// batches, (a) locking them in a transaction that also marks them sent (what the relay
// does on PostgreSQL), against (b) a lease (an autocommit UPDATE that claims, then an
// UPDATE that marks sent). The figure behind docs/outbox/relay.md's choice of (a).
// Knobs: CLAIM_BENCH_N (50000), CLAIM_BENCH_BATCH (500), CLAIM_BENCH_ROUNDS (3),
// SURETY_BENCH_POSTGRES_URL. Uses (and drops) a database of its own.
import { Client } from 'pg';
import { createDatabase, resolveDatabaseUrl, type DatabaseHandle } from '@surety/database';

const N = Number(process.env.CLAIM_BENCH_N ?? 50_000);
const BATCH = Number(process.env.CLAIM_BENCH_BATCH ?? 500);
const ROUNDS = Number(process.env.CLAIM_BENCH_ROUNDS ?? 3);
const SERVER =
  process.env.SURETY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const DUE = `status = 'pending' AND next_attempt_at <= now()`;
const LOCK = `SELECT id FROM surety_outbox WHERE ${DUE} ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`;
const LEASE = `
WITH due AS (${LOCK})
UPDATE surety_outbox o SET next_attempt_at = now() + interval '30 seconds'
FROM due WHERE o.id = due.id RETURNING o.id`;
const SENT = `UPDATE surety_outbox SET status = 'sent', sent_at = now() WHERE id = ANY($1::bigint[])`;

async function fill(db: DatabaseHandle): Promise<void> {
  await db.sql.exec(`TRUNCATE surety_outbox;
    INSERT INTO surety_outbox (exchange, routing_key, type, payload, message_id)
    SELECT 'x', 'rk', 't', jsonb_build_object('pad', repeat('x', 200)), gen_random_uuid()
    FROM generate_series(1, ${N});`);
  await db.sql.query('VACUUM ANALYZE surety_outbox');
}

async function drain(db: DatabaseHandle, strategy: 'locked' | 'lease'): Promise<number> {
  await fill(db);
  const started = performance.now();
  for (;;) {
    const claimed =
      strategy === 'locked'
        ? await db.sql.transaction(async (tx) => {
            const { rows } = await tx.query<{ id: bigint }>(LOCK, [BATCH]);
            if (rows.length > 0) await tx.query(SENT, [rows.map((r) => r.id)]);
            return rows.length;
          })
        : await (async () => {
            const { rows } = await db.sql.query<{ id: bigint }>(LEASE, [BATCH]);
            if (rows.length > 0) await db.sql.query(SENT, [rows.map((r) => r.id)]);
            return rows.length;
          })();
    if (claimed === 0) break;
  }
  return N / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const name = `surety_claim_bench_${process.pid}`;
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const db = await createDatabase(resolveDatabaseUrl(url.toString()));
  try {
    await db.migrate();
    const results: Record<string, number[]> = { locked: [], lease: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so neither side always runs on a warmer server.
      const order =
        round % 2 === 0 ? (['locked', 'lease'] as const) : (['lease', 'locked'] as const);
      for (const strategy of order) results[strategy].push(await drain(db, strategy));
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(`claim + mark sent, ${N} rows, batches of ${BATCH}, ${ROUNDS} rounds (median):`);
    for (const [strategy, values] of Object.entries(results)) {
      console.log(
        `  ${strategy.padEnd(7)} ${Math.round(median(values))} rows/s  [${values.map(Math.round).join(', ')}]`,
      );
    }
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
