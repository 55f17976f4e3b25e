#!/usr/bin/env bash
# it_dist_faults.sh — the group coordinator's broker goes down (fault injection in the mock): the
# workers notice, find the new coordinator, rejoin, and the cluster runs every task again with no
# record lost. Data and internal-topic partitions are led by broker 1 so only the group
# coordinator is affected. Also: group requests failing with COORDINATOR_NOT_AVAILABLE for a
# while, a worker whose bootstrap servers are unreachable exits on SIGTERM during start-up, and
# the leader crashing (kill -9): a new leader serves leader-only requests and runs its tasks.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/it_dist_lib.sh"

dist_init it_dist_faults
it_need_cmd jq curl kcat
dist_start_kafka --topic in4:4
for p in 0; do it_kafka_cmd leader connect-configs $p 1 >/dev/null; done
for p in 0 1 2 3 4; do
    it_kafka_cmd leader connect-status $p 1 >/dev/null
    it_kafka_cmd leader connect-offsets $p 1 >/dev/null
done
for p in 0 1 2 3; do it_kafka_cmd leader in4 $p 1 >/dev/null; done
it_kafka_cmd coordinator group "$DIST_GROUP" 2 >/dev/null
it_kafka_cmd coordinator group connect-ff 1 >/dev/null

for i in 1 2; do
    dist_props "$i"
    dist_start "$i"
done
for i in 1 2; do
    it_wait_for "worker $i joins the group" 40 dist_joined "$i"
done
grep -q 'coordinator is broker 2' "${DIST_LOG[1]}" || it_fail "the group coordinator is not broker 2"
dist_http_retry 201 1 POST /connectors "$(dist_sink_config ff "$T/out.txt" in4 2)"
it_wait_for "ff has 2 RUNNING tasks" 45 dist_tasks_in_state 1 ff 2 RUNNING
seq -f '%07g' 1 300 >"$T/a"
it_produce in4 "$T/a"
have_lines() { [ -f "$T/out.txt" ] && [ "$(sort -u "$T/out.txt" | wc -l)" -ge "$1" ]; }
it_wait_for "300 lines in the file" 30 have_lines 300

# --- the coordinator's broker goes down; the group moves to broker 3
gen_of() { grep -o 'Joined group at generation [0-9]*' "${DIST_LOG[$1]}" | tail -n 1 | grep -o '[0-9]*$'; }
gen_before=$(gen_of 1)
it_kafka_cmd broker down 2 >/dev/null
it_kafka_cmd coordinator group "$DIST_GROUP" 3 >/dev/null
# The members look the coordinator up again; the group (generation, members) carries over to
# the new coordinator as it does in Kafka, or the members rejoin when it does not.
moved() { grep -q 'coordinator is broker 3' "${DIST_LOG[$1]}"; }
for i in 1 2; do
    it_wait_for "worker $i finds the new coordinator (broker 3)" 40 moved "$i"
done
it_wait_for "ff runs 2 tasks again" 45 dist_tasks_in_state 1 ff 2 RUNNING
seq -f '%07g' 301 600 >"$T/b"
# kcat would report the dead broker in the bootstrap list as an error: produce through broker 1
all_brokers=$BOOTSTRAP
BOOTSTRAP=${BOOTSTRAP%%,*}
it_produce in4 "$T/b"
BOOTSTRAP=$all_brokers
it_wait_for "all 600 lines in the file after the coordinator failover" 30 have_lines 600
it_kafka_cmd broker up 2 >/dev/null
it_log "generation before the failover: $gen_before, now: $(gen_of 1)"

# --- group requests fail for a while (COORDINATOR_NOT_AVAILABLE) during a rebalance that the new
# coordinator runs: the members retry, and the reconfiguration takes effect
it_kafka_cmd error Heartbeat COORDINATOR_NOT_AVAILABLE 3 >/dev/null
it_kafka_cmd error JoinGroup COORDINATOR_NOT_AVAILABLE 3 >/dev/null
dist_http_retry 200 2 PUT /connectors/ff/config \
    '{"connector.class":"FileStreamSink","tasks.max":"3","topics":"in4","file":"'$T/out.txt'"}'
it_wait_for "ff runs 3 tasks after the errors" 60 dist_tasks_in_state 2 ff 3 RUNNING
seq -f '%07g' 601 900 >"$T/c"
it_produce in4 "$T/c"
it_wait_for "all 900 lines in the file" 30 have_lines 900
it_pass "the cluster recovered from coordinator errors and the reconfiguration took effect"

# --- SIGTERM during start-up (Kafka unreachable) ends the worker at once with status 0
dist_props 3 bootstrap.servers=127.0.0.1:1
"$SLUICE_BIN" distributed "${DIST_PROPS[3]}" >"$T/w3.log" 2>&1 </dev/null &
pid3=$!
sleep 1
kill -TERM "$pid3"
it__wait_gone "$pid3" 10 || { kill -KILL "$pid3"; it_fail "worker 3 ignored SIGTERM during start-up"; }
wait "$pid3"
rc3=$?
[ "$rc3" -eq 0 ] || it_fail "worker 3 exited $rc3 on SIGTERM during start-up"
it_pass "SIGTERM during start-up exits 0"
# --- the leader crashes: the survivors elect a new one, which serves leader-only requests and runs
# the dead leader's tasks after the scheduled rebalance delay
dist_props 4
dist_start 4
it_wait_for "worker 4 joins the group" 40 dist_joined 4
leader=$(dist_leader)
[ -n "$leader" ] || it_fail "no leader among the workers"
dead_id=${DIST_REST[$leader]#http://}
it_log "killing the leader, worker $leader ($dead_id)"
dist_kill "$leader"
survivor=4
[ "$leader" = 4 ] && survivor=2
dist_http_retry 201 "$survivor" POST /connectors "$(dist_sink_config ff2 "$T/out2.txt" in4 1)"
it_pass "a new leader serves POST /connectors after the old one crashed"
no_dead() {
    local body
    body=$(dist_status "$survivor" ff)
    [ "$(it_json '[.tasks[] | select(.state == "RUNNING")] | length' "$body")" = 3 ] &&
        ! it_json '[.tasks[].worker_id] | unique | .[]' "$body" | grep -qx "$dead_id"
}
it_wait_for "ff's tasks run on the survivors" 45 no_dead
it_wait_for "ff2 runs its task" 45 dist_tasks_in_state "$survivor" ff2 1 RUNNING
for i in 4 2 1; do
    [ -n "${DIST_PID[$i]:-}" ] && dist_stop "$i"
done
it_done
