# shellcheck shell=bash
# redis_helpers.sh — sourced by tests/integration/it_redis_*.sh and bench/e2e_redis_sink.sh after
# lib.sh: a private redis-server (loopback, free port, its own dir, append-only file so a restart
# keeps the data), stopped by the test's EXIT trap; redis-cli shortcuts; Debezium fixture
# producing (key + value per line, null keys and tombstones kept); the redis_sink plugin path.
# It must never touch a Redis it did not start.

RS_PORT=""
RS_PID=""
RS_DIR=""

# rs_start_redis [redis-server args...] — start (or restart on the same port and dir) a Redis.
rs_start_redis() {
    [ -n "$T" ] || it_fail "rs_start_redis before it_init"
    RS_DIR=${RS_DIR:-$T/redis}
    RS_PORT=${RS_PORT:-$(it_free_port)}
    mkdir -p "$RS_DIR"
    redis-server --port "$RS_PORT" --bind 127.0.0.1 --dir "$RS_DIR" --appendonly yes \
        --appendfsync everysec --save '' --daemonize no --logfile "$RS_DIR/redis.log" \
        --unixsocket "$RS_DIR/redis.sock" --unixsocketperm 700 "$@" </dev/null &
    RS_PID=$!
    it_wait_for 10 rs_up || it_fail "redis-server did not answer PING: $(tail -n 5 "$RS_DIR/redis.log")"
}

rs_up() { [ "$(redis-cli -p "$RS_PORT" PING 2>/dev/null)" = PONG ]; }

# rs_stop_redis — stop our Redis (the AOF is flushed on SIGTERM).
rs_stop_redis() {
    if [ -n "$RS_PID" ] && kill -0 "$RS_PID" 2>/dev/null; then
        kill -TERM "$RS_PID" 2>/dev/null
        it__wait_gone "$RS_PID" 10 || kill -KILL "$RS_PID" 2>/dev/null
        wait "$RS_PID" 2>/dev/null
    fi
    RS_PID=""
}

# rs_trap — add rs_stop_redis to lib.sh's EXIT trap (call right after it_init).
rs_trap() {
    trap 'rs__rc=$?; rs_stop_redis; (exit $rs__rc); it__cleanup' EXIT
}

# rcli ARGS... — redis-cli --raw against our Redis.
rcli() { redis-cli -p "$RS_PORT" --raw "$@"; }

# rs_hash KEY — the hash as sorted "field=value" lines.
rs_hash() { rcli HGETALL "$1" | paste -d= - - | LC_ALL=C sort; }

# rs_expect NAME GOT WANT — compare two texts, print a diff on mismatch.
rs_expect() {
    if [ "$2" != "$3" ]; then
        printf -- '--- want\n%s\n--- got\n%s\n' "$3" "$2" >&2
        it_fail "$1"
    fi
    it_pass "$1"
}

# rs_plugin_path — lib.sh's plugin path plus the redis_sink build directory.
rs_plugin_path() {
    local p
    p=$(it_plugin_path)
    printf '%s\n' "${p:+$p,}${SLUICE_BUILD_PLUGINS}/redis_sink/.libs"
}

# rs_produce_fixture TOPIC FILE — a 06-style fixture ({topic,partition,offset,key,value} per
# line) to TOPIC, keys and values as JSON, null keys and null values as Kafka nulls.
rs_produce_fixture() {
    local topic=$1 file=$2
    jq -r '[(if .key == null then "" else (.key | tojson) end),
            (if .value == null then "" else (.value | tojson) end)] | join("\t")' "$file" \
        >"$T/fixture.kv" || it_fail "jq cannot read $file"
    rs__kcat_kv "$topic" "$T/fixture.kv"
}

# rs_produce_kv TOPIC FILE — "key<TAB>value" lines; an empty key or value is a Kafka null.
rs_produce_kv() { rs__kcat_kv "$1" "$2"; }

rs__kcat_kv() {
    timeout 60 kcat -P -b "$BOOTSTRAP" -t "$1" -p 0 -K $'\t' -Z -X linger.ms=5 <"$2" \
        2>"$T/kcat.err" || it_fail "kcat -P to $1 failed: $(head -n 3 "$T/kcat.err")"
}

# rs_create NAME JSON_CONFIG — POST /connectors, expect 201.
rs_create() {
    it_http_expect 201 POST /connectors "{\"name\":\"$1\",\"config\":$2}"
}

# rs_task_state NAME — the state of task 0.
rs_task_state() { it_http GET "/connectors/$1/status" >/dev/null && it_json '.tasks[0].state'; }
