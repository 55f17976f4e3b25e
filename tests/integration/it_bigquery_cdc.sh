#!/usr/bin/env bash
# it_bigquery_cdc.sh — Debezium streams through bigquery_sink.so into the BigQuery test double
# (tests/bigquery/bq_test_server.py, with real JWT verification): the Postgres logical-types
# fixture (06: r, u, d, tombstone, c, then t) ends as exactly the expected table with every decimal
# digit, microsecond timestamps, DATE/TIME/JSON; Postgres customers (01/01b) and MySQL (02) with
# keys; the intermediate table is emptied after the MERGE; offsets are committed only after it;
# short-lived tokens are refreshed before they expire; the key never leaks.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../../plugins/bigquery_sink/it_lib.sh
. "${SLUICE_SRCDIR:-$here/../..}/plugins/bigquery_sink/it_lib.sh"

bq_init it_bigquery_cdc
bq_make_key
bq_start_server --token-ttl 8 # tokens are refreshed before they expire: no 401 in this test
it_start_kafka --topic shop.public.orders:1 --topic pg.inventory.customers:1 \
    --topic my.inventory.customers:1 --topic unwrapped.orders:1
bq_worker_props "$T/worker.properties" "offset.flush.interval.ms=500"
it_start_worker "$T/worker.properties"

it_http_expect 201 POST /connectors "$(bq_connector_json orders shop.public.orders)"
it_wait_for "orders task RUNNING" 30 bq_task_is orders RUNNING

# offsets 0-4 first (r, u, d, tombstone, c), the truncate (offset 5) afterwards
head -n 5 "$SLUICE_TEST_DATA/debezium/06_synthetic_postgres_orders_logical_types.jsonl" >"$T/06a"
tail -n +6 "$SLUICE_TEST_DATA/debezium/06_synthetic_postgres_orders_logical_types.jsonl" >"$T/06t"
bq_produce_fixture "$T/06a"
has_rows() { [ "$(bq_count "$1")" = "$2" ]; }
it_wait_for "one row in shop_public_orders" 60 has_rows shop_public_orders 1
sleep 2 # later merges must not change it
got=$(bq_rows shop_public_orders '.rows | map(del(._sluice_position))')
want='[{"amount":"-9.95","attrs":"{\"gift_wrap\":true,\"tags\":[\"vip\",\"promo\"]}","created_at":"2026-03-14 14:30:15.123456 UTC","customer_id":"5f0c6c1e-3b6a-4b8e-9d55-2b8f3f7e9a10","discount":null,"flags":"BQ==","id":1002,"is_gift":true,"kafkaKey":{"id":1002},"note":null,"order_date":"2026-03-14","pickup_time":"14:30:15.123456","status":"new","updated_at":"2026-03-14 12:30:15.123456 UTC"}]'
[ "$got" = "$want" ] || it_fail "orders table: got $got, want $want"
it_pass "06: 1001 read, updated, deleted; 1002 created with amount -9.95, every type exact"
pos=$(bq_rows shop_public_orders '.rows | map(._sluice_position)')
[ "$pos" = '[36702800]' ] || it_fail "applied position: $pos"
it_pass "the destination keeps the applied source position (LSN 36702800)"

schema=$(bq_get /__test/tables/proj/ds/shop_public_orders | jq -c '[.schema.fields[] | {(.name): .type}] | add')
for kv in '"amount":"NUMERIC"' '"discount":"BIGNUMERIC"' '"created_at":"TIMESTAMP"' \
    '"updated_at":"TIMESTAMP"' '"order_date":"DATE"' '"pickup_time":"TIME"' '"attrs":"JSON"' \
    '"kafkaKey":"RECORD"' '"flags":"BYTES"'; do
    [[ "$schema" == *"$kv"* ]] || it_fail "column type $kv missing in $schema"
done
it_pass "column types: NUMERIC, BIGNUMERIC, TIMESTAMP, DATE, TIME, JSON, BYTES, RECORD key"

tmp=$(bq_get /__test/tables | jq -r '.[] | select(test("shop_public_orders_tmp"))')
[ -n "$tmp" ] || it_fail "no intermediate table: $(bq_get /__test/tables)"
it_wait_for "intermediate table emptied after the MERGE" 20 has_rows "${tmp##*.}" 0
committed() {
    it_http GET /connectors/orders/offsets | jq '[.offsets[].offset.kafka_offset] | add // 0'
}
committed_is() { [ "$(committed)" = "$1" ]; }
it_wait_for "offsets committed to 5 after the MERGE" 30 committed_is 5
bq_produce_fixture "$T/06t"
it_wait_for "the truncate (deleteEnabled) empties shop_public_orders" 60 has_rows shop_public_orders 0
it_wait_for "offsets committed to 6 after the truncate" 30 committed_is 6
it_pass "06 offset 5: the truncate deleted every row older than its LSN"


# Postgres customers (01 create, 01b update with the *same* LSN as the create, then delete) and
# MySQL (02, binlog position) with primary-key structs as Kafka keys.
/usr/bin/python3 - "$SLUICE_TEST_DATA/debezium" "$T" <<'PY' || it_fail "cannot build the customers input"
import json, sys
src, out = sys.argv[1], sys.argv[2]
def key(name, i):
    return {"schema": {"type": "struct", "optional": False, "name": name,
                       "fields": [{"type": "int32", "optional": False, "field": "id"}]},
            "payload": {"id": i}}
