#!/usr/bin/env bash
# The quick start: installs what is missing, builds sluice, starts a dev Kafka (sluice-mock-kafka) and
# a standalone worker, creates a file sink connector through the REST API (the same JSON you would
# send to Java Kafka Connect), produces Debezium change events and shows them arriving. Then it
# starts a private ClickHouse (Debian's clickhouse-server, config in a temp directory), creates a
# ClickHouse sink connector on the same CDC topic and prints the table as SELECT ... FINAL sees it.
# Everything keeps running afterwards so you can try the REST API; `scripts/quickstart.sh --stop`
# stops it. Work files live in ./build/quickstart.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
qs="$top/build/quickstart"
port=${SLUICE_QUICKSTART_PORT:-8083}

stop() {
    for f in "$qs"/worker.pid "$qs"/kafka.pid "$qs"/clickhouse.pid; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
}
if [ "${1:-}" = "--stop" ]; then stop; echo "quickstart stopped"; exit 0; fi

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Installing what is missing and building"
"$top/scripts/install-deps.sh"
cd "$top"
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build/default
( cd build/default && { [ -f Makefile ] || ../../configure -q; } && make -s -j"$(nproc)" >/dev/null )
bin="$top/build/default"

stop
rm -rf "$qs"; mkdir -p "$qs/state"

say "Starting a dev Kafka (sluice-mock-kafka)"
mkfifo "$qs/kafka.in"
"$bin/sluice-mock-kafka" --topic dbserver1.inventory.customers:1 <"$qs/kafka.in" >"$qs/kafka.out" 2>"$qs/kafka.log" &
echo $! >"$qs/kafka.pid"
exec 7>"$qs/kafka.in"   # keep the broker's stdin open
for _ in $(seq 50); do [ -s "$qs/kafka.out" ] && break; sleep 0.1; done
bootstrap=$(head -n1 "$qs/kafka.out")
echo "bootstrap.servers=$bootstrap"

say "Starting a standalone worker on port $port"
cat >"$qs/worker.properties" <<PROPS
bootstrap.servers=$bootstrap
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.file.filename=$qs/state/connect.offsets
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$port
plugin.path=$bin/plugins/file_sink/.libs,$bin/plugins/clickhouse_sink/.libs
PROPS
"$bin/sluice" standalone "$qs/worker.properties" >"$qs/worker.log" 2>&1 &
echo $! >"$qs/worker.pid"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
curl -s "http://127.0.0.1:$port/"; echo

say "Creating a file sink connector (Java class names, Debezium's unwrap transform)"
cat >"$qs/file-sink.json" <<JSON
{
  "name": "customers-file",
  "config": {
    "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
    "tasks.max": "1",
    "topics": "dbserver1.inventory.customers",
    "file": "$qs/customers.txt",
    "transforms": "unwrap",
    "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
    "transforms.unwrap.delete.tombstone.handling.mode": "rewrite",
    "transforms.unwrap.add.fields": "op,source.ts_ms"
  }
}
JSON
cat "$qs/file-sink.json"
curl -s -X POST -H 'Content-Type: application/json' --data @"$qs/file-sink.json" \
    "http://127.0.0.1:$port/connectors"; echo

say "Producing Debezium change events (MySQL inventory.customers: snapshot, update, delete)"
events="$top/tests/data/debezium/07_flink_debezium-data-schema-include.jsonl"
# Keyed as Debezium keys them (the primary key, with its schema): the ClickHouse table's ORDER BY.
grep -v '^$' "$events" | jq -c '{schema: {type: "struct", optional: false, name: "dbserver1.inventory.products.Key",
        fields: [{type: "int32", optional: false, field: "id"}]},
    payload: {id: (.payload.after.id // .payload.before.id)}}' >"$qs/keys.jsonl"
grep -v '^$' "$events" | paste -d '\t' "$qs/keys.jsonl" - |
    kcat -P -b "$bootstrap" -t dbserver1.inventory.customers -K $'\t'
echo "produced $(grep -c . "$events") events"

say "Rows arriving in $qs/customers.txt"
for _ in $(seq 100); do
    [ -f "$qs/customers.txt" ] && [ "$(wc -l <"$qs/customers.txt")" -ge 16 ] && break
    sleep 0.1
done
cat "$qs/customers.txt" 2>/dev/null || echo "(nothing yet: see $qs/worker.log)"

say "Connector status"
curl -s "http://127.0.0.1:$port/connectors/customers-file/status"; echo

say "Starting a private ClickHouse (clickhouse-server with its own config in $qs/clickhouse)"
# shellcheck source=../tests/integration/clickhouse-lib.sh
. "$top/tests/integration/clickhouse-lib.sh"
if ch_start "$qs/clickhouse"; then
    echo "$CH_PID" >"$qs/clickhouse.pid"
    echo "ClickHouse $(ch_query 'SELECT version()') at $CH_URL (native port $CH_TCP_PORT)"

    say "Creating a ClickHouse sink connector on the same topic (Debezium envelopes as they come)"
    cat >"$qs/clickhouse-sink.json" <<JSON
{
  "name": "customers-clickhouse",
  "config": {
    "connector.class": "com.clickhouse.kafka.connect.ClickHouseSinkConnector",
    "tasks.max": "1",
    "topics": "dbserver1.inventory.customers",
    "hostname": "127.0.0.1",
    "port": "$CH_HTTP_PORT",
    "ssl": "false",
    "database": "default",
    "topic2TableMap": "dbserver1.inventory.customers=products",
    "batch.linger.ms": "200"
  }
}
JSON
    cat "$qs/clickhouse-sink.json"
    curl -s -X POST -H 'Content-Type: application/json' --data @"$qs/clickhouse-sink.json" \
        "http://127.0.0.1:$port/connectors"; echo

    say "The table in ClickHouse: SELECT ... FROM products FINAL WHERE _is_deleted = 0"
    for _ in $(seq 150); do
        n=$(ch_query "SELECT count() FROM products FINAL WHERE _is_deleted = 0" 2>/dev/null) || n=0
        [ "$n" = 10 ] && break
        sleep 0.2
    done
    ch_query "SELECT id, name, description, weight FROM products FINAL WHERE _is_deleted = 0
              ORDER BY id FORMAT PrettyCompactMonoBlock" ||
        echo "(nothing yet: see $qs/worker.log)"
    echo "(id 111 was created, updated and deleted at the source: it is a delete marker, filtered out)"
else
    echo "(clickhouse-server did not start: see $qs/clickhouse/log; the file sink part above is unaffected)"
fi

cat <<TRY

Try next (the same calls you make against Java Kafka Connect):
  curl -s localhost:$port/connectors?expand=status
  curl -s localhost:$port/connectors/customers-file/config
  curl -s -X PUT localhost:$port/connectors/customers-file/pause
  curl -s -X PUT localhost:$port/connectors/customers-file/resume
  curl -s localhost:$port/connectors/customers-file/offsets
  curl -s localhost:$port/connector-plugins
  curl -s -X DELETE localhost:$port/connectors/customers-file
ClickHouse:     curl -s '${CH_URL:-http://127.0.0.1:8123}/' --data-binary 'SELECT * FROM products FINAL WHERE _is_deleted = 0'
                clickhouse-client --port ${CH_TCP_PORT:-9000}
Produce more:   kcat -P -b $bootstrap -t dbserver1.inventory.customers
Worker log:     $qs/worker.log
Stop it all:    scripts/quickstart.sh --stop
TRY
