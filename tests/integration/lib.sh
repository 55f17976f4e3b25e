# shellcheck shell=bash
# lib.sh — the integration-test harness, sourced by every tests/integration/it_*.sh (bash):
# a per-test temp dir, the mock Kafka broker (tools/mock-kafka) with fault injection, kcat
# produce/consume, a standalone sluice worker with its REST API, and assertions. Everything a test
# starts is stopped by the EXIT trap, even on failure; every wait has a timeout.
# It must never leave a process running, touch anything outside $SLUICE_TEST_TMP, or pass a test
# that asserted nothing.
#
# Variables set for tests:
#   T (= IT_TMP)       the test's temp dir (kept on failure, removed on success)
#   BOOTSTRAP          the mock brokers' bootstrap.servers, after it_start_kafka
#   REST (= IT_REST_URL) http://127.0.0.1:PORT of the worker, after it_start_worker
#   WORKER_PID, WORKER_LOG, WORKER_PROPS (the last started worker's file), HTTP_CODE, HTTP_BODY
# Exit codes: 0 pass, 1 fail, 77 skip (automake). A missing service fails the test unless
# SLUICE_TEST_SKIP_MISSING=1, which makes it a skip.

IT_NAME=""
T=""
IT_TMP=""
BOOTSTRAP=""
REST=""
IT_REST_URL=""
WORKER_PID=""
WORKER_LOG=""
WORKER_PROPS=""
HTTP_CODE=""
HTTP_BODY=""
IT_KAFKA_PID=""
IT_KAFKA_FD=""
IT_PASSES=0
IT_CHECKS=0
IT_MAIN_PID=$$
IT_BASE_SUBSHELL=$BASH_SUBSHELL

# ---------------------------------------------------------------- logging and outcomes

it_log() { printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "${IT_NAME:-it}" "$*" >&2; }

# it_fail MSG — the test failed: print MSG and the logs that explain it, exit 1. Called inside a
# subshell ($(...) or a pipeline) it still ends the whole test.
it_fail() {
    local f
    printf 'FAIL: %s: %s\n' "${IT_NAME:-it}" "$*" >&2
    if [ -n "$WORKER_LOG" ] && [ -f "$WORKER_LOG" ]; then
        printf -- '--- last 40 lines of %s\n' "$WORKER_LOG" >&2
        tail -n 40 "$WORKER_LOG" >&2
    fi
    f="$T/kafka.log"
    if [ -n "$T" ] && [ -s "$f" ]; then
        printf -- '--- last 10 lines of %s\n' "$f" >&2
        tail -n 10 "$f" >&2
    fi
    [ -n "$T" ] && [ -d "$T" ] && printf '%s\n' "$*" >>"$T/.failed"
    if [ "$BASH_SUBSHELL" != "$IT_BASE_SUBSHELL" ]; then
        kill -TERM "$IT_MAIN_PID" 2>/dev/null
    fi
    exit 1
}

# it_skip MSG — the test cannot run here: exit 77.
it_skip() {
    printf 'SKIP: %s: %s\n' "${IT_NAME:-it}" "$*" >&2
    exit 77
}

