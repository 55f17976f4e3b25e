#!/usr/bin/env bash
# it_clickhouse_rejects.sh — a row ClickHouse itself refuses after the sink encoded it (here a
# column `MATERIALIZED throwIf(name = 'poison')`, code 395; the same path serves parse and range
# errors) is traced to its record: the sink re-delivers the refused insert's rows in halving
# chunks until one row is refused alone. Under errors.tolerance=all that record reaches the DLQ
# and every other row of the stream is in the table exactly once; with tolerance none the task
# FAILS with the server's message instead of retrying for ever. Real ClickHouse 18.16 (private
# server), mock broker, two partitions.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=clickhouse-lib.sh
. "$here/clickhouse-lib.sh"

it_init it_clickhouse_rejects
it_need_cmd jq kcat curl
ch_server_bin >/dev/null || it__need_service "clickhouse-server is not installed"
CH_PLUGIN_DIR="${SLUICE_BUILD_PLUGINS:-}/clickhouse_sink/.libs"
[ -f "$CH_PLUGIN_DIR/clickhouse_sink.so" ] || it_fail "clickhouse_sink.so not built in $CH_PLUGIN_DIR"

trap 'ch__rc=$?; ch_stop; (exit $ch__rc); it__cleanup' EXIT
ch_start "$T/ch" || it_fail "clickhouse-server did not start: $(tail -n 5 "$T/ch/log/"*.log 2>/dev/null)"

for tb in rej_dlq rej_fail; do
    ch_query "CREATE TABLE $tb (id Int64, name String, _version UInt64, _is_deleted UInt8,
        chk UInt8 MATERIALIZED throwIf(name = 'poison'))
        ENGINE = ReplacingMergeTree(_version) ORDER BY id" >/dev/null ||
        it_fail "cannot create $tb"
done

it_start_kafka --topic rej:2
ppath=$(it_plugin_path)
it_write_worker_props "$T/worker.properties" "offset.flush.interval.ms=500" \
    "plugin.path=${ppath:+$ppath,}$CH_PLUGIN_DIR"
it_start_worker "$T/worker.properties"

# 400 Debezium changes on two partitions (by key); id 237 is the poison one.
for i in $(seq 1 400); do
    name="row$i"
    [ "$i" = 237 ] && name=poison
    printf '{"id":%d}\t{"before":null,"after":{"id":%d,"name":"%s"},"source":{"lsn":%d},"op":"c"}\n' \
        "$i" "$i" "$name" $((1000 + i))
done >"$T/rej.kv"
timeout 60 kcat -P -b "$BOOTSTRAP" -t rej -K $'\t' <"$T/rej.kv" 2>"$T/kcat.err" ||
    it_fail "kcat -P failed: $(head -n 3 "$T/kcat.err")"

connector() { # NAME TABLE [KEY=VALUE...]
    local name=$1 table=$2 extra
    shift 2
    extra=$(printf '%s\n' "$@" | jq -R 'select(length>0) | split("=") | {(.[0]): (.[1:] | join("="))}' |
        jq -s 'add // {}')
    jq -n --arg n "$name" --arg tb "$table" --arg port "$CH_HTTP_PORT" --argjson extra "$extra" \
        '{name:$n, config:({"connector.class":"com.clickhouse.kafka.connect.ClickHouseSinkConnector",
        "tasks.max":"1", "topics":"rej", "hostname":"127.0.0.1", "port":$port,
        "database":"default", "topic2TableMap":("rej=" + $tb), "auto.create":"false",
        "key.converter":"org.apache.kafka.connect.json.JsonConverter",
        "key.converter.schemas.enable":"false",
        "value.converter":"org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable":"false", "batch.linger.ms":"200"} + $extra)}'
}
task_state() { it_http GET "/connectors/$1/status" | jq -r '.tasks[0].state // "none"'; }
task_is() { [ "$(task_state "$1")" = "$2" ]; }
committed() { it_http GET "/connectors/$1/offsets" | jq '[.offsets[].offset.kafka_offset] | add // 0'; }

# ---- errors.tolerance=all: the poison record in the DLQ, the 399 others in the table once each
it_http_expect 201 POST /connectors "$(connector rej-dlq rej_dlq errors.tolerance=all \
    errors.deadletterqueue.topic.name=dlq_rej)"
dlq_has_one() { [ "$(it_consume_all dlq_rej | grep -c .)" = 1 ]; }
it_wait_for "the refused record reached the DLQ" 60 dlq_has_one
it_consume_all dlq_rej | grep -q '"poison"' || it_fail "the DLQ record is not the refused one"
all_in() { [ "$(committed rej-dlq)" = 400 ]; }
it_wait_for "every offset committed" 60 all_in
got=$(ch_query "SELECT count(), uniqExact(id), countIf(name = 'poison'), sum(id) FROM rej_dlq FINAL")
want=$(printf '399\t399\t0\t%d' $((400 * 401 / 2 - 237)))
[ "$got" = "$want" ] || it_fail "rej_dlq holds: $got (want $want)"
raw=$(ch_query "SELECT count() FROM rej_dlq")
[ "$raw" = 399 ] || it_fail "rej_dlq holds $raw rows before FINAL: some were written twice"
task_is rej-dlq RUNNING || it_fail "rej-dlq is not RUNNING: $(task_state rej-dlq)"
grep -q "in smaller inserts to find the record" "$WORKER_LOG" ||
    it_fail "the isolation was not logged"
it_pass "errors.tolerance=all: the refused record in the DLQ, the other 399 rows written once"

# ---- tolerance none: FAILED, naming ClickHouse's reason, not RETRYing for ever
it_http_expect 201 POST /connectors "$(connector rej-fail rej_fail)"
it_wait_for "rej-fail FAILED on the refused record" 60 task_is rej-fail FAILED
it_http GET /connectors/rej-fail/status >/dev/null
trace=$(it_json '.tasks[0].trace')
[[ "$trace" == *"refused the row of the record at rej-"*" offset "*"throwIf"* ]] ||
    it_fail "the trace does not name the record and ClickHouse's reason: $trace"
n=$(ch_query "SELECT countIf(name = 'poison') FROM rej_fail")
[ "$n" = 0 ] || it_fail "the refused row is in rej_fail"
it_pass "errors.tolerance=none: FAILED with trace: ${trace:0:160}"
it_done
