#!/usr/bin/env bash
# it_dist_failover.sh — work moves in a three-worker cluster: kill -9 a worker while records flow;
# after session.timeout.ms and scheduled.rebalance.max.delay.ms its tasks run on the survivors
# and every produced line reaches the file sink (at least once). Then a new worker joins
# mid-stream and takes a share (incremental cooperative rebalancing): the others' remaining tasks
# keep running and are not restarted.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/it_dist_lib.sh"

dist_init it_dist_failover
it_need_cmd jq curl kcat
dist_start_kafka --topic in2:6

for i in 1 2 3; do
    dist_props "$i"
    dist_start "$i"
done
for i in 1 2 3; do
    it_wait_for "worker $i joins the group" 40 dist_joined "$i"
done
dist_http_retry 201 1 POST /connectors "$(dist_sink_config fo "$T/out.txt" in2 6)"
it_wait_for "fo has 6 RUNNING tasks" 45 dist_tasks_in_state 1 fo 6 RUNNING
three_workers() { [ "$(dist_worker_ids 1 fo | wc -l)" = 3 ]; }
it_wait_for "fo's tasks run on three workers" 30 three_workers

seq -f '%07g' 1 1000 >"$T/a"
it_produce in2 "$T/a"
have_lines() { [ -f "$T/out.txt" ] && [ "$(sort -u "$T/out.txt" | wc -l)" -ge "$1" ]; }
it_wait_for "the first 1000 lines in the file" 30 have_lines 1000

# --- kill -9 a follower while more records arrive
leader=$(dist_leader)
victim=3
[ "$leader" = 3 ] && victim=2
victim_id=${DIST_REST[$victim]#http://}
it_log "killing worker $victim ($victim_id); leader is worker $leader"
dist_kill "$victim"
seq -f '%07g' 1001 2000 >"$T/b"
it_produce in2 "$T/b"
survivors_run_all() {
    local body ids
    body=$(dist_status "$leader" fo)
    [ "$(it_json '[.tasks[] | select(.state == "RUNNING")] | length' "$body")" = 6 ] || return 1
    ids=$(it_json '[.tasks[].worker_id] | unique | .[]' "$body")
    ! grep -qx "$victim_id" <<<"$ids"
}
it_wait_for "the dead worker's tasks run on the survivors" 45 survivors_run_all
it_wait_for "all 2000 lines in the file (nothing lost)" 30 have_lines 2000
seq -f '%07g' 1 2000 | sort >"$T/want"
sort -u "$T/out.txt" >"$T/got"
comm -23 "$T/want" "$T/got" >"$T/missing"
[ ! -s "$T/missing" ] || it_fail "lines missing from the sink: $(head -n 5 "$T/missing" | tr '\n' ' ')"
it_pass "every produced line is in the file sink after the crash"

# --- a new worker joins mid-stream and takes a share without restarting the others' tasks
starts_before=$(cat "${DIST_LOG[@]}" 2>/dev/null | grep -c 'Starting task' || true)
declare -A before_count
for i in 1 2 3; do
    [ -n "${DIST_PID[$i]:-}" ] || continue
    before_count[$i]=$(grep -c 'Starting task' "${DIST_LOG[$i]}")
done
dist_props 4
dist_start 4
new_id=${DIST_REST[4]#http://}
has_share() { dist_worker_ids "$leader" fo | grep -qx "$new_id"; }
it_wait_for "the new worker runs a share of fo's tasks" 45 has_share
it_wait_for "fo has 6 RUNNING tasks again" 30 dist_tasks_in_state "$leader" fo 6 RUNNING
for i in "${!before_count[@]}"; do
    now=$(grep -c 'Starting task' "${DIST_LOG[$i]}")
    [ "$now" = "${before_count[$i]}" ] ||
        it_fail "worker $i restarted tasks when worker 4 joined ($now vs ${before_count[$i]} starts)"
done
it_pass "the workers that were there kept their remaining tasks (no restarts; $starts_before starts before)"
seq -f '%07g' 2001 3000 >"$T/c"
it_produce in2 "$T/c"
it_wait_for "all 3000 lines in the file" 30 have_lines 3000
it_done
