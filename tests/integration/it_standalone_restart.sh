#!/usr/bin/env bash
# it_standalone_restart.sh — a standalone worker keeps its connectors across restarts (beyond
# Java, which forgets REST-created ones): a file sink created over REST comes back after a restart
# with no connector arguments, picks up records produced while it was down with no loss and no
# duplicates, and a paused connector is still PAUSED after a restart.
# Uses the mock Kafka broker; must clean up every process it started, even on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_standalone_restart

plugin_so=$(find "$SLUICE_BUILD_PLUGINS" -name 'sluice_file_sink.so' 2>/dev/null | head -1)
[ -n "$plugin_so" ] || it_fail "sluice_file_sink.so not found under $SLUICE_BUILD_PLUGINS"

it_start_kafka --topic restart-test:1
topic=restart-test
out="$IT_TMP/out.txt"

it_write_worker_props "$IT_TMP/worker.properties" \
    "key.converter=org.apache.kafka.connect.storage.StringConverter" \
    "value.converter=org.apache.kafka.connect.storage.StringConverter" \
    "offset.storage.file.filename=$IT_TMP/state/connect.offsets" \
    "offset.flush.interval.ms=500" \
    "consumer.session.timeout.ms=6000" \
    "consumer.heartbeat.interval.ms=500"

lines() { [ -f "$out" ] && wc -l <"$out" | tr -d ' ' || echo 0; }
has_lines() { [ "$(lines)" -ge "$1" ]; }
conn_state() { it_json .connector.state "$(it_http GET /connectors/fs/status)"; }
task_state() { it_json '.tasks[0].state' "$(it_http GET /connectors/fs/status)"; }
state_is() { [ "$(conn_state)" = "$1" ] && [ "$(task_state)" = "$1" ]; }

# 1. Create the connector over REST and see records arrive.
it_start_worker "$IT_TMP/worker.properties"
body='{"name":"fs","config":{"connector.class":"FileStreamSink","tasks.max":"1",'
body+='"topics":"'$topic'","file":"'$out'"}}'
it_http_expect 201 POST /connectors "$body"
it_wait_for 20 state_is RUNNING || it_fail "connector did not reach RUNNING: $(it_http GET /connectors/fs/status)"

it_produce "$topic" $(seq 1 10)
it_wait_for 30 has_lines 10 || it_fail "expected 10 lines, got $(lines)"
it_pass "10 records reached the file before the restart"

# 2. Stop the worker; produce while it is down.
it_stop_worker || it_fail "worker did not exit 0 on SIGTERM"
[ -s "$IT_TMP/state/connectors.json" ] || it_fail "no state file in $IT_TMP/state"
it_produce "$topic" $(seq 11 20)

# 3. Start again with no connector arguments: the connector is back, the new records arrive.
it_start_worker "$IT_TMP/worker.properties"
names=$(it_http GET /connectors)
[ "$names" = '["fs"]' ] || it_fail "connector not restored: GET /connectors = $names"
cfg_file=$(it_json .file "$(it_http GET /connectors/fs/config)")
[ "$cfg_file" = "$out" ] || it_fail "restored config differs: file=$cfg_file"
it_wait_for 45 has_lines 20 || it_fail "expected 20 lines after restart, got $(lines)"
sleep 1
if [ "$(sort -n "$out" | tr '\n' ' ')" != "$(seq 1 20 | tr '\n' ' ')" ]; then
    it_fail "file content is not exactly 1..20 (loss or duplicates): $(tr '\n' ' ' <"$out")"
fi
it_pass "restored connector delivered the records produced while down, no loss, no duplicates"

# 4. Pause, restart the worker: still PAUSED, nothing delivered until resumed.
it_http_expect 202 PUT /connectors/fs/pause
it_wait_for 20 state_is PAUSED || it_fail "connector did not reach PAUSED: $(it_http GET /connectors/fs/status)"
it_stop_worker || it_fail "worker did not exit 0 on SIGTERM (paused)"
it_start_worker "$IT_TMP/worker.properties"
it_wait_for 10 state_is PAUSED || it_fail "connector is not PAUSED after restart: $(it_http GET /connectors/fs/status)"
it_pass "paused connector is still PAUSED after a restart"

it_produce "$topic" $(seq 21 25)
sleep 2
[ "$(lines)" -eq 20 ] || it_fail "a paused connector delivered records: $(lines) lines"
it_http_expect 202 PUT /connectors/fs/resume
it_wait_for 20 state_is RUNNING || it_fail "connector did not resume: $(it_http GET /connectors/fs/status)"
it_wait_for 45 has_lines 25 || it_fail "expected 25 lines after resume, got $(lines)"
it_pass "resumed connector delivered the records produced while paused"

# 5. A deleted connector stays deleted across a restart.
it_http_expect 204 DELETE /connectors/fs
it_stop_worker || it_fail "worker did not exit 0 on SIGTERM (after delete)"
it_start_worker "$IT_TMP/worker.properties"
names=$(it_http GET /connectors)
[ "$names" = '[]' ] || it_fail "deleted connector came back: $names"
it_pass "a deleted connector stays deleted after a restart"

it_stop_worker || it_fail "worker did not exit 0 on the final SIGTERM"
it_done
