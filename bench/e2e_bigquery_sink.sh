#!/usr/bin/env bash
# End-to-end benchmark of bigquery_sink.so: Debezium change events (JsonConverter with schemas)
# from the mock broker into the BigQuery REST test double (tests/bigquery/bq_test_server.py,
# no-auth mode), as a ratio to kcat consuming the same topic in the same run, plus the worker's
# CPU time per row and peak RSS. Not part of make check. The test double is single-process Python,
# so it, not the sink, is usually the limit: its CPU is reported too.
#
#   bench/e2e_bigquery_sink.sh [BUILD_DIR] [RECORDS_PER_PARTITION] [PARTITIONS]
#   BENCH_MODE=upsert bench/e2e_bigquery_sink.sh ...   # intermediate table + MERGE (default append)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build/default}
per_part=${2:-2000}
parts=${3:-8}
mode=${BENCH_MODE:-append}
total=$((per_part * parts))
work=$(mktemp -d /tmp/sluice-bench-bq.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
clk=$(getconf CLK_TCK)
now() { date +%s.%N; }

# The record: the 07 Postgres schema-include event (~2 KB with its schema), ids made unique, key
# {"id": n} with a schema, LSN increasing.
line=$(sed -n 1p "$top/tests/data/debezium/07_flink_debezium-postgres-data-schema-include.jsonl")
/usr/bin/python3 - "$line" "$per_part" "$parts" "$work" <<'PY'
import json, sys
ev = json.loads(sys.argv[1]); per, parts, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ks = {"type": "struct", "optional": False, "fields": [{"type": "int32", "optional": False, "field": "id"}]}
for p in range(parts):
    with open(f"{out}/part.{p}", "w") as f:
        for j in range(per):
            i = p * per + j
            ev["payload"]["after"]["id"] = i
            ev["payload"]["source"]["lsn"] = 1000 + i
            k = json.dumps({"schema": ks, "payload": {"id": i}}, separators=(",", ":"))
            f.write(k + "\t" + json.dumps(ev, separators=(",", ":")) + "\n")
PY
bytes=$(cat "$work"/part.* | wc -c)

mkfifo "$work/kafka.in"
"$build/sluice-mock-kafka" --topic "bench:$parts" <"$work/kafka.in" >"$work/kafka.out" 2>/dev/null &
pids+=("$!")
exec 7>"$work/kafka.in"
for _ in $(seq 50); do [ -s "$work/kafka.out" ] && break; sleep 0.1; done
bootstrap=$(head -n1 "$work/kafka.out")
for p in $(seq 0 $((parts - 1))); do
    kcat -P -b "$bootstrap" -t bench -p "$p" -K $'\t' -X queue.buffering.max.ms=50 <"$work/part.$p"
done

read -r kcat_rate < <(/usr/bin/python3 - "$bootstrap" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(["kcat", "-C", "-b", sys.argv[1], "-t", "bench", "-o", "beginning", "-e", "-q",
                      "-f", "%o\n"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
first = p.stdout.readline(); t0 = time.monotonic(); rest = p.stdout.read()
dt = time.monotonic() - t0; p.wait()
print(int(rest.count(b"\n") / dt))
PY
)

/usr/bin/python3 "$top/tests/bigquery/bq_test_server.py" --port-file "$work/bq.port" --no-auth \
    >"$work/bq.out" 2>&1 &
bqpid=$!; pids+=("$bqpid")
for _ in $(seq 100); do [ -s "$work/bq.port" ] && break; sleep 0.1; done
bq="http://127.0.0.1:$(cat "$work/bq.port")"

port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat >"$work/worker.properties" <<PROPS
bootstrap.servers=$bootstrap
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.file.filename=$work/state/connect.offsets
offset.flush.interval.ms=200
listeners=http://127.0.0.1:$port
plugin.path=$build/plugins/bigquery_sink/.libs
PROPS
for kv in ${SLUICE_BENCH_PROPS:-}; do echo "$kv" >>"$work/worker.properties"; done
mkdir -p "$work/state"
"$build/sluice" standalone "$work/worker.properties" >"$work/worker.log" 2>&1 &
wpid=$!; pids+=("$wpid")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.05; done
upsert=false; [ "$mode" = upsert ] && upsert=true
curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" --data \
  "{\"name\":\"bench\",\"config\":{\"connector.class\":\"BigQuerySink\",\"topics\":\"bench\",
    \"project\":\"proj\",\"defaultDataset\":\"ds\",\"sanitizeTopics\":\"true\",
    \"bigquery.auth.none\":\"true\",\"bigquery.api.url\":\"$bq/bigquery/v2\",
    \"upsertEnabled\":\"$upsert\",\"deleteEnabled\":\"$upsert\",\"kafkaKeyFieldName\":\"k\",
    \"mergeIntervalMs\":\"1000\",\"threadPoolSize\":\"4\"}}" >/dev/null
committed() {
    curl -s "http://127.0.0.1:$port/connectors/bench/offsets" |
        /usr/bin/python3 -c 'import json,sys; print(sum(o["offset"]["kafka_offset"] for o in json.load(sys.stdin).get("offsets", [])))' 2>/dev/null || echo 0
}
# The clock starts at the first committed offset (the group join is start-up) and stops when 99%
# are committed: in append mode a commit follows insertAll, in upsert mode the MERGE.
while [ "$(committed)" -eq 0 ]; do sleep 0.05; done
t_first=$(now); n0=$(committed)
cpu0=$(awk '{print $14+$15}' "/proc/$wpid/stat"); scpu0=$(awk '{print $14+$15}' "/proc/$bqpid/stat")
target=$((total * 99 / 100)); deadline=$((SECONDS + 300))
while :; do
    n=$(committed)
    [ "$n" -ge "$target" ] && break
    [ "$SECONDS" -lt "$deadline" ] || { echo "timeout: $n/$total committed" >&2; exit 1; }
    sleep 0.1
done
t1=$(now)
cpu1=$(awk '{print $14+$15}' "/proc/$wpid/stat"); scpu1=$(awk '{print $14+$15}' "/proc/$bqpid/stat")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
rows=$((n - n0))
rate=$(/usr/bin/python3 -c "print(int($rows/($t1-$t_first)))")
cpu_us=$(/usr/bin/python3 -c "print(round(($cpu1-$cpu0)/$clk*1e6/$rows, 2))")
scpu_us=$(/usr/bin/python3 -c "print(round(($scpu1-$scpu0)/$clk*1e6/$rows, 2))")
printf '\nworkload: %d Debezium events with schemas (%.1f MB, %d partitions), %s mode\n' \
    "$total" "$(/usr/bin/python3 -c "print($bytes/1e6)")" "$parts" "$mode"
printf '%-40s %12s\n' "kcat -C to /dev/null (limit)" "$kcat_rate rec/s"
printf '%-40s %12s\n' "sluice -> BigQuery test double" "$rate rec/s"
printf '%-40s %12s\n' "ratio sluice / kcat" "$(/usr/bin/python3 -c "print(round($rate/$kcat_rate, 3))")"
printf '%-40s %12s\n' "worker CPU per row" "$cpu_us us"
printf '%-40s %12s\n' "test double CPU per row" "$scpu_us us"
printf '%-40s %12s\n' "worker peak RSS" "$((rss_kb / 1024)) MB"
