import { eventually } from '../../support/eventually';
import { AmqpAdmin } from './amqp-admin';
import type { CrashRig } from './crash-rig';
import { tally, total } from './tally';

/** Waits until the outbox is empty and every business row has an effect. */
export async function waitUntilSettled(rig: CrashRig, events: number, timeoutMs: number) {
  await eventually(
    async () => {
      expect(await rig.count('business')).toBe(events);
      expect((await rig.outboxStatuses()).pending).toBe(0);
      const { rows } = await rig.db.sql.query<{ n: bigint }>(
        'SELECT count(DISTINCT business_id) AS n FROM effects',
      );
      expect(Number(rows[0].n)).toBe(events);
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/**
 * Waits until the running consumer has nothing left: no ready message in any of the
 * queues (main, delay levels) and no delivery in its pipeline — twice in a row, a
 * second apart. Duplicates may still be arriving after every effect exists (a
 * republished batch, a redelivery waiting out a dead worker's Redis lease).
 */
async function waitUntilDrained(rig: CrashRig): Promise<void> {
  const queues = rig.declaredQueues.filter((q) => !q.endsWith('.dlq'));
  const admin = await AmqpAdmin.open(rig.adminUrl);
  try {
    const idle = async () => {
      for (const queue of queues) expect((await admin.queueState(queue)).messages).toBe(0);
      for (const consumer of rig.started.filter((c) => c.role.startsWith('consumer') && c.alive)) {
        const finished =
          consumer.reported('SETTLING ').length + consumer.reported('FAILED ').length;
        expect(consumer.reported('DELIVERED ').length).toBe(finished);
      }
    };
    await eventually(
      async () => {
        await idle();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await idle();
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } finally {
    await admin.close();
  }
}

/**
 * The end-to-end guarantee after the crashes, checked on the data itself:
 * every committed business row has exactly one effect, no effect lacks its business
 * row (or its outbox row), the outbox is all sent (nothing pending or failed), the
 * inbox (db store) holds one row per event, and the queue and its dead-letter queue are
 * empty once the consumers stopped gracefully (an unacked message would be requeued).
 */
export async function expectEndState(rig: CrashRig, events: number): Promise<void> {
  await waitUntilDrained(rig);
  for (const child of rig.started) {
    if (child.alive && (child.role.startsWith('consumer') || child.role.startsWith('relay'))) {
      expect((await child.stop()).code).toBe(0);
    }
  }
  expect(await rig.count('business')).toBe(events);
  expect(await rig.outboxStatuses()).toEqual({ pending: 0, sent: events, failed: 0 });

  const notExactlyOnce = await rig.db.sql.query<{ id: number; effects: bigint }>(
    `SELECT b.id, count(e.business_id) AS effects
     FROM business b LEFT JOIN effects e ON e.business_id = b.id
     GROUP BY b.id HAVING count(e.business_id) <> 1 ORDER BY b.id LIMIT 20`,
  );
  expect(notExactlyOnce.rows).toEqual([]);
  const orphans = await rig.db.sql.query(
    `SELECT e.business_id, e.message_id FROM effects e
     LEFT JOIN business b ON b.id = e.business_id
     LEFT JOIN surety_outbox o ON o.message_id = e.message_id
       AND (o.payload->>'businessId')::int = e.business_id
     WHERE b.id IS NULL OR o.id IS NULL LIMIT 20`,
  );
  expect(orphans.rows).toEqual([]);
  if (rig.store === 'db') expect(await rig.count('surety_inbox')).toBe(events);
  await expectKeyOrder(rig);

  const admin = await AmqpAdmin.open(rig.adminUrl);
  try {
    expect(await admin.queueState(rig.queue)).toEqual({ messages: 0, consumers: 0 });
    expect((await admin.queueState(`${rig.queue}.dlq`)).messages).toBe(0);
  } finally {
    await admin.close();
  }
}

/**
 * Per key, the relays first published the rows in sequence order: row n+1 never went to
 * the broker before row n was confirmed, across relay kills. A relay reports CONFIRMED
 * after each batch the broker confirmed and before it marks the rows sent; relays run
 * one at a time, so their reports in start order are in time order. A kill between the
 * confirm and the mark republishes row n, and only then n+1: first confirms stay in order.
 */
async function expectKeyOrder(rig: CrashRig): Promise<void> {
  const firstConfirmBatch = new Map<string, number>();
  rig.reported('relay', 'CONFIRMED ').forEach((line, batch) => {
    for (const id of line.split(',')) {
      if (!firstConfirmBatch.has(id)) firstConfirmBatch.set(id, batch);
    }
  });
  const { rows } = await rig.db.sql.query<{ id: string; key: string; sequence: bigint }>(
    `SELECT message_id::text AS id, key, sequence FROM surety_outbox
     WHERE key IS NOT NULL ORDER BY key, sequence`,
  );
  expect(rows.length).toBeGreaterThan(0);
  const outOfOrder: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const [earlier, later] = [rows[i - 1], rows[i]];
    if (earlier.key !== later.key) continue;
    const [a, b] = [firstConfirmBatch.get(earlier.id), firstConfirmBatch.get(later.id)];
    // Two rows of one key never share a batch: the later one is not claimable meanwhile.
    if (a === undefined || b === undefined || b <= a) {
      outOfOrder.push(
        `${later.key} #${later.sequence}: batch ${b} after #${earlier.sequence} in ${a}`,
      );
    }
  }
  expect(outOfOrder.slice(0, 10)).toEqual([]);
}

/** One line of what happened, for the log and the report. */
export function crashSummary(rig: CrashRig, events: number, kills: Record<string, number>): string {
  const confirmed = rig.reported('relay', 'CONFIRMED ').flatMap((l) => l.split(','));
  const unconfirmed = rig.reported('relay', 'UNCONFIRMED ');
  const deliveries = rig.reported('consumer', 'DELIVERED ');
  const runs = tally(rig.reported('consumer', 'RUN '));
  const settled = rig.reported('consumer', 'SETTLING ');
  const parts = {
    store: rig.store,
    events,
    published: confirmed.length,
    republished: confirmed.length - new Set(confirmed).size,
    unconfirmed: unconfirmed.length,
    deliveries: deliveries.length,
    redelivered: settled.filter((l) => l.includes('redelivered=1')).length,
    absorbed: settled.filter((l) => l.includes(' ran=0 ')).length,
    handlerRuns: total(runs),
    reruns: total(runs) - runs.size,
    effectAlreadyThere: rig.reported('consumer', 'EFFECT-ALREADY ').length,
    kills: Object.entries(kills)
      .map(([role, n]) => `${role}:${n}`)
      .join('/'),
  };
  return Object.entries(parts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
