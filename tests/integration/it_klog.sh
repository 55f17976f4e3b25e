#!/usr/bin/env bash
# it_klog.sh — worker/dist's internal-topic log (klog) and topic checks against sluice-mock-kafka:
# records written through one log are read back by another, start/read_to_end hand over
# everything present, every key lands in Java's murmur2 partition (checked by the C code, by
# librdkafka's murmur2_random partitioner, and here with an independent Python murmur2 over what
# kcat reads from the broker), config records rebuild the same snapshot in a second reader, and
# sl_internal_topics_ensure accepts good topics and refuses a 4-partition config topic and a
# missing topic (the mock has no CreateTopics) with messages saying what to do.
# Must clean up every process it started, even on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_klog
probe="$(dirname "${SLUICE_BIN:?}")/tests/integration/klog_probe"
[ -x "$probe" ] || it_fail "klog_probe not built: $probe"
it_need_cmd kcat /usr/bin/python3

it_start_kafka --topic connect-configs:1 --topic connect-offsets:25 --topic connect-status:5 \
    --topic bad-configs:4

# run_probe NAME ARGS... — the probe's checks must all pass.
run_probe() {
    local name=$1 out
    shift
    out=$(timeout 60 "$probe" "$@" 2>"$T/$name.err")
    local rc=$?
    printf '%s\n' "$out" >"$T/$name.out"
    if [ $rc -ne 0 ] || grep -q '^not ok' <<<"$out"; then
        it_fail "klog_probe $name (rc $rc): $(grep -v '^ok' <<<"$out" | head -5) $(tail -n 5 "$T/$name.err")"
    fi
    it_pass "klog_probe $name: $(grep -c '^ok' <<<"$out") checks"
}

run_probe roundtrip roundtrip "$BOOTSTRAP" connect-status
grep -q 'agrees on 200/200' "$T/roundtrip.out" || it_fail "librdkafka partitioner disagreement"

# Independent check of placement on the broker: kcat reads key and partition; Python computes
# Java's toPositive(murmur2(key)) % 5.
timeout 30 kcat -C -b "$BOOTSTRAP" -t connect-status -o beginning -e -q -f '%k\t%p\n' \
    >"$T/status-keys.txt" 2>"$T/kcat.err" || it_fail "kcat failed: $(cat "$T/kcat.err")"
