# shellcheck shell=bash
# it_dist_lib.sh — helpers for the distributed-mode tests (it_dist_*.sh), sourced after lib.sh:
# a cluster of `sluice distributed` workers on one mock Kafka (three internal topics pre-created,
# since the mock has no CreateTopics), one REST URL per worker, and status queries. Every worker
# it starts is stopped by the EXIT trap (before lib.sh's own cleanup), even on failure.
#
# Variables: DIST_PID[i], DIST_REST[i], DIST_LOG[i], DIST_PROPS[i] for worker i (1-based).
#
# Records are produced as fixed-width 8-byte lines (seq -f '%07g'): the file sink's tasks in
# several processes append to one file through stdio, whose write()s fall on 4096-byte
# boundaries; with 8-byte lines those boundaries are line boundaries, so lines from different
# workers never interleave inside a line and "every line present" can be checked exactly.

declare -a DIST_PID DIST_REST DIST_LOG DIST_PROPS
DIST_GROUP=sluice-it
DIST_TOPICS=(--topic connect-configs:1 --topic connect-status:5 --topic connect-offsets:5)

dist__cleanup() {
    local rc=$? i
    if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "$T" ]; then
        dist__stacks
    fi
    for i in "${!DIST_PID[@]}"; do
        if [ -n "${DIST_PID[$i]}" ] && kill -0 "${DIST_PID[$i]}" 2>/dev/null; then
            kill -KILL "${DIST_PID[$i]}" 2>/dev/null
            wait "${DIST_PID[$i]}" 2>/dev/null
        fi
    done
    if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "$T" ]; then
        for i in "${!DIST_LOG[@]}"; do
            printf -- '--- last 25 lines of %s\n' "${DIST_LOG[$i]}" >&2
            tail -n 25 "${DIST_LOG[$i]}" >&2 2>/dev/null
        done
    fi
    (exit $rc)
    it__cleanup
}

# dist__stacks — on failure, every live worker's threads (it__stacks): a hung worker shows where
# it waits.
dist__stacks() {
    local i
    for i in "${!DIST_PID[@]}"; do
        [ -n "${DIST_PID[$i]}" ] && kill -0 "${DIST_PID[$i]}" 2>/dev/null || continue
        it__stacks "${DIST_PID[$i]}" "worker $i" "$T/w$i.stacks"
    done
}

# dist_init NAME — it_init plus the cluster's cleanup trap.
dist_init() {
    it_init "$1"
    trap dist__cleanup EXIT
}

# dist_start_kafka [more it_start_kafka args] — 3 brokers and the internal topics.
dist_start_kafka() {
    it_start_kafka --brokers 3 "${DIST_TOPICS[@]}" "$@"
}

# dist_props I [KEY=VALUE...] — worker I's properties: lib.sh's defaults plus the distributed keys
# with short group timers (session 6 s, heartbeat 1 s, scheduled rebalance delay 3 s).
dist_props() {
    local i=$1 f
    shift
    f="$T/w$i.properties"
    it_write_worker_props "$f" \
        group.id=$DIST_GROUP \
        config.storage.topic=connect-configs \
        offset.storage.topic=connect-offsets \
        status.storage.topic=connect-status \
        config.storage.replication.factor=1 \
        offset.storage.replication.factor=1 \
        status.storage.replication.factor=1 \
        offset.storage.partitions=5 \
        status.storage.partitions=5 \
        session.timeout.ms=6000 \
        heartbeat.interval.ms=1000 \
        rebalance.timeout.ms=10000 \
        scheduled.rebalance.max.delay.ms=3000 \
        value.converter=org.apache.kafka.connect.storage.StringConverter \
        "$@"
    DIST_PROPS[$i]=$f
}

dist__up() {
    local i=$1 code
    kill -0 "${DIST_PID[$i]}" 2>/dev/null || return 0
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${DIST_REST[$i]}/" 2>/dev/null)
    [ "$code" = 200 ]
}

# dist_start I — start worker I (dist_props I first) in the background; wait until GET / answers.
dist_start() {
    local i=$1 n=1 log
    [ -n "${DIST_PROPS[$i]:-}" ] || dist_props "$i"
    log="$T/w$i.log"
    if [ -f "$log" ]; then
        while [ -f "$log.$n" ]; do n=$((n + 1)); done
        mv "$log" "$log.$n"
    fi
    DIST_LOG[$i]=$log
    DIST_REST[$i]=$(it__rest_url "${DIST_PROPS[$i]}")
    "$SLUICE_BIN" distributed "${DIST_PROPS[$i]}" >"$log" 2>&1 </dev/null &
    DIST_PID[$i]=$!
    it_wait_for 20 dist__up "$i" || it_fail "worker $i did not answer GET / within 20 s"
    kill -0 "${DIST_PID[$i]}" 2>/dev/null || it_fail "worker $i exited: $(tail -n 5 "$log")"
}

