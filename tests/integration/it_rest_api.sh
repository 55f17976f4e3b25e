#!/usr/bin/env bash
# it_rest_api.sh — the Connect REST API of a real standalone worker, end to end, with the file
# sink: every endpoint's status code and JSON shape through a connector's whole life (create,
# duplicate, list/expand, config PUT/PATCH, status, pause/resume/stop, restarts, tasks, topics,
# offsets, validate, plugins, loggers, delete), plus Jersey-style errors for bad paths, methods,
# media types and bodies. Uses the mock Kafka broker; must clean up every process it started.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_rest_api
it_need_cmd curl
it_need_cmd jq

plugin_so=$(find "$SLUICE_BUILD_PLUGINS" -name 'sluice_file_sink.so' 2>/dev/null | head -1)
[ -n "$plugin_so" ] || it_fail "sluice_file_sink.so not found under $SLUICE_BUILD_PLUGINS"

it_start_kafka --topic rest-a:1 --topic rest-b:1
out="$IT_TMP/out.txt"

it_write_worker_props "$IT_TMP/worker.properties" \
    "key.converter=org.apache.kafka.connect.storage.StringConverter" \
    "value.converter=org.apache.kafka.connect.storage.StringConverter" \
    "offset.storage.file.filename=$IT_TMP/state/connect.offsets" \
    "plugin.path=$(dirname "$plugin_so")" \
    "access.control.allow.origin=http://ui.example" \
    "access.control.allow.methods=GET,POST,PUT,DELETE,PATCH" \
    'response.http.headers.config=set X-Frame-Options: DENY, "add Cache-Control: no-cache, no-store"'
it_start_worker "$IT_TMP/worker.properties"

# ---- helpers: one request, then assertions on $CODE / $BODY ----
base=${IT_REST_URL%/}
[ -n "$base" ] || it_fail "lib.sh did not set IT_REST_URL"

CODE=""
BODY=""
HEADERS=""
EXTRA_HEADERS=()
# rq METHOD PATH [BODY [CONTENT-TYPE]] — raw request with curl (any content type, garbage ok);
# sets $CODE, $BODY and $HEADERS (lower-cased names). EXTRA_HEADERS adds request headers.
rq() {
    local method=$1 path=$2 data=${3-} ctype=${4-application/json} h
    local args=(-s -o "$IT_TMP/body" -D "$IT_TMP/headers" -w '%{http_code}' -X "$method"
        --max-time 30)
    for h in "${EXTRA_HEADERS[@]}"; do
        args+=(-H "$h")
    done
    if [ $# -ge 3 ]; then
        [ -n "$ctype" ] && args+=(-H "Content-Type: $ctype")
        args+=(--data-binary "$data")
    fi
    CODE=$(curl "${args[@]}" "$base$path") || CODE="curl-failed"
    BODY=$(cat "$IT_TMP/body" 2>/dev/null)
    HEADERS=$(tr -d '\r' <"$IT_TMP/headers" 2>/dev/null | sed 's/^[^:]*:/\L&/')
}
# expect_header "name: value" — exact header line (name lower-case) in the last response
expect_header() {
    printf '%s\n' "$HEADERS" | grep -qxF "$1" || it_fail "missing header '$1' in: $HEADERS"
}
expect_code() {
    local want=$1
    shift
    rq "$@"
    [ "$CODE" = "$want" ] || it_fail "$1 $2: expected HTTP $want, got $CODE: $BODY"
}
# expect_json JQ-EXPRESSION — must evaluate to true on $BODY
expect_json() {
    local ok
    ok=$(printf '%s' "$BODY" | jq -e "$1" 2>/dev/null) || it_fail "body does not satisfy $1: $BODY"
    [ "$ok" = "true" ] || it_fail "body does not satisfy $1: $BODY"
}
expect_error() {
    local code=$1 msg=$2
    expect_json ".error_code == $code and .message == \"$msg\""
}
conn_state() {
    rq GET /connectors/fs/status
    printf '%s' "$BODY" | jq -r '.connector.state' 2>/dev/null
}
wait_state() {
    local want=$1 i
    for i in $(seq 1 100); do
        [ "$(conn_state)" = "$want" ] && return 0
        sleep 0.2
    done
    it_fail "connector fs did not reach $want: $BODY"
}

cfg=$(jq -cn --arg f "$out" \
    '{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector",
      "tasks.max":"1","topics":"rest-a","file":$f}')
create=$(jq -cn --argjson c "$cfg" '{name:"fs",config:$c}')

# ---- root, health, plugins ----
expect_code 200 GET /
expect_json '(.version | test("^[0-9]+\\.[0-9]+")) and has("commit") and has("kafka_cluster_id")'
expect_code 200 GET /health
expect_json '.status == "healthy"'
expect_code 200 GET /connector-plugins
expect_json 'any(.[]; .class == "org.apache.kafka.connect.file.FileStreamSinkConnector"
                      and .type == "sink")'