# it_pass [MSG] — with MSG: record a passed check and go on. Without: the test passed, exit 0.
it_pass() {
    if [ $# -gt 0 ]; then
        IT_PASSES=$((IT_PASSES + 1))
        printf 'ok %d - %s\n' "$IT_PASSES" "$*"
        return 0
    fi
    it_done
}

# it_done — the test passed: exit 0. A test that recorded no check (it_pass MSG, it_expect_*,
# it_http_expect, it_wait_for DESCRIPTION ...) in the main shell fails instead: it asserted nothing.
it_done() {
    if [ $((IT_PASSES + IT_CHECKS)) -eq 0 ]; then
        it_fail "the test asserted nothing"
    fi
    printf 'PASS: %s (%d checks)\n' "${IT_NAME:-it}" $((IT_PASSES + IT_CHECKS))
    exit 0
}

# ---------------------------------------------------------------- setup and cleanup

# it__stacks PID LABEL FILE — a live process's threads (gdb, when installed) into FILE, and a
# digest on stderr: one line per thread with the frames in sluice's sources, lock waits and the
# dynamic loader / sanitizer runtime (where a hang would sit).
it__stacks() {
    local pid=$1 label=$2 f=$3
    command -v gdb >/dev/null 2>&1 || return 0
    timeout 30 gdb -p "$pid" -batch -ex 'thread apply all bt 16' >"$f" 2>&1
    printf -- '--- %s threads (full stacks in %s)\n' "$label" "$f" >&2
    awk '/^Thread /{ if (t != "" && f != "") print t ":" f; t = "thread " $2; f = ""; next }
         /^#[0-9]/ { fn = ($3 == "in") ? $4 : $2
             if ($0 ~ / at \/.*\/(worker|plugins|rest)\// ||
                 fn ~ /^_*(lll_lock_wait|pthread_mutex_lock|pthread_create|tls_get_addr|dl_iterate_phdr|dl_|sanitizer|asan|interceptor)/)
                 f = f " " fn }
         END { if (t != "" && f != "") print t ":" f }' "$f" | head -n 40 >&2
}

it__cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$T" ] && [ -f "$T/.failed" ] && rc=1
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$T" ] && [ -n "$WORKER_PID" ] &&
        kill -0 "$WORKER_PID" 2>/dev/null; then
        it__stacks "$WORKER_PID" worker "$T/worker.stacks"
    fi
    if [ -n "$WORKER_PID" ] && kill -0 "$WORKER_PID" 2>/dev/null; then
        kill -TERM "$WORKER_PID" 2>/dev/null
        it__wait_gone "$WORKER_PID" 10 || kill -KILL "$WORKER_PID" 2>/dev/null
        wait "$WORKER_PID" 2>/dev/null
    fi
    it__stop_kafka
    if [ -n "$T" ] && [ -d "$T" ]; then
        if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
            [ "${SLUICE_KEEP_TMP:-0}" = 1 ] || rm -rf "$T"
        else
            printf 'note: %s kept for inspection\n' "$T" >&2
            # the reason again, last: a log shown by its tail still says why the test failed
            [ -s "$T/.failed" ] && sed "s/^/FAIL: ${IT_NAME:-it}: /" "$T/.failed" >&2
        fi
    fi
    exit "$rc"
}

it__on_signal() {
    # it_fail in a subshell signals us after printing; any other signal is an abort.
    if [ -n "$T" ] && [ -f "$T/.failed" ]; then
        exit 1
    fi
    printf 'FAIL: %s: interrupted by %s\n' "${IT_NAME:-it}" "$1" >&2
    exit 1
}

# it_init NAME — the temp dir $T under $SLUICE_TEST_TMP and the cleanup trap.
it_init() {
    IT_NAME=${1:?it_init NAME}
    # make distcheck sets this: the tarball is checked to build and pass its unit tests; the
    # integration scripts already ran against the same sources in the normal and sanitizer builds.
    if [ "${SLUICE_SKIP_INTEGRATION:-0}" = 1 ]; then
        echo "SKIP: $IT_NAME (SLUICE_SKIP_INTEGRATION=1)"
        exit 77
    fi
    local base=${SLUICE_TEST_TMP:-${TMPDIR:-/tmp}}
    mkdir -p "$base" || { echo "cannot create $base" >&2; exit 99; }
    T=$(mktemp -d "$base/$IT_NAME.XXXXXX") || {
        echo "cannot create a temp dir in $base" >&2
        exit 99
    }
    IT_TMP=$T
    export T IT_TMP
    trap it__cleanup EXIT
    trap 'it__on_signal INT' INT
    trap 'it__on_signal TERM' TERM
}

# it__wait_gone PID SECONDS — 0 once PID has exited, 1 on timeout.
it__wait_gone() {
    local pid=$1 n=$(($2 * 10))
    while [ $n -gt 0 ]; do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
        n=$((n - 1))
    done
    ! kill -0 "$pid" 2>/dev/null
}

