#!/usr/bin/env bash
# it_dist_restart.sh — everything a distributed cluster knows lives in Kafka: three connectors
# (one RUNNING, one created PAUSED, one STOPPED through a follower, which writes an empty task set)
# are created, every worker is stopped with SIGTERM (exit 0), and a new set of workers (running
# the eager protocol this time) reads the config and status topics back: the same connectors,
# configs and target states, the running one resumes where it stopped (sink offsets in its
# consumer group), and offsets can be read back.
# Also: a worker started with a bad config topic name fails cleanly, and the GETs of an unknown
# connector answer Java's 404 messages.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/it_dist_lib.sh"

dist_init it_dist_restart
it_need_cmd jq curl kcat
dist_start_kafka --topic in3:4

# a 4 s session-key TTL: the leader rotates the key while followers sign their task configs
for i in 1 2; do
    dist_props "$i" inter.worker.key.ttl.ms=4000
    dist_start "$i"
done
for i in 1 2; do
    it_wait_for "worker $i joins the group" 40 dist_joined "$i"
done
dist_http_retry 201 2 POST /connectors "$(dist_sink_config run "$T/run.txt" in3 2)"
dist_http_retry 201 2 POST /connectors \
    '{"name":"paused","config":{"connector.class":"FileStreamSink","topics":"in3","file":"'$T/paused.txt'"},"initial_state":"PAUSED"}'
dist_http_retry 201 1 POST /connectors "$(dist_sink_config stopped "$T/stopped.txt" in3 2)"
it_wait_for "run has 2 RUNNING tasks" 45 dist_tasks_in_state 1 run 2 RUNNING
it_wait_for "stopped has 2 RUNNING tasks before the stop" 45 dist_tasks_in_state 1 stopped 2 RUNNING
follower=1
[ "$(dist_leader)" = 1 ] && follower=2
dist_http_retry 204 "$follower" PUT /connectors/stopped/stop
conn_state() { [ "$(it_json .connector.state "$(dist_status "$1" "$2")")" = "$3" ]; }
it_wait_for "stopped is STOPPED with no tasks" 30 dist_tasks_in_state 1 stopped 0 RUNNING
it_wait_for "stopped's connector state is STOPPED" 30 conn_state 1 stopped STOPPED
it_wait_for "paused has a PAUSED task" 45 dist_tasks_in_state 2 paused 1 PAUSED
seq -f '%07g' 1 500 >"$T/a"
it_produce in3 "$T/a"
have_lines() { [ -f "$1" ] && [ "$(sort -u "$1" | wc -l)" -ge "$2" ]; }
it_wait_for "500 lines in run.txt" 30 have_lines "$T/run.txt" 500
[ ! -s "$T/paused.txt" ] || it_fail "the PAUSED connector wrote records"
dist_http_retry 200 1 GET /connectors/run/config
cfg_before=$HTTP_BODY
IT_KCAT_FORMAT='%k\t%s\n' it_consume_all connect-configs >"$T/configs.txt"
grep -q '^target-state-stopped	{"state":"PAUSED","state.v2":"STOPPED"}' "$T/configs.txt" ||
    it_fail "no STOPPED target-state record (state PAUSED, state.v2 STOPPED)"
grep -q '^commit-stopped	{"tasks":0}' "$T/configs.txt" || it_fail "no empty commit for the stop"
it_pass "stop wrote an empty commit and a STOPPED target state"
nkeys=$(grep -c '^session-key	{"key":"[A-Za-z0-9+/]*=*","algorithm":"HmacSHA256","creation-timestamp":[0-9]*}$' "$T/configs.txt")
[ "$nkeys" -ge 2 ] || it_fail "the session key was not rotated (inter.worker.key.ttl.ms=4000): $nkeys record(s)"
it_pass "the leader rotated the session key ($nkeys session-key records)"
sleep 2 # let the sink commit its offsets (offset.flush.interval.ms=1000)

# --- stop every worker: exit 0, and nothing is left but the topics
dist_stop 2
dist_stop 1
it_pass "both workers exited 0 on SIGTERM"

# --- a fresh cluster reads everything back; it runs the eager protocol ("default": stop
# everything before each rebalance, full assignments, no request signing)
for i in 3 4; do
    dist_props "$i" connect.protocol=eager
    dist_start "$i"
done
for i in 3 4; do
    it_wait_for "worker $i joins the group" 40 dist_joined "$i"
done
grep -q 'protocol default' "${DIST_LOG[3]}" || it_fail "the new cluster did not run the eager protocol"
dist_http_expect 200 3 GET /connectors
[ "$(jq -c 'sort' <<<"$HTTP_BODY")" = '["paused","run","stopped"]' ] ||
    it_fail "connectors after the restart: $HTTP_BODY"
it_pass "the three connectors came back from the config topic"
cfg_ok() { dist_http 4 GET /connectors/run/config >/dev/null; [ "$HTTP_BODY" = "$cfg_before" ]; }
it_wait_for "run's config is the same" 30 cfg_ok
it_wait_for "run has 2 RUNNING tasks again" 45 dist_tasks_in_state 3 run 2 RUNNING
it_wait_for "paused is still PAUSED" 45 dist_tasks_in_state 4 paused 1 PAUSED
it_wait_for "stopped is still STOPPED with no tasks" 30 conn_state 3 stopped STOPPED
dist_tasks_in_state 3 stopped 0 RUNNING || it_fail "stopped has tasks: $(dist_status 3 stopped)"
seq -f '%07g' 501 800 >"$T/b"
it_produce in3 "$T/b"
it_wait_for "run resumes: 800 lines in run.txt" 30 have_lines "$T/run.txt" 800
dups=$(sort "$T/run.txt" | uniq -d | wc -l)
it_log "run.txt: $(wc -l <"$T/run.txt") lines, $dups replayed after the restart (at least once)"

# --- offsets of the stopped sink can be read; altering them goes through the leader
dist_http_expect 200 3 GET /connectors/stopped/offsets
jq -e '.offsets | type == "array"' <<<"$HTTP_BODY" >/dev/null || it_fail "offsets: $HTTP_BODY"
dist_http_retry 400 4 DELETE /connectors/run/offsets
it_expect_json .message "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/run/stop' endpoint"

# --- unknown connectors: Java's 404 messages on every read
dist_http_expect 404 4 GET /connectors/nope/status
it_expect_json .message "No status found for connector nope"
dist_http_retry 404 4 GET /connectors/nope/config
it_expect_json .message "Connector nope not found"
dist_http_expect 404 4 GET /connectors/run/tasks/9/status
it_expect_json .message "No status found for task run-9"

# --- resume the stopped connector through a follower: its tasks come back
dist_http_expect 202 3 PUT /connectors/stopped/resume
it_wait_for "stopped runs 2 tasks after resume" 45 dist_tasks_in_state 4 stopped 2 RUNNING

# --- a worker whose config topic has more than one partition refuses to start
dist_props 5 config.storage.topic=in3
"$SLUICE_BIN" distributed "${DIST_PROPS[5]}" >"$T/w5.log" 2>&1 </dev/null &
pid5=$!
it__wait_gone "$pid5" 40 || { kill -KILL "$pid5"; it_fail "worker 5 did not exit on a bad config topic"; }
wait "$pid5"
rc5=$?
[ "$rc5" -ne 0 ] && grep -qi 'partition' "$T/w5.log" ||
    it_fail "bad config topic: rc=$rc5 $(tail -n 3 "$T/w5.log")"
it_pass "a config topic with 4 partitions is refused (exit $rc5)"
it_done
