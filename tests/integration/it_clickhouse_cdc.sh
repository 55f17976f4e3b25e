#!/usr/bin/env bash
# it_clickhouse_cdc.sh — the ClickHouse sink against a real ClickHouse (Debian's 18.16, private
# server from clickhouse-lib.sh): Debezium streams from tests/data/debezium (Postgres and MySQL,
# with and without schemas, one with gzip bodies; the logical-types file 06 with its
# delete/tombstone/truncate; the unwrapped rewrite-mode file 06b) produce exactly the expected
# table under FINAL; deletes delete; two topics of one connector fill two tables; a TOAST
# placeholder keeps the stored value; a second connector replaying the topic from offset 0 leaves
# FINAL unchanged; a new source column is added by ALTER TABLE (auto.evolve); a poison record
# reaches the DLQ under errors.tolerance=all and fails the task with a trace naming the column
# otherwise; a column dropped behind the sink's back and TOO_MANY_PARTS are survived without loss;
# unhonoured official keys are validation warnings. Must clean up every process it started, even
# on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=clickhouse-lib.sh
. "$here/clickhouse-lib.sh"

it_init it_clickhouse_cdc
it_need_cmd jq kcat curl
ch_server_bin >/dev/null || it__need_service "clickhouse-server is not installed"
PY=/usr/bin/python3
[ -x "$PY" ] || it__need_service "/usr/bin/python3 is not installed"
CH_PLUGIN_DIR="${SLUICE_BUILD_PLUGINS:-}/clickhouse_sink/.libs"
[ -f "$CH_PLUGIN_DIR/clickhouse_sink.so" ] || it_fail "clickhouse_sink.so not built in $CH_PLUGIN_DIR"
DATA=${SLUICE_TEST_DATA:?}/debezium

trap 'ch__rc=$?; ch_stop; (exit $ch__rc); it__cleanup' EXIT
ch_start "$T/ch" || it_fail "clickhouse-server did not start: $(tail -n 5 "$T/ch/log/"*.log 2>/dev/null)"
it_pass "private ClickHouse $(ch_query 'SELECT version()') on port $CH_HTTP_PORT"

it_start_kafka
ppath=$(it_plugin_path)
it_write_worker_props "$T/worker.properties" "offset.flush.interval.ms=500" \
    "plugin.path=${ppath:+$ppath,}$CH_PLUGIN_DIR"
it_start_worker "$T/worker.properties"

