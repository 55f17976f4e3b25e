#!/usr/bin/env bash
# it_redis_config.sh — the Redis sink's bad paths around configuration and connection: an unknown
# or unsupported data type, a bad or TLS URI, TLS and Cluster switches, key templates that cannot
# work are refused by validate (error_count, a message saying why) and by create (400); keys of
# the replaced connectors that sluice ignores are accepted with a warning; AUTH with an ACL user
# works and a wrong password fails the task with a readable trace; a Redis that is not there yet
# leaves the task RUNNING until it appears, then the data arrives.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../data/redis/redis_helpers.sh
. "${SLUICE_TEST_DATA:-$here/../data}/redis/redis_helpers.sh"

it_init it_redis_config
rs_trap
it_need_cmd redis-server redis-cli jq kcat

it_start_kafka --topic cfg:1
# Redis starts later: first the task must wait for it. Until then the port stays bound (not
# listening) by a holder, so no server of a test running alongside can take it meanwhile.
/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True); time.sleep(90)' \
    >"$T/hold.port" &
HOLD_PID=$!
it_wait_for "a reserved port" 10 test -s "$T/hold.port"
RS_PORT=$(cat "$T/hold.port")
it_write_worker_props "$T/worker.properties" "plugin.path=$(rs_plugin_path)"
it_start_worker "$T/worker.properties"

base="\"connector.class\":\"RedisSink\",\"topics\":\"cfg\",\"redis.uri\":\"redis://127.0.0.1:$RS_PORT\""
# bad KEY=VALUE json-fragment, expected message part
check_bad() {
    local what=$1 extra=$2 want=$3 cfg msg
    cfg="{$base,$extra}"
    it_http_expect 200 PUT /connector-plugins/RedisSink/config/validate "$cfg"
    msg=$(it_json '[.configs[].value.errors[]] | join(" | ")')
    [ "$(it_json .error_count)" -ge 1 ] || it_fail "validate accepted $what: $HTTP_BODY"
    [[ "$msg" == *"$want"* ]] || it_fail "validate of $what said '$msg', expected '$want'"
    it_http_expect 400 PUT /connectors/bad/config "$cfg"
    [[ "$HTTP_BODY" == *"$want"* ]] || it_fail "create of $what answered '$HTTP_BODY'"
    it_pass "refused $what: $want"
}
check_bad "an unknown data type" '"redis.type":"bogus"' "unknown data type 'bogus'"
check_bad "LIST" '"redis.type":"LIST"' "LIST is not supported"
check_bad "JSON" '"redis.type":"json"' "RedisJSON"
check_bad "a non-Redis URI" '"redis.uri":"http://127.0.0.1:1"' "is not a Redis URI"
check_bad "a bad port" '"redis.uri":"redis://127.0.0.1:99999"' "bad port"
check_bad "rediss://" '"redis.uri":"rediss://127.0.0.1:6380"' "hiredis 0.14, which has no TLS"
check_bad "redis.tls=true" '"redis.tls":"true"' "no TLS support"
check_bad "redis.cluster=true" '"redis.cluster":"true"' "Redis Cluster is not supported"
check_bad "a constant HASH key" '"redis.key.template":"orders"' "must contain \${key}"
check_bad "a per-row SET key" '"redis.type":"SET","redis.key.template":"s:${key}"' "must not depend on the row"
check_bad "an unclosed placeholder" '"redis.key.template":"o:${id"' "unclosed"
check_bad "a user without a password" '"redis.username":"app"' "needs redis.password"

# Ignored keys of the replaced connectors: valid, with a warning.
it_http_expect 200 PUT /connector-plugins/RedisSink/config/validate \
    "{\"name\":\"ok\",$base,\"redis.multiexec\":\"false\",\"redis.pool\":\"8\"}"
it_expect_json .error_count 0

# Redis is not there yet: the task keeps retrying, RUNNING.
rs_create early "{$base,\"redis.keyspace\":\"early\",\"redis.retry.backoff.max.ms\":\"500\"}"
printf 'k1\t{"a":1}\nk2\t{"a":2}\n' >"$T/cfg.kv"
rs_produce_kv cfg "$T/cfg.kv"
sleep 5
rs_expect "task RUNNING while Redis is not reachable" "$(rs_task_state early)" RUNNING
kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null
rs_start_redis
[ "$(rcli ACL SETUSER app on '>apppw' '~*' '&*' '+@all')" = OK ] || it_fail "ACL SETUSER failed"
has_early() { [ "$(rcli HGET early:k2 a 2>/dev/null)" = 2 ]; }
it_wait_for "the records once Redis is up" 30 has_early

# ACL user: right and wrong password.
auth="\"connector.class\":\"RedisSink\",\"topics\":\"cfg\",\"redis.keyspace\":\"acl\""
rs_create acl-ok "{$auth,\"redis.uri\":\"redis://app:apppw@127.0.0.1:$RS_PORT/0\"}"
has_acl() { [ "$(rcli HGET acl:k1 a 2>/dev/null)" = 1 ]; }
it_wait_for "AUTH app ... wrote" 30 has_acl
rs_create acl-bad "{$auth,\"redis.host\":\"127.0.0.1\",\"redis.port\":\"$RS_PORT\",\"redis.username\":\"app\",\"redis.password\":\"nope\"}"
failed() { [ "$(rs_task_state acl-bad)" = FAILED ]; }
it_wait_for "a wrong password fails the task" 30 failed
it_http GET /connectors/acl-bad/status
trace=$(it_json '.tasks[0].trace')
[[ "$trace" == *WRONGPASS* ]] || it_fail "the trace does not say why: $trace"
it_pass "the trace says WRONGPASS"
grep -q 'redis.multiexec.*MULTI/EXEC' "$WORKER_LOG" || it_fail "no warning for redis.multiexec=false"
it_pass "redis.multiexec=false was warned about"
it_stop_worker
it_done
