#!/usr/bin/env bash
# it_task_seek.sh — ABI 1.1 task_seek (Java's SinkTaskContext.offset): a sink that asks in open()
# to start its partitions at offset 40 gets exactly the records from 40 on, and the group commits
# past them; a sink that rewinds to 0 from put() gets every record again after its first batch.
# Uses the flaky_sink fixture plugin and the mock broker.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_task_seek
it_need_cmd jq
flaky="${SLUICE_FIXTURE_DIR:-}/flaky_sink.so"
[ -f "$flaky" ] || it_fail "fixture plugin not found: $flaky"

it_start_kafka --topic seek:1 --topic rewind:1
it_write_worker_props "$T/worker.properties" \
    "plugin.path=$flaky" \
    "offset.flush.interval.ms=500" \
    "consumer.session.timeout.ms=6000"
it_start_worker "$T/worker.properties"

count() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
has_lines() { [ "$(count "$1")" -ge "$2" ]; }
create() {
    local body
    body=$(jq -n --arg n "$1" --argjson c "$2" '{name:$n,config:$c}')
    it_http_expect 201 POST /connectors "$body"
}
committed() {
    [ "$(it_http GET "/connectors/$1/offsets" | jq -r '.offsets[0].offset.kafka_offset')" = "$2" ]
}

seq 1 50 >"$T/in.txt"
it_produce seek "$T/in.txt"
it_produce rewind "$T/in.txt"

# 1. open() asks for offset 40: records 41..50 (offsets 40..49), nothing before.
create seeker "$(jq -n --arg f "$T/seek.txt" '{"connector.class":"FlakySink","topics":"seek",
    "file":$f,"seek.offset":"40",
    "value.converter":"org.apache.kafka.connect.storage.StringConverter"}')"
it_wait_for "10 records from offset 40" 60 has_lines "$T/seek.txt" 10
sleep 1
seq 41 50 | cmp -s - "$T/seek.txt" ||
    it_fail "seek in open() delivered: $(tr '\n' ' ' <"$T/seek.txt")"
grep -q "Starting seek-0 at offset 40 as the task asked" "$WORKER_LOG" ||
    it_fail "the seek was not logged"
it_http_expect 204 PUT /connectors/seeker/stop
it_wait_for "offset 50 committed for the seeker" 30 committed seeker 50
it_pass "task_seek in open(): the partition started at offset 40 and 50 was committed"

# 2. put() rewinds to 0 once: the first batch, then all 50 again in order.
create rewinder "$(jq -n --arg f "$T/rewind.txt" '{"connector.class":"FlakySink","topics":"rewind",
    "file":$f,"rewind.once.to":"0",
    "value.converter":"org.apache.kafka.connect.storage.StringConverter"}')"
first=0
enough() { [ "$(count "$T/rewind.txt")" -gt 50 ] && tail -n 50 "$T/rewind.txt" | cmp -s - "$T/in.txt"; }
it_wait_for "every record again after the rewind" 60 enough
first=$(($(count "$T/rewind.txt") - 50))
head -n "$first" "$T/rewind.txt" | cmp -s - <(head -n "$first" "$T/in.txt") ||
    it_fail "the first batch is not 1..$first: $(head -n "$first" "$T/rewind.txt" | tr '\n' ' ')"
it_pass "task_seek in put(): rewound to 0 after a first batch of $first, then 1..50 again"
it_done
