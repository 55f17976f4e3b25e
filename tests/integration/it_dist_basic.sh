#!/usr/bin/env bash
# it_dist_basic.sh — a three-worker `sluice distributed` cluster on a 3-broker mock Kafka: 409
# before the first assignment (no known leader), a connector created through a follower
# (forwarded to the leader), tasks spread over the workers (distinct worker_id values), every
# worker answering status for the whole cluster, records reaching the file sink, pause/resume/
# restart/reconfigure/delete through a follower, the forward hop limit, the internal endpoints
# (signature missing → 400, wrong → 403; fence on a sink → 400), SIGTERM → exit 0.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/it_dist_lib.sh"

dist_init it_dist_basic
it_need_cmd jq curl kcat
dist_start_kafka --topic in1:6

# --- worker 1 alone, before its first assignment: leader-only requests get 409 (no leader)
dist_props 1
dist_start 1
dist_http 1 POST /connectors "$(dist_sink_config early "$T/early.txt" in1 1)" >/dev/null
if [ "$HTTP_CODE" = 409 ]; then
    it_expect_json .message "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
    it_pass "409 with Java's message before the first assignment"
else
    it_log "note: worker 1 was assigned before the early request (HTTP $HTTP_CODE); 409 not provoked"
fi
dist_props 2
dist_props 3
dist_start 2
dist_start 3
for i in 1 2 3; do
    it_wait_for "worker $i joins the group" 40 dist_joined "$i"
done
it_wait_for "one worker is the leader" 20 dist_leader
it_wait_for "GET / answers on every worker" 5 dist__up 3
leader=$(dist_leader)
follower=1
[ "$leader" = 1 ] && follower=2
it_log "leader is worker $leader, using worker $follower as the follower"
# a leader-only request still fails with 409 while the cluster settles; retry a little
create_via() {
    dist_http "$1" POST /connectors "$2" >/dev/null
    [ "$HTTP_CODE" = 201 ]
}
it_wait_for "POST /connectors through a follower answers 201" 30 \
    create_via "$follower" "$(dist_sink_config fs1 "$T/out1.txt" in1 3)"
it_expect_json .name fs1
it_expect_json .type sink

# --- every worker knows the connector; tasks spread over all three workers
for i in 1 2 3; do
    it_wait_for "worker $i lists fs1" 20 bash -c "curl -s ${DIST_REST[$i]}/connectors | grep -q fs1"
done
it_wait_for "fs1 has 3 RUNNING tasks" 45 dist_tasks_in_state 1 fs1 3 RUNNING
three_workers() { [ "$(dist_worker_ids "$1" fs1 | wc -l)" = 3 ]; }
it_wait_for "fs1's tasks run on three different workers" 30 three_workers 1
a=$(dist_status 1 fs1 | jq -c '[.tasks[] | [.id, .worker_id, .state]]')
for i in 2 3; do
    b=$(dist_status "$i" fs1 | jq -c '[.tasks[] | [.id, .worker_id, .state]]')
    [ "$a" = "$b" ] || it_fail "worker $i sees another status: $b vs $a"
done
it_pass "every worker reports the same cluster-wide status: $a"
dist_http_expect 200 "$follower" GET /connectors/fs1/tasks
[ "$(jq -r '.[0].config["task.class"]' <<<"$HTTP_BODY")" = org.apache.kafka.connect.file.FileStreamSinkTask ] ||
    it_fail "task config lacks task.class: $HTTP_BODY"
it_pass "task configs carry task.class and the connector config"

# --- records flow into the file
seq -f '%07g' 1 600 >"$T/lines"
it_produce in1 "$T/lines"
have_lines() { [ -f "$T/out1.txt" ] && [ "$(sort -u "$T/out1.txt" | wc -l)" -ge "$1" ]; }
it_wait_for "600 lines in the file sink" 30 have_lines 600
# KIP-558: the task that first consumed in1 wrote status-topic-in1:connector-fs1; any worker answers
topics_are() { dist_http "$1" GET /connectors/fs1/topics >/dev/null; [ "$(jq -c . <<<"$HTTP_BODY")" = "$2" ]; }
it_wait_for "GET /connectors/fs1/topics shows in1 on every worker" 20 topics_are 3 '{"fs1":{"topics":["in1"]}}'
IT_KCAT_FORMAT='%k\n' it_consume_all connect-status | grep -qx 'status-topic-in1:connector-fs1' ||
    it_fail "no status-topic-in1:connector-fs1 record in the status topic"
