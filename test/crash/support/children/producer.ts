// The business side in its own process: each business row and its outbox event are
// written in ONE Prisma interactive transaction (business INSERT + outbox.add), so an
// event exists exactly when its business row does. Every other row writes its event
// with outbox.addWithCommit (sent with the COMMIT on PostgreSQL), so a kill lands on
// both writers. Most events carry an ordering key. Resumes after a kill from what
// committed (max(business.id)), up to SURETY_CRASH_TOTAL rows.
//
// Reports: READY <first id>; COMMITTED <id> after each commit; DONE <total>.
import 'reflect-metadata';
import { createDatabase, resolveDatabaseUrl } from '@surety/database';
import { Outbox } from '@surety/messaging/outbox';
import { CrashEnv, required } from '../crash-env';
import type { EffectEvent } from '../effects';
import { onSigterm, runChild, say } from './child-runtime';

async function main(): Promise<void> {
  const total = Number(required(CrashEnv.events));
  const pauseMs = Number(process.env[CrashEnv.pauseMs] ?? 0);
  const exchange = required(CrashEnv.exchange);
  const db = await createDatabase(resolveDatabaseUrl(required(CrashEnv.databaseUrl)), {
    poolSize: 2,
  });
  onSigterm(() => db.close());
  const outbox = new Outbox();
  const { rows } = await db.sql.query<{ last: number | null }>(
    'SELECT max(id) AS last FROM business',
  );
  const first = (rows[0]?.last ?? 0) + 1;
  say(`READY ${first}`);
  for (let id = first; id <= total; id++) {
    await db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('INSERT INTO business (id) VALUES ($1)', id);
      const event: EffectEvent = { businessId: id };
      // Two events in three carry an ordering key (16 keys), so the end state can check
      // per-key publish order across kills; the third goes without one.
      const key = id % 3 === 0 ? undefined : `account-${id % 16}`;
      const record = { type: 'business.recorded', exchange, key, payload: event };
      if (id % 2 === 0) await outbox.addWithCommit(tx, record);
      else await outbox.add(tx, record);
    });
    say(`COMMITTED ${id}`);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  say(`DONE ${total}`);
  await db.close();
  process.exit(0);
}

runChild('producer', main);
