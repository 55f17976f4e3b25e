#!/usr/bin/env bash
# it_bigquery_faults.sh — bigquery_sink.so under faults from the BigQuery test double: tokens
# expired mid-stream are refreshed (401 → new token exchange), 503 storms longer than
# bigQueryRetry, quotaExceeded/rateLimitExceeded and MERGE "Could not serialize access" are retried
# with the task RUNNING and the table exactly right afterwards; a non-retriable insertAll error
# fails the task with a trace naming the table and the reason; a key the token endpoint refuses
# fails with invalid_grant; GCS batch-load keys and a missing keyfile are validation errors.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../../plugins/bigquery_sink/it_lib.sh
. "${SLUICE_SRCDIR:-$here/../..}/plugins/bigquery_sink/it_lib.sh"

bq_init it_bigquery_faults
bq_make_key
bq_start_server
it_start_kafka --topic db.t:1 --topic bad.t:1
bq_worker_props "$T/worker.properties" "offset.flush.interval.ms=500"
it_start_worker "$T/worker.properties"

CLASS=com.wepay.kafka.connect.bigquery.BigQuerySinkConnector

# rows FROM TO VAL — Debezium creates/updates of ids FROM..TO (value VAL, LSN = n*1000 + id).
n=0
rows() {
    n=$((n + 1))
    local i f="$T/in.$n"
    : >"$f"
    for i in $(seq "$1" "$2"); do
        printf '{"schema":{"type":"struct","optional":false,"fields":[{"type":"int32","optional":false,"field":"id"}]},"payload":{"id":%d}}\t{"schema":{"type":"struct","optional":false,"fields":[{"type":"struct","optional":true,"field":"before","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"v"}]},{"type":"struct","optional":true,"field":"after","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"v"}]},{"type":"struct","optional":false,"field":"source","fields":[{"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field":"table"},{"type":"int64","optional":true,"field":"lsn"}]},{"type":"string","optional":false,"field":"op"}]},"payload":{"before":null,"after":{"id":%d,"v":"%s"},"source":{"connector":"postgresql","table":"t","lsn":%d},"op":"u"}}\n' \
            "$i" "$i" "$3" "$((n * 1000 + i))" >>"$f"
    done
    bq_produce_kv "${4:-db.t}" 0 "$f"
}
vals() { bq_get /__test/tables/proj/ds/db_t | jq -c '[.rows[].v] | group_by(.) | map({(.[0]): length}) | add' 2>/dev/null; }
vals_are() { [ "$(vals)" = "$1" ]; }
running() { bq_task_is db RUNNING; }

it_http_expect 201 POST /connectors "$(bq_connector_json db db.t '{bigQueryRetry:"2"}')"
it_wait_for "db task RUNNING" 30 running
rows 1 20 a
it_wait_for "20 rows = a" 60 vals_are '{"a":20}'
tokens0=$(bq_stat .tokens_issued)

# 1. Tokens expire under the running task: the next call gets 401 and the token is refreshed.
bq_post /__test/expire_tokens '{}' >/dev/null
rows 1 20 b
it_wait_for "20 rows = b after token expiry" 60 vals_are '{"b":20}'
[ "$(bq_stat .tokens_issued)" -gt "$tokens0" ] || it_fail "no new token after expiry"
running || it_fail "task not RUNNING after token expiry"
it_pass "expired tokens refreshed mid-stream (tokens issued: $tokens0 -> $(bq_stat .tokens_issued))"

# 2. A 503 storm longer than bigQueryRetry: the batch is handed back and redelivered.
bq_post /__test/faults '{"method":"POST","path_regex":"insertAll","status":503,"reason":"backendError","count":6}' >/dev/null
rows 1 20 c
it_wait_for "20 rows = c after a 503 storm" 90 vals_are '{"c":20}'
running || it_fail "task not RUNNING after the 503 storm"
[ "$(bq_stat .faults_pending)" = 0 ] || it_fail "not every injected 503 was hit"
it_pass "6 x 503 backendError on insertAll retried; task RUNNING; table right"

# 3. Quota and rate limits on insertAll, then serialization conflicts on the MERGE.
bq_post /__test/faults '{"method":"POST","path_regex":"insertAll","status":403,"reason":"quotaExceeded","count":2}' >/dev/null
bq_post /__test/faults '{"method":"POST","path_regex":"insertAll","status":403,"reason":"rateLimitExceeded","count":2}' >/dev/null
bq_post /__test/faults '{"method":"POST","path_regex":"queries","status":400,"reason":"invalidQuery","query_regex":"^MERGE","count":3}' >/dev/null
rows 1 20 d
it_wait_for "20 rows = d after quota, rate-limit and MERGE conflicts" 90 vals_are '{"d":20}'
running || it_fail "task not RUNNING after quota errors"
[ "$(bq_stat .faults_pending)" = 0 ] || it_fail "faults left: $(bq_stat .faults_pending)"
grep -q "quotaExceeded" "$WORKER_LOG" || it_fail "no quotaExceeded retry logged"
it_pass "quotaExceeded, rateLimitExceeded and 3 MERGE 'Could not serialize access' retried"
committed() { it_http GET /connectors/db/offsets | jq '[.offsets[].offset.kafka_offset] | add // 0'; }
committed_is() { [ "$(committed)" = "$1" ]; }
it_wait_for "all 80 offsets committed after the merges" 30 committed_is 80