# it_free_port — prints a TCP port on 127.0.0.1 that nothing listens on right now.
it_free_port() {
    local p
    if command -v python3 >/dev/null 2>&1; then
        p=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null)
        if [ -n "$p" ]; then
            echo "$p"
            return 0
        fi
    fi
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 30000))
        if ! (: </dev/tcp/127.0.0.1/"$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    it_fail "no free TCP port found"
}

# it__need_service WHAT — a missing service fails the test, or skips it when told to.
it__need_service() {
    if [ "${SLUICE_TEST_SKIP_MISSING:-0}" = 1 ]; then
        it_skip "$1 (SLUICE_TEST_SKIP_MISSING=1)"
    fi
    it_fail "$1"
}

# it_need_cmd CMD... — every command must be installed (scripts/install-deps.sh installs them).
it_need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null || it__need_service "$c is not installed (run scripts/install-deps.sh)"
    done
}

# ---------------------------------------------------------------- polling

# it_wait_for DESCRIPTION TIMEOUT_S COMMAND... — poll COMMAND every 0.2 s; fail the test with
#   DESCRIPTION if it is not true within TIMEOUT_S seconds.
# it_wait_for TIMEOUT_S COMMAND...             — same, but return 1 on timeout instead.
it_wait_for() {
    local desc="" timeout deadline
    if [[ ! "$1" =~ ^[0-9]+$ ]]; then
        desc=$1
        shift
    fi
    timeout=${1:?it_wait_for [DESCRIPTION] TIMEOUT_S COMMAND...}
    shift
    [ $# -gt 0 ] || it_fail "it_wait_for: no command"
    deadline=$((SECONDS + timeout))
    [ -n "$desc" ] && IT_CHECKS=$((IT_CHECKS + 1))
    while :; do
        if "$@"; then
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            break
        fi
        sleep 0.2
    done
    if [ -n "$desc" ]; then
        it_fail "timed out after ${timeout}s waiting for: $desc"
    fi
    return 1
}

# ---------------------------------------------------------------- Kafka (mock broker)

# it_start_kafka [--brokers N] [--topic NAME:PARTITIONS]... — start sluice-mock-kafka; sets
# $BOOTSTRAP. Topics not listed are auto-created with 4 partitions on first use.
it_start_kafka() {
    local bin=${SLUICE_MOCK_KAFKA:-}
    [ -n "$T" ] || it_fail "it_start_kafka before it_init"
    [ -z "$IT_KAFKA_PID" ] || it_fail "it_start_kafka: the broker is already running"
    if [ -z "$bin" ] || [ ! -x "$bin" ]; then
        it__need_service "sluice-mock-kafka not found (SLUICE_MOCK_KAFKA='$bin')"
    fi
    command -v kcat >/dev/null 2>&1 || it__need_service "kcat is not installed"
    rm -f "$T/kafka.in"
    mkfifo "$T/kafka.in" || it_fail "mkfifo $T/kafka.in"
    : >"$T/kafka.out"
    # Open the fifo read-write in the shell first so neither side blocks opening it; the broker
    # keeps running if we close it (it ignores stdin EOF).
    exec {IT_KAFKA_FD}<>"$T/kafka.in"
    "$bin" "$@" <"$T/kafka.in" >"$T/kafka.out" 2>"$T/kafka.log" &
    IT_KAFKA_PID=$!
    it_wait_for 10 it__kafka_ready || {
        kill -0 "$IT_KAFKA_PID" 2>/dev/null ||
            it_fail "sluice-mock-kafka $* exited: $(cat "$T/kafka.log")"
        it_fail "sluice-mock-kafka printed no bootstrap servers within 10 s"
    }
    BOOTSTRAP=$(head -n 1 "$T/kafka.out")
    [[ "$BOOTSTRAP" =~ ^127\.0\.0\.1:[0-9]+ ]] ||
        it_fail "bad bootstrap line from mock: '$BOOTSTRAP'"
    export BOOTSTRAP
}

it__kafka_ready() {
    [ -s "$T/kafka.out" ] && [ "$(wc -l <"$T/kafka.out")" -ge 1 ] && return 0
    kill -0 "$IT_KAFKA_PID" 2>/dev/null || return 0 # let the caller report the exit
    return 1
}

it__stop_kafka() {
    if [ -n "$IT_KAFKA_FD" ]; then
        exec {IT_KAFKA_FD}>&-
        IT_KAFKA_FD=""
    fi
    if [ -n "$IT_KAFKA_PID" ]; then
        if kill -0 "$IT_KAFKA_PID" 2>/dev/null; then
            kill -TERM "$IT_KAFKA_PID" 2>/dev/null
            it__wait_gone "$IT_KAFKA_PID" 10 || kill -KILL "$IT_KAFKA_PID" 2>/dev/null
        fi
        wait "$IT_KAFKA_PID" 2>/dev/null
        IT_KAFKA_PID=""
    fi
}

# it_stop_kafka — stop the broker now (its data is gone; it_start_kafka gives a new one).
it_stop_kafka() {
    it__stop_kafka
    BOOTSTRAP=""
}

# it_kafka_cmd CMD... — send one command to the broker (see sluice-mock-kafka --help), print its
# reply, fail the test unless the reply is "ok".
it_kafka_cmd() {
    local reply
    reply=$(it_kafka_try "$@")
    printf '%s\n' "$reply"
    [ "${reply%% *}" = ok ] || it_fail "mock kafka: '$*' answered '$reply'"
}

# it_kafka_try CMD... — same, but only print the reply; never fails on an "error: ..." reply.
it_kafka_try() {
    local before n deadline
    [ -n "$IT_KAFKA_FD" ] || it_fail "it_kafka_cmd: the broker is not running"
    before=$(wc -l <"$T/kafka.out")
    printf '%s\n' "$*" >&"$IT_KAFKA_FD" || it_fail "cannot write to the mock broker"
    deadline=$((SECONDS + 10))
    while :; do
        n=$(wc -l <"$T/kafka.out")
        [ "$n" -gt "$before" ] && break
        kill -0 "$IT_KAFKA_PID" 2>/dev/null ||
            it_fail "mock broker died: $(tail -n 5 "$T/kafka.log")"
        [ "$SECONDS" -lt "$deadline" ] || it_fail "mock broker did not answer '$*' within 10 s"
        sleep 0.02
    done
    sed -n "$((before + 1))p" "$T/kafka.out"
}

# it_produce TOPIC FILE [KEY_MODE] — each line of FILE is one message value. KEY_MODE: none
#   (default: null keys), lineno (key = line number from 1), or any other text = that fixed key.
# it_produce TOPIC VALUE... — each argument is one message value (null keys).
it_produce() {
    local topic=${1:?it_produce TOPIC FILE|VALUE...} file mode
    shift
    [ $# -gt 0 ] || it_fail "it_produce $topic: nothing to produce"
    if [ $# -le 2 ] && [ -f "$1" ]; then
        file=$1
        mode=${2:-none}
    else
        file="$T/produce.$$.$RANDOM"
        printf '%s\n' "$@" >"$file"
        mode=none
    fi
    case "$mode" in
        none) it__kcat_produce "$topic" "$file" ;;
        lineno)
            awk '{ printf "%d\t%s\n", NR, $0 }' "$file" >"$file.kv"
            it__kcat_produce "$topic" "$file.kv" -K $'\t'
            ;;
        *)
            awk -v k="$mode" '{ printf "%s\t%s\n", k, $0 }' "$file" >"$file.kv"
            it__kcat_produce "$topic" "$file.kv" -K $'\t'
            ;;
    esac
}

