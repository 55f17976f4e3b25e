#!/usr/bin/env bash
# End-to-end benchmark of the Redis sink: Debezium JSON (payload only) from the mock broker into
# Redis HASH mode, exactly once (each batch + its offsets in one MULTI/EXEC). Reports sluice's
# rows/s against two limits measured in the same run: kcat consuming the same topic from the same
# broker, and redis-benchmark's pipelined HSET of the same shape (one connection, -P 100, like
# one task); plus the worker's CPU per row (/proc utime+stime) and peak RSS (VmHWM). Not part of
# `make check`. Absolute numbers drift on a shared VM: the ratios are the result.
#
#   bench/e2e_redis_sink.sh [BUILD_DIR] [RECORDS_PER_PARTITION] [PARTITIONS]
#   PERF=1 bench/e2e_redis_sink.sh ...   # also perf-record the worker while it drains the topic
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build/default}
per_part=${2:-8400}
parts=${3:-24}
total=$((per_part * parts))
tasks=${TASKS:-1}
work=$(mktemp -d /tmp/sluice-bench-redis.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
for c in redis-server redis-cli redis-benchmark kcat; do
    command -v "$c" >/dev/null || { echo "$c is not installed" >&2; exit 1; }
done

clk=$(getconf CLK_TCK)
now() { date +%s.%N; }
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# The reference row: a Debezium Postgres change event (07 tutorial `products`), payload only,
# ~0.4 KB, id made unique, so each row is its own hash of 4 fields.
line=$(sed -n 1p "$top/tests/data/debezium/07_flink_debezium-postgres-data-schema-exclude.jsonl")
python3 - "$line" "$total" >"$work/records.txt" <<'PY'
import json, sys
ev = json.loads(sys.argv[1]); n = int(sys.argv[2])
for i in range(n):
    ev["after"]["id"] = i
    print(json.dumps(ev, separators=(",", ":")))
PY
bytes=$(stat -c %s "$work/records.txt")

mkfifo "$work/kafka.in"
"$build/sluice-mock-kafka" --topic "bench:$parts" <"$work/kafka.in" >"$work/kafka.out" 2>/dev/null &
pids+=($!)
exec 7>"$work/kafka.in"
for _ in $(seq 50); do [ -s "$work/kafka.out" ] && break; sleep 0.1; done
bootstrap=$(head -n1 "$work/kafka.out")
split -n "r/$parts" -d -a 3 "$work/records.txt" "$work/part."
for i in $(seq 0 $((parts - 1))); do
    kcat -P -b "$bootstrap" -t bench -p "$i" -X queue.buffering.max.ms=50 <"$work/part.$(printf %03d "$i")"
done

rport=$(freeport)
mkdir -p "$work/redis"
redis-server --port "$rport" --bind 127.0.0.1 --dir "$work/redis" --save '' --appendonly no \
    --daemonize no --logfile "$work/redis/redis.log" </dev/null &
rpid=$!; pids+=($rpid)
for _ in $(seq 50); do [ "$(redis-cli -p "$rport" PING 2>/dev/null)" = PONG ] && break; sleep 0.1; done

# Limit 1: kcat consuming everything to /dev/null, clocked from its first record.
read -r kcat_rate kcat_rss_kb < <(python3 - "$bootstrap" "$total" <<'PY'
import resource, subprocess, sys, time
p = subprocess.Popen(["kcat", "-C", "-b", sys.argv[1], "-t", "bench", "-o", "beginning", "-e", "-q",
                      "-f", "%o\n"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
first = p.stdout.readline()
t0 = time.monotonic()
rest = p.stdout.read()
dt = time.monotonic() - t0
p.wait()
n = rest.count(b"\n")
print(int(n / dt), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)

# Limit 2: redis-benchmark's pipelined HSET of the same shape (4 fields), one connection.
hset_rate=$(redis-benchmark -p "$rport" -c 1 -P 100 -n "$total" -r "$total" -q \
    HSET 'rb:__rand_int__' id __rand_int__ name scooter description 'Small 2-wheel scooter' \
    weight 3.14 2>/dev/null | tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | cut -d. -f1)
hset50_rate=$(redis-benchmark -p "$rport" -c 50 -P 100 -n "$total" -r "$total" -q \
    HSET 'rb:__rand_int__' id __rand_int__ name scooter description 'Small 2-wheel scooter' \
    weight 3.14 2>/dev/null | tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | cut -d. -f1)
redis-cli -p "$rport" FLUSHALL >/dev/null

# sluice: standalone worker + the Redis sink (HASH, key products:<id>).
port=$(freeport)
cat >"$work/worker.properties" <<PROPS
bootstrap.servers=$bootstrap
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.storage.file.filename=$work/state/connect.offsets
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$port
plugin.path=$build/plugins/redis_sink/.libs
PROPS
for kv in ${SLUICE_BENCH_PROPS:-}; do echo "$kv" >>"$work/worker.properties"; done
mkdir -p "$work/state"
"$build/sluice" standalone "$work/worker.properties" >"$work/worker.log" 2>&1 &
wpid=$!; pids+=($wpid)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.05; done
idle_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$wpid/status")
t0=$(now)
curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" --data \
    "{\"name\":\"bench\",\"config\":{\"connector.class\":\"RedisSink\",\"topics\":\"bench\",\"tasks.max\":\"$tasks\",\"redis.uri\":\"redis://127.0.0.1:$rport\",\"redis.key.fields\":\"id\",\"redis.key.template\":\"\${table}:\${key}\"}}" >/dev/null
stored() { redis-cli -p "$rport" HVALS sluice:offsets:bench 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
# The clock starts at the first row in Redis (the group join is start-up, reported apart).
while [ "$(stored)" -eq 0 ]; do sleep 0.01; done
t_first=$(now)
n_first=$(stored)
cpu0=$(awk '{print $14+$15}' "/proc/$wpid/stat")
rcpu0=$(awk '{print $14+$15}' "/proc/$rpid/stat")
if [ -n "${PERF:-}" ]; then
    perf record -F 1999 -p "$wpid" -o "$work/perf.data" 2>/dev/null &
    perf_pid=$!
fi
deadline=$((SECONDS + 180))
while :; do
    n=$(stored)
    [ "$n" -ge "$total" ] && break
    [ "$SECONDS" -lt "$deadline" ] || { echo "timeout: $n/$total rows" >&2; exit 1; }
    sleep 0.1
done
t1=$(now)
cpu1=$(awk '{print $14+$15}' "/proc/$wpid/stat")
rcpu1=$(awk '{print $14+$15}' "/proc/$rpid/stat")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
if [ -n "${PERF:-}" ]; then
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
    perf report -i "$work/perf.data" --sort dso,sym --stdio 2>/dev/null |
        grep -v '^#' | grep -v '^$' | head -n 30 >"$work/perf.txt" || true
fi
keys=$(redis-cli -p "$rport" DBSIZE)
[ "$keys" -eq $((total + 1)) ] || { echo "expected $((total + 1)) keys, Redis has $keys" >&2; exit 1; }
rows=$((n - n_first))
sluice_rate=$(python3 -c "print(int($rows/($t1-$t_first)))")
cpu_us=$(python3 -c "print(round(($cpu1-$cpu0)/$clk*1e6/$rows, 2))")
rcpu_us=$(python3 -c "print(round(($rcpu1-$rcpu0)/$clk*1e6/$rows, 2))")
cores=$(nproc)

printf '\nworkload: %d Debezium events (%.1f MB, %d partitions), JsonConverter schemaless -> Redis HASH (tasks.max=%s)\n' \
    "$total" "$(python3 -c "print($bytes/1e6)")" "$parts" "$tasks"
printf '%-40s %12s\n' "kcat -C to /dev/null (limit 1)" "$kcat_rate rec/s"
printf '%-40s %12s\n' "redis-benchmark HSET -c 1 -P 100 (limit 2)" "$hset_rate rec/s"
printf '%-40s %12s\n' "redis-benchmark HSET -c 50 -P 100" "$hset50_rate rec/s"
printf '%-40s %12s\n' "sluice -> Redis HASH (exactly once)" "$sluice_rate rec/s"
printf '%-40s %12s\n' "ratio sluice / kcat" "$(python3 -c "print(round($sluice_rate/$kcat_rate, 2))")"
printf '%-40s %12s\n' "ratio sluice / redis-benchmark -c 1" "$(python3 -c "print(round($sluice_rate/$hset_rate, 2))")"
printf '%-40s %12s\n' "worker CPU per row" "$cpu_us us"
printf '%-40s %12s\n' "redis-server CPU per row (same span)" "$rcpu_us us"
printf '%-40s %12s\n' "cores / load average at the end" "$cores / $(cut -d' ' -f1 /proc/loadavg)"
printf '%-40s %12s\n' "connector create -> first row" "$(python3 -c "print(round($t_first-$t0, 2))") s"
printf '%-40s %12s\n' "worker RSS idle / peak" "$((idle_rss_kb / 1024)) / $((rss_kb / 1024)) MB"
printf '%-40s %12s\n' "kcat peak RSS" "$((kcat_rss_kb / 1024)) MB"
if [ -n "${PERF:-}" ] && [ -s "$work/perf.txt" ]; then
    printf '\nperf (worker, self time by library and symbol):\n'
    cat "$work/perf.txt"
fi