# 3b. "Request payload size exceeds the limit" (400 badRequest): the request is split in halves.
ins0=$(bq_stat '.requests["POST tabledata.insertAll"]')
bq_post /__test/faults '{"method":"POST","path_regex":"insertAll","status":400,"reason":"badRequest","message":"Request payload size exceeds the limit: 10485760 bytes.","count":1}' >/dev/null
rows 1 20 h
it_wait_for "20 rows = h after a too-large answer" 60 vals_are '{"h":20}'
[ "$(bq_stat .faults_pending)" = 0 ] || it_fail "the too-large fault was not hit"
[ "$(($(bq_stat '.requests["POST tabledata.insertAll"]') - ins0))" -ge 3 ] ||
    it_fail "no halving: $(($(bq_stat '.requests["POST tabledata.insertAll"]') - ins0)) requests"
running || it_fail "task not RUNNING after a too-large answer"
it_pass "a too-large insertAll is halved and re-sent"

# 4. A non-retriable insertAll error fails the task with a readable trace.
bq_post /__test/faults '{"method":"POST","path_regex":"insertAll","status":400,"reason":"invalid","message":"Invalid table schema for the test","count":1}' >/dev/null
rows 1 5 e
failed() { bq_task_is db FAILED; }
it_wait_for "db task FAILED on a 400 invalid" 60 failed
it_http GET /connectors/db/status >/dev/null
trace=$(it_json '.tasks[0].trace')
[[ "$trace" == *"proj.ds.db_t_tmp"* && "$trace" == *invalid* && "$trace" == *"Invalid table schema"* ]] ||
    it_fail "trace does not name the table and the reason: $trace"
it_pass "non-retriable error: task FAILED, trace: ${trace%%$'\n'*}"

# 5. A key the token endpoint does not know (another key pair): invalid_grant, FAILED.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/other.pem" 2>/dev/null
jq -n --rawfile k "$T/other.pem" --arg e "$BQ_EMAIL" \
    '{type:"service_account",private_key:$k,client_email:$e}' >"$T/other.json"
it_http_expect 201 POST /connectors "$(bq_connector_json bad bad.t "{keyfile:\"$T/other.json\"}")"
it_wait_for "bad task RUNNING" 30 bq_task_is bad RUNNING
rows 1 1 x bad.t
it_wait_for "bad task FAILED" 60 bq_task_is bad FAILED
it_http GET /connectors/bad/status >/dev/null
trace=$(it_json '.tasks[0].trace')
[[ "$trace" == *invalid_grant* ]] || it_fail "trace does not say invalid_grant: $trace"
[[ "$trace" != *"PRIVATE KEY"* ]] || it_fail "the key leaked into the trace"
it_pass "a refused key fails the task with invalid_grant (and no key material)"

# 6. Validation: GCS batch loading is refused by name; a missing keyfile is an error.
body=$(jq -n --arg c "$CLASS" '{"connector.class":$c, topics:"x", project:"p",
    defaultDataset:"d", keyfile:"/nonexistent", enableBatchLoad:"x", gcsBucketName:"b"}')
it_http_expect 200 PUT "/connector-plugins/$CLASS/config/validate" "$body"
[ "$(it_json .error_count)" -ge 2 ] || it_fail "expected >= 2 errors: $HTTP_BODY"
[[ "$HTTP_BODY" == *"does not do GCS batch loading"* ]] || it_fail "no GCS message: $HTTP_BODY"
body=$(jq -n --arg c "$CLASS" '{"connector.class":$c, topics:"x", project:"p",
    defaultDataset:"d", upsertEnabled:"true"}')
it_http_expect 200 PUT "/connector-plugins/$CLASS/config/validate" "$body"
[[ "$HTTP_BODY" == *"keyfile is required"* && "$HTTP_BODY" == *"need kafkaKeyFieldName"* ]] ||
    it_fail "missing keyfile / kafkaKeyFieldName not reported: $HTTP_BODY"
body=$(jq -n --arg c "$CLASS" '{"connector.class":$c, topics:"x", project:"p",
    defaultDataset:"d", keySource:"JSON", keyfile:"{\"private_key\":\"SECRET\"}"}')
it_http_expect 200 PUT "/connector-plugins/$CLASS/config/validate" "$body"
[[ "$HTTP_BODY" != *SECRET* ]] || it_fail "validate echoed the keyfile: $HTTP_BODY"
it_pass "validation: GCS batch load refused, keyfile/kafkaKeyFieldName required, keyfile hidden"

it_stop_worker
it_pass "the worker stopped cleanly (exit 0) on SIGTERM"
it_done
