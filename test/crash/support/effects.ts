import type { DatabaseHandle, SqlQueryable } from '@surety/database';
import type { MessageContext } from '@surety/messaging';
import type { StoreKind } from './crash-env';

/** The payload of every crash-test event: which business row it is about. */
export interface EffectEvent {
  readonly businessId: number;
}

/**
 * The tables of a crash test. `business` is what the producer commits (with its outbox
 * row); `effects` is what the consumer does downstream, one row per handler effect.
 *
 * With the db store the effect table has NO unique key on purpose: the inbox row is the
 * only thing that may stop a second effect, so a second one would show up as a row.
 * With the Redis store the guarantee is weaker (docs/outbox/idempotency.md: a crash
 * after the effect and before the done-marker runs the handler again), and the
 * documented remedy is an effect that is itself idempotent: a unique key on the
 * message id, written with ON CONFLICT DO NOTHING.
 */
export function effectTablesDdl(store: StoreKind): string {
  return `
    CREATE TABLE business (id int PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE effects (
      message_id uuid NOT NULL,
      business_id int NOT NULL,
      written_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    ${store === 'redis' ? 'CREATE UNIQUE INDEX effects_message_id_key ON effects (message_id);' : ''}`;
}

type EffectWrite = (
  database: DatabaseHandle,
  context: MessageContext,
  event: EffectEvent,
) => Promise<void>;

/** How the consumer child writes its effect, per store. */
export const EFFECT_WRITES: Record<StoreKind, EffectWrite> = {
  // In the inbox transaction: effect and inbox row commit or roll back together.
  async db(_database, context, event) {
    await context.tx!.$executeRawUnsafe(
      'INSERT INTO effects (message_id, business_id) VALUES ($1::uuid, $2)',
      context.messageId,
      event.businessId,
    );
  },
  // No transaction to share with Redis: the effect commits on its own, idempotently.
  async redis(database, context, event) {
    const { rowCount } = await database.sql.query(
      `INSERT INTO effects (message_id, business_id) VALUES ($1::uuid, $2)
       ON CONFLICT (message_id) DO NOTHING`,
      [context.messageId, event.businessId],
    );
    if (rowCount === 0) process.stdout.write(`EFFECT-ALREADY ${context.messageId}\n`);
  },
};

/** Effect rows per message id, for assertions. */
export async function effectCounts(sql: SqlQueryable): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ message_id: string; n: bigint }>(
    'SELECT message_id::text AS message_id, count(*) AS n FROM effects GROUP BY message_id',
  );
  return new Map(rows.map((r) => [r.message_id, Number(r.n)]));
}