dist_http_expect 202 "$follower" PUT /connectors/fs1/topics/reset
it_wait_for "topics reset through a follower" 20 topics_are "$leader" '{"fs1":{"topics":[]}}'

# --- pause / resume / restart through a follower
dist_http_expect 202 "$follower" PUT /connectors/fs1/pause
it_wait_for "all tasks PAUSED" 20 dist_tasks_in_state "$leader" fs1 3 PAUSED
dist_http_expect 202 "$follower" PUT /connectors/fs1/resume
it_wait_for "all tasks RUNNING again" 20 dist_tasks_in_state "$leader" fs1 3 RUNNING
dist_http_expect 404 "$follower" PUT /connectors/nope/pause
it_expect_json .message "Unknown connector nope"
dist_http_retry 204 "$follower" POST /connectors/fs1/restart
dist_http_retry 202 "$follower" POST '/connectors/fs1/restart?includeTasks=true'
it_expect_json .connector.state RESTARTING
it_expect_json '[.tasks[].state] | unique | .[0]' RESTARTING
it_wait_for "tasks RUNNING after the restart" 20 dist_tasks_in_state 3 fs1 3 RUNNING
dist_http_retry 404 "$follower" POST /connectors/nope/restart
it_expect_json .message "Unknown connector: nope"
dist_http_retry 404 "$follower" POST /connectors/fs1/tasks/7/restart
it_expect_json .message "Unknown task: fs1-7"

# --- the forward hop limit: forward=false on a follower is a conflicting operation
dist_http_expect 409 "$follower" DELETE '/connectors/fs1?forward=false'
it_expect_json .message "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"

# --- reconfigure through a follower: 2 tasks
cfg='{"connector.class":"FileStreamSink","tasks.max":"2","topics":"in1","file":"'$T/out1.txt'"}'
dist_http_retry 200 "$follower" PUT /connectors/fs1/config "$cfg"
it_wait_for "fs1 runs 2 tasks after PUT config" 40 dist_tasks_in_state 1 fs1 2 RUNNING
dist_http_retry 201 "$follower" PUT /connectors/fs2/config \
    '{"connector.class":"FileStreamSink","topics":"in1","file":"'$T/out2.txt'"}'
dist_http_retry 409 "$follower" POST /connectors "$(dist_sink_config fs2 "$T/out2.txt" in1 1)"
it_expect_json .message "Connector fs2 already exists"
dist_http_retry 400 "$follower" POST /connectors '{"name":"bad","config":{"connector.class":"FileStreamSink"}}'