# ---- producing fixtures: key<TAB>value lines, null (empty) keys/values as Kafka nulls
produce_kv() { # TOPIC FILE
    timeout 60 kcat -P -Z -b "$BOOTSTRAP" -t "$1" -p 0 -K $'\t' <"$2" 2>"$T/kcat.err" ||
        it_fail "kcat -P $1 failed: $(head -n 3 "$T/kcat.err")"
}
# 07 files carry no keys: derive Debezium's {id} key (with or without a key schema).
keyed_07() { # FILE SCHEMA(0/1) OUT
    "$PY" - "$1" "$2" >"$3" <<'EOF' || it_fail "cannot convert $1"
import json, sys
path, with_schema = sys.argv[1], sys.argv[2] == "1"
for line in open(path):
    line = line.strip()
    if not line:
        continue
    v = json.loads(line)
    env = v["payload"] if "payload" in v and "schema" in v else v
    row = env.get("after") or env.get("before")
    key = {"id": row["id"]}
    if with_schema:
        key = {"schema": {"type": "struct", "optional": False, "name": "k.Key",
                          "fields": [{"type": "int32", "optional": False, "field": "id"}]},
               "payload": key}
    print(json.dumps(key, separators=(",", ":")) + "\t" + json.dumps(v, separators=(",", ":")))
EOF
}
# 06/06b lines are {topic, partition, offset, key, value}.
keyed_06() { # FILE OUT
    "$PY" - "$1" >"$2" <<'EOF' || it_fail "cannot convert $1"
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    k = "" if d["key"] is None else json.dumps(d["key"], separators=(",", ":"))
    v = "" if d["value"] is None else json.dumps(d["value"], separators=(",", ":"))
    print(k + "\t" + v)
EOF
}
# The final state of a 07 stream computed independently: id, name, description, weight.
expected_07() { # FILE
    "$PY" - "$1" <<'EOF'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    v = json.loads(line)
    env = v["payload"] if "payload" in v and "schema" in v else v
    if env["op"] == "d":
        rows.pop(env["before"]["id"], None)
    else:
        rows[env["after"]["id"]] = env["after"]
for i in sorted(rows):
    r = rows[i]
    print("%d|%s|%s|%r" % (i, r["name"], r["description"], float(r["weight"])))
EOF
}
final_07() { # TABLE
    ch_query "SELECT id, name, description, weight FROM \`$1\` FINAL WHERE _is_deleted = 0 ORDER BY id FORMAT JSONEachRow" 2>/dev/null |
        "$PY" -c '
import json, sys
for l in sys.stdin:
    try:
        r = json.loads(l)
    except ValueError:
        print("not JSON: " + l.strip())
        continue
    print("%s|%s|%s|%r" % (r["id"], r["name"], r["description"], float(r["weight"])))'
}
connector() { # NAME TOPIC SCHEMAS(true/false) [KEY=VALUE...]
    local name=$1 topic=$2 schemas=$3 extra
    shift 3
    extra=$(printf '%s\n' "$@" | jq -R 'select(length>0) | split("=") | {(.[0]): (.[1:] | join("="))}' |
        jq -s 'add // {}')
    jq -n --arg n "$name" --arg t "$topic" --arg s "$schemas" --arg port "$CH_HTTP_PORT" \
        --argjson extra "$extra" '{name:$n, config:({
        "connector.class":"com.clickhouse.kafka.connect.ClickHouseSinkConnector",
        "tasks.max":"1", "topics":$t, "hostname":"127.0.0.1", "port":$port, "ssl":"false",
        "database":"default",
        "key.converter":"org.apache.kafka.connect.json.JsonConverter",
        "key.converter.schemas.enable":$s,
        "value.converter":"org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable":$s, "batch.linger.ms":"200"} + $extra)}'
}
task_state() { it_http GET "/connectors/$1/status" | jq -r '.tasks[0].state // "none"'; }
task_is() { [ "$(task_state "$1")" = "$2" ]; }
committed() { it_http GET "/connectors/$1/offsets" | jq '[.offsets[].offset.kafka_offset] | add // 0'; }
committed_is() { [ "$(committed "$1")" = "$2" ]; }
table_matches() { [ "$(final_07 "$1")" = "$2" ]; }

# ---- Postgres with schemas, Postgres without, MySQL with schemas (07)
keyed_07 "$DATA/07_flink_debezium-postgres-data-schema-include.jsonl" 1 "$T/pg_s.kv"
keyed_07 "$DATA/07_flink_debezium-postgres-data-schema-exclude.jsonl" 0 "$T/pg_n.kv"
keyed_07 "$DATA/07_flink_debezium-data-schema-include.jsonl" 1 "$T/my_s.kv"
produce_kv pg_s "$T/pg_s.kv"
produce_kv pg_n "$T/pg_n.kv"
produce_kv my_s "$T/my_s.kv"
want_pg=$(expected_07 "$DATA/07_flink_debezium-postgres-data-schema-include.jsonl")
want_my=$(expected_07 "$DATA/07_flink_debezium-data-schema-include.jsonl")
[ "$(printf '%s\n' "$want_pg" | wc -l)" = 10 ] || it_fail "expected state of 07 is not 10 rows"

it_http_expect 201 POST /connectors "$(connector pg-s pg_s true "auto.evolve=true")"
it_http_expect 201 POST /connectors "$(connector pg-n pg_n false)"
it_http_expect 201 POST /connectors "$(connector my-s my_s true compression=gzip)"
it_wait_for "pg-s RUNNING" 30 task_is pg-s RUNNING
it_wait_for "Postgres (schemas) table = the 07 final state" 60 table_matches pg_s "$want_pg"
it_wait_for "Postgres (schemaless) table = the 07 final state" 30 table_matches pg_n "$want_pg"
it_wait_for "MySQL (schemas) table = the 07 final state" 30 table_matches my_s "$want_my"
[ "$(ch_query 'SELECT count() FROM pg_s FINAL WHERE id = 111')" = 1 ] ||
    it_fail "the deleted row 111 has no delete marker"
[ "$(ch_query 'SELECT _is_deleted FROM pg_s FINAL WHERE id = 111')" = 1 ] ||
    it_fail "row 111 is not flagged deleted under FINAL"
