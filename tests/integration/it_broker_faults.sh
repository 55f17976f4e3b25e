#!/usr/bin/env bash
# it_broker_faults.sh — the broker misbehaves under a running sink: it goes down mid-stream and
# comes back (the task stays RUNNING, nothing is lost), and offset commits fail for a while (no
# offset is lost or committed ahead of the file; the commit succeeds once the broker recovers).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_broker_faults
it_need_cmd jq kcat
it_start_kafka --topic faults:2
out="$T/out.txt"
it_write_worker_props "$T/worker.properties" "offset.flush.interval.ms=500" \
    "value.converter=org.apache.kafka.connect.storage.StringConverter"
it_start_worker "$T/worker.properties"

unique() { if [ -f "$out" ]; then sort -u "$out" | wc -l | tr -d ' '; else echo 0; fi; }
has_unique() { [ "$(unique)" -ge "$1" ]; }
task_state() { it_http GET /connectors/faults/status | jq -r '.tasks[0].state'; }
committed() { it_http GET /connectors/faults/offsets | jq '[.offsets[].offset.kafka_offset] | add // 0'; }
committed_is() { [ "$(committed)" = "$1" ]; }

seq 1 500 | sed 's/^/a-/' >"$T/a.txt"
it_produce faults "$T/a.txt"
body=$(jq -n --arg f "$out" '{name:"faults",config:{"connector.class":"FileStreamSink",
    "topics":"faults","file":$f}}')
it_http_expect 201 POST /connectors "$body"
it_wait_for "the first 500 records" 40 has_unique 500
it_wait_for "offsets 500 committed" 20 committed_is 500

# The broker drops: the task keeps running (librdkafka reconnects), status stays RUNNING.
it_kafka_cmd broker down -1
sleep 3
[ "$(task_state)" = RUNNING ] || it_fail "task state while the broker is down: $(task_state)"
it_kafka_cmd broker up -1
it_pass "a broker outage leaves the task RUNNING"

seq 1 500 | sed 's/^/b-/' >"$T/b.txt"
it_produce faults "$T/b.txt"
it_wait_for "all 1000 records after the outage" 60 has_unique 1000
it_wait_for "offsets 1000 committed after the outage" 30 committed_is 1000
it_pass "records produced after the outage arrive; nothing lost"

# Offset commits fail (OffsetCommit = API key 8, NOT_COORDINATOR = 16) for a while.
it_kafka_cmd error 8 16 6
seq 1 300 | sed 's/^/c-/' >"$T/c.txt"
it_produce faults "$T/c.txt"
it_wait_for "all 1300 records with commits failing" 60 has_unique 1300
it_wait_for "offsets 1300 committed once commits succeed again" 40 committed_is 1300
[ "$(task_state)" = RUNNING ] || it_fail "task state after commit errors: $(task_state)"
it_pass "failed commits are retried at the next flush; the task stays RUNNING"

# Every produced record is in the file (duplicates allowed, losses not).
cat "$T/a.txt" "$T/b.txt" "$T/c.txt" | sort >"$T/want.txt"
sort -u "$out" >"$T/got.txt"
missing=$(comm -23 "$T/want.txt" "$T/got.txt" | wc -l)
[ "$missing" -eq 0 ] || it_fail "$missing records missing from the file"
it_pass "no record lost across outage and commit failures"

it_stop_worker
it_done
