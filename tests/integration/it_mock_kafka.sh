#!/usr/bin/env bash
# it_mock_kafka.sh — sluice-mock-kafka and the Kafka half of lib.sh: a 2-broker cluster with a
# pre-created 3-partition topic serves 1000 keyed messages back intact, topics auto-create with 4
# partitions, a downed broker makes its partitions unwritable until it is up again, pushed request
# errors and RTT reach clients, consumer groups resume from committed offsets, the generic
# ("connect") group protocol works, and the process ignores stdin EOF but stops on SIGTERM.
# Must clean up every process it started, even on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_mock_kafka

# ---- command line
"$SLUICE_MOCK_KAFKA" --help | grep -q 'broker down ID' || it_fail "--help does not list commands"
"$SLUICE_MOCK_KAFKA" --topic nocount </dev/null >/dev/null 2>&1 &&
    it_fail "--topic without :N accepted"
"$SLUICE_MOCK_KAFKA" --brokers 0 </dev/null >/dev/null 2>&1 && it_fail "--brokers 0 accepted"
it_pass "--help lists the commands; bad --topic / --brokers are refused"

# ---- start: bootstrap line, brokers, exact partition count
it_start_kafka --brokers 2 --topic it-mk:3
[ "$(tr ',' '\n' <<<"$BOOTSTRAP" | grep -c '^127\.0\.0\.1:[0-9][0-9]*$')" -eq 2 ] ||
    it_fail "expected 2 bootstrap servers, got '$BOOTSTRAP'"
meta=$(timeout 20 kcat -L -b "$BOOTSTRAP" -t it-mk 2>&1) || it_fail "kcat -L failed: $meta"
grep -q ' 2 brokers:' <<<"$meta" || it_fail "metadata does not list 2 brokers: $meta"
grep -q 'topic "it-mk" with 3 partitions' <<<"$meta" || it_fail "it-mk has not 3 partitions: $meta"
it_pass "2 brokers at $BOOTSTRAP, it-mk pre-created with 3 partitions"

# ---- 1000 keyed messages round-trip over all partitions
seq 1 1000 | sed 's/^/value-/' >"$T/values.txt"
it_produce it-mk "$T/values.txt" lineno
IT_KCAT_FORMAT='%k\t%s\t%p\n' it_consume it-mk 1000 >"$T/got.txt"
[ "$(wc -l <"$T/got.txt")" -eq 1000 ] || it_fail "consumed $(wc -l <"$T/got.txt") of 1000"
awk -F'\t' '$2 != "value-" $1 { bad++ } END { exit bad > 0 }' "$T/got.txt" ||
    it_fail "keys differ from values: $(awk -F'\t' '$2 != "value-" $1' "$T/got.txt" | head -3)"
[ "$(cut -f1 "$T/got.txt" | sort -n | uniq | wc -l)" -eq 1000 ] || it_fail "lost or duplicated keys"
[ "$(cut -f3 "$T/got.txt" | sort -u | tr '\n' ' ')" = "0 1 2 " ] ||
    it_fail "messages did not spread over partitions 0-2: $(cut -f3 "$T/got.txt" | sort | uniq -c)"
it_pass "1000 keyed messages produced and consumed back intact over 3 partitions"

# ---- plain values, key/value files, auto-created topics
it_produce it-auto alpha beta gamma
[ "$(it_consume it-auto 3 | sort | tr '\n' ' ')" = "alpha beta gamma " ] ||
    it_fail "it-auto content"
meta=$(timeout 20 kcat -L -b "$BOOTSTRAP" -t it-auto 2>&1)
grep -q 'topic "it-auto" with 4 partitions' <<<"$meta" || it_fail "auto-created topic: $meta"
printf 'k1\tv1\nk2\tv2\n' >"$T/kv.txt"
it_produce_kv it-kv "$T/kv.txt"
[ "$(IT_KCAT_FORMAT='%k=%s\n' it_consume it-kv 2 | sort | tr '\n' ' ')" = "k1=v1 k2=v2 " ] ||
    it_fail "it_produce_kv: keys/values differ"
it_pass "values from arguments, key<TAB>value files, auto-created topics get 4 partitions"

# ---- broker down / up
meta=$(timeout 20 kcat -L -b "$BOOTSTRAP" -t it-mk 2>&1)
leader=$(sed -n 's/^ *partition 0, leader \([0-9]*\),.*/\1/p' <<<"$meta")
[ -n "$leader" ] || it_fail "cannot find the leader of it-mk [0]"
[[ "$(it_kafka_try broker down 9)" == error:* ]] || it_fail "'broker down 9' did not answer error"
it_kafka_cmd broker down "$leader" >/dev/null
if echo while-down | timeout 30 kcat -P -b "$BOOTSTRAP" -t it-mk -p 0 \
    -X message.timeout.ms=3000 >/dev/null 2>"$T/down.err" && ! grep -q '% ERROR' "$T/down.err"; then
    it_fail "produce to a partition led by downed broker $leader succeeded"