n=$(wc -l <"$T/status-keys.txt")
[ "$n" -ge 62 ] || it_fail "expected at least 62 status records on the broker, got $n"
/usr/bin/python3 - "$T/status-keys.txt" <<'PY' || it_fail "a record is not in Java's murmur2 partition"
import sys
def murmur2(data):
    M = 0xffffffff; m = 0x5bd1e995
    h = (0x9747b28c ^ len(data)) & M
    for i in range(len(data) // 4):
        k = int.from_bytes(data[4 * i:4 * i + 4], 'little')
        k = (k * m) & M; k ^= k >> 24; k = (k * m) & M
        h = (h * m) & M; h ^= k
    rem, base = len(data) % 4, len(data) & ~3
    if rem >= 3: h ^= data[base + 2] << 16
    if rem >= 2: h ^= data[base + 1] << 8
    if rem >= 1: h ^= data[base]; h = (h * m) & M
    h ^= h >> 13; h = (h * m) & M; h ^= h >> 15
    return h
assert murmur2(b"21") == (-973932308) & 0xffffffff  # Kafka's UtilsTest value
bad = 0
for line in open(sys.argv[1], 'rb'):
    key, part = line.rstrip(b'\n').rsplit(b'\t', 1)
    if (murmur2(key) & 0x7fffffff) % 5 != int(part):
        bad += 1
        print("misplaced", key, part)
sys.exit(1 if bad else 0)
PY
it_pass "all $n status records sit in Java's murmur2 partition (independent Python check)"

run_probe config config "$BOOTSTRAP" connect-configs

# ---- internal topic checks (the mock has no CreateTopics/DescribeConfigs: existence and
# partition counts only)
good=(config.storage.topic=connect-configs offset.storage.topic=connect-offsets
    status.storage.topic=connect-status)
out=$(timeout 30 "$probe" ensure "$BOOTSTRAP" "${good[@]}" 2>"$T/ensure.err")
[ "$out" = ok ] || it_fail "ensure on good topics: $out $(tail -n 3 "$T/ensure.err")"
it_pass "pre-created internal topics are accepted"

out=$(timeout 30 "$probe" ensure "$BOOTSTRAP" "${good[@]}" config.storage.topic=bad-configs 2>&1)
grep -q "Topic 'bad-configs' supplied via the 'config.storage.topic' property is required to have a single partition in order to guarantee consistency of connector configurations, but found 4 partitions." <<<"$out" ||
    it_fail "4-partition config topic: $out"
it_pass "a config topic with 4 partitions is refused with Java's message"

out=$(timeout 30 "$probe" ensure "$BOOTSTRAP" "${good[@]}" offset.storage.topic=nope-offsets \
    offset.storage.segment.bytes=1048576 offset.storage.cleanup.policy=delete \
    offset.storage.replication.factor=1 2>&1)
grep -q "Topic 'nope-offsets' supplied via the 'offset.storage.topic' property does not exist" <<<"$out" ||
    it_fail "missing topic: $out"
grep -q "kafka-topics.sh --create --topic nope-offsets --partitions 25 --replication-factor 1 --config cleanup.policy=compact --config segment.bytes=1048576" <<<"$out" ||
    it_fail "missing topic message does not say how to create it: $out"
grep -q "Ignoring 'offset.storage.cleanup.policy=delete' setting, since compaction is always used" <<<"$out" ||
    it_fail "no warning for offset.storage.cleanup.policy: $out"
meta=$(timeout 20 kcat -L -b "$BOOTSTRAP" 2>&1)
grep -q '"nope-offsets"' <<<"$meta" && it_fail "the check auto-created nope-offsets"
it_pass "a missing topic is an error that says how to create it (and is not auto-created)"

out=$(timeout 30 "$probe" ensure "$BOOTSTRAP" "${good[@]}" config.storage.topic= 2>&1)
grep -q "Must specify topic for connector configuration." <<<"$out" || it_fail "no topic key: $out"
it_pass "a missing config.storage.topic is refused"

# ---- a log cannot start while the brokers are down: bounded by its timeout
it_kafka_cmd broker down -1 >/dev/null
start=$SECONDS
out=$(timeout 30 "$probe" start "$BOOTSTRAP" connect-offsets 3000 2>/dev/null)
took=$((SECONDS - start))
grep -q '^error: ' <<<"$out" || it_fail "start with brokers down: $out"
[ "$took" -le 12 ] || it_fail "start with brokers down took ${took}s (timeout 3s)"
it_kafka_cmd broker up -1 >/dev/null
it_pass "start fails within its deadline while the brokers are down (${took}s)"
out=$(timeout 30 "$probe" start "$BOOTSTRAP" connect-offsets 10000 2>/dev/null)
grep -q '^ok partitions=25 records=0' <<<"$out" || it_fail "start after broker up: $out"
it_pass "after the brokers are back a 25-partition offsets log starts and reads empty"

# ---- brokers go down under a started log: read_to_end and an acknowledged send keep their
# deadlines, and destroy is bounded
coproc STALL { timeout 60 "$probe" stall "$BOOTSTRAP" connect-offsets 2>"$T/stall.err"; }
read -r -t 20 line <&"${STALL[0]}" || it_fail "stall probe did not start: $(cat "$T/stall.err")"
[ "$line" = ready ] || it_fail "stall probe: $line"
it_kafka_cmd broker down -1 >/dev/null
echo go >&"${STALL[1]}"
read -r -t 20 rte <&"${STALL[0]}" || it_fail "no read_to_end result"
read -r -t 20 snd <&"${STALL[0]}" || it_fail "no send result"
read -r -t 20 dst <&"${STALL[0]}" || it_fail "no destroy result"
it_kafka_cmd broker up -1 >/dev/null
# within_ms LINE REGEX MAX — LINE matches REGEX (its group 1 a number of ms) and that is <= MAX
within_ms() {
    [[ "$1" =~ $2 ]] || return 1
    [ "${BASH_REMATCH[1]}" -le "$3" ]
}
within_ms "$rte" '^read_to_end=-1 took=([0-9]+)$' 4000 ||
    it_fail "read_to_end with brokers down: '$rte'"
within_ms "$snd" '^send=-1 took=([0-9]+)' 4000 ||
    it_fail "acknowledged send with brokers down: '$snd'"
within_ms "$dst" '^destroy took=([0-9]+)$' 8000 ||
    it_fail "destroy with an unacknowledged record: '$dst'"
it_pass "brokers down: read_to_end and send fail by their deadlines ($rte; $snd); $dst"

it_done