# dist_stop I — SIGTERM; the worker must leave the group and exit 0 within 30 s.
dist_stop() {
    local i=$1 pid=${DIST_PID[$1]} rc
    kill -TERM "$pid" 2>/dev/null
    if ! it__wait_gone "$pid" 30; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        DIST_PID[$i]=""
        it_fail "worker $i did not exit within 30 s of SIGTERM"
    fi
    wait "$pid"
    rc=$?
    DIST_PID[$i]=""
    [ "$rc" -eq 0 ] || it_fail "worker $i exited with status $rc on SIGTERM"
    grep -q 'Left group' "${DIST_LOG[$i]}" || it_fail "worker $i did not leave the group"
}

# dist_kill I — SIGKILL (a crash).
dist_kill() {
    local i=$1
    kill -KILL "${DIST_PID[$i]}" 2>/dev/null
    wait "${DIST_PID[$i]}" 2>/dev/null
    DIST_PID[$i]=""
}

# dist_http I METHOD PATH [BODY] — it_http against worker I.
dist_http() {
    local i=$1
    shift
    REST=${DIST_REST[$i]}
    IT_REST_URL=$REST
    it_http "$@"
}

# dist_http_expect CODE I METHOD PATH [BODY]
dist_http_expect() {
    local code=$1 i=$2
    shift 2
    IT_CHECKS=$((IT_CHECKS + 1))
    dist_http "$i" "$@" >/dev/null
    [ "$HTTP_CODE" = "$code" ] ||
        it_fail "worker $i: $1 $2: expected HTTP $code, got $HTTP_CODE: $HTTP_BODY"
}

# dist_joined I — worker I has taken an assignment.
dist_joined() {
    grep -q 'Joined group at generation' "${DIST_LOG[$1]}"
}

# dist_leader — the index of the worker that logs itself leader last (running workers only).
dist_leader() {
    local i best="" bestline=""
    for i in "${!DIST_PID[@]}"; do
        [ -n "${DIST_PID[$i]}" ] || continue
        local line
        line=$(grep 'Joined group at generation' "${DIST_LOG[$i]}" | tail -n 1)
        if [[ "$line" == *"(leader,"* ]]; then
            best=$i
            bestline=$line
        fi
    done
    [ -n "$bestline" ] && printf '%s\n' "$best"
}

# dist_status I CONN — GET status from worker I (prints the body).
dist_status() {
    dist_http "$1" GET "/connectors/$2/status" >/dev/null
    printf '%s\n' "$HTTP_BODY"
}

# dist_tasks_in_state I CONN N STATE — the status (as worker I sees it) has exactly N tasks, all
# in STATE, and a connector state.
dist_tasks_in_state() {
    local body
    body=$(dist_status "$1" "$2")
    [ "$(it_json '.tasks | length' "$body")" = "$3" ] || return 1
    [ "$(it_json "[.tasks[] | select(.state == \"$4\")] | length" "$body")" = "$3" ]
}

# dist_worker_ids I CONN — the distinct worker_id values of CONN's tasks, sorted, one per line.
dist_worker_ids() {
    it_json '[.tasks[].worker_id] | unique | .[]' "$(dist_status "$1" "$2")"
}

# dist_sink_config NAME FILE TOPIC TASKS — a file sink connector's create-request JSON.
dist_sink_config() {
    printf '{"name":"%s","config":{"connector.class":"FileStreamSink","tasks.max":"%s","topics":"%s","file":"%s"}}' \
        "$1" "$4" "$3" "$2"
}

# dist_http_retry CODE I METHOD PATH [BODY] — like dist_http_expect, but a 409 (rebalance under
# way, no leader known yet), a 500 "rebalance is expected" or a 500 "IO Error trying to forward"
# (the leader just died; Java answers the same until the group notices) is retried for up to
# 40 s, as Connect clients (kcctl, kafka-ui, Terraform) retry.
dist_http_retry() {
    local code=$1 i=$2 deadline=$((SECONDS + 40))
    shift 2
    IT_CHECKS=$((IT_CHECKS + 1))
    while :; do
        dist_http "$i" "$@" >/dev/null
        [ "$HTTP_CODE" != "$code" ] && [ "$SECONDS" -lt "$deadline" ] &&
            { [ "$HTTP_CODE" = 409 ] || [[ "$HTTP_BODY" == *"rebalance is expected"* ]] ||
                [[ "$HTTP_BODY" == *"IO Error trying to forward REST request"* ]]; } || break
        sleep 0.5
    done
    [ "$HTTP_CODE" = "$code" ] ||
        it_fail "worker $i: $1 $2: expected HTTP $code, got $HTTP_CODE: $HTTP_BODY"
}