it_pass "id 111 (created, updated, deleted) is a delete marker: absent from WHERE _is_deleted = 0"
engine=$(ch_query "SELECT engine_full FROM system.tables WHERE name = 'pg_s'")
[[ "$engine" == "ReplacingMergeTree(_version) ORDER BY id"* ]] ||
    it_fail "pg_s engine: $engine"
it_pass "auto-created ReplacingMergeTree(_version) ORDER BY id on 18.16"

# ---- one connector, two topics: two tables, inserted in parallel in each batch
it_http_expect 201 POST /connectors "$(connector multi pg_s,my_s true \
    topic2TableMap=pg_s=multi_pg,my_s=multi_my)"
it_wait_for "multi: Postgres topic into multi_pg" 40 table_matches multi_pg "$want_pg"
it_wait_for "multi: MySQL topic into multi_my" 20 table_matches multi_my "$want_my"
it_http_expect 204 DELETE /connectors/multi

# ---- TOAST: an update carrying Debezium's unavailable-value placeholder keeps the stored value
printf '%s\t%s\n' '{"id":102}' '{"before":null,"after":{"id":102,"name":"car battery v2","description":"__debezium_unavailable_value","weight":8.1},"source":{"lsn":99999999990},"op":"u"}' \
    >"$T/toast.kv"
produce_kv pg_n "$T/toast.kv"
toast_kept() {
    [ "$(ch_query "SELECT name, description FROM pg_n FINAL WHERE id = 102 FORMAT TabSeparated" 2>/dev/null)" = \
        "car battery v2"$'\t'"12V car battery" ]
}
it_wait_for "the TOAST placeholder did not overwrite the stored description" 30 toast_kept
ch_query "SELECT count() FROM pg_n WHERE description = '__debezium_unavailable_value'" | grep -qx 0 ||
    it_fail "the placeholder was written to ClickHouse"
it_pass "unchanged TOAST column: the stored value was kept (looked up under FINAL)"

# ---- replay from offset 0 by a second connector (new group): FINAL unchanged
it_wait_for "pg-s committed all 16 offsets" 30 committed_is pg-s 16
raw_before=$(ch_query 'SELECT count() FROM pg_s')
it_http_expect 201 POST /connectors "$(connector pg-s-replay pg_s true)"
it_wait_for "the replay committed all 16 offsets" 60 committed_is pg-s-replay 16
raw_after=$(ch_query 'SELECT count() FROM pg_s')
[ "$raw_after" -gt "$raw_before" ] || it_fail "the replay wrote nothing ($raw_before → $raw_after rows)"
[ "$(final_07 pg_s)" = "$want_pg" ] || it_fail "FINAL changed after a replay: $(final_07 pg_s)"
it_pass "replaying the topic from 0 wrote $((raw_after - raw_before)) rows again; FINAL unchanged"
it_http_expect 204 DELETE /connectors/pg-s-replay

# ---- schema evolution: an update whose schema has a new optional column
"$PY" - "$DATA/07_flink_debezium-postgres-data-schema-include.jsonl" >"$T/evolve.kv" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
v = json.loads(lines[0])
for f in v["schema"]["fields"]:
    if f["field"] in ("before", "after"):
        f["fields"].append({"type": "string", "optional": True, "field": "color"})
p = v["payload"]
p["op"] = "u"
p["before"] = dict(p["after"])
p["after"]["color"] = "red"
p["before"]["color"] = None
p["after"]["name"] = "scooter v2"
p["source"]["lsn"] = 10 ** 12
key = {"schema": {"type": "struct", "optional": False, "name": "k.Key",
                  "fields": [{"type": "int32", "optional": False, "field": "id"}]},
       "payload": {"id": p["after"]["id"]}}
print(json.dumps(key, separators=(",", ":")) + "\t" + json.dumps(v, separators=(",", ":")))
EOF
produce_kv pg_s "$T/evolve.kv"
color_is_red() { [ "$(ch_query "SELECT color FROM pg_s FINAL WHERE id = 101" 2>/dev/null)" = red ]; }
it_wait_for "ALTER TABLE added column color with the new value" 30 color_is_red
[ "$(ch_query "SELECT type FROM system.columns WHERE table = 'pg_s' AND name = 'color'")" = \
    "Nullable(String)" ] || it_fail "color column type"
[ "$(ch_query "SELECT count() FROM pg_s FINAL WHERE _is_deleted = 0 AND color IS NULL")" = 9 ] ||
    it_fail "older rows should have a NULL color"
it_pass "schema evolution: ALTER TABLE ADD COLUMN color Nullable(String)"

