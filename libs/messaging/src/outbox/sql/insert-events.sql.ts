import { prepared } from '@surety/database';

/**
 * Statements of the writer. All run inside the caller's transaction, in one round trip.
 *
 * The wake-up `pg_notify` is delivered at commit and dropped on rollback. It is not
 * free: PostgreSQL serialises the commits of notifying transactions on one lock, which
 * defeats group commit when many writers notify at once. Where the transaction can
 * queue a statement for its COMMIT, the writer sends the insert plain and decides on
 * NOTIFY_AT_COMMIT only as the COMMIT goes out, for at most one committing transaction
 * per short interval per process (see Outbox). Elsewhere the insert carries the
 * notify itself (the `_NOTIFY` variants), in every transaction.
 */

/** The wake-up alone, sent with a COMMIT. $1 channel. */
export const NOTIFY_AT_COMMIT = prepared('surety_outbox_wake', `SELECT pg_notify($1, '')`);

const WAKE = `wake AS (SELECT pg_notify($8, ''))`;

/**
 * Keyless events, the common case: a plain insert from the parameter arrays.
 * $1 key[] (all null), $2 exchange[], $3 routing_key[], $4 type[], $5 payload (JSON
 * text)[], $6 headers (JSON text)[], $7 message_id[], $8 channel (notify variant only).
 */
function keyless(notify: boolean): string {
  return `
${notify ? `WITH ${WAKE}` : ''}
INSERT INTO surety_outbox (exchange, routing_key, type, payload, headers, message_id)
SELECT e.exchange, e.routing_key, e.type, e.payload::jsonb, e.headers::jsonb, e.message_id
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[])
     WITH ORDINALITY AS e(exchange, routing_key, type, payload, headers, message_id, ord)
     ${notify ? 'CROSS JOIN wake' : ''}
WHERE $1::text[] IS NOT NULL
ORDER BY e.ord
RETURNING message_id::text AS "messageId", key, sequence`;
}

/**
 * Events with ordering keys (same parameters):
 *
 * 1. `ev` unpacks the parameter arrays, keeping the caller's order (`ord`).
 * 2. `seq` reserves, per key, as many consecutive numbers as the batch holds for it.
 *    The upsert takes the key's row lock until commit, so concurrent writers of one
 *    key queue up here and their numbers never interleave; the ids they get for their
 *    rows are then ordered the same way.
 * 3. Each keyed event gets `last - count(key) + rank-within-key`.
 */
function keyed(notify: boolean): string {
  return `
WITH ev AS (
  SELECT *
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[])
       WITH ORDINALITY AS e(key, exchange, routing_key, type, payload, headers, message_id, ord)
), seq AS (
  INSERT INTO surety_outbox_key_sequence AS s (key, last_sequence)
  SELECT key, count(*) FROM ev WHERE key IS NOT NULL GROUP BY key
  ON CONFLICT (key) DO UPDATE SET last_sequence = s.last_sequence + EXCLUDED.last_sequence
  RETURNING key, last_sequence
), numbered AS (
  SELECT ev.*,
         CASE WHEN ev.key IS NULL THEN NULL
              ELSE seq.last_sequence
                   - count(*) OVER (PARTITION BY ev.key)
                   + row_number() OVER (PARTITION BY ev.key ORDER BY ev.ord)
         END AS sequence
  FROM ev LEFT JOIN seq ON seq.key = ev.key
)${notify ? `, ${WAKE}` : ''}
INSERT INTO surety_outbox (key, sequence, exchange, routing_key, type, payload, headers, message_id)
SELECT n.key, n.sequence, n.exchange, n.routing_key, n.type, n.payload::jsonb, n.headers::jsonb, n.message_id
FROM numbered n ${notify ? 'CROSS JOIN wake' : ''}
ORDER BY n.ord
RETURNING message_id::text AS "messageId", key, sequence`;
}

export const INSERT_KEYLESS = prepared('surety_outbox_insert_keyless', keyless(false));
export const INSERT_KEYLESS_NOTIFY = prepared('surety_outbox_insert_keyless_n', keyless(true));
export const INSERT_KEYED = prepared('surety_outbox_insert_keyed', keyed(false));
export const INSERT_KEYED_NOTIFY = prepared('surety_outbox_insert_keyed_n', keyed(true));

/**
 * One keyless event (the most common call): scalar parameters and no RETURNING, the
 * cheapest statement for both the driver and the server. $1 exchange, $2 routing key,
 * $3 type, $4 payload (JSON text), $5 headers (JSON text), $6 message id, $7 channel
 * (notify variant only).
 */
const INSERT_ONE_COLUMNS =
  'INSERT INTO surety_outbox (exchange, routing_key, type, payload, headers, message_id)';
export const INSERT_ONE = prepared(
  'surety_outbox_insert_one',
  `${INSERT_ONE_COLUMNS}
VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::uuid)`,
);
export const INSERT_ONE_NOTIFY = prepared(
  'surety_outbox_insert_one_n',
  `${INSERT_ONE_COLUMNS}
SELECT $1, $2, $3, $4::jsonb, $5::jsonb, $6::uuid FROM (SELECT pg_notify($7, '')) AS wake`,
);

/**
 * One keyed event (an aggregate's change, the common keyed call): the key's next number
 * from its sequence row (the upsert's row lock orders concurrent writers of the key, as
 * in the batch statement), with scalar parameters. $1 key, then as INSERT_ONE shifted by
 * one: $2 exchange … $7 message id, $8 channel (notify variant only).
 */
function keyedOne(notify: boolean): string {
  return `
WITH seq AS (
  INSERT INTO surety_outbox_key_sequence AS s (key, last_sequence) VALUES ($1, 1)
  ON CONFLICT (key) DO UPDATE SET last_sequence = s.last_sequence + 1
  RETURNING last_sequence
)${notify ? `, ${WAKE}` : ''}
INSERT INTO surety_outbox (key, sequence, exchange, routing_key, type, payload, headers, message_id)
SELECT $1, seq.last_sequence, $2, $3, $4, $5::jsonb, $6::jsonb, $7::uuid
FROM seq ${notify ? 'CROSS JOIN wake' : ''}
RETURNING sequence`;
}

export const INSERT_KEYED_ONE = prepared('surety_outbox_insert_keyed_one', keyedOne(false));
export const INSERT_KEYED_ONE_NOTIFY = prepared('surety_outbox_insert_keyed_one_n', keyedOne(true));
