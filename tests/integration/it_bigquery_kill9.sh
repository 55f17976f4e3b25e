#!/usr/bin/env bash
# it_bigquery_kill9.sh — bigquery_sink.so across a crash: a worker killed with SIGKILL in the
# middle of a Debezium stream (200 keys over 4 partitions, 10 versions each, then deletes) is
# restarted with the same connector file; records are replayed from the last committed offsets
# (committed only after the MERGE covering them), rows left in the intermediate table by the dead
# task are merged by the new one, and the destination ends exactly right: 180 rows, each at its
# newest version and source position, no duplicates, the intermediate table empty.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../../plugins/bigquery_sink/it_lib.sh
. "${SLUICE_SRCDIR:-$here/../..}/plugins/bigquery_sink/it_lib.sh"

bq_init it_bigquery_kill9
bq_make_key
bq_start_server
it_start_kafka --topic shop.crash:4
bq_worker_props "$T/worker.properties" "offset.flush.interval.ms=300" \
    "consumer.max.poll.records=50"
bq_connector_json crash shop.crash '{mergeIntervalMs:"300", "bigquery.insert.max.rows":"40"}' |
    jq -r '.config + {name} | to_entries[] | "\(.key)=\(.value)"' >"$T/crash.properties"

# phase FROM_ROUND TO_ROUND — rounds of updates (value r, LSN r*1000+id) of ids 1..200, id % 4 =
# partition; round 11 deletes every id divisible by 10.
/usr/bin/python3 - "$T" <<'PY' || it_fail "cannot generate the stream"
import json, sys
out = sys.argv[1]
row = {"type": "struct", "optional": True, "fields": [
    {"type": "int32", "optional": False, "field": "id"},
    {"type": "int32", "optional": True, "field": "v"}]}
schema = {"type": "struct", "optional": False, "fields": [
    dict(row, field="before"), dict(row, field="after"),
    {"type": "struct", "optional": False, "field": "source", "fields": [
        {"type": "string", "optional": False, "field": "connector"},
        {"type": "int64", "optional": True, "field": "lsn"}]},
    {"type": "string", "optional": False, "field": "op"}]}
kschema = {"type": "struct", "optional": False,
           "fields": [{"type": "int32", "optional": False, "field": "id"}]}
def line(i, r):
    key = json.dumps({"schema": kschema, "payload": {"id": i}}, separators=(",", ":"))
    img = {"id": i, "v": r}
    op = "d" if r == 11 else ("c" if r == 1 else "u")
    p = {"before": img if op == "d" else None, "after": None if op == "d" else img,
         "source": {"connector": "postgresql", "lsn": r * 1000 + i}, "op": op}
    v = json.dumps({"schema": schema, "payload": p}, separators=(",", ":"))
    out = key + "\t" + v
    if op == "d":
        out += "\n" + key + "\t"  # the tombstone
    return out
for phase, rounds in (("a", range(1, 6)), ("b", range(6, 8)), ("c", range(8, 12))):
    for part in range(4):
        with open(f"{out}/{phase}.{part}", "w") as f:
            for r in rounds:
                for i in range(1, 201):
                    if i % 4 == part and (r < 11 or i % 10 == 0):
                        f.write(line(i, r) + "\n")
PY
produce_phase() {
    local p
    for p in 0 1 2 3; do bq_produce_kv shop.crash "$p" "$T/$1.$p"; done
}

it_start_worker "$T/worker.properties" "$T/crash.properties"
it_wait_for "crash task RUNNING" 30 bq_task_is crash RUNNING
produce_phase a
merged() { [ "$(bq_stat .merges)" -ge 2 ]; }
it_wait_for "two MERGEs before the crash" 60 merged
produce_phase b
sleep 0.3
it_kill_worker
before=$(bq_count shop_crash)
it_pass "worker killed with SIGKILL mid-stream ($before rows, $(bq_stat .merges) merges so far)"

produce_phase c
it_start_worker "$T/worker.properties" "$T/crash.properties"
it_wait_for "crash task RUNNING after restart" 30 bq_task_is crash RUNNING
final_ok() {
    local got
    got=$(bq_get /__test/tables/proj/ds/shop_crash | jq -c '[.rows | length,
        (map(.id) | unique | length), (map(select(.v != 10)) | length),
        (map(select(._sluice_position != 10000 + .id)) | length),
        (map(select(.id % 10 == 0)) | length)]' 2>/dev/null)
    [ "$got" = '[180,180,0,0,0]' ]
}
it_wait_for "180 rows, each at version 10 and LSN 10000+id, deleted ids gone" 90 final_ok
sleep 2
final_ok || it_fail "the table changed after it was right: $(bq_count shop_crash) rows"
it_pass "after kill -9 and restart the destination is exactly right"
tmp=$(bq_get /__test/tables | jq -r '.[] | select(test("shop_crash_tmp"))' | head -n 1)
has_rows() { [ "$(bq_count "$1")" = "$2" ]; }
it_wait_for "intermediate table empty" 30 has_rows "${tmp##*.}" 0
committed() { it_http GET /connectors/crash/offsets | jq '[.offsets[].offset.kafka_offset] | add // 0'; }
want=$((200 * 10 + 20 * 2))
committed_is() { [ "$(committed)" = "$want" ]; }
it_wait_for "all $want offsets committed" 30 committed_is
it_stop_worker
it_pass "the worker stopped cleanly (exit 0) on SIGTERM"
it_done