# ---- file 06: logical types, update, delete, tombstone, create, truncate (ignored / applied)
keyed_06 "$DATA/06_synthetic_postgres_orders_logical_types.jsonl" "$T/06.kv"
produce_kv orders "$T/06.kv"
produce_kv orders_t "$T/06.kv"
it_http_expect 201 POST /connectors "$(connector orders orders true cdc.truncate=ignore)"
it_http_expect 201 POST /connectors "$(connector orders-t orders_t true)"
want_06=$(printf '%s\t' 1002 5f0c6c1e-3b6a-4b8e-9d55-2b8f3f7e9a10 new -9.95 '\N' \
    '{"gift_wrap": true, "tags": ["vip", "promo"]}' 5 2026-03-14 14:30:15.123456 \
    '2026-03-14 14:30:15.123456' 2026-03-14T12:30:15.123456Z '\N' 1)
want_06=${want_06%$'\t'}
orders_final() {
    ch_query "SELECT id, customer_id, status, amount, discount, attrs, flags, order_date,
        pickup_time, created_at, updated_at, note, is_gift FROM orders FINAL
        WHERE _is_deleted = 0 ORDER BY id FORMAT TabSeparated" 2>/dev/null
}
orders_is() { [ "$(orders_final)" = "$want_06" ]; }
it_wait_for "file 06: only id 1002 remains, every logical type exact" 30 orders_is
it_wait_for "orders committed all 6 offsets" 30 committed_is orders 6
[ "$(ch_query 'SELECT count() FROM orders FINAL WHERE id = 1001 AND _is_deleted = 1')" = 1 ] ||
    it_fail "1001 should be a delete marker"
it_pass "file 06 (Decimal, VariableScaleDecimal, Uuid, Enum, Json, Bits, Date, MicroTime, MicroTimestamp, ZonedTimestamp) exact; tombstone is no blank row"
truncated() { committed_is orders-t 6 && [ "$(ch_query 'SELECT count() FROM orders_t' 2>/dev/null)" = 0 ]; }
it_wait_for "cdc.truncate=apply: the truncate at offset 5 empties orders_t" 30 truncated

# ---- file 06b: unwrapped rows in rewrite mode (__deleted)
keyed_06 "$DATA/06b_synthetic_postgres_orders_unwrapped_rewrite.jsonl" "$T/06b.kv"
produce_kv orders_u "$T/06b.kv"
it_http_expect 201 POST /connectors "$(connector orders-u orders_u true)"
unwrapped_ok() {
    [ "$(ch_query "SELECT groupArray(id) FROM orders_u FINAL WHERE _is_deleted = 0" 2>/dev/null)" = "[1002]" ]
}
it_wait_for "file 06b (unwrapped, rewrite): only id 1002 remains" 30 unwrapped_ok
ch_query "SELECT name FROM system.columns WHERE table = 'orders_u'" | grep -qx __deleted &&
    it_fail "__deleted must not become a column"
it_pass "ExtractNewRecordState rewrite rows: __deleted is a delete, not a column"

# ---- poison record: DLQ under errors.tolerance=all, FAILED with a trace otherwise
poison='{"id":999}'$'\t''{"before":null,"after":{"id":"abc","name":"x","description":"y","weight":1.0},"source":{"lsn":99999999999},"op":"c"}'
good='{"id":500}'$'\t''{"before":null,"after":{"id":500,"name":"ok","description":"fine","weight":2.5},"source":{"lsn":99999999998},"op":"c"}'
printf '%s\n%s\n' "$poison" "$good" >"$T/poison.kv"
produce_kv pg_n "$T/poison.kv"
it_http_expect 201 POST /connectors "$(connector pg-dlq pg_n false topic2TableMap=pg_n=pg_dlq \
    errors.tolerance=all errors.deadletterqueue.topic.name=dlq_ch)"
dlq_has_one() { [ "$(it_consume_all dlq_ch | grep -c .)" = 1 ]; }
it_wait_for "the poison record reached the DLQ" 30 dlq_has_one
it_consume_all dlq_ch | grep -q '"abc"' || it_fail "the DLQ record is not the poison one"
row500() { [ "$(ch_query 'SELECT name FROM pg_dlq FINAL WHERE id = 500' 2>/dev/null)" = ok ]; }
it_wait_for "the record after the poison one was written" 30 row500
task_is pg-dlq RUNNING || it_fail "pg-dlq is not RUNNING: $(task_state pg-dlq)"
it_pass "errors.tolerance=all: poison record in the DLQ, the task RUNNING, the stream written"