expect_json 'all(.[]; .type == "sink" or .type == "source")'
expect_code 200 GET '/connector-plugins?connectorsOnly=false'
expect_code 200 GET /connector-plugins/FileStreamSink/config
expect_json 'type == "array" and any(.[]; .name == "file")'
expect_code 404 GET /connector-plugins/NoSuchPlugin/config
it_pass "root, health and plugin endpoints"

# ---- validate ----
expect_code 200 PUT /connector-plugins/FileStreamSink/config/validate "$cfg"
expect_json '.name == "org.apache.kafka.connect.file.FileStreamSinkConnector"
             and (.error_count | type == "number") and (.configs | type == "array")'
expect_code 400 PUT /connector-plugins/FileStreamSource/config/validate "$cfg"
expect_error 400 "Included connector type org.apache.kafka.connect.file.FileStreamSinkConnector does not match request type FileStreamSource"
it_pass "validate answers ConfigInfos and checks the path plugin"

# ---- create, duplicate, read ----
expect_code 201 POST /connectors "$create"
expect_json '.name == "fs" and .config.file == "'"$out"'" and .config.name == "fs"
             and .type == "sink" and (.tasks | type == "array")'
expect_header "location: $base/connectors/fs"
expect_header "content-type: application/json"
expect_code 409 POST /connectors "$create"
expect_error 409 "Connector fs already exists"
expect_code 200 GET /connectors/fs
expect_json '.name == "fs" and .type == "sink"'
expect_code 200 GET /connectors/fs/config
expect_json ". == ($cfg + {name:\"fs\"})"
expect_code 200 GET /connectors/
expect_json '. == ["fs"]'
wait_state RUNNING
expect_code 200 GET '/connectors?expand=status&expand=info'
expect_json '.fs.status.connector.state == "RUNNING" and .fs.info.config.topics == "rest-a"'
expect_code 200 GET '/connectors?expand=status'
expect_json '.fs.status.name == "fs" and (.fs | has("info") | not)'
it_pass "create 201, duplicate 409, get, list and expand"

# ---- status, tasks, topics ----
expect_code 200 GET /connectors/fs/status
expect_json '.name == "fs" and .type == "sink" and .tasks[0].id == 0'
# worker_id is the advertised host:port of the listener (rest.advertised.* unset)
expect_json ".connector.worker_id == \"${base#http://}\" and .tasks[0].worker_id == \"${base#http://}\""

expect_code 200 GET /connectors/fs/tasks/0/status
expect_json '.id == 0 and (.state | type == "string")'
expect_code 404 GET /connectors/fs/tasks/7/status
expect_code 404 GET /connectors/fs/tasks/x/status
expect_error 404 "HTTP 404 Not Found"
expect_code 200 GET /connectors/fs/tasks
expect_json '.[0].id == {"connector":"fs","task":0} and (.[0].config | type == "object")'
expect_code 200 GET /connectors/fs/tasks-config
expect_json 'has("fs-0")'
expect_code 200 GET /connectors/fs/topics
expect_json '.fs.topics | type == "array"'
expect_code 200 GET /connectors/unknown-one/topics
expect_json '. == {"unknown-one":{"topics":[]}}'
expect_code 202 PUT /connectors/fs/topics/reset
it_pass "status, tasks, tasks-config and topics"

