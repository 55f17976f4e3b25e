#!/usr/bin/env bash
# it_bigquery_order.sh — bigquery_sink.so applies changes in *source* order, never arrival order:
# an update that arrives before an older change of the same key (two partitions of one topic,
# the older one produced later, in a later MERGE batch and in the same batch) still leaves the
# newer value; decimals keep every digit (NUMERIC 38.9, BIGNUMERIC, VariableScaleDecimal); the
# append mode (no upsert) writes every record once with insertId topic-partition-offset and the
# kafkaDataFieldName record. Uses the BigQuery test double with no auth (emulator mode).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../../plugins/bigquery_sink/it_lib.sh
. "${SLUICE_SRCDIR:-$here/../..}/plugins/bigquery_sink/it_lib.sh"

bq_init it_bigquery_order
bq_start_server --no-auth
it_start_kafka --topic db.public.acct:2 --topic events:2 --topic inv:1 --topic evo:1 --topic evo2:1
bq_worker_props "$T/worker.properties" "offset.flush.interval.ms=500"
it_start_worker "$T/worker.properties"

# gen OUT OP ID VAL LSN [AMOUNT_UNSCALED] — one Debezium envelope (key<TAB>value) appended to OUT.
cat >"$T/gen.py" <<'PY'
import base64, json, sys
out, op, i, val, lsn = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
amount = int(sys.argv[6]) if len(sys.argv) > 6 else 0
def b64(n):
    return base64.b64encode(n.to_bytes((n.bit_length() + 8) // 8, "big", signed=True)).decode()
def dec(name, scale, prec):
    return {"type": "bytes", "optional": True, "name": "org.apache.kafka.connect.data.Decimal",
            "version": 1, "parameters": {"scale": str(scale), "connect.decimal.precision": str(prec)},
            "field": name}
row_fields = [{"type": "int32", "optional": False, "field": "id"},
              {"type": "string", "optional": True, "field": "val"},
              dec("n38", 9, 38), dec("big", 20, 58),
              {"type": "struct", "optional": True, "name": "io.debezium.data.VariableScaleDecimal",
               "version": 1, "field": "vs", "fields": [
                   {"type": "int32", "optional": False, "field": "scale"},
                   {"type": "bytes", "optional": False, "field": "value"}]}]
row_schema = {"type": "struct", "optional": True, "name": "db.public.acct.Value", "fields": row_fields}
src = {"type": "struct", "optional": False, "name": "io.debezium.connector.postgresql.Source",
       "fields": [{"type": "string", "optional": False, "field": "connector"},
                  {"type": "string", "optional": False, "field": "db"},
                  {"type": "string", "optional": False, "field": "schema"},
                  {"type": "string", "optional": False, "field": "table"},
                  {"type": "int64", "optional": True, "field": "lsn"}], "field": "source"}
schema = {"type": "struct", "optional": False, "name": "db.public.acct.Envelope", "version": 2,
          "fields": [dict(row_schema, field="before"), dict(row_schema, field="after"), src,
                     {"type": "string", "optional": False, "field": "op"},
                     {"type": "int64", "optional": True, "field": "ts_ms"}]}
row = {"id": i, "val": val, "n38": b64(amount), "big": b64(amount * 10**11 + 7),
       "vs": {"scale": 30, "value": b64(amount * 10**21 + 1)}}
payload = {"before": row if op == "d" else None, "after": None if op == "d" else row,
           "source": {"connector": "postgresql", "db": "db", "schema": "public", "table": "acct",
                      "lsn": lsn}, "op": op, "ts_ms": 0}
key = {"schema": {"type": "struct", "optional": False, "name": "db.public.acct.Key",
                  "fields": [{"type": "int32", "optional": False, "field": "id"}]},
       "payload": {"id": i}}
with open(out, "a") as f:
    f.write(json.dumps(key, separators=(",", ":")) + "\t" +
            json.dumps({"schema": schema, "payload": payload}, separators=(",", ":")) + "\n")
PY
gen() { /usr/bin/python3 "$T/gen.py" "$@" || it_fail "gen $*"; }

it_http_expect 201 POST /connectors "$(bq_connector_json acct db.public.acct \
    '{"bigquery.auth.none":"true", clusteringPartitionFieldNames:"id"}' |
    jq -c 'del(.config.keyfile)')"
it_wait_for "acct task RUNNING" 30 bq_task_is acct RUNNING

vals() { bq_rows db_public_acct '.rows | map({id, val}) | sort_by(.id)'; }
vals_are() { [ "$(vals)" = "$1" ]; }

# Key 1, separate batches: the newer update (LSN 200) on partition 1 is merged first; the older
# create (LSN 100) on partition 0 arrives afterwards and must not overwrite it.
gen "$T/p1a" u 1 new 200 1
bq_produce_kv db.public.acct 1 "$T/p1a"
it_wait_for "key 1 = new after the first MERGE" 60 vals_are '[{"id":1,"val":"new"}]'
gen "$T/p0a" c 1 old 100 1
bq_produce_kv db.public.acct 0 "$T/p0a"
merges_now=$(bq_stat .merges)
merged_more() { [ "$(bq_stat .merges)" -gt "$merges_now" ]; }
it_wait_for "a later MERGE covering the older change" 60 merged_more
sleep 1
vals_are '[{"id":1,"val":"new"}]' || it_fail "the older change overwrote the newer one: $(vals)"
it_pass "an older change consumed after a newer one (later batch) does not overwrite it"

# Key 2, one batch: both partitions at once, newer on partition 1, older (and a delete that is
# older still) on partition 0.
: >"$T/p0b"
: >"$T/p1b"
gen "$T/p0b" c 2 old 300 2
gen "$T/p0b" d 2 gone 310 2
gen "$T/p1b" u 2 newest 400 123456789012345678901234567891
bq_produce_kv db.public.acct 1 "$T/p1b"
bq_produce_kv db.public.acct 0 "$T/p0b"
it_wait_for "key 2 = newest" 60 vals_are '[{"id":1,"val":"new"},{"id":2,"val":"newest"}]'
sleep 2
vals_are '[{"id":1,"val":"new"},{"id":2,"val":"newest"}]' ||
    it_fail "older create/delete won over the newer update: $(vals)"
it_pass "newest change by LSN wins over older create and delete from another partition"

# TOAST: an update whose `val` is Debezium's unavailable-value placeholder keeps the stored value,
# whether the row was merged before (key 4) or its create is in the same batch (key 3).
gen "$T/p0t" c 4 "kept across batches" 700 1
bq_produce_kv db.public.acct 0 "$T/p0t"
val_of() { bq_get /__test/tables/proj/ds/db_public_acct | jq -r ".rows[] | select(.id == $1) | .val"; }
val_is() { [ "$(val_of "$1")" = "$2" ]; }
it_wait_for "key 4 created" 60 val_is 4 "kept across batches"
: >"$T/p0u"
gen "$T/p0u" u 4 __debezium_unavailable_value 710 5000000000
gen "$T/p0u" c 3 "kept in one batch" 720 1
gen "$T/p0u" u 3 __debezium_unavailable_value 730 5000000000
bq_produce_kv db.public.acct 0 "$T/p0u"
n38_of() { bq_get /__test/tables/proj/ds/db_public_acct | jq -r ".rows[] | select(.id == $1) | .n38"; }
n38_is() { [ "$(n38_of "$1")" = "$2" ]; }
it_wait_for "key 3 and 4 updated (n38 = 5)" 60 n38_is 3 5
it_wait_for "key 4 updated (n38 = 5)" 60 n38_is 4 5
val_is 4 "kept across batches" || it_fail "TOAST column of key 4 overwritten: $(val_of 4)"
val_is 3 "kept in one batch" || it_fail "TOAST column of key 3 overwritten: $(val_of 3)"
it_pass "TOAST placeholders keep the stored value (merged earlier, and created in the same batch)"

# Every digit: 30-digit unscaled values at scales 9 (NUMERIC), 20 (BIGNUMERIC) and 30 (variable).
got=$(bq_get /__test/tables/proj/ds/db_public_acct |
    jq -cS '.rows | map(select(.id == 2) | {n38, big, vs}) | .[0]')
want='{"big":"123456789012345678901.23456789100000000007","n38":"123456789012345678901.234567891","vs":"123456789012345678901.234567891000000000000000000001"}'
if [ "$got" != "$want" ]; then
    it_fail "decimals: got $got, want $want"
fi
it_pass "decimals keep every digit (NUMERIC, BIGNUMERIC, VariableScaleDecimal)"
types=$(bq_get /__test/tables/proj/ds/db_public_acct |
    jq -c '[.schema.fields[] | select(.name == "n38" or .name == "big" or .name == "vs") | .type]')
[ "$types" = '["NUMERIC","BIGNUMERIC","BIGNUMERIC"]' ] || it_fail "decimal column types: $types"
it_pass "Decimal(38,9) -> NUMERIC, Decimal(58,20) -> BIGNUMERIC, VariableScaleDecimal -> BIGNUMERIC"

meta=$(bq_get /bigquery/v2/projects/proj/datasets/ds/tables/db_public_acct |
    jq -c '[.timePartitioning.type, .clustering.fields, .tableConstraints.primaryKey.columns]')
[ "$meta" = '["DAY",["id"],["id"]]' ] || it_fail "table metadata: $meta"
it_pass "created table: DAY partitioning, clustering on id, primary key (id) NOT ENFORCED"

# Append mode: every record becomes a row once, with its Kafka coordinates.
it_http_expect 201 POST /connectors "$(bq_connector_json ev events \
    '{"bigquery.auth.none":"true", upsertEnabled:"false", deleteEnabled:"false",
      kafkaKeyFieldName:null, kafkaDataFieldName:"kafka", "bigquery.insert.max.rows":"7",
      threadPoolSize:"2"}' | jq -c 'del(.config.keyfile, .config.kafkaKeyFieldName)')"
