#!/usr/bin/env bash
# it_sink_errors.sh — the sink task's error handling: a put() that answers RETRY is redelivered
# the same batch until it succeeds (no loss, no duplicates); errors.tolerance=all sends a record the
# JsonConverter cannot read to the dead letter queue with Connect's __connect.errors.* headers and
# keeps going; errors.tolerance=none fails the task with a readable trace, for a converter failure
# and for a record the sink reports as errant. Uses the flaky_sink fixture plugin and the mock
# broker; must clean up every process it started, even on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_sink_errors
it_need_cmd jq
flaky="${SLUICE_FIXTURE_DIR:-}/flaky_sink.so"
[ -f "$flaky" ] || it_fail "fixture plugin not found: $flaky"

it_start_kafka --topic retry:1 --topic bad:1 --topic poison:1 --topic dlq:1 --topic dlq2:1
it_write_worker_props "$T/worker.properties" \
    "plugin.path=$flaky" \
    "offset.flush.interval.ms=500" \
    "consumer.session.timeout.ms=6000"
it_start_worker "$T/worker.properties"

count() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
has_lines() { [ "$(count "$1")" -ge "$2" ]; }
task_state() { it_http GET "/connectors/$1/status" | jq -r '.tasks[0].state'; }
task_is() { [ "$(task_state "$1")" = "$2" ]; }
create() {
    local body
    body=$(jq -n --arg n "$1" --argjson c "$2" '{name:$n,config:$c}')
    it_http_expect 201 POST /connectors "$body"
}

# 1. RETRY three times, then success: the same records, once each.
create flaky "$(jq -n --arg f "$T/flaky.txt" '{"connector.class":"FlakySink","topics":"retry",
    "file":$f,"retries":"3","retry.backoff.ms":"200",
    "value.converter":"org.apache.kafka.connect.storage.StringConverter"}')"
seq 1 50 >"$T/in.txt"
it_produce retry "$T/in.txt"
it_wait_for "50 lines after three retries" 60 has_lines "$T/flaky.txt" 50
sleep 1
cmp -s "$T/in.txt" "$T/flaky.txt" ||
    it_fail "retried batch lost or duplicated records: $(tr '\n' ' ' <"$T/flaky.txt")"
grep -q "asked to retry" "$WORKER_LOG" || it_fail "no retry logged"
it_wait_for "flaky task RUNNING" 10 task_is flaky RUNNING
it_pass "put() RETRY redelivered the same batch: 50 records, in order, no loss, no duplicates"

# 2. errors.tolerance=all: the poison record goes to the DLQ with its context headers.
printf '%s\n' '{"n":1}' 'this is not json' '{"n":2}' >"$T/bad.txt"
it_produce bad "$T/bad.txt" k
create tolerant "$(jq -n --arg f "$T/tolerant.txt" '{"connector.class":"FlakySink","topics":"bad",
    "file":$f,"errors.tolerance":"all","errors.log.enable":"true",
    "errors.log.include.messages":"true",
    "errors.deadletterqueue.topic.name":"dlq",
    "errors.deadletterqueue.context.headers.enable":"true"}')"
it_wait_for "the two good records" 60 has_lines "$T/tolerant.txt" 2
[ "$(head -1 "$T/tolerant.txt")" = '{"n":1}' ] ||
    it_fail "unexpected first line: $(cat "$T/tolerant.txt")"
dlq_value=$(it_consume dlq 1)
[ "$dlq_value" = "this is not json" ] || it_fail "DLQ holds '$dlq_value', not the original bytes"
IT_KCAT_FORMAT='%k|%h\n' it_consume dlq 1 >"$T/dlq.hdr"
hdrs=$(cat "$T/dlq.hdr")
for want in "__connect.errors.topic=bad" "__connect.errors.partition=0" \
    "__connect.errors.offset=1" "__connect.errors.connector.name=tolerant" \
    "__connect.errors.task.id=0" "__connect.errors.stage=VALUE_CONVERTER" \
    "__connect.errors.class.name=org.apache.kafka.connect.json.JsonConverter" \
    "__connect.errors.exception.class.name=org.apache.kafka.connect.errors.DataException" \
    "__connect.errors.exception.message=" "__connect.errors.exception.stacktrace="; do
    case "$hdrs" in
        *"$want"*) ;;
        *) it_fail "DLQ headers lack '$want': $hdrs" ;;
    esac
done
[ "${hdrs%%|*}" = k ] || it_fail "DLQ record lost its key: $hdrs"
grep -q "Error encountered in task tolerant-0. Executing stage 'VALUE_CONVERTER'" "$WORKER_LOG" ||
    it_fail "errors.log.enable did not log the failure"
it_wait_for "tolerant task RUNNING" 10 task_is tolerant RUNNING
it_pass "errors.tolerance=all: poison record in the DLQ with its __connect.errors.* headers"

# 3. errors.tolerance=none: the same poison fails the task with a readable trace.
create strict "$(jq -n '{"connector.class":"FlakySink","topics":"bad"}')"
it_wait_for "strict task FAILED" 60 task_is strict FAILED
trace=$(it_http GET /connectors/strict/status | jq -r '.tasks[0].trace')
case "$trace" in
    *"connector strict, task 0"*"VALUE_CONVERTER"*"Tolerance exceeded"*) ;;
    *) it_fail "unreadable trace: $trace" ;;
esac
it_pass "errors.tolerance=none: converter failure fails the task with trace '${trace%%$'\n'*}'"

# 4. A record the sink reports as errant with tolerance=none fails the task in put().
printf '%s\n' 'fine' 'poison pill' >"$T/poison.txt"
it_produce poison "$T/poison.txt"
create picky "$(jq -n '{"connector.class":"FlakySink","topics":"poison",
    "value.converter":"org.apache.kafka.connect.storage.StringConverter"}')"
it_wait_for "picky task FAILED" 60 task_is picky FAILED
trace=$(it_http GET /connectors/picky/status | jq -r '.tasks[0].trace')
case "$trace" in
    *"connector picky, task 0, in put()"*"poison record"*) ;;
    *) it_fail "unreadable trace: $trace" ;;
esac
it_pass "report_errant with tolerance=none fails the task in put()"

# 5. The same errant record with tolerance=all goes to the DLQ from the TASK_PUT stage.
create lenient "$(jq -n --arg f "$T/lenient.txt" '{"connector.class":"FlakySink","topics":"poison",
    "file":$f,"errors.tolerance":"all","errors.deadletterqueue.topic.name":"dlq2",
    "errors.deadletterqueue.context.headers.enable":"true",
    "value.converter":"org.apache.kafka.connect.storage.StringConverter"}')"
it_wait_for "the good record of the poison topic" 60 has_lines "$T/lenient.txt" 1
IT_KCAT_FORMAT='%s|%h\n' it_consume dlq2 1 >"$T/dlq2.txt"
case "$(cat "$T/dlq2.txt")" in
    "poison pill|"*"__connect.errors.stage=TASK_PUT"*"class.name=io.sluice.test.FlakySink"*) ;;
    *) it_fail "unexpected DLQ record for an errant put: $(cat "$T/dlq2.txt")" ;;
esac
it_wait_for "lenient task RUNNING" 10 task_is lenient RUNNING
it_pass "report_errant with tolerance=all: the record reaches the DLQ from stage TASK_PUT"

it_stop_worker
it_done
