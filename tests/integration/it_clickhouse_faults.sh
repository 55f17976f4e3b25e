#!/usr/bin/env bash
# it_clickhouse_faults.sh — the ClickHouse sink under faults, against a private ClickHouse 18.16:
# a synthetic Debezium stream (creates, updates, deletes, tombstones over 4 partitions) is written
# while (1) the worker is killed with SIGKILL mid-stream and restarted, and (2) ClickHouse is
# stopped for 30 s mid-stream and started again. The table under FINAL must equal the stream's
# final state exactly (no loss, no duplicates), the task must stay RUNNING through the outage, and
# the committed offsets must reach the end. Also: a bad hostname keeps the task RUNNING (retry),
# never FAILED. Must clean up every process it started, even on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=clickhouse-lib.sh
. "$here/clickhouse-lib.sh"

it_init it_clickhouse_faults
it_need_cmd jq kcat curl
ch_server_bin >/dev/null || it__need_service "clickhouse-server is not installed"
PY=/usr/bin/python3
[ -x "$PY" ] || it__need_service "/usr/bin/python3 is not installed"
CH_PLUGIN_DIR="${SLUICE_BUILD_PLUGINS:-}/clickhouse_sink/.libs"
[ -f "$CH_PLUGIN_DIR/clickhouse_sink.so" ] || it_fail "clickhouse_sink.so not built in $CH_PLUGIN_DIR"

trap 'ch__rc=$?; ch_stop; (exit $ch__rc); it__cleanup' EXIT
ch_start "$T/ch" || it_fail "clickhouse-server did not start"

it_start_kafka --topic cdc:4
ppath=$(it_plugin_path)
it_write_worker_props "$T/worker.properties" "offset.flush.interval.ms=300" \
    "consumer.max.poll.records=200" "plugin.path=${ppath:+$ppath,}$CH_PLUGIN_DIR"
cat >"$T/cdc.properties" <<EOF
name=cdc
connector.class=ClickHouseSink
tasks.max=1
topics=cdc
hostname=127.0.0.1
port=$CH_HTTP_PORT
ssl=false
key.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
batch.linger.ms=200
batch.max.rows=2000
EOF

# A stream of 3 phases over 1500 keys: each event has a growing LSN; updates, deletes and
# Debezium's tombstones; the expected final state is computed here, independently.
"$PY" - "$T" <<'EOF' || it_fail "cannot generate the stream"
import json, random, sys
out = sys.argv[1]
random.seed(7)
rows, lsn = {}, 1000
phases = [[], [], []]
for i in range(24000):
    ph = 0 if i < 10000 else (1 if i < 17000 else 2)
    k = random.randrange(1500)
    lsn += random.randrange(1, 50)
    src = {"connector": "postgresql", "name": "db", "db": "app", "schema": "public",
           "table": "items", "lsn": lsn}
    key = json.dumps({"id": k}, separators=(",", ":"))
    if k in rows and random.random() < 0.15:
        env = {"before": rows.pop(k), "after": None, "source": src, "op": "d"}
        phases[ph].append(key + "\t" + json.dumps(env, separators=(",", ":")))
        phases[ph].append(key + "\t")  # tombstone
        continue
    after = {"id": k, "v": i, "s": "item %d rev %d" % (k, i), "price": round(random.random() * 100, 2)}
    env = {"before": rows.get(k), "after": after, "source": src, "op": "u" if k in rows else "c"}
    rows[k] = after
    phases[ph].append(key + "\t" + json.dumps(env, separators=(",", ":")))
for n, p in enumerate(phases):
    with open("%s/phase%d.kv" % (out, n), "w") as f:
        f.write("\n".join(p) + "\n")
with open(out + "/expected.txt", "w") as f:
    for k in sorted(rows):
        r = rows[k]
        f.write("%d\t%d\t%s\t%r\n" % (k, r["v"], r["s"], r["price"]))
with open(out + "/total.txt", "w") as f:
    f.write(str(sum(len(p) for p in phases)))
EOF
total=$(cat "$T/total.txt")