# --- internal endpoints: POST /connectors/{c}/tasks must be signed (sessioned protocol)
body='[{"task.class":"x","topics":"in1"}]'
code=$(curl -s -o "$T/int.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "$body" "${DIST_REST[$leader]}/connectors/fs1/tasks")
[ "$code" = 400 ] && grep -q 'Internal request missing required signature' "$T/int.body" ||
    it_fail "unsigned internal request: $code $(cat "$T/int.body")"
it_pass "an unsigned internal request gets 400"
code=$(curl -s -o "$T/int.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H 'X-Connect-Authorization: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' \
    -H 'X-Connect-Request-Signature-Algorithm: HmacSHA256' \
    --data-binary "$body" "${DIST_REST[$leader]}/connectors/fs1/tasks")
[ "$code" = 403 ] && grep -q 'Internal request contained invalid signature.' "$T/int.body" ||
    it_fail "wrongly signed internal request: $code $(cat "$T/int.body")"
it_pass "a wrongly signed internal request gets 403"
code=$(curl -s -o "$T/int.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H 'X-Connect-Authorization: AAAA' -H 'X-Connect-Request-Signature-Algorithm: HmacMD5' \
    --data-binary "$body" "${DIST_REST[$leader]}/connectors/fs1/tasks")
[ "$code" = 400 ] && grep -q "does not support the 'HmacMD5' key signing algorithm" "$T/int.body" ||
    it_fail "unsupported algorithm: $code $(cat "$T/int.body")"
it_pass "an unsupported signature algorithm gets 400"
# signed with the session key read back from the config topic: accepted (204)
key=$(IT_KCAT_FORMAT='%k\t%s\n' it_consume_all connect-configs | awk -F'\t' '$1 == "session-key" { v = $2 } END { print v }' | jq -r .key)
[ -n "$key" ] && [ "$key" != null ] || it_fail "no session-key record in connect-configs"
good='[{"task.class":"org.apache.kafka.connect.file.FileStreamSinkTask","connector.class":"FileStreamSink","tasks.max":"2","topics":"in1","file":"'$T/out1.txt'","name":"fs1"},{"task.class":"org.apache.kafka.connect.file.FileStreamSinkTask","connector.class":"FileStreamSink","tasks.max":"2","topics":"in1","file":"'$T/out1.txt'","name":"fs1"}]'
sig=$(printf '%s' "$good" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(printf '%s' "$key" | base64 -d | xxd -p -c 256)" -binary | base64)
code=$(curl -s -o "$T/int.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "X-Connect-Authorization: $sig" -H 'X-Connect-Request-Signature-Algorithm: HmacSHA256' \
    --data-binary "$good" "${DIST_REST[$follower]}/connectors/fs1/tasks")
[ "$code" = 204 ] || it_fail "correctly signed internal request via a follower: $code $(cat "$T/int.body")"
it_pass "a correctly signed internal request is forwarded to the leader and accepted (204)"
code=$(curl -s -o "$T/int.body" -w '%{http_code}' -X PUT \
    -H "X-Connect-Authorization: $(printf '' | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(printf '%s' "$key" | base64 -d | xxd -p -c 256)" -binary | base64)" \
    -H 'X-Connect-Request-Signature-Algorithm: HmacSHA256' "${DIST_REST[$leader]}/connectors/fs1/fence")
[ "$code" = 400 ] && grep -q 'Connector fs1 is not a source connector' "$T/int.body" ||
    it_fail "fence on a sink: $code $(cat "$T/int.body")"
it_pass "fence on a sink connector gets 400"

# --- the config topic holds Java's records
IT_KCAT_FORMAT='%k\t%s\n' it_consume_all connect-configs >"$T/configs.txt"
grep -q '^connector-fs1	{"properties":{' "$T/configs.txt" || it_fail "no connector-fs1 record"
grep -q '^commit-fs1	{"tasks":2}' "$T/configs.txt" || it_fail "no commit-fs1 {\"tasks\":2} record"
grep -q '^target-state-fs1	{"state":"PAUSED","state.v2":"PAUSED"}' "$T/configs.txt" ||
    it_fail "no target-state PAUSED record"
it_pass "connector, task, commit and target-state records in the config topic"

# --- delete through a follower: gone everywhere (config and status)
dist_http_retry 204 "$follower" DELETE /connectors/fs2
dist_http_retry 204 "$follower" DELETE /connectors/fs1
for i in 1 2 3; do
    gone() { dist_http "$1" GET /connectors/fs1/status >/dev/null; [ "$HTTP_CODE" = 404 ]; }
    it_wait_for "worker $i: fs1's status is gone" 20 gone "$i"
    # Java answers 500 "a rebalance is expected" until the rebalance the delete asked for is done
    info_gone() { dist_http "$1" GET /connectors/fs1 >/dev/null; [ "$HTTP_CODE" = 404 ]; }
    it_wait_for "worker $i: GET /connectors/fs1 answers 404" 30 info_gone "$i"
    it_expect_json .message "Connector fs1 not found"
done
dist_http_retry 404 "$follower" DELETE /connectors/fs1
it_expect_json .message "Connector fs1 not found"

# --- SIGTERM: every worker leaves the group and exits 0
for i in 3 2 1; do
    dist_stop "$i"
done
it_pass "SIGTERM: every worker left the group and exited 0"
it_done
