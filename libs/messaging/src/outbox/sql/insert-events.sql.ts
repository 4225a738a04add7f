/**
 * Inserts a batch of events in one round trip, inside the caller's transaction:
 *
 * 1. `ev` unpacks the parameter arrays, keeping the caller's order (`ord`).
 * 2. `seq` reserves, per ordering key, as many consecutive numbers as the batch holds
 *    for that key. The upsert takes the key's row lock until commit, so concurrent
 *    writers of one key queue up here and their numbers never interleave; the ids
 *    they get for their rows are then ordered the same way.
 * 3. Each keyed event gets `last - count(key) + rank-within-key`.
 * 4. `pg_notify` wakes relays — delivered at commit, dropped on rollback, and sent
 *    once per transaction however many events it added (PostgreSQL folds duplicates).
 *
 * Parameters: $1 key[], $2 exchange[], $3 routing_key[], $4 type[], $5 payload (JSON
 * text)[], $6 headers (JSON text)[], $7 message_id[], $8 channel.
 */
export const INSERT_EVENTS = `
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
), wake AS (
  SELECT pg_notify($8, '')
)
INSERT INTO surety_outbox (key, sequence, exchange, routing_key, type, payload, headers, message_id)
SELECT n.key, n.sequence, n.exchange, n.routing_key, n.type, n.payload::jsonb, n.headers::jsonb, n.message_id
FROM numbered n CROSS JOIN wake
ORDER BY n.ord
RETURNING message_id::text AS "messageId", key, sequence
`;