# it_produce_kv TOPIC FILE — each line of FILE is "key<TAB>value".
it_produce_kv() {
    local topic=${1:?it_produce_kv TOPIC FILE} file=${2:?it_produce_kv TOPIC FILE}
    [ -f "$file" ] || it_fail "it_produce_kv: no file $file"
    it__kcat_produce "$topic" "$file" -K $'\t'
}

it__kcat_produce() {
    local topic=$1 file=$2 rc
    shift 2
    [ -n "$BOOTSTRAP" ] || it_fail "produce before it_start_kafka"
    timeout 60 kcat -P -b "$BOOTSTRAP" -t "$topic" -X linger.ms=5 "$@" <"$file" 2>"$T/kcat.err"
    rc=$?
    if [ $rc -ne 0 ] || grep -q '% ERROR' "$T/kcat.err"; then
        it_fail "kcat -P to $topic failed (rc=$rc): $(head -n 5 "$T/kcat.err")"
    fi
}

# it_consume TOPIC COUNT [TIMEOUT_S] — print the first COUNT message values of TOPIC (from the
# beginning, all partitions), one per line; fail unless COUNT arrive within TIMEOUT_S (30).
# Set IT_KCAT_FORMAT (kcat -f, default '%s\n') for keys, partitions or offsets.
it_consume() {
    local topic=${1:?it_consume TOPIC COUNT} count=${2:?it_consume TOPIC COUNT} limit=${3:-30}
    local out="$T/consume.$$.$RANDOM" got fmt
    [ -n "$BOOTSTRAP" ] || it_fail "consume before it_start_kafka"
    timeout "$limit" kcat -C -q -b "$BOOTSTRAP" -t "$topic" -o beginning -c "$count" \
        -f "${IT_KCAT_FORMAT:-%s\n}" >"$out" 2>"$T/kcat.err"
    got=$(grep -c '' "$out")
    fmt=${IT_KCAT_FORMAT:-%s\n}
    # One line per message when the format has a single \n, at its end: then lines count messages.
    if [[ "$fmt" == *'\n' ]] && [[ "${fmt%'\n'}" != *'\n'* ]] && [ "$got" -lt "$count" ]; then
        it_fail "it_consume $topic: $got of $count messages within ${limit}s"
    fi
    cat "$out"
    rm -f "$out"
}