it_wait_for "ev task RUNNING" 30 bq_task_is ev RUNNING
for p in 0 1; do
    : >"$T/ev$p"
    for i in $(seq 1 50); do
        printf '\t{"schema":{"type":"struct","optional":false,"fields":[{"type":"int32","optional":false,"field":"n"},{"type":"string","optional":true,"field":"s"}]},"payload":{"n":%d,"s":"p%d \\"q\\" \\u00e9"}}\n' \
            "$((p * 1000 + i))" "$p" >>"$T/ev$p"
    done
    bq_produce_kv events "$p" "$T/ev$p"
done

has_rows() { [ "$(bq_count "$1")" = "$2" ]; }
it_wait_for "100 appended rows in events" 60 has_rows events 100
sleep 1
[ "$(bq_count events)" = 100 ] || it_fail "appended rows: $(bq_count events)"
distinct=$(bq_get /__test/tables/proj/ds/events |
    jq '[.rows[] | "\(.kafka.partition)-\(.kafka.offset)"] | unique | length')
[ "$distinct" = 100 ] || it_fail "distinct kafka coordinates: $distinct"
s=$(bq_get /__test/tables/proj/ds/events | jq -c '[.rows[] | select(.n == 1001) | .s]')
[ "$s" = '["p1 \"q\" é"]' ] || it_fail "string escaping: $s"
it_pass "append mode: 100 rows in requests of at most 7 rows, Kafka coordinates, escaping"
inserts=$(bq_stat '.requests["POST tabledata.insertAll"]')
[ "${inserts:-0}" -ge 15 ] || it_fail "100 rows at 7 per request need >= 15 insertAll calls, saw $inserts"