produce_chunks() { # FILE — in chunks of 500 lines, paced, in the background; sets $producer
    split -l 500 "$1" "$1.chunk."
    (
        for f in "$1".chunk.*; do
            kcat -P -Z -b "$BOOTSTRAP" -t cdc -K $'\t' -X linger.ms=5 <"$f" 2>>"$T/producer.err" || exit 1
            sleep 0.15
        done
    ) &
    producer=$!
}
rows_now() {
    local n
    n=$(ch_query "SELECT count() FROM cdc" 2>/dev/null) || n=0
    echo "$n"
}
has_rows() { [ "$(rows_now)" -ge "$1" ]; }
task_state() { it_http GET /connectors/cdc/status | jq -r '.tasks[0].state // "none"'; }
task_is() { [ "$(task_state)" = "$1" ]; }
committed() { it_http GET /connectors/cdc/offsets | jq '[.offsets[].offset.kafka_offset] | add // 0'; }
committed_is() { [ "$(committed)" = "$1" ]; }
final_state() {
    ch_query "SELECT id, v, s, price FROM cdc FINAL WHERE _is_deleted = 0 ORDER BY id FORMAT TabSeparated" |
        "$PY" -c '
import sys
for l in sys.stdin:
    f = l.rstrip("\n").split("\t")
    print("%s\t%s\t%s\t%r" % (f[0], f[1], f[2], float(f[3])))'
}
state_exact() { final_state >"$T/got.txt" 2>/dev/null && cmp -s "$T/got.txt" "$T/expected.txt"; }

# ---- phase 0 with a SIGKILL in the middle
it_start_worker "$T/worker.properties" "$T/cdc.properties"
it_wait_for "task RUNNING" 30 task_is RUNNING
produce_chunks "$T/phase0.kv"
it_wait_for "rows arriving before the crash" 60 has_rows 2000
it_kill_worker
it_log "killed the worker with $(rows_now) raw rows in ClickHouse"
wait "$producer" || it_fail "producer failed: $(head -n 3 "$T/producer.err")"
it_start_worker "$T/worker.properties" "$T/cdc.properties"
it_wait_for "task RUNNING after the restart" 30 task_is RUNNING
it_pass "worker killed with SIGKILL mid-stream and restarted"

# ---- phase 1 with ClickHouse stopped for 30 s in the middle
produce_chunks "$T/phase1.kv"
sleep 2
ch_stop
it_log "ClickHouse stopped"
down_since=$SECONDS
while [ $((SECONDS - down_since)) -lt 30 ]; do
    task_is RUNNING || it_fail "task left RUNNING during the outage: $(task_state)"
    sleep 3
done
wait "$producer" || it_fail "producer failed: $(head -n 3 "$T/producer.err")"
grep -q "insert into cdc failed" "$WORKER_LOG" || it_fail "no failed insert logged during the outage"
# 2000-row batches: the filled buffer pushes back (put() RETRY) while the insert cannot succeed
grep -q "asked to retry" "$WORKER_LOG" || it_fail "no put() retry (back-pressure) during the outage"
it_pass "task RUNNING (retrying) through a 30 s ClickHouse outage"
ch_restart || it_fail "clickhouse-server did not restart"
it_log "ClickHouse started again"

# ---- phase 2 after the outage; then everything must be exact
produce_chunks "$T/phase2.kv"
wait "$producer" || it_fail "producer failed: $(head -n 3 "$T/producer.err")"
it_wait_for "committed offsets reach all $total records" 90 committed_is "$total"
it_wait_for "the table under FINAL equals the stream's final state" 30 state_exact
dups=$(ch_query "SELECT count() - uniqExact(id) FROM cdc FINAL")
[ "$dups" = 0 ] || it_fail "$dups duplicate keys under FINAL"
it_pass "FINAL exact after kill -9 and a ClickHouse outage: $(wc -l <"$T/expected.txt") live rows, no duplicates, $(rows_now) raw rows"

# ---- an unreachable ClickHouse at start: RUNNING and retrying, never FAILED
body=$(jq -n --arg port "$(it_free_port)" '{name: "down", config: {
    "connector.class": "com.clickhouse.kafka.connect.ClickHouseSinkConnector", "topics": "cdc",
    "hostname": "127.0.0.1", "port": $port, "ssl": "false",
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "key.converter.schemas.enable": "false",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter.schemas.enable": "false"}}')
it_http_expect 201 POST /connectors "$body"
down_running() { [ "$(it_http GET /connectors/down/status | jq -r '.tasks[0].state')" = RUNNING ]; }
it_wait_for "connector to a dead port RUNNING" 30 down_running
sleep 3
down_running || it_fail "connector to a dead port left RUNNING"
grep -q "cannot reach ClickHouse" "$WORKER_LOG" || it_fail "no 'cannot reach ClickHouse' in the log"
it_pass "ClickHouse unreachable at start: RUNNING, put() retried"

it_done