it_http_expect 201 POST /connectors "$(connector pg-fail pg_n false topic2TableMap=pg_n=pg_fail)"
it_wait_for "pg-fail FAILED on the poison record" 30 task_is pg-fail FAILED
it_http GET /connectors/pg-fail/status >/dev/null
trace=$(it_json '.tasks[0].trace')
[[ "$trace" == *"column id (Int64)"*"'abc' is not an integer"* ]] ||
    it_fail "the trace does not name the column and the reason: $trace"
it_pass "errors.tolerance=none: FAILED with trace: ${trace:0:160}"

# ---- a column dropped behind the sink's back: the insert fails (schema error), the sink re-reads
# the table, seeks back to the first unacknowledged record and writes it again without the column
ch_query "ALTER TABLE pg_dlq DROP COLUMN weight" >/dev/null || it_fail "cannot drop pg_dlq.weight"
printf '%s\t%s\n' '{"id":600}' '{"before":null,"after":{"id":600,"name":"after-drop","description":"d","weight":1.5},"source":{"lsn":99999999999990},"op":"c"}' \
    >"$T/drop.kv"
produce_kv pg_n "$T/drop.kv"
row600() { [ "$(ch_query 'SELECT name FROM pg_dlq FINAL WHERE id = 600' 2>/dev/null)" = after-drop ]; }
it_wait_for "the row after a dropped column was written" 40 row600
task_is pg-dlq RUNNING || it_fail "pg-dlq is not RUNNING after the schema change: $(task_state pg-dlq)"
grep -q "re-reading table metadata" "$WORKER_LOG" || it_fail "no schema-error rewind in the log"
it_pass "dropped column: schema error at insert, DESCRIBE re-read, records re-delivered and written"

# ---- an existing table (used as it is) answering TOO_MANY_PARTS: retried, nothing lost
ch_query "CREATE TABLE parts_t (id Int64, name String, _version UInt64, _is_deleted UInt8)
    ENGINE = ReplacingMergeTree(_version) ORDER BY id
    SETTINGS parts_to_throw_insert = 2, parts_to_delay_insert = 1" >/dev/null ||
    it_fail "cannot create parts_t"
it_http_expect 201 POST /connectors "$(connector parts parts false topic2TableMap=parts=parts_t auto.create=false)"
part_row() { # ID NAME
    printf '{"id":%d}\t{"before":null,"after":{"id":%d,"name":"%s","extra":1},"source":{"lsn":%d},"op":"c"}\n' \
        "$1" "$1" "$2" "$((1000 + $1))" >"$T/part.kv"
    produce_kv parts "$T/part.kv"
}
parts_rows() { [ "$(ch_query 'SELECT count() FROM parts_t FINAL' 2>/dev/null)" = "$1" ]; }
part_row 1 one
it_wait_for "first insert into the existing table" 30 parts_rows 1
part_row 2 two
it_wait_for "second insert (second part)" 30 parts_rows 2
part_row 3 three
too_many() { grep -q "Too many parts" "$WORKER_LOG"; }
it_wait_for "the third insert refused with TOO_MANY_PARTS" 30 too_many
sleep 1
task_is parts RUNNING || it_fail "parts left RUNNING on TOO_MANY_PARTS: $(task_state parts)"
parts_rows 2 || it_fail "a refused insert changed the table"
ch_query "OPTIMIZE TABLE parts_t FINAL" >/dev/null || it_fail "OPTIMIZE failed"
it_wait_for "the retried insert landed after the merge" 30 parts_rows 3
ch_query "SELECT name FROM system.columns WHERE table = 'parts_t'" | grep -qx extra &&
    it_fail "auto.evolve=false must not add columns"
it_pass "TOO_MANY_PARTS: task RUNNING, insert retried until it landed; existing table used as is"

# ---- unhonoured official keys are validation warnings, the config stays valid
val=$(connector v pg_n false exactlyOnce=true bypassRowBinary=true | jq '.config + {name: "v"}')
it_http_expect 200 PUT /connector-plugins/ClickHouseSinkConnector/config/validate "$val"
it_expect_json '.error_count' 0
grep -q "exactlyOnce" "$WORKER_LOG" || it_fail "no warning for exactlyOnce in the worker log"
it_pass "exactlyOnce/bypassRowBinary accepted with a validation warning"

it_done