# Per-row failures: a value BigQuery rejects (NUMERIC out of range, decimalHandlingMode=NUMERIC)
# is reported as errant (errors.tolerance=all), the rows that came back "stopped" are re-sent.
it_http_expect 201 POST /connectors "$(bq_connector_json inv inv \
    '{"bigquery.auth.none":"true", upsertEnabled:"false", deleteEnabled:"false",
      decimalHandlingMode:"NUMERIC", "errors.tolerance":"all", "errors.log.enable":"true"}' |
    jq -c 'del(.config.keyfile, .config.kafkaKeyFieldName)')"
it_wait_for "inv task RUNNING" 30 bq_task_is inv RUNNING
dec40='{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"0","connect.decimal.precision":"40"},"field":"d"}'
: >"$T/inv"
for nd in "1 AQ==" "2 E0JhcsdNgiuHj+gAAAAA" "3 Aw=="; do
    read -r n64 d64 <<<"$nd"
    set -- "$n64" "$d64"
    printf '\t{"schema":{"type":"struct","optional":false,"fields":[{"type":"int32","optional":false,"field":"n"},%s]},"payload":{"n":%d,"d":"%s"}}\n' \
        "$dec40" "$1" "$2" >>"$T/inv"
done
bq_produce_kv inv 0 "$T/inv"
it_wait_for "2 good rows in inv" 60 has_rows inv 2
sleep 1
ns=$(bq_get /__test/tables/proj/ds/inv | jq -c '[.rows[].n] | sort')
[ "$ns" = '[1,3]' ] || it_fail "inv rows: $ns"
bq_task_is inv RUNNING || it_fail "inv task not RUNNING"
grep -q "BigQuery rejected the row" "$WORKER_LOG" || it_fail "the invalid row was not reported"
it_pass "an invalid row is reported as errant; the stopped rows are re-sent and land"

