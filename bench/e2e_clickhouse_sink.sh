#!/usr/bin/env bash
# End-to-end benchmark of the ClickHouse sink: Debezium JSON change events (without and with
# schemas) from the mock broker into a private ClickHouse (Debian's 18.16), in one run. For each
# workload: rows/s as a ratio to kcat consuming the same topic to /dev/null (the broker limit) and
# to a Python peer (confluent-kafka + clickhouse-driver, batched native inserts into a table of the
# same shape), the worker's CPU time per row and its peak RSS (VmHWM). Not part of make check.
#
#   bench/e2e_clickhouse_sink.sh [BUILD_DIR] [ROWS_SCHEMALESS] [ROWS_WITH_SCHEMA] [PARTITIONS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build/default}
n_plain=${2:-160000}
n_schema=${3:-32000}
parts=${4:-16}
work=$(mktemp -d /tmp/sluice-chbench.XXXXXX)
py=/usr/bin/python3 # Debian's interpreter: sees python3-confluent-kafka and clickhouse-driver
# The peer needs Debian's python3-clickhouse-driver (a bench-only dependency, not a test one).
"$top/scripts/install-deps.sh" python3-clickhouse-driver python3-confluent-kafka >/dev/null || exit 1
pids=()
# shellcheck source=../tests/integration/clickhouse-lib.sh
. "$top/tests/integration/clickhouse-lib.sh"
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    ch_stop
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; ch_stop' EXIT

clk=$(getconf CLK_TCK)
now() { date +%s.%N; }

ch_start "$work/ch" || { echo "clickhouse-server did not start" >&2; exit 1; }

# Records: the 07 Postgres event, ids varied, one key per row (Debezium's {id} key). Each
# partition must stay under the mock's ~5 MB retention: events with schemas are ~2.3 KB.
"$py" - "$top/tests/data/debezium" "$n_plain" "$n_schema" "$work" <<'PY'
import json, sys
d, n_plain, n_schema, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
plain = json.loads(open(d + "/07_flink_debezium-postgres-data-schema-exclude.jsonl").readline())
schema = json.loads(open(d + "/07_flink_debezium-postgres-data-schema-include.jsonl").readline())
kschema = {"type": "struct", "optional": False, "name": "k.Key",
           "fields": [{"type": "int32", "optional": False, "field": "id"}]}
for name, ev, n, ks in (("plain", plain, n_plain, None), ("schema", schema, n_schema, kschema)):
    with open("%s/%s.kv" % (out, name), "w") as f:
        env = ev["payload"] if "payload" in ev else ev
        for i in range(n):
            env["after"]["id"] = i
            env["source"]["lsn"] = 1000 + i
            key = {"id": i} if ks is None else {"schema": ks, "payload": {"id": i}}
            f.write(json.dumps(key, separators=(",", ":")) + "\t" +
                    json.dumps(ev, separators=(",", ":")) + "\n")
PY

mkfifo "$work/kafka.in"
"$build/sluice-mock-kafka" --topic "plain:$parts" --topic "schema:$parts" <"$work/kafka.in" \
    >"$work/kafka.out" 2>/dev/null &
pids+=($!)
exec 7>"$work/kafka.in"
for _ in $(seq 50); do [ -s "$work/kafka.out" ] && break; sleep 0.1; done
bootstrap=$(head -n1 "$work/kafka.out")
for w in plain schema; do
    kcat -P -b "$bootstrap" -t "$w" -K $'\t' -X queue.buffering.max.ms=50 <"$work/$w.kv"
done

