#!/usr/bin/env bash
# it_kill9.sh — at-least-once across a crash: a worker killed with SIGKILL in the middle of a
# stream is restarted with the same connector file, and every produced record is in the sink's file
# at least once (offsets are committed only after put(), so a crash replays, never skips).
# One task, so the file's lines have one writer. Uses the mock Kafka broker; must clean up every
# process it started, even on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_kill9
it_need_cmd jq
[ -n "$(it_plugin_path)" ] || it_fail "no built plugins under $SLUICE_BUILD_PLUGINS"

it_start_kafka --topic crash:4
out="$T/out.txt"
# A short session timeout: the killed worker's consumers leave the group quickly.
it_write_worker_props "$T/worker.properties" \
    "offset.flush.interval.ms=300" \
    "consumer.session.timeout.ms=6000" \
    "consumer.max.poll.records=50"
cat >"$T/crash.properties" <<EOF2
name=crash
connector.class=FileStreamSink
tasks.max=1
topics=crash
file=$out
value.converter=org.apache.kafka.connect.storage.StringConverter
EOF2

unique() { if [ -f "$out" ]; then sort -u "$out" | wc -l | tr -d ' '; else echo 0; fi; }
has_unique() { [ "$(unique)" -ge "$1" ]; }

seq 1 50000 >"$T/in.txt"
it_start_worker "$T/worker.properties" "$T/crash.properties"
# Produce in 100 chunks over ~10 s in the background, so the kill lands mid-stream.
awk '{ printf "%d\t%s\n", NR, $0 }' "$T/in.txt" | split -l 500 - "$T/chunk."
(
    for f in "$T"/chunk.*; do
        kcat -P -b "$BOOTSTRAP" -t crash -K $'\t' -X linger.ms=5 <"$f" 2>>"$T/producer.err"
        sleep 0.1
    done
) &
producer=$!
it_wait_for "some records delivered before the crash" 60 has_unique 10000
before=$(unique)
it_kill_worker
it_log "killed the worker with $before distinct records delivered"
[ "$before" -lt 50000 ] || it_log "note: everything was delivered before the kill"
# A write torn by SIGKILL leaves a last line without its newline; end it so the replayed records
# start on a line of their own (the torn fragment is then just an extra line).
if [ -s "$out" ] && [ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" != '\n' ]; then
    printf '\n' >>"$out"
    it_log "ended a line torn by the crash"
fi

wait "$producer" || it_fail "the background producer failed: $(head -n 3 "$T/producer.err")"
it_start_worker "$T/worker.properties" "$T/crash.properties"
missing() { sort -u "$out" >"$T/got.txt"; sort "$T/in.txt" | comm -23 - "$T/got.txt" | wc -l; }
none_missing() { [ "$(missing)" -eq 0 ]; }
it_wait_for "all 50000 records after the restart" 120 none_missing
dups=$(($(wc -l <"$out") - 50000))
it_pass "every record is present at least once after kill -9 ($dups redelivered)"

it_stop_worker
it_done
