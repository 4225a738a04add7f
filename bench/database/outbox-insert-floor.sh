#!/usr/bin/env bash
# What the outbox row itself costs PostgreSQL, with no Node, Prisma or Surety code in
# the way: pgbench (a C client, prepared statements) runs the business transactions of
# bench:outbox (b) — one row, and the underwriting shape (read a quote, insert a policy
# and two coverages, close the quote) — without an event and with the writer's own
# statement for a keyless or a keyed event, interleaved ROUNDS times on a scratch
# database.
#
#   bash bench/database/outbox-insert-floor.sh        # ROUNDS=3 SECONDS_PER_RUN=5
#
# The "added" column is the floor under bench:outbox (b): no writer can make the
# event cheaper than the server's work for it. The "-pipelined" variants send the
# event and the COMMIT in one round trip (pgbench's \startpipeline, extended protocol,
# still prepared): what a writer that rode on the COMMIT could at best reach.
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVER=${SURETY_BENCH_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
NAME="surety_floor_$$"
DB_URL="${SERVER%/*}/$NAME"
WORK=$(mktemp -d)
cleanup() {
  psql "$SERVER" -qc "DROP DATABASE IF EXISTS $NAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v pgbench >/dev/null || { echo "pgbench is not installed" >&2; exit 1; }
psql "$SERVER" -qc "CREATE DATABASE $NAME" >/dev/null
DATABASE_URL="$DB_URL" npm run -s db:migrate >/dev/null
psql "$DB_URL" -qc "CREATE TABLE bench_policy (id uuid PRIMARY KEY, holder text NOT NULL,
  premium numeric NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench_quote (id int PRIMARY KEY, holder text NOT NULL, premium numeric NOT NULL,
  status text NOT NULL DEFAULT 'open');
CREATE TABLE bench_coverage (policy_id uuid NOT NULL REFERENCES bench_policy (id),
  kind text NOT NULL, amount numeric NOT NULL, PRIMARY KEY (policy_id, kind));
INSERT INTO bench_quote (id, holder, premium)
  SELECT g, 'holder-' || g, 1000 + g % 500 FROM generate_series(1, 10000) g;"

# The event bench:outbox sends: 256 bytes of JSON.
PAYLOAD="'{\"policyId\":\"P-000123\",\"event\":\"policy.issued\",\"pad\":\"$(printf 'x%.0s' $(seq 195))\"}'"
BUSINESS="INSERT INTO bench_policy (id, holder, premium) VALUES (gen_random_uuid(), 'holder-1', 1234.50);"

KEYLESS="INSERT INTO surety_outbox (exchange, routing_key, type, payload, headers, message_id)
  VALUES ('policy', 'policy.issued', 'policy.issued', $PAYLOAD::jsonb, '{}'::jsonb, gen_random_uuid());"
# The writer's keyed statement, keyed by the policy.
KEYED="WITH seq AS (
    INSERT INTO surety_outbox_key_sequence AS s (key, last_sequence) VALUES (:policy, 1)
    ON CONFLICT (key) DO UPDATE SET last_sequence = s.last_sequence + 1
    RETURNING last_sequence)
  INSERT INTO surety_outbox (key, sequence, exchange, routing_key, type, payload, headers, message_id)
  SELECT :policy, seq.last_sequence, 'policy', 'policy.issued', 'policy.issued',
         $PAYLOAD::jsonb, '{}'::jsonb, gen_random_uuid() FROM seq;"
# A random policy id: two random ints into md5, as a uuid (no collision in a run).
POLICY='\set a random(1, 2000000000)
\set b random(1, 2000000000)
\set q random(1, 10000)'
POLICY_ID="md5(:a || '-' || :b)::uuid"
UNDERWRITING="SELECT id, holder, premium FROM bench_quote WHERE id = :q;
INSERT INTO bench_policy (id, holder, premium) VALUES ($POLICY_ID, 'holder-1', 1234.50);
INSERT INTO bench_coverage (policy_id, kind, amount)
  VALUES ($POLICY_ID, 'fire', 100000), ($POLICY_ID, 'theft', 25000);
UPDATE bench_quote SET status = 'issued' WHERE id = :q;"

transaction() { # name, statements...
  local name=$1
  shift
  { echo "$POLICY"; echo 'BEGIN;'; printf '%s\n' "$@"; echo 'COMMIT;'; } >"$WORK/$name.sql"
}
transaction one-row "$BUSINESS"
transaction one-row+keyless "$BUSINESS" "$KEYLESS"
transaction one-row+keyed "$BUSINESS" "${KEYED//:policy/$POLICY_ID::text}"
transaction underwriting "$UNDERWRITING"
transaction underwriting+keyed "$UNDERWRITING" "${KEYED//:policy/$POLICY_ID::text}"
pipelined() { # name, business statements, event statement: event and COMMIT in one trip
  { echo "$POLICY"; echo 'BEGIN;'; printf '%s\n' "$2"; echo '\startpipeline'
    printf '%s\n' "$3"; echo 'COMMIT;'; echo '\endpipeline'; } >"$WORK/$1.sql"
}
pipelined one-row+keyless-pipelined "$BUSINESS" "$KEYLESS"
pipelined underwriting+keyed-pipelined "$UNDERWRITING" "${KEYED//:policy/$POLICY_ID::text}"
VARIANTS=(one-row one-row+keyless one-row+keyed underwriting underwriting+keyed
  one-row+keyless-pipelined underwriting+keyed-pipelined)

latency() {
  pgbench "$DB_URL" -n -c1 -T"$SECONDS_PER_RUN" -M prepared -f "$WORK/$1.sql" 2>&1 |
    sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}

declare -A SUM
for variant in "${VARIANTS[@]}"; do SUM[$variant]=0; done
for round in $(seq "$ROUNDS"); do
  for variant in "${VARIANTS[@]}"; do
    ms=$(latency "$variant")
    [ -n "$ms" ] || { echo "pgbench failed on $variant" >&2; exit 1; }
    printf 'round %s  %-30s %s ms/tx\n' "$round" "$variant" "$ms"
    SUM[$variant]=$(awk -v a="${SUM[$variant]}" -v b="$ms" 'BEGIN { print a + b }')
  done
done
added() { # with, without
  awk -v w="${SUM[$1]}" -v o="${SUM[$2]}" -v n="$1" -v r="$ROUNDS" \
    'BEGIN { printf "%-30s %.3f ms/tx, adds %+.0f%% (mean of %d rounds)\n", n, w / r, (w / o - 1) * 100, r }'
}
added one-row+keyless one-row
added one-row+keyed one-row
added underwriting+keyed underwriting
added one-row+keyless-pipelined one-row
added underwriting+keyed-pipelined underwriting