# it_consume_all TOPIC — print every message value in TOPIC now (kcat -e), one per line.
it_consume_all() {
    local topic=${1:?it_consume_all TOPIC} out="$T/consume.$$.$RANDOM"
    [ -n "$BOOTSTRAP" ] || it_fail "consume before it_start_kafka"
    # Into a file first: a reader that stops early (grep -q) must not fail kcat with EPIPE.
    timeout 30 kcat -C -q -e -b "$BOOTSTRAP" -t "$topic" -o beginning \
        -f "${IT_KCAT_FORMAT:-%s\n}" >"$out" 2>"$T/kcat.err" ||
        it_fail "kcat -C -e $topic failed: $(head -n 3 "$T/kcat.err")"
    cat "$out"
    rm -f "$out"
}

# ---------------------------------------------------------------- the worker

# it_plugin_path — the comma list of built plugin directories ($SLUICE_BUILD_PLUGINS/*/.libs).
it_plugin_path() {
    local dirs
    dirs=$(find "${SLUICE_BUILD_PLUGINS:-/nonexistent}" -name '*.so' -path '*/.libs/*' \
        -printf '%h\n' 2>/dev/null | sort -u | paste -sd, -)
    printf '%s\n' "$dirs"
}

# it_write_worker_props FILE [KEY=VALUE...] — a standalone worker.properties: the mock broker,
# String keys, schemaless JSON values, offsets in $T/state, a free REST port, the built plugins,
# and consumer.session.timeout.ms=6000: the mock makes a group's next join wait for a departed
# member's session timeout even after LeaveGroup (44 s at librdkafka's default 45 s; see
# docs/mock-kafka.md). Each KEY=VALUE replaces that key's default or is appended.
it_write_worker_props() {
    local file=${1:?it_write_worker_props FILE [KEY=VALUE...]} kv key port ppath
    shift
    port=$(it_free_port)
    ppath=$(it_plugin_path)
    [ -n "$ppath" ] || it_log "warning: no built plugins under ${SLUICE_BUILD_PLUGINS:-?}"
    cat >"$file" <<EOF
bootstrap.servers=${BOOTSTRAP:-127.0.0.1:9092}
key.converter=org.apache.kafka.connect.storage.StringConverter
key.converter.schemas.enable=false
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.storage.file.filename=$T/state/connect.offsets
offset.flush.interval.ms=1000
consumer.session.timeout.ms=6000
listeners=http://127.0.0.1:$port
plugin.path=$ppath
EOF
    for kv in "$@"; do
        [[ "$kv" == *=* ]] || it_fail "it_write_worker_props: '$kv' is not KEY=VALUE"
        key=${kv%%=*}
        if grep -q "^${key//./\\.}=" "$file"; then
            awk -v k="$key" -v line="$kv" \
                'index($0, k "=") == 1 { print line; next } { print }' "$file" >"$file.new" &&
                mv "$file.new" "$file"
        else
            printf '%s\n' "$kv" >>"$file"
        fi
    done
}

