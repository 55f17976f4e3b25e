# shellcheck shell=bash
# it_lib.sh — helpers for the BigQuery sink's integration tests (tests/integration/it_bigquery_*.sh),
# sourced after tests/integration/lib.sh: a throwaway RSA key and service-account JSON, the
# BigQuery REST test double (tests/bigquery/bq_test_server.py) on a free port, stopped by the EXIT
# trap, table dumps through its /__test endpoints, the worker wired to the built bigquery_sink.so,
# and producing the Debezium fixtures ({topic, partition, offset, key, value} lines) with keys.

BQ_PID=""
BQ_PORT=""
BQ_URL=""
BQ_KEYFILE=""
BQ_EMAIL="sluice-test@proj.iam.gserviceaccount.com"

bq__stop() {
    if [ -n "$BQ_PID" ] && kill -0 "$BQ_PID" 2>/dev/null; then
        kill -TERM "$BQ_PID" 2>/dev/null
        it__wait_gone "$BQ_PID" 10 || kill -KILL "$BQ_PID" 2>/dev/null
        wait "$BQ_PID" 2>/dev/null
    fi
    BQ_PID=""
}

# bq_init NAME — it_init plus the server's cleanup in the EXIT trap.
bq_init() {
    it_init "$1"
    # shellcheck disable=SC2154 # rc is assigned inside the trap string
    trap 'rc=$?; bq__stop; (exit $rc); it__cleanup' EXIT
    it_need_cmd jq openssl curl kcat
    [ -x /usr/bin/python3 ] || it__need_service "/usr/bin/python3 is not installed"
    BQ_SO_DIR="${SLUICE_BUILD_PLUGINS:-}/bigquery_sink/.libs"
    [ -f "$BQ_SO_DIR/bigquery_sink.so" ] || it_fail "bigquery_sink.so not built in $BQ_SO_DIR"
}

# bq_make_key — $T/key.pem, $T/pub.pem and the service-account JSON $BQ_KEYFILE (whose token_uri
# points somewhere the sink must never call).
bq_make_key() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null ||
        it_fail "openssl genpkey failed"
    openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem" 2>/dev/null ||
        it_fail "openssl pkey -pubout failed"
    BQ_KEYFILE="$T/sa.json"
    jq -n --rawfile k "$T/key.pem" --arg e "$BQ_EMAIL" '{type:"service_account",
        project_id:"proj", private_key_id:"k1", private_key:$k, client_email:$e,
        client_id:"1", token_uri:"http://127.0.0.1:1/never-used"}' >"$BQ_KEYFILE"
    chmod 600 "$BQ_KEYFILE"
}

# bq_start_server [ARGS...] — start the test double (with the key unless --no-auth is given).
bq_start_server() {
    local srv="${SLUICE_SRCDIR:?}/tests/bigquery/bq_test_server.py" args=("$@")
    [ -f "$srv" ] || it_fail "no test server at $srv"
    if [[ " ${args[*]} " != *" --no-auth "* ]]; then
        args+=(--public-key "$T/pub.pem" --client-email "$BQ_EMAIL")
    fi
    rm -f "$T/bq.port"
    /usr/bin/python3 "$srv" --port-file "$T/bq.port" --log "$T/bq.log" "${args[@]}" \
        >"$T/bq.out" 2>&1 &
    BQ_PID=$!
    it_wait_for 15 test -s "$T/bq.port" ||
        it_fail "BigQuery test server did not start: $(tail -n 5 "$T/bq.out")"
    BQ_PORT=$(cat "$T/bq.port")
    BQ_URL="http://127.0.0.1:$BQ_PORT"
}

# bq_get PATH — GET on the test server (body on stdout).
bq_get() { curl -s --max-time 10 "$BQ_URL$1"; }
# bq_post PATH JSON
bq_post() { curl -s --max-time 10 -X POST -H 'Content-Type: application/json' -d "$2" "$BQ_URL$1"; }