kcat_rate() { # TOPIC
    "$py" - "$bootstrap" "$1" <<'PY'
import resource, subprocess, sys, time
p = subprocess.Popen(["kcat", "-C", "-b", sys.argv[1], "-t", sys.argv[2], "-o", "beginning", "-e",
                      "-q", "-f", "%o\n"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
first = p.stdout.readline()
t0 = time.monotonic()
rest = p.stdout.read()
dt = time.monotonic() - t0
p.wait()
print(int(rest.count(b"\n") / dt))
PY
}

port=$("$py" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat >"$work/worker.properties" <<PROPS
bootstrap.servers=$bootstrap
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.file.filename=$work/state/connect.offsets
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$port
plugin.path=$build/plugins/clickhouse_sink/.libs
PROPS
for kv in ${SLUICE_BENCH_PROPS:-}; do echo "$kv" >>"$work/worker.properties"; done
mkdir -p "$work/state"
"$build/sluice" standalone "$work/worker.properties" >"$work/worker.log" 2>&1 &
wpid=$!
pids+=($wpid)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.05; done
idle_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$wpid/status")

count() {
    local n
    n=$(ch_query "SELECT count() FROM \`$1\`" 2>/dev/null) || n=0
    echo "$n"
}

# run_sluice TOPIC TOTAL SCHEMAS — prints "rows/s cpu_us_per_row" (CPU over the whole run)
run_sluice() {
    local topic=$1 total=$2 schemas=$3 t_assign t1 cpu0 cpu1 n deadline
    local before
    before=$(grep -c "Partitions assigned" "$work/worker.log" || true)
    curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" --data \
        "{\"name\":\"$topic\",\"config\":{\"connector.class\":\"ClickHouseSink\",\"topics\":\"$topic\",
        \"hostname\":\"127.0.0.1\",\"port\":\"$CH_HTTP_PORT\",\"ssl\":\"false\",
        \"key.converter\":\"org.apache.kafka.connect.json.JsonConverter\",
        \"value.converter\":\"org.apache.kafka.connect.json.JsonConverter\",
        \"key.converter.schemas.enable\":\"$schemas\",\"value.converter.schemas.enable\":\"$schemas\",
        \"tasks.max\":\"${TASKS:-1}\",\"batch.max.rows\":\"${BATCH_ROWS:-50000}\",\"batch.linger.ms\":\"${LINGER_MS:-200}\"}}" >/dev/null
    # The clock starts when the partitions are assigned (the group join is start-up, not throughput).
    while [ "$(grep -c "Partitions assigned" "$work/worker.log" || true)" -le "$before" ]; do
        sleep 0.01
    done
    # ... and, like kcat's and the peer's, at the first record: when the worker starts burning
    # CPU (two clock ticks) after the assignment.
    cpu0=$(awk '{print $14+$15}' "/proc/$wpid/stat")
    while [ "$(awk '{print $14+$15}' "/proc/$wpid/stat")" -lt $((cpu0 + 2)) ]; do sleep 0.005; done
    t_assign=$(now)
    # SLUICE_BENCH_PERF=DIR: a system-wide profile of the sluice run (worker, broker, ClickHouse)
    local perf_pid=""
    if [ -n "${SLUICE_BENCH_PERF:-}" ]; then
        mkdir -p "$SLUICE_BENCH_PERF"
        # SLUICE_BENCH_PERF_WORKER=1: the worker alone, with DWARF call graphs (callers of libc)
        local what=(-a -g)
        [ -n "${SLUICE_BENCH_PERF_WORKER:-}" ] && what=(-p "$wpid" --call-graph dwarf,16384)
        perf record "${what[@]}" -F 999 -o "$SLUICE_BENCH_PERF/$topic.data" >/dev/null 2>&1 &
        perf_pid=$!
    fi
    deadline=$((SECONDS + 300))
    while :; do
        n=$(count "$topic")
        [ "$n" -ge "$total" ] && break
        [ "$SECONDS" -lt "$deadline" ] || { echo "timeout: $n/$total rows" >&2; exit 1; }
        sleep 0.1
    done
    t1=$(now)
    cpu1=$(awk '{print $14+$15}' "/proc/$wpid/stat")
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
    fi
    "$py" -c "print(int($total/($t1-$t_assign)), round(($cpu1-$cpu0)/$clk*1e6/$total, 2))"
}

printf '\n%-10s %9s %11s %11s %11s %8s %8s %10s %10s\n' workload rows "kcat r/s" "sluice r/s" \
    "peer r/s" "/kcat" "/peer" "us/row" "peer us/r"
for w in plain schema; do
    if [ "$w" = plain ]; then total=$n_plain schemas=false; else total=$n_schema schemas=true; fi
    k=$(kcat_rate "$w")
    read -r s cpu < <(run_sluice "$w" "$total" "$schemas")
    ch_query "CREATE TABLE peer_$w AS $w" >/dev/null
    read -r p pcpu prss < <(timeout 600 "$py" "$top/bench/peer_clickhouse.py" "$bootstrap" "$w" \
        "$total" 127.0.0.1 "$CH_TCP_PORT" "peer_$w")
    [ "$(count "peer_$w")" -ge "$total" ] || echo "warning: the peer wrote $(count "peer_$w") rows" >&2
    printf '%-10s %9d %11d %11d %11d %8s %8s %10s %10s\n' "$w" "$total" "$k" "$s" "$p" \
        "$("$py" -c "print(round($s/$k, 2))")" "$("$py" -c "print(round($s/$p, 2))")" "$cpu" "$pcpu"
done
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
printf '\nworker RSS idle %d MB, peak (VmHWM) %d MB; Python peer peak RSS %d MB\n' \
    $((idle_rss_kb / 1024)) $((rss_kb / 1024)) $((prss / 1024))
same=$(ch_query "SELECT (SELECT count() FROM plain FINAL) = (SELECT count() FROM peer_plain FINAL)")
echo "sluice and peer tables agree under FINAL: $([ "$same" = 1 ] && echo yes || echo NO)"