# it__rest_url PROPS — http://127.0.0.1:PORT from the first listener in PROPS.
it__rest_url() {
    local l
    l=$(sed -n 's/^listeners=//p' "$1" | tail -n 1)
    l=${l%%,*}
    l=${l%/}
    l=${l/\/\/:/\/\/127.0.0.1:}
    l=${l/0.0.0.0/127.0.0.1}
    printf '%s\n' "$l"
}

it__rest_up() {
    local code url
    kill -0 "$WORKER_PID" 2>/dev/null || return 0 # reported by the caller
    if [ -z "$REST" ]; then
        # listeners=...:0 — the worker logs the port it got.
        url=$(grep -o 'REST API at http://[^ ]*' "$WORKER_LOG" 2>/dev/null | head -n 1)
        url=${url#REST API at }
        [ -n "$url" ] || return 1
        REST=${url%/}
        IT_REST_URL=$REST
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$REST/" 2>/dev/null)
    [ "$code" = 200 ]
}

# it_start_worker WORKER_PROPS [CONNECTOR_PROPS...] — start "sluice standalone" in the background
# (log: $T/worker.log; the previous run's log moves to worker.log.N), wait until GET / answers
# (20 s). Sets $REST, $IT_REST_URL, $WORKER_PID, $WORKER_LOG. With listeners=...:0 the URL comes
# from the worker's "REST API at http://..." log line.
it_start_worker() {
    local props=${1:?it_start_worker WORKER_PROPS [CONNECTOR_PROPS...]} n=1
    [ -n "$T" ] || it_fail "it_start_worker before it_init"
    [ -x "${SLUICE_BIN:-}" ] || it_fail "sluice binary not found (SLUICE_BIN='${SLUICE_BIN:-}')"
    command -v curl >/dev/null 2>&1 || it__need_service "curl is not installed"
    if [ -n "$WORKER_PID" ] && kill -0 "$WORKER_PID" 2>/dev/null; then
        it_fail "it_start_worker: a worker is already running (pid $WORKER_PID)"
    fi
    WORKER_LOG="$T/worker.log"
    if [ -f "$WORKER_LOG" ]; then
        while [ -f "$WORKER_LOG.$n" ]; do n=$((n + 1)); done
        mv "$WORKER_LOG" "$WORKER_LOG.$n"
    fi
    WORKER_PROPS=$props
    export WORKER_PROPS
    REST=$(it__rest_url "$props")
    if [[ "$REST" =~ :0$ ]]; then
        REST="" # found in the log by it__rest_up
    elif [[ ! "$REST" =~ ^http://[^:]+:[1-9][0-9]*$ ]]; then
        it_fail "it_start_worker: need listeners=http://HOST:PORT in $props, got '$REST'"
    fi
    IT_REST_URL=$REST
    "$SLUICE_BIN" standalone "$@" >"$WORKER_LOG" 2>&1 </dev/null &
    WORKER_PID=$!
    if ! it_wait_for 20 it__rest_up || ! kill -0 "$WORKER_PID" 2>/dev/null; then
        if ! kill -0 "$WORKER_PID" 2>/dev/null; then
            wait "$WORKER_PID"
            it_fail "worker exited with status $? before GET $REST/ answered"
        fi
        it_fail "worker did not answer GET ${REST:-(port not logged yet)}/ within 20 s"
    fi
    export REST IT_REST_URL
}

# it_stop_worker — SIGTERM, wait (30 s), fail unless the worker exits 0.
it_stop_worker() {
    local pid=$WORKER_PID rc
    [ -n "$pid" ] || it_fail "it_stop_worker: no worker running"
    kill -TERM "$pid" 2>/dev/null
    if ! it__wait_gone "$pid" 30; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        WORKER_PID=""
        it_fail "worker did not exit within 30 s of SIGTERM (killed)"
    fi
    wait "$pid"
    rc=$?
    WORKER_PID=""
    [ "$rc" -eq 0 ] || it_fail "worker exited with status $rc on SIGTERM"
    return 0
}

# it_kill_worker — SIGKILL the worker (a crash), and reap it.
it_kill_worker() {
    local pid=$WORKER_PID
    [ -n "$pid" ] || it_fail "it_kill_worker: no worker running"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    WORKER_PID=""
    return 0
}

# ---------------------------------------------------------------- REST and assertions

# it_http METHOD PATH [BODY] — one request to $REST (JSON body). Sets $HTTP_CODE ("000" when the
# worker cannot be reached, and then returns 1) and $HTTP_BODY. Inside $(...) or a pipeline the
# variables cannot reach the caller, so there it also prints the body on stdout.
it_http() {
    local method=${1:?it_http METHOD PATH [BODY]} path=${2:?it_http METHOD PATH [BODY]}
    local args=(-s -o "$T/http.body" -w '%{http_code}' -X "$method" --max-time 30)
    [ -n "$REST" ] || it_fail "it_http before it_start_worker"
    if [ $# -ge 3 ]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$3")
    fi
    : >"$T/http.body"
    HTTP_CODE=$(curl "${args[@]}" "$REST$path" 2>/dev/null) || HTTP_CODE=000
    HTTP_BODY=$(cat "$T/http.body")
    if [ "$BASH_SUBSHELL" != "$IT_BASE_SUBSHELL" ]; then
        printf '%s\n' "$HTTP_BODY"
    fi
    [ "$HTTP_CODE" != 000 ]
}

# it_expect_code CODE — the last it_http answered CODE.
it_expect_code() {
    IT_CHECKS=$((IT_CHECKS + 1))
    [ "$HTTP_CODE" = "$1" ] || it_fail "expected HTTP $1, got $HTTP_CODE: $HTTP_BODY"
}

# it_http_expect CODE METHOD PATH [BODY] — it_http, then it_expect_code.
it_http_expect() {
    local code=${1:?it_http_expect CODE METHOD PATH [BODY]}
    shift
    IT_CHECKS=$((IT_CHECKS + 1))
    it_http "$@" >/dev/null
    [ "$HTTP_CODE" = "$code" ] || it_fail "$1 $2: expected HTTP $code, got $HTTP_CODE: $HTTP_BODY"
}

# it_json JQ_FILTER [JSON] — evaluate a filter on JSON (default $HTTP_BODY), compact, strings raw.
# Without jq only paths like .a.b[0]["c"] work (python3).
it_json() {
    local filter=${1:?it_json JQ_FILTER [JSON]} json=${2-$HTTP_BODY}
    if command -v jq >/dev/null 2>&1; then
        printf '%s' "$json" | jq -rc "$filter" 2>/dev/null
        return
    fi
    printf '%s' "$json" | python3 -c '
import json, re, sys
v = json.load(sys.stdin)
for key, idx, qkey in re.findall(r"\.([^.\[\]]+)|\[(-?\d+)\]|\[\"([^\"]*)\"\]", sys.argv[1]):
    if idx:
        v = v[int(idx)] if isinstance(v, list) and -len(v) <= int(idx) < len(v) else None
    else:
        v = v.get(key or qkey) if isinstance(v, dict) else None
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))' "$filter" 2>/dev/null
}

# it_expect_json JQ_FILTER EXPECTED — the filter on $HTTP_BODY gives EXPECTED (compact JSON;
# strings without quotes), e.g. it_expect_json .connector.state RUNNING.
it_expect_json() {
    local filter=${1:?it_expect_json JQ_FILTER EXPECTED} got
    local want=${2?it_expect_json JQ_FILTER EXPECTED}
    IT_CHECKS=$((IT_CHECKS + 1))
    got=$(it_json "$filter")
    [ "$got" = "$want" ] || it_fail "expected $filter = '$want', got '$got' in: $HTTP_BODY"
}