# bq_rows TABLE [JQ] — the table's rows (project proj, dataset ds) as compact JSON, sorted.
bq_rows() {
    bq_get "/__test/tables/proj/ds/$1" | jq -cS "${2:-.rows} | sort_by(tostring)" 2>/dev/null
}
bq_count() { bq_get "/__test/tables/proj/ds/$1" | jq '.rows | length' 2>/dev/null; }
bq_stat() { bq_get /__test/stats | jq -r "$1" 2>/dev/null; }

# bq_worker_props FILE [KEY=VALUE...] — worker properties: JSON keys and values with schemas,
# only the BigQuery plugin.
bq_worker_props() {
    local f=$1
    shift
    it_write_worker_props "$f" \
        "plugin.path=$BQ_SO_DIR" \
        "key.converter=org.apache.kafka.connect.json.JsonConverter" \
        "key.converter.schemas.enable=true" \
        "value.converter=org.apache.kafka.connect.json.JsonConverter" \
        "value.converter.schemas.enable=true" "$@"
}

# bq_connector_json NAME TOPICS [JQ-OBJECT-EXPR] — the connector create body, upsert+delete.
bq_connector_json() {
    jq -n --arg n "$1" --arg topics "$2" --arg api "$BQ_URL/bigquery/v2" \
        --arg tok "$BQ_URL/token" --arg key "$BQ_KEYFILE" "{name:\$n, config:({
        \"connector.class\":\"com.wepay.kafka.connect.bigquery.BigQuerySinkConnector\",
        \"tasks.max\":\"1\", topics:\$topics, project:\"proj\", defaultDataset:\"ds\",
        keyfile:\$key, keySource:\"FILE\", \"bigquery.api.url\":\$api,
        \"bigquery.token.url\":\$tok, sanitizeTopics:\"true\", upsertEnabled:\"true\",
        deleteEnabled:\"true\", kafkaKeyFieldName:\"kafkaKey\", mergeIntervalMs:\"500\",
        bigQueryRetry:\"3\", bigQueryRetryWait:\"100\"} + (${3:-{\}}))}"
}

# bq_produce_fixture FILE [TOPIC] — produce {topic, partition, offset, key, value} lines in order
# (null key/value = Kafka null), each to its partition.
bq_produce_fixture() {
    local file=$1 topic=${2:-} p
    /usr/bin/python3 - "$file" "$T/fx" "$topic" <<'PY' || it_fail "cannot split $file"
import json, sys
src, out, topic = sys.argv[1], sys.argv[2], sys.argv[3]
files = {}
for line in open(src):
    line = line.strip()
    if not line:
        continue
    d = json.loads(line)
    p = d.get("partition", 0)
    k = "" if d["key"] is None else json.dumps(d["key"], separators=(",", ":"))
    v = "" if d["value"] is None else json.dumps(d["value"], separators=(",", ":"))
    files.setdefault(p, []).append(k + "\t" + v)
    t = topic or d["topic"]
for p, lines in files.items():
    with open(f"{out}.{p}", "w") as f:
        f.write("\n".join(lines) + "\n")
with open(f"{out}.topic", "w") as f:
    f.write(t)
PY
    [ -n "$topic" ] || topic=$(cat "$T/fx.topic")
    for f in "$T"/fx.[0-9]*; do
        p=${f##*.}
        timeout 60 kcat -P -b "$BOOTSTRAP" -t "$topic" -p "$p" -K $'\t' -Z <"$f" \
            2>"$T/kcat.err" || it_fail "kcat -P $topic/$p failed: $(head -n 3 "$T/kcat.err")"
        rm -f "$f"
    done
}

# bq_produce_kv TOPIC PARTITION FILE — "key<TAB>value" lines to one partition (empty = null).
bq_produce_kv() {
    timeout 60 kcat -P -b "$BOOTSTRAP" -t "$1" -p "$2" -K $'\t' -Z <"$3" 2>"$T/kcat.err" ||
        it_fail "kcat -P $1/$2 failed: $(head -n 3 "$T/kcat.err")"
}

# bq_task_state NAME — the first task's state.
bq_task_state() { it_http GET "/connectors/$1/status" | jq -r '.tasks[0].state // "none"'; }
bq_task_is() { [ "$(bq_task_state "$1")" = "$2" ]; }
