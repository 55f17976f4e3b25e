#!/usr/bin/env bash
# End-to-end benchmark: records/s from Kafka into the file sink, against the physical limit measured
# in the same run on the same broker (kcat consuming the same topic to /dev/null). Also reports the
# worker's CPU time per record and peak RSS. Ratios are the result; absolute numbers drift here.
#
#   bench/e2e_file_sink.sh [BUILD_DIR] [RECORDS_PER_PARTITION] [PARTITIONS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build/default}
per_part=${2:-12000}
parts=${3:-16}
total=$((per_part * parts))
work=$(mktemp -d /tmp/sluice-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

clk=$(getconf CLK_TCK)
now() { date +%s.%N; }

# The reference record: one Debezium change event, payload only (JsonConverter schemas.enable=false),
# ~0.4 KB, so the mock broker's per-partition retention (~5 MB) holds every record.
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

# One file per partition so every partition stays under the mock's retention.
split -n "r/$parts" -d -a 3 "$work/records.txt" "$work/part."
for i in $(seq 0 $((parts - 1))); do
    kcat -P -b "$bootstrap" -t bench -p "$i" -X queue.buffering.max.ms=50 <"$work/part.$(printf %03d "$i")"
done

# The limit: kcat consuming everything to /dev/null.
read -r kcat_rate kcat_rss_kb < <(python3 - "$bootstrap" "$total" <<'PY'
import resource, subprocess, sys, time
# Clock from kcat's first record to its last, like the worker's: start-up is not throughput.
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

# The peer: the same pipeline hand-written in Python (bench/peer_file_sink.py).
peer="skipped (python3-confluent-kafka not installed)"
py=/usr/bin/python3 # Debian's interpreter, which sees Debian's python3-confluent-kafka
if "$py" -c 'import confluent_kafka' 2>/dev/null; then
    read -r peer_rate peer_cpu peer_rss_kb < <(timeout 300 "$py" "$top/bench/peer_file_sink.py" \
        "$bootstrap" bench "$total" "$work/peer.txt")
    peer="$peer_rate rec/s"
fi

# sluice: standalone worker + file sink.
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat >"$work/worker.properties" <<PROPS
bootstrap.servers=$bootstrap
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.storage.file.filename=$work/state/connect.offsets
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$port
plugin.path=$build/plugins/file_sink/.libs
PROPS
# Extra worker keys to experiment with, e.g. SLUICE_BENCH_PROPS="consumer.fetch.max.bytes=1048576"
for kv in ${SLUICE_BENCH_PROPS:-}; do echo "$kv" >>"$work/worker.properties"; done
mkdir -p "$work/state"
"$build/sluice" standalone "$work/worker.properties" >"$work/worker.log" 2>&1 &
wpid=$!; pids+=($wpid)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.05; done
idle_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$wpid/status")
t0=$(now)
curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" --data \
  "{\"name\":\"bench\",\"config\":{\"connector.class\":\"FileStreamSink\",\"topics\":\"bench\",\"file\":\"$work/out.txt\"}}" >/dev/null
# The clock starts at the first record written: the group join (about 3 s on the mock broker's
# initial rebalance delay) is start-up, not throughput, and is reported separately.
while [ ! -s "$work/out.txt" ]; do sleep 0.01; done
t_first=$(now)
cpu0=$(awk '{print $14+$15}' "/proc/$wpid/stat")
# The sink's last few KiB sit in stdio's buffer until the next offset flush, so the clock stops
# at 99% of the records; the test suite, not the benchmark, checks that every record arrives.
target=$((total * 99 / 100))
deadline=$((SECONDS + 120))
while :; do
    # Cheap polling: this shares two cores with the worker, so no process spawns in the loop.
    n=$(wc -l <"$work/out.txt")
    [ "$n" -ge "$target" ] && break
    [ "$SECONDS" -lt "$deadline" ] || { echo "timeout: $n/$total lines" >&2; exit 1; }
    sleep 0.05
done
t1=$(now)
cpu1=$(awk '{print $14+$15}' "/proc/$wpid/stat")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
sluice_rate=$(python3 -c "print(int($n/($t1-$t_first)))")
cpu_us=$(python3 -c "print(round(($cpu1-$cpu0)/$clk*1e6/$n, 2))")

printf '\nworkload: %d Debezium events (%.1f MB, %d partitions), JsonConverter schemaless -> file sink\n' \
    "$total" "$(python3 -c "print($bytes/1e6)")" "$parts"
printf '%-34s %12s\n' "kcat -C to /dev/null (limit)" "$kcat_rate rec/s"
printf '%-34s %12s\n' "sluice -> file sink" "$sluice_rate rec/s"
printf '%-34s %12s\n' "Python peer -> file (same work)" "$peer"
[ -n "${peer_rate:-}" ] && printf '%-34s %12s\n' "ratio sluice / peer" "$(python3 -c "print(round($sluice_rate/$peer_rate, 2))")"
printf '%-34s %12s\n' "ratio sluice / limit" "$(python3 -c "print(round($sluice_rate/$kcat_rate, 2))")"
printf '%-34s %12s\n' "worker CPU per record" "$cpu_us us"
printf '%-34s %12s\n' "connector create -> first record" "$(python3 -c "print(round($t_first-$t0, 2))") s"
printf '%-34s %12s\n' "worker RSS idle (no connector)" "$((idle_rss_kb / 1024)) MB"
printf '%-34s %12s\n' "worker peak RSS" "$((rss_kb / 1024)) MB"
printf '%-34s %12s\n' "kcat peak RSS (same topic)" "$((kcat_rss_kb / 1024)) MB"
if [ -n "${peer_rate:-}" ]; then
    printf '%-34s %12s\n' "Python peer CPU per record" "$peer_cpu us"
    printf '%-34s %12s\n' "Python peer peak RSS" "$((peer_rss_kb / 1024)) MB"
fi