pg = [json.load(open(f"{src}/01_debezium-docs_postgresql_customers_create.json"))]
pg += [json.loads(l) for l in open(f"{src}/01b_debezium-docs_postgresql_customers_update_delete_truncate.jsonl") if l.strip()]
# the docs' u/d `before` holds only the key, which the schema (required columns) rejects:
# use full images as REPLICA IDENTITY FULL would give
pg[1]["payload"]["before"] = pg[0]["payload"]["after"]
pg[2]["payload"]["before"] = pg[1]["payload"]["after"]
with open(f"{out}/pg_cu.jsonl", "w") as f:
    for v in pg[:2]:
        f.write(json.dumps({"topic": "pg.inventory.customers", "partition": 0,
                            "key": key("pg.inventory.customers.Key", 1), "value": v}) + "\n")
with open(f"{out}/pg_d.jsonl", "w") as f:
    for v in pg[2:]:
        k = None if v["payload"]["op"] == "t" else key("pg.inventory.customers.Key", 1)
        f.write(json.dumps({"topic": "pg.inventory.customers", "partition": 0, "key": k,
                            "value": v}) + "\n")
    f.write(json.dumps({"topic": "pg.inventory.customers", "partition": 0,
                        "key": key("pg.inventory.customers.Key", 1), "value": None}) + "\n")
c2 = json.loads(json.dumps(pg[0]))
c2["payload"]["after"]["id"] = 2
c2["payload"]["source"]["lsn"] = 50000000
with open(f"{out}/pg_c2.jsonl", "w") as f:
    f.write(json.dumps({"topic": "pg.inventory.customers", "partition": 0,
                        "key": key("pg.inventory.customers.Key", 2), "value": c2}) + "\n")
my = json.load(open(f"{src}/02_debezium-docs_mysql_customers_create.json"))
with open(f"{out}/my.jsonl", "w") as f:
    f.write(json.dumps({"topic": "my.inventory.customers", "partition": 0,
                        "key": key("my.inventory.customers.Key", 1004), "value": my}) + "\n")
PY
it_http_expect 201 POST /connectors \
    "$(bq_connector_json cust pg.inventory.customers,my.inventory.customers)"
it_wait_for "cust task RUNNING" 30 bq_task_is cust RUNNING
bq_produce_fixture "$T/pg_cu.jsonl"
bq_produce_fixture "$T/my.jsonl"
it_wait_for "customer 1 in pg_inventory_customers" 60 has_rows pg_inventory_customers 1
it_wait_for "customer 1004 in my_inventory_customers" 60 has_rows my_inventory_customers 1
first_name() { bq_rows pg_inventory_customers '.rows | map(.first_name)'; }
first_name_is() { [ "$(first_name)" = "$1" ]; }
it_wait_for "the update (same LSN as the create, later arrival) wins" 30 \
    first_name_is '["Anne Marie"]'
got=$(bq_rows my_inventory_customers '.rows | map(del(._sluice_position))')
want='[{"email":"annek@noanswer.org","first_name":"Anne","id":1004,"kafkaKey":{"id":1004},"last_name":"Kretchmar"}]'
[ "$got" = "$want" ] || it_fail "MySQL customers: got $got, want $want"
mypos=$(bq_rows my_inventory_customers '.rows | map(._sluice_position)')
[ "$mypos" = "[$(((3 << 44) | (154 << 12)))]" ] || it_fail "MySQL binlog position: $mypos"
it_pass "MySQL create applied with its binlog position (file 3, pos 154, row 0)"
bq_produce_fixture "$T/pg_d.jsonl"
it_wait_for "customer 1 deleted (d, truncate skipped, tombstone)" 60 has_rows pg_inventory_customers 0

# Unwrapped rows (ExtractNewRecordState rewrite mode, __deleted/__lsn) end the same way as 06.
it_http_expect 201 POST /connectors "$(bq_connector_json unwrapped unwrapped.orders)"
it_wait_for "unwrapped task RUNNING" 30 bq_task_is unwrapped RUNNING
bq_produce_fixture "$SLUICE_TEST_DATA/debezium/06b_synthetic_postgres_orders_unwrapped_rewrite.jsonl" \
    unwrapped.orders
ids() { bq_rows unwrapped_orders '.rows | map(.id)'; }
ids_are() { [ "$(ids)" = "$1" ]; }
it_wait_for "06b ends with only id 1002" 60 ids_are '[1002]'
sleep 2
ids_are '[1002]' || it_fail "06b: later merges changed the table: $(ids)"
upos=$(bq_rows unwrapped_orders '.rows | map(._sluice_position)')
[ "$upos" = '[36702800]' ] || it_fail "06b: position from __lsn: $upos"
it_pass "06b unwrapped rows: 1001 deleted by __deleted=true, 1002 kept, position from __lsn"

it_http_expect 200 GET /connectors/orders/config
[[ "$HTTP_BODY" != *BEGIN* ]] || it_fail "the key leaked into the config listing"
! grep -q "PRIVATE KEY" "$WORKER_LOG" "$T/bq.log" || it_fail "the private key appears in a log"
it_pass "no private key in the REST config, the worker log or the server log"

# Tokens live 8 s here: after 9 idle seconds the cust task must fetch a new one *before* it
# calls the API (no 401 anywhere in the server's log).
tokens=$(bq_stat .tokens_issued)
sleep 9
bq_produce_fixture "$T/pg_c2.jsonl"
it_wait_for "customer 2 after the token lifetime" 60 has_rows pg_inventory_customers 1
[ "$(bq_stat .tokens_issued)" -gt "$tokens" ] || it_fail "no new token after 9 s (ttl 8 s)"
! grep -q -- '-> 401' "$T/bq.log" ||
    it_fail "a request was refused with 401: $(grep -m1 -- '-> 401' "$T/bq.log")"
it_pass "8 s tokens refreshed before expiry ($tokens -> $(bq_stat .tokens_issued) tokens, no 401)"

it_stop_worker
it_pass "the worker stopped cleanly (exit 0) on SIGTERM"
it_done
