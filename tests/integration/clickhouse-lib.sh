# shellcheck shell=bash
# clickhouse-lib.sh — a private ClickHouse server for integration tests, benches and the quick
# start: Debian's clickhouse-server (18.16) with its own config.xml/users.xml in a temp dir, free
# loopback ports for HTTP and TCP, no interserver port, data under that dir. Sourced after lib.sh
# (tests) or on its own (scripts: set CH_DIR first). It must never touch /etc or /var/lib.
#
#   ch_start DIR      start the server with data in DIR; sets CH_PID, CH_HTTP_PORT, CH_TCP_PORT,
#                     CH_URL; waits (30 s) until SELECT 1 answers; returns 1 on failure
#   ch_stop           SIGTERM, wait, SIGKILL after 15 s
#   ch_restart        start again on the same ports and data (after ch_stop)
#   ch_query SQL      run SQL over HTTP, print the answer (TabSeparated); returns 1 on error
#   ch_server_bin     prints the server binary or nothing

CH_PID=""
CH_DIR=""
CH_HTTP_PORT=""
CH_TCP_PORT=""
CH_URL=""

ch_server_bin() {
    local b
    for b in "${SLUICE_CLICKHOUSE_SERVER:-}" /usr/sbin/clickhouse-server /usr/bin/clickhouse-server \
        "$(command -v clickhouse-server 2>/dev/null)"; do
        if [ -n "$b" ] && [ -x "$b" ]; then
            printf '%s\n' "$b"
            return 0
        fi
    done
    return 1
}

ch__free_port() {
    if declare -F it_free_port >/dev/null; then
        it_free_port
        return
    fi
    /usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ch__write_config() {
    local dir=$1
    mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
    cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$dir/log/clickhouse-server.log</log>
        <errorlog>$dir/log/clickhouse-server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <http_port>$CH_HTTP_PORT</http_port>
    <tcp_port>$CH_TCP_PORT</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>256</max_connections>
    <keep_alive_timeout>30</keep_alive_timeout>
    <max_concurrent_queries>64</max_concurrent_queries>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <mark_cache_size>67108864</mark_cache_size>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
</yandex>
EOF
    cat >"$dir/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>2000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
}

ch__up() {
    [ "$(curl -s --max-time 2 "$CH_URL/?query=SELECT%201" 2>/dev/null)" = 1 ]
}

ch__launch() {
    local bin
    bin=$(ch_server_bin) || return 1
    "$bin" --config-file="$CH_DIR/config.xml" >"$CH_DIR/log/stdout.log" 2>&1 </dev/null &
    CH_PID=$!
    local n=300
    while [ $n -gt 0 ]; do
        ch__up && return 0
        kill -0 "$CH_PID" 2>/dev/null || {
            CH_PID=""
            return 1
        }
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

ch_start() {
    CH_DIR=${1:?ch_start DIR}
    CH_HTTP_PORT=$(ch__free_port)
    CH_TCP_PORT=$(ch__free_port)
    while [ "$CH_TCP_PORT" = "$CH_HTTP_PORT" ]; do CH_TCP_PORT=$(ch__free_port); done
    CH_URL="http://127.0.0.1:$CH_HTTP_PORT"
    ch__write_config "$CH_DIR"
    ch__launch
}

ch_restart() {
    [ -n "$CH_DIR" ] || return 1
    ch__launch
}

ch_stop() {
    local pid=$CH_PID n=150
    [ -n "$pid" ] || return 0
    # every command may fail (the server is gone already): safe under set -e, e.g. in traps
    kill -TERM "$pid" 2>/dev/null || true
    while [ $n -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        n=$((n - 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    CH_PID=""
    return 0
}

ch_query() {
    local out rc
    out=$(curl -s -S --max-time 60 -w '\n%{http_code}' --data-binary "$1" "$CH_URL/" 2>&1)
    rc=$?
    local code=${out##*$'\n'}
    out=${out%$'\n'*}
    printf '%s' "$out"
    [ -n "$out" ] && [ "${out: -1}" != $'\n' ] && printf '\n'
    [ $rc -eq 0 ] && [ "$code" = 200 ]
}