fi
it_kafka_cmd broker up "$leader" >/dev/null
echo after-up | timeout 30 kcat -P -b "$BOOTSTRAP" -t it-mk -p 0 -X message.timeout.ms=20000 \
    2>"$T/up.err" || it_fail "produce after broker up failed: $(cat "$T/up.err")"
grep -q '% ERROR' "$T/up.err" && it_fail "produce after broker up failed: $(cat "$T/up.err")"
it_consume_all it-mk | grep -qx after-up ||
    it_fail "the message produced after 'broker up' is missing"
it_consume_all it-mk | grep -qx while-down && it_fail "a message produced while down was stored"
it_pass "broker $leader down: its partition refuses writes; up again: writes succeed"

# ---- pushed request errors reach the client, once per push
it_kafka_cmd error Produce MSG_SIZE_TOO_LARGE 1 >/dev/null
echo rejected | timeout 30 kcat -P -b "$BOOTSTRAP" -t it-auto -p 0 2>"$T/err.err"
grep -q 'Message size too large' "$T/err.err" ||
    it_fail "pushed Produce error not seen: $(cat "$T/err.err")"
it_produce it-auto accepted
it_consume_all it-auto | grep -qx accepted || it_fail "produce after the pushed error failed"
[[ "$(it_kafka_try error NoSuchApi 1)" == error:* ]] || it_fail "unknown API name accepted"
it_pass "a pushed Produce error fails exactly one request"

# ---- RTT
it_kafka_cmd rtt -1 400 >/dev/null
start=$(date +%s%N)
timeout 20 kcat -L -b "$BOOTSTRAP" -t it-mk >/dev/null 2>&1 || it_fail "kcat -L with rtt failed"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
it_kafka_cmd rtt -1 0 >/dev/null
[ "$elapsed_ms" -ge 400 ] || it_fail "rtt 400 ms not applied: metadata took ${elapsed_ms} ms"
it_pass "rtt 400 ms delays responses (metadata took ${elapsed_ms} ms)"

# ---- consumer groups: a second member resumes at the first one's committed offsets
group_consume() {
    timeout 60 kcat -q -b "$BOOTSTRAP" -G it-grp -X auto.offset.reset=earliest \
        -X session.timeout.ms=6000 -X auto.commit.interval.ms=200 -c "$1" -f '%p:%o\n' it-grp
}
seq 1 200 | timeout 30 kcat -P -b "$BOOTSTRAP" -t it-grp -K: 2>/dev/null
seq 1 200 | sed 's/$/:x/' | timeout 30 kcat -P -b "$BOOTSTRAP" -t it-grp -K: 2>/dev/null
group_consume 150 >"$T/g1.txt"
group_consume 250 >"$T/g2.txt"
[ "$(wc -l <"$T/g1.txt")" -eq 150 ] || it_fail "first group member got $(wc -l <"$T/g1.txt") of 150"
[ "$(wc -l <"$T/g2.txt")" -eq 250 ] ||
    it_fail "second group member got $(wc -l <"$T/g2.txt") of 250"
[ "$(sort -u "$T/g1.txt" "$T/g2.txt" | wc -l)" -eq 400 ] ||
    it_fail "group members overlapped or missed offsets"
it_pass "consumer group commits offsets; the next member resumes without overlap"

# ---- the generic group protocol (protocol type "connect")
probe="${SLUICE_SRCDIR:-$here/../..}/tools/mock-kafka/group_probe.py"
out=$(timeout 60 python3 "$probe" "$BOOTSTRAP" generic it-connect-cluster 2>&1)
[[ "$out" == ok* ]] || it_fail "generic group protocol: $out"
it_pass "JoinGroup/SyncGroup with protocol type 'connect': $out"

# ---- coordinator placement
it_kafka_cmd coordinator group it-coord 2 >/dev/null
[[ "$(it_kafka_try coordinator nonsense x 1)" == error:* ]] ||
    it_fail "bad coordinator type accepted"
it_pass "coordinator command"

# ---- the process: stdin EOF is ignored, SIGTERM stops it with status 0
start=$SECONDS
timeout --preserve-status -s TERM 2 "$SLUICE_MOCK_KAFKA" </dev/null >"$T/solo.out" 2>"$T/solo.err"
rc=$?
first=$(head -n 1 "$T/solo.out")
[[ "$first" =~ ^127\.0\.0\.1:[0-9]+$ ]] || it_fail "standalone run printed '$first'"
[ $((SECONDS - start)) -ge 1 ] || it_fail "the broker exited on stdin EOF"
[ "$rc" -eq 0 ] || it_fail "the broker exited with $rc on SIGTERM: $(tail -n 5 "$T/solo.err")"
it_pass "stdin EOF is ignored; SIGTERM exits 0"

it_done