# Schema evolution: allowNewBigQueryFields adds a column with tables.patch; without it, a record
# with an unknown field fails the task naming the column.
evo_rec() { printf '\t{"schema":{"type":"struct","optional":false,"fields":[{"type":"int32","optional":false,"field":"n"}%s]},"payload":{"n":%d%s}}\n' "$@"; }
it_http_expect 201 POST /connectors "$(bq_connector_json evo evo \
    '{"bigquery.auth.none":"true", upsertEnabled:"false", deleteEnabled:"false",
      allowNewBigQueryFields:"true"}' | jq -c 'del(.config.keyfile, .config.kafkaKeyFieldName)')"
it_wait_for "evo task RUNNING" 30 bq_task_is evo RUNNING
evo_rec "" 1 "" >"$T/evo1"
bq_produce_kv evo 0 "$T/evo1"
it_wait_for "1 row in evo" 60 has_rows evo 1
evo_rec ',{"type":"string","optional":false,"field":"extra"}' 2 ',"extra":"x"' >"$T/evo2"
bq_produce_kv evo 0 "$T/evo2"
it_wait_for "2 rows in evo" 60 has_rows evo 2
cols=$(bq_get /__test/tables/proj/ds/evo | jq -c '[.schema.fields[] | [.name, .mode]]')
[ "$cols" = '[["n","REQUIRED"],["extra","NULLABLE"]]' ] || it_fail "evo columns: $cols"
it_pass "allowNewBigQueryFields: column 'extra' added as NULLABLE by tables.patch"
it_http_expect 201 POST /connectors "$(bq_connector_json evo2 evo2 \
    '{"bigquery.auth.none":"true", upsertEnabled:"false", deleteEnabled:"false",
      topic2TableMap:"evo2:evo"}' | jq -c 'del(.config.keyfile, .config.kafkaKeyFieldName)')"
it_wait_for "evo2 task RUNNING" 30 bq_task_is evo2 RUNNING
evo_rec ',{"type":"string","optional":true,"field":"other"}' 3 ',"other":"y"' >"$T/evo3"
bq_produce_kv evo2 0 "$T/evo3"
it_wait_for "evo2 task FAILED" 60 bq_task_is evo2 FAILED
it_http GET /connectors/evo2/status >/dev/null
trace=$(it_json '.tasks[0].trace')
[[ "$trace" == *"proj.ds.evo"* && "$trace" == *"no column other"* ]] ||
    it_fail "evo2 trace: $trace"
it_pass "without allowNewBigQueryFields a new field fails the task: ${trace%%$'\n'*}"

it_stop_worker
it_pass "the worker stopped cleanly (exit 0) on SIGTERM"
it_done