# ---- config PUT / PATCH ----
cfg2=$(printf '%s' "$cfg" | jq -c '.topics = "rest-a,rest-b" | .["tasks.max"] = 1')
expect_code 200 PUT /connectors/fs/config "$cfg2"
expect_json '.name == "fs" and .config.topics == "rest-a,rest-b" and .config["tasks.max"] == "1"'
expect_code 200 PATCH /connectors/fs/config '{"topics":"rest-a","extra.key":"x"}'
expect_json '.config.topics == "rest-a" and .config["extra.key"] == "x"'
expect_code 200 PATCH /connectors/fs/config '{"extra.key":null}'
expect_json '(.config | has("extra.key") | not)'
expect_code 400 PUT /connectors/fs/config '{"name":"other","topics":"t"}'
expect_error 400 "Connector name configuration (other) doesn't match connector name in the URL (fs)"
expect_code 404 PATCH /connectors/nope/config '{"a":"b"}'
it_pass "config PUT 200, PATCH (null removes), name mismatch 400"

# ---- lifecycle ----
expect_code 202 PUT /connectors/fs/pause
[ -z "$BODY" ] || it_fail "pause must answer an empty body, got $BODY"
wait_state PAUSED
expect_code 202 PUT /connectors/fs/resume
wait_state RUNNING
expect_code 204 POST /connectors/fs/restart
expect_code 204 POST '/connectors/fs/restart?includeTasks=false&onlyFailed=false'
expect_code 202 POST '/connectors/fs/restart?includeTasks=true'
expect_json '.name == "fs" and .connector.state == "RESTARTING"'
expect_code 204 POST /connectors/fs/tasks/0/restart
wait_state RUNNING
expect_code 404 POST /connectors/nope/restart
it_pass "pause 202, resume 202, restart variants"

# ---- offsets ----
expect_code 200 GET /connectors/fs/offsets
expect_json '.offsets | type == "array"'
expect_code 400 DELETE /connectors/fs/offsets
expect_code 204 PUT /connectors/fs/stop
wait_state STOPPED
expect_code 200 GET /connectors/fs/tasks
expect_json '. == []'
expect_code 400 PATCH /connectors/fs/offsets '{"offsets":[]}'
expect_error 400 "Partitions / offsets need to be provided for an alter offsets request"
expect_code 200 PATCH /connectors/fs/offsets \
    '{"offsets":[{"partition":{"kafka_topic":"rest-a","kafka_partition":0},"offset":{"kafka_offset":0}}]}'
expect_json '.message | type == "string"'
expect_code 200 DELETE /connectors/fs/offsets
expect_json '.message | type == "string"'
expect_code 202 PUT /connectors/fs/resume
wait_state RUNNING
it_pass "stop 204 → STOPPED, offsets GET/PATCH/DELETE"

# ---- loggers ----
expect_code 200 GET /admin/loggers/
expect_json 'has("root") and (.root.level | type == "string")'
expect_code 200 PUT /admin/loggers/org.apache.kafka.connect '{"level":"DEBUG"}'
expect_json '. == ["org.apache.kafka.connect"]'
expect_code 200 GET /admin/loggers/org.apache.kafka.connect
expect_json '.level == "DEBUG" and (.last_modified | type == "number")'
expect_code 204 PUT '/admin/loggers/org.apache.kafka.connect?scope=cluster' '{"level":"INFO"}'
expect_code 400 PUT /admin/loggers/x '{}'
expect_error 400 "Desired 'level' parameter was not specified in request."
expect_code 404 PUT /admin/loggers/x '{"level":"LOUD"}'
expect_error 404 "invalid log level 'LOUD'."
expect_code 404 GET /admin/loggers/never.set
it_pass "admin loggers"

