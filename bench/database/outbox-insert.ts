// Outbox insert throughput: one multi-row INSERT through handle.sql vs Prisma
// createMany, each inside one transaction, on a fresh database.
//
//   node -r @swc-node/register bench/database/outbox-insert.ts [postgres|pglite] [rows...]
//
// PostgreSQL: a scratch database on SURETY_BENCH_POSTGRES_URL (default
// postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { type DatabaseHandle, Prisma, createDatabase, resolveDatabaseUrl } from '@surety/database';

const ROUNDS = 5;
const SERVER =
  process.env.SURETY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

interface OutboxInput {
  messageId: string;
  exchange: string;
  routingKey: string;
  type: string;
  payload: Prisma.InputJsonObject;
  headers: Prisma.InputJsonObject;
}

/** ~250-byte JSON payloads, like a small domain event. */
function events(count: number): OutboxInput[] {
  return Array.from({ length: count }, (_, i) => ({
    messageId: uuidv7(),
    exchange: 'policy.events',
    routingKey: 'policy.issued',
    type: 'policy.issued',
    payload: {
      policyId: `P-${i}`,
      holder: randomBytes(40).toString('hex'),
      premium: 1234.5,
      currency: 'EUR',
    },
    headers: { correlationId: uuidv7() },
  }));
}

async function rawInsert(db: DatabaseHandle, rows: OutboxInput[]): Promise<void> {
  await db.sql.transaction((tx) =>
    tx.query(
      `INSERT INTO surety_outbox (message_id, exchange, routing_key, type, payload, headers)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[])`,
      [
        rows.map((r) => r.messageId),
        rows.map((r) => r.exchange),
        rows.map((r) => r.routingKey),
        rows.map((r) => r.type),
        rows.map((r) => JSON.stringify(r.payload)),
        rows.map((r) => JSON.stringify(r.headers)),
      ],
    ),
  );
}

async function prismaCreateMany(db: DatabaseHandle, rows: OutboxInput[]): Promise<void> {
  await db.prisma.$transaction((tx) => tx.outboxMessage.createMany({ data: rows }));
}

async function measure(
  db: DatabaseHandle,
  count: number,
  insert: (db: DatabaseHandle, rows: OutboxInput[]) => Promise<void>,
): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rows = events(count);
    const started = process.hrtime.bigint();
    await insert(db, rows);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(count / seconds);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

async function withDatabase(
  kind: string,
  work: (db: DatabaseHandle) => Promise<void>,
): Promise<void> {
  if (kind === 'pglite') {
    const db = await createDatabase(resolveDatabaseUrl('pglite:memory'));
    await db.migrate();
    await work(db).finally(() => db.close());
    return;
  }
  const name = `surety_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(SERVER);
    url.pathname = `/${name}`;
    const db = await createDatabase(resolveDatabaseUrl(url.toString()));
    await db.migrate();
    await work(db).finally(() => db.close());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const [kind = 'postgres', ...sizes] = process.argv.slice(2);
  const counts = sizes.length > 0 ? sizes.map(Number) : [100, 1_000, 10_000];
  await withDatabase(kind, async (db) => {
    await measure(db, 200, rawInsert); // warm-up: connections, plans, Prisma's query compiler
    await measure(db, 200, prismaCreateMany);
    console.log(`${kind}: outbox rows/s, one transaction per batch, median of ${ROUNDS}`);
    console.log('rows/batch   raw unnest INSERT   Prisma createMany   ratio');
    for (const count of counts) {
      const raw = await measure(db, count, rawInsert);
      const prisma = await measure(db, count, prismaCreateMany);
      console.log(
        `${String(count).padStart(10)}   ${raw.toFixed(0).padStart(17)}   ${prisma.toFixed(0).padStart(17)}   ${(raw / prisma).toFixed(1).padStart(5)}x`,
      );
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
