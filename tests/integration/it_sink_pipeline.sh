#!/usr/bin/env bash
# it_sink_pipeline.sh — the sink data path end to end: records produced to a 4-partition topic
# come out as file lines through FileStreamSink with tasks.max=2, both tasks RUNNING, offsets
# committed to the connect-<name> group (GET /connectors/x/offsets sums to what was produced), the
# topic is tracked, pause/resume stops and restarts delivery without loss, and the offsets of the
# STOPPED connector can be altered and reset.
# Uses the mock Kafka broker; must clean up every process it started, even on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_sink_pipeline
it_need_cmd jq
[ -n "$(it_plugin_path)" ] || it_fail "no built plugins under $SLUICE_BUILD_PLUGINS"

it_start_kafka --topic pipe:4
out="$T/out.txt"
it_write_worker_props "$T/worker.properties" \
    "offset.flush.interval.ms=500" \
    "consumer.session.timeout.ms=6000"
it_start_worker "$T/worker.properties"

lines() { if [ -f "$out" ]; then wc -l <"$out" | tr -d ' '; else echo 0; fi; }
unique() { if [ -f "$out" ]; then sort -u "$out" | wc -l | tr -d ' '; else echo 0; fi; }
has_unique() { [ "$(unique)" -ge "$1" ]; }
task_states() { it_http GET /connectors/pipe/status | jq -r '[.tasks[].state] | join(",")'; }
tasks_are() { [ "$(task_states)" = "$1" ]; }
connector_is() { [ "$(it_http GET /connectors/pipe/status | jq -r .connector.state)" = "$1" ]; }
committed_sum() {
    it_http GET /connectors/pipe/offsets | jq '[.offsets[].offset.kafka_offset] | add // 0'
}
committed_is() { [ "$(committed_sum)" = "$1" ]; }

body=$(jq -n --arg f "$out" '{name:"pipe",config:{"connector.class":"FileStreamSink",
    "tasks.max":"2","topics":"pipe","file":$f,
    "value.converter":"org.apache.kafka.connect.storage.StringConverter"}}')
it_http_expect 201 POST /connectors "$body"
it_wait_for "two RUNNING tasks" 30 tasks_are RUNNING,RUNNING

seq 1 1000 >"$T/in.txt"
it_produce pipe "$T/in.txt" lineno
it_wait_for "1000 distinct records in the file" 60 has_unique 1000
sort -n "$out" | uniq >"$T/got.txt"
cmp -s "$T/in.txt" "$T/got.txt" || it_fail "file content differs from 1..1000"
it_pass "1000 records over 4 partitions reached the file ($(lines) lines, $(unique) distinct)"

it_wait_for "committed offsets summing to 1000" 30 committed_is 1000
it_http_expect 200 GET /connectors/pipe/offsets
[ "$(it_json '.offsets | length')" = 4 ] || it_fail "expected 4 partitions in offsets: $HTTP_BODY"
it_expect_json '[.offsets[].partition.kafka_topic] | unique' '["pipe"]'
it_pass "GET /connectors/pipe/offsets shows the committed offsets of all 4 partitions"

it_http_expect 200 GET /connectors/pipe/topics
it_expect_json '.pipe.topics' '["pipe"]'

# Pause: nothing is delivered; resume: everything produced meanwhile arrives.
it_http_expect 202 PUT /connectors/pipe/pause
it_wait_for "two PAUSED tasks" 20 tasks_are PAUSED,PAUSED
sleep 1 # the status may say PAUSED before a batch already polled has been put
before=$(unique)
seq 1001 1100 >"$T/in2.txt"
it_produce pipe "$T/in2.txt" lineno
sleep 3
[ "$(unique)" -eq "$before" ] ||
    it_fail "a paused connector delivered records: $(unique) distinct lines"
it_pass "paused tasks deliver nothing"
it_http_expect 202 PUT /connectors/pipe/resume
it_wait_for "two RUNNING tasks after resume" 20 tasks_are RUNNING,RUNNING
it_wait_for "1100 distinct records after resume" 60 has_unique 1100
it_wait_for "committed offsets summing to 1100" 30 committed_is 1100
it_pass "resumed tasks delivered and committed the records produced while paused"

# Offsets of a STOPPED connector can be altered and reset (KIP-875) through the consumer group.
it_http_expect 204 PUT /connectors/pipe/stop
it_wait_for "connector STOPPED" 20 connector_is STOPPED
alter='{"offsets":[{"partition":{"kafka_topic":"pipe","kafka_partition":0},
    "offset":{"kafka_offset":5}}]}'
it_http_expect 200 PATCH /connectors/pipe/offsets "$alter"
it_http_expect 200 GET /connectors/pipe/offsets
it_expect_json '[.offsets[] | select(.partition.kafka_partition == 0) | .offset.kafka_offset]' '[5]'
it_http_expect 200 DELETE /connectors/pipe/offsets
it_http_expect 200 GET /connectors/pipe/offsets
# A broker without OffsetDelete (the mock) gets the earliest offsets committed instead.
sum=$(it_json '[.offsets[].offset.kafka_offset] | add // 0')
[ "$sum" = 0 ] || it_fail "offsets not reset: $HTTP_BODY"
it_pass "PATCH and DELETE /connectors/pipe/offsets alter and reset the group's offsets"

it_http_expect 204 DELETE /connectors/pipe
it_stop_worker
it_done