# ---- errors: paths, methods, media types, bodies ----
expect_code 404 GET /nope
expect_error 404 "HTTP 404 Not Found"
expect_code 405 DELETE /connectors
expect_error 405 "HTTP 405 Method Not Allowed"
EXTRA_HEADERS=("Accept: text/plain")
expect_code 406 GET /connectors
expect_error 406 "HTTP 406 Not Acceptable"
EXTRA_HEADERS=()
expect_code 415 POST /connectors "$create" text/plain
expect_error 415 "HTTP 415 Unsupported Media Type"
expect_code 500 POST /connectors '{"name":"bad",'
expect_json '.error_code == 500 and (.message | type == "string")'
expect_code 500 POST /connectors '[1,2]'
expect_code 500 POST /connectors ''
expect_code 500 POST /connectors '{"name":"x","config":{"a":{"b":1}}}'
expect_code 400 POST /connectors '{"name":"","config":{"topics":"t"}}'
expect_json '.message | startswith("Connector configuration is invalid")'
expect_code 400 POST /connectors '{"name":"x","config":{"topics":null}}'
expect_code 404 GET /connectors/nope
expect_error 404 "Connector nope not found"
expect_code 404 GET /connectors/nope/status
rq GET /connectors/a%20b%2Fc
[ "$CODE" = 404 ] || it_fail "encoded name: expected 404, got $CODE"
expect_json '.message | contains("a b/c")'
for junk in '{{{{' '"str"' 'null' '123' '{"name":1e999}' "$(head -c 300 /dev/urandom | tr -d '\0')"; do
    rq POST /connectors "$junk"
    case "$CODE" in 4?? | 5??) ;; *) it_fail "garbage body answered $CODE: $BODY" ;; esac
done
expect_code 200 GET /health
it_pass "404/405/406/415 and malformed bodies answered with Connect's error shape; worker still healthy"

# ---- CORS (access.control.allow.origin / methods) and HEAD ----
EXTRA_HEADERS=("Origin: http://ui.example" "Access-Control-Request-Method: DELETE")
expect_code 200 OPTIONS /connectors/fs
expect_header "access-control-allow-origin: http://ui.example"
expect_header "access-control-allow-methods: GET,POST,PUT,DELETE,PATCH"
EXTRA_HEADERS=("Origin: http://ui.example")
expect_code 200 GET /connectors
expect_header "access-control-allow-origin: http://ui.example"
EXTRA_HEADERS=("Origin: http://evil.example")
expect_code 200 GET /connectors
printf '%s' "$HEADERS" | grep -qi '^access-control' && it_fail "CORS headers for a foreign origin"
EXTRA_HEADERS=()
code=$(curl -s -o /dev/null -w '%{http_code}' -I "$base/connectors/fs/status")
[ "$code" = 200 ] || it_fail "HEAD status: $code"
expect_code 404 GET /connectors/nope
expect_header "x-frame-options: DENY"
expect_header "cache-control: no-cache, no-store"
it_pass "CORS preflight and simple requests, HEAD, response.http.headers.config"

# ---- PUT creates (201 + Location), initial_state, names that need encoding ----
cfg3=$(printf '%s' "$cfg" | jq -c --arg f "$IT_TMP/out3.txt" '.file = $f')
expect_code 201 PUT /connectors/fs%20two/config "$cfg3"
expect_header "location: $base/connectors/fs%20two"
expect_json '.name == "fs two" and .config.name == "fs two"'
expect_code 200 GET /connectors/fs%20two/config
expect_json '.name == "fs two"'
expect_code 204 DELETE /connectors/fs%20two
paused=$(jq -cn --argjson c "$cfg3" '{name:"fs3",config:$c,initial_state:"paused"}')
expect_code 201 POST /connectors "$paused"
for i in $(seq 1 100); do
    rq GET /connectors/fs3/status
    [ "$(printf '%s' "$BODY" | jq -r '.connector.state' 2>/dev/null)" = PAUSED ] && break
    sleep 0.2
done
expect_json '.connector.state == "PAUSED"'
expect_code 204 DELETE /connectors/fs3
it_pass "PUT creates with 201 and Location, percent-encoded names, initial_state"

# ---- delete ----
expect_code 204 DELETE /connectors/fs
expect_code 404 GET /connectors/fs
expect_code 404 DELETE /connectors/fs
expect_code 200 GET /connectors
expect_json '. == []'
it_pass "delete 204, then 404"

it_done
