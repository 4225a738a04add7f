/**
 * The relay's statements. Raw SQL over the database handle's executor: per batch of
 * hundreds of rows these are a handful of round trips, where Prisma would add its
 * per-call cost to every one of them.
 */

/**
 * The rows a claim may take: pending, due, and — for keyed rows — the lowest pending
 * sequence of their key. A later row of a key is never eligible while an earlier one is
 * pending (in flight elsewhere, backing off, or about to be marked failed), which is what
 * keeps a key's events leaving in order across relays, pipelined batches and retries.
 * The NOT EXISTS probe runs on surety_outbox_pending_key_seq_idx.
 */
const ELIGIBLE = `
  o.status = 'pending'
  AND o.next_attempt_at <= now()
  AND (o.key IS NULL OR NOT EXISTS (
    SELECT 1 FROM surety_outbox e
    WHERE e.key = o.key AND e.status = 'pending' AND e.sequence < o.sequence))`;

const COLUMNS = `o.id, o.key, o.sequence, o.exchange, o.routing_key, o.type,
  o.payload::text AS payload, o.headers::text AS headers, o.attempts, o.message_id::text AS message_id`;

/**
 * PostgreSQL, several relays: lock the batch for the length of the claiming transaction
 * (held open while the batch is published; see docs/outbox/relay.md). Rows locked by
 * another relay are skipped. $1 batch size.
 */
export const CLAIM_LOCKED = `
SELECT ${COLUMNS}
FROM surety_outbox o
WHERE ${ELIGIBLE}
ORDER BY o.next_attempt_at, o.id
LIMIT $1
FOR UPDATE SKIP LOCKED`;

/**
 * PGlite, one process by construction: no locks, the relay's own in-flight rows are
 * excluded by id instead. $1 batch size, $2 ids in flight.
 */
export const CLAIM_UNLOCKED = `
SELECT ${COLUMNS}
FROM surety_outbox o
WHERE ${ELIGIBLE}
  AND o.id <> ALL($2::bigint[])
ORDER BY o.next_attempt_at, o.id
LIMIT $1`;

/** $1 ids confirmed by the broker. */
export const MARK_SENT = `
UPDATE surety_outbox SET status = 'sent', sent_at = now()
WHERE id = ANY($1::bigint[]) AND status = 'pending'`;

/** $1 ids, $2 delay ms each, $3 error text each: one more failed attempt, try again later. */
export const MARK_RETRY = `
UPDATE surety_outbox o
SET attempts = o.attempts + 1,
    next_attempt_at = now() + r.delay_ms * interval '1 millisecond',
    last_error = r.error
FROM unnest($1::bigint[], $2::float8[], $3::text[]) AS r(id, delay_ms, error)
WHERE o.id = r.id AND o.status = 'pending'`;

/**
 * Keeps rows back for $2 ms without recording an attempt: a final failure waiting for
 * its compensation transaction must not be claimed and published again meanwhile. $1 ids.
 */
export const HOLD = `
UPDATE surety_outbox SET next_attempt_at = now() + $2 * interval '1 millisecond'
WHERE id = ANY($1::bigint[]) AND status = 'pending'`;

/**
 * Final failure of one row, in the compensation's transaction. Only a pending row can
 * fail, so of two relays racing to fail it exactly one gets the row back (and runs the
 * compensation). $1 id, $2 error.
 */
export const MARK_FAILED = `
UPDATE surety_outbox
SET status = 'failed', attempts = attempts + 1, last_error = $2
WHERE id = $1 AND status = 'pending'
RETURNING id`;

/**
 * After a compensation threw: leave the row pending and try again later. The try that
 * ended here published the row once more, so it counts as an attempt: the next
 * deferral backs off further instead of republishing at the first step's pace forever.
 * $1 id, $2 delay ms, $3 error.
 */
export const DEFER_FAILED = `
UPDATE surety_outbox
SET attempts = attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond',
    last_error = $3
WHERE id = $1 AND status = 'pending'`;

/**
 * Retention: sent rows older than $1 ms, at most $2 per statement (short locks). The
 * ids come from a lookup that stops at $2 rows (on surety_outbox_sent_at_idx, or a scan
 * that stops early), and the rows are deleted by primary key: `id = ANY (ARRAY(...))`
 * rather than `id IN (SELECT ...)`, for which the planner may join against a scan of
 * the whole table when most sent rows are past retention.
 */
export const PRUNE_SENT = `
DELETE FROM surety_outbox
WHERE id = ANY (ARRAY(
  SELECT id FROM surety_outbox
  WHERE status = 'sent' AND sent_at < now() - $1 * interval '1 millisecond'
  LIMIT $2))`;

/**
 * Run before PENDING_STATS, in its transaction: the gauges read the pending-only index,
 * in one process, whatever the statistics say. Right after a large backlog was sent,
 * and until ANALYZE catches up, the planner still counts the backlog as pending: it
 * scans the whole table, sent rows included (160–210 ms with 1.4 million rows in
 * `npm run bench:outbox:claim`, growing with retention), or starts parallel workers
 * for what is a short index scan. The index scan costs what is pending, plus the
 * entries of rows sent since the last VACUUM, which it marks dead as it passes them so
 * that the next call skips them.
 */
export const PENDING_INDEX_ONLY = `SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SET LOCAL max_parallel_workers_per_gather = 0`;

/** Backlog gauges, from the pending-only index (see PENDING_INDEX_ONLY). */
export const PENDING_STATS = `
SELECT count(*) AS pending,
       coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0)::float8 AS oldest_ms
FROM surety_outbox
WHERE status = 'pending'`;

/**
 * In how many ms the next backing-off row becomes due (to wake up then rather than at
 * the next poll). Only rows not yet due: a pending row that is due already (the next
 * row of a key waiting behind the one backing off, a row in flight) is no reason to
 * wake, and would hide the one that is. Measured on the database's clock, which is the
 * one next_attempt_at is compared with, so that a skewed client clock does not matter.
 */
export const NEXT_DUE = `
SELECT (extract(epoch FROM min(next_attempt_at) - now()) * 1000)::float8 AS due_in_ms
FROM surety_outbox
WHERE status = 'pending' AND next_attempt_at > now()`;
