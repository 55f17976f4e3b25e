#!/usr/bin/env bash
# it_redis_modes.sh — the Redis sink writes exactly the expected keys and values in every data
# mode from the shared Debezium fixtures: 06 (Postgres logical types, with key and value schemas:
# r/u/d/tombstone/c/t) into HASH (truncate ignored, and truncate applied), STRING, STREAM, SET
# and ZSET; 06b (unwrapped rewrite) into HASH; the 07 Postgres and MySQL captures (no Kafka keys:
# redis.key.fields) into HASH; plain string records through the jcustenborder class; and a write
# then delete of one key inside one batch leaves it deleted (HASH and SET).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../data/redis/redis_helpers.sh
. "${SLUICE_TEST_DATA:-$here/../data}/redis/redis_helpers.sh"

it_init it_redis_modes
rs_trap
it_need_cmd redis-server redis-cli jq kcat
data=${SLUICE_TEST_DATA:-$here/../data}/debezium

it_start_kafka --topic shop.public.orders:1 --topic unwrapped.public.orders:1 --topic pg07:1 \
    --topic my07:1 --topic plain:1 --topic wtd:1 --topic toast:1 --topic comp:1
rs_start_redis

# Everything is in Kafka before the connectors start, so each topic is one batch.
rs_produce_fixture shop.public.orders "$data/06_synthetic_postgres_orders_logical_types.jsonl"
rs_produce_fixture unwrapped.public.orders "$data/06b_synthetic_postgres_orders_unwrapped_rewrite.jsonl"
(cat "$data/07_flink_debezium-postgres-data-schema-include.jsonl"; echo) | grep -v '^$' |
    sed 's/^/\t/' >"$T/pg07.kv"
rs_produce_kv pg07 "$T/pg07.kv"
(cat "$data/07_flink_debezium-data-schema-include.jsonl"; echo) | grep -v '^$' |
    sed 's/^/\t/' >"$T/my07.kv"
rs_produce_kv my07 "$T/my07.kv"
printf 'k1\tv1\nk2\tv2\nk1\tv1b\nk2\t\n' >"$T/plain.kv"
rs_produce_kv plain "$T/plain.kv"
src='"source":{"connector":"postgresql","db":"d","schema":"public","table":"t","lsn":LSN}'
{
    printf '{"id":1}\t{"before":null,"after":{"id":1,"v":"a"},%s,"op":"c"}\n' "${src/LSN/10}"
    printf '{"id":2}\t{"before":null,"after":{"id":2,"v":"a"},%s,"op":"c"}\n' "${src/LSN/11}"
    printf '{"id":1}\t{"before":{"id":1,"v":"a"},"after":null,%s,"op":"d"}\n' "${src/LSN/12}"
    printf '{"id":3}\t{"before":null,"after":{"id":3,"v":"a"},%s,"op":"c"}\n' "${src/LSN/13}"
    printf '{"id":3}\t{"before":{"id":3,"v":"a"},"after":{"id":3,"v":"b"},%s,"op":"u"}\n' "${src/LSN/14}"
} >"$T/wtd.kv"
rs_produce_kv wtd "$T/wtd.kv"
# TOAST: the update does not carry `big` (Debezium's placeholder); the stored value must stay.
ph=__debezium_unavailable_value
{
    printf '{"id":7}\t{"before":null,"after":{"id":7,"big":"%s","v":"a"},%s,"op":"c"}\n' \
        "$(printf 'x%.0s' $(seq 1 50))" "${src/LSN/20}"
    printf '{"id":7}\t{"before":null,"after":{"id":7,"big":"%s","v":"b"},%s,"op":"u"}\n' "$ph" "${src/LSN/21}"
    printf '{"id":8}\t{"before":null,"after":{"id":8,"big":"%s","v":"c"},%s,"op":"u"}\n' "$ph" "${src/LSN/22}"
} >"$T/toast.kv"
rs_produce_kv toast "$T/toast.kv"
# Composite keys: every key field, joined by the separator; a column placeholder in a template.
{
    printf '{"a":1,"b":"x"}\t{"before":null,"after":{"a":1,"b":"x","v":"p"},%s,"op":"c"}\n' "${src/LSN/30}"
    printf '{"a":2,"b":"y"}\t{"before":null,"after":{"a":2,"b":"y","v":"q"},%s,"op":"c"}\n' "${src/LSN/31}"
    printf '{"a":2,"b":"y"}\t{"before":{"a":2,"b":"y","v":"q"},"after":null,%s,"op":"d"}\n' "${src/LSN/32}"
} >"$T/comp.kv"
rs_produce_kv comp "$T/comp.kv"

it_write_worker_props "$T/worker.properties" "plugin.path=$(rs_plugin_path)"
it_start_worker "$T/worker.properties"

uri="redis://127.0.0.1:$RS_PORT"
json_conv='"key.converter":"org.apache.kafka.connect.json.JsonConverter","key.converter.schemas.enable":"true","value.converter":"org.apache.kafka.connect.json.JsonConverter","value.converter.schemas.enable":"true"'
orders="\"connector.class\":\"RedisSink\",\"topics\":\"shop.public.orders\",\"redis.uri\":\"$uri\",$json_conv"
rs_create m-hash "{$orders,\"redis.key.template\":\"h:\${table}:\${key}\",\"redis.truncate\":\"ignore\"}"
rs_create m-hash-trunc "{$orders,\"redis.key.template\":\"ht:\${table}:\${key}\"}"
rs_create m-string "{$orders,\"redis.type\":\"STRING\",\"redis.key.template\":\"s:\${table}:\${key}\",\"redis.truncate\":\"ignore\"}"
rs_create m-stream "{$orders,\"redis.type\":\"STREAM\",\"redis.key.template\":\"st:\${table}\"}"
rs_create m-set "{$orders,\"redis.type\":\"SET\",\"redis.key.template\":\"set:\${table}\",\"redis.truncate\":\"ignore\"}"
rs_create m-zset "{$orders,\"redis.type\":\"ZSET\",\"redis.keyspace\":\"z:\${table}\",\"redis.truncate\":\"ignore\"}"
rs_create m-unwrapped "{\"connector.class\":\"com.redis.kafka.connect.RedisSinkConnector\",\"topics\":\"unwrapped.public.orders\",\"redis.uri\":\"$uri\",$json_conv,\"redis.keyspace\":\"u:\${table}\"}"
rs_create m-pg07 "{\"connector.class\":\"RedisSink\",\"topics\":\"pg07\",\"redis.uri\":\"$uri\",\"value.converter.schemas.enable\":\"true\",\"redis.key.fields\":\"id\",\"redis.key.template\":\"p:\${table}:\${key}\"}"
rs_create m-my07 "{\"connector.class\":\"RedisSink\",\"topics\":\"my07\",\"redis.host\":\"127.0.0.1\",\"redis.port\":\"$RS_PORT\",\"value.converter.schemas.enable\":\"true\",\"redis.key.fields\":\"id\",\"redis.key.template\":\"my:\${db}.\${table}:\${id}\"}"
rs_create m-plain "{\"connector.class\":\"com.github.jcustenborder.kafka.connect.redis.RedisSinkConnector\",\"topics\":\"plain\",\"redis.hosts\":\"127.0.0.1:$RS_PORT\",\"value.converter\":\"org.apache.kafka.connect.storage.StringConverter\"}"
wtd_conv='"key.converter":"org.apache.kafka.connect.json.JsonConverter","key.converter.schemas.enable":"false"'
rs_create m-wtd "{\"connector.class\":\"RedisSink\",\"topics\":\"wtd\",\"redis.uri\":\"$uri/0\",$wtd_conv,\"redis.keyspace\":\"wtd\"}"
rs_create m-toast "{\"connector.class\":\"RedisSink\",\"topics\":\"toast\",\"redis.uri\":\"$uri\",$wtd_conv,\"redis.keyspace\":\"th\",\"redis.key.ttl\":\"3600\"}"
rs_create m-toast-str "{\"connector.class\":\"RedisSink\",\"topics\":\"toast\",\"redis.uri\":\"$uri\",$wtd_conv,\"redis.type\":\"string\",\"redis.keyspace\":\"ts\"}"
rs_create m-comp "{\"connector.class\":\"RedisSink\",\"topics\":\"comp\",\"redis.uri\":\"$uri\",$wtd_conv,\"redis.keyspace\":\"c\",\"redis.separator\":\"|\"}"
rs_create m-comp-tpl "{\"connector.class\":\"RedisSink\",\"topics\":\"comp\",\"redis.uri\":\"$uri\",$wtd_conv,\"redis.key.template\":\"ct:\${table}:\${b}-\${a}\"}"
rs_create m-wtd-set "{\"connector.class\":\"RedisSink\",\"topics\":\"wtd\",\"redis.uri\":\"$uri\",$wtd_conv,\"redis.type\":\"set\",\"redis.keyspace\":\"wtdset\"}"

done_at() { [ "$(rcli ${3:+-n $3} HGET "sluice:offsets:$1" "$2" 2>/dev/null)" = "$4" ]; }
for c in m-hash m-hash-trunc m-string m-stream m-set m-zset; do
    it_wait_for "$c stored offset 6" 60 done_at "$c" shop.public.orders/0 "" 6
done
it_wait_for "m-unwrapped stored offset 5" 30 done_at m-unwrapped unwrapped.public.orders/0 "" 4
it_wait_for "m-pg07 stored offset 16" 30 done_at m-pg07 pg07/0 "" 16
it_wait_for "m-my07 stored offset 16" 30 done_at m-my07 my07/0 "" 16
it_wait_for "m-plain stored offset 4 in db 1" 30 done_at m-plain plain/0 1 4
it_wait_for "m-wtd stored offset 5" 30 done_at m-wtd wtd/0 "" 5
it_wait_for "m-wtd-set stored offset 5" 30 done_at m-wtd-set wtd/0 "" 5
it_wait_for "m-toast stored offset 3" 30 done_at m-toast toast/0 "" 3
it_wait_for "m-comp stored offset 3" 30 done_at m-comp comp/0 "" 3
it_wait_for "m-comp-tpl stored offset 3" 30 done_at m-comp-tpl comp/0 "" 3
it_wait_for "m-toast-str stored offset 3" 30 done_at m-toast-str toast/0 "" 3

row1002='amount=-9.95
attrs={"gift_wrap": true, "tags": ["vip", "promo"]}
created_at=2026-03-14 14:30:15.123456
customer_id=5f0c6c1e-3b6a-4b8e-9d55-2b8f3f7e9a10
flags=BQ==
id=1002
is_gift=true
order_date=2026-03-14
pickup_time=14:30:15.123456
status=new
updated_at=2026-03-14T12:30:15.123456Z'
rs_expect "HASH: only 1002 is left (1001 read, updated, deleted)" "$(rcli --scan --pattern 'h:*')" "h:orders:1002"
rs_expect "HASH: 1002's fields, logical types as text, null columns absent" "$(rs_hash h:orders:1002)" "$row1002"
rs_expect "HASH with truncate: the table's keys are gone" "$(rcli --scan --pattern 'ht:*' | wc -l)" 0
rs_expect "STRING: only 1002 is left" "$(rcli --scan --pattern 's:*')" "s:orders:1002"
rs_expect "STRING: the row as JSON" "$(rcli GET s:orders:1002)" \
    '{"id":1002,"customer_id":"5f0c6c1e-3b6a-4b8e-9d55-2b8f3f7e9a10","status":"new","amount":"-9.95","discount":null,"attrs":"{\"gift_wrap\": true, \"tags\": [\"vip\", \"promo\"]}","flags":"BQ==","order_date":"2026-03-14","pickup_time":"14:30:15.123456","created_at":"2026-03-14 14:30:15.123456","updated_at":"2026-03-14T12:30:15.123456Z","note":null,"is_gift":true}'
ops=$(rcli XRANGE st:orders - + | awk 'prev == "__op" { printf "%s ", $0 } { prev = $0 }')
rs_expect "STREAM: one entry per change, tombstone and truncate included" "$ops" "r u d d c t "
rs_expect "STREAM: the create entry's fields" \
    "$(rcli XRANGE st:orders - + | awk '/^__op$/ { n++ } n == 5' | paste -d= - - | head -n 3)" \
    "__op=c
id=1002
customer_id=5f0c6c1e-3b6a-4b8e-9d55-2b8f3f7e9a10"
rs_expect "SET: the members are the live keys" "$(rcli SMEMBERS set:orders)" "1002"
rs_expect "ZSET: member 1002 scored by its LSN" "$(rcli ZRANGE z:orders 0 -1 WITHSCORES | paste -d' ' - -)" "1002 36702800"
rs_expect "UNWRAPPED: only 1002 (the __deleted=true row deleted 1001)" "$(rcli --scan --pattern 'u:*')" "u:orders:1002"
rs_expect "UNWRAPPED: the envelope path's fields plus add.fields, without __deleted" \
    "$(rs_hash u:orders:1002)" "__lsn=36702800
__op=c
__source_ts_ms=1773500180000
$row1002"
rs_expect "07 Postgres: 10 rows, 111 deleted" "$(rcli --scan --pattern 'p:products:*' | LC_ALL=C sort | paste -sd' ')" \
    "p:products:101 p:products:102 p:products:103 p:products:104 p:products:105 p:products:106 p:products:107 p:products:108 p:products:109 p:products:110"
rs_expect "07 Postgres: row 106" "$(rs_hash p:products:106)" "description=18oz carpenter hammer
id=106
name=hammer
weight=1.0"
rs_expect "07 Postgres: updated row 110" "$(rs_hash p:products:110)" "description=new water resistent white wind breaker
id=110
name=jacket
weight=0.5"
rs_expect "07 MySQL: 10 rows" "$(rcli --scan --pattern 'my:inventory.products:*' | wc -l)" 10
rs_expect "07 MySQL: float32-widened weights" \
    "$(rcli HGET my:inventory.products:107 weight) $(rcli HGET my:inventory.products:101 weight)" \
    "5.099999904632568 3.140000104904175"
rs_expect "jcustenborder class: raw record keys in database 1, tombstone deletes" \
    "$(rcli -n 1 --scan | grep -v '^sluice:' | LC_ALL=C sort | paste -sd' ') $(rcli -n 1 GET k1)" "k1 v1b"
rs_expect "write then delete in one batch (HASH): 1 deleted, 3 updated" \
    "$(rcli --scan --pattern 'wtd:*' | LC_ALL=C sort | paste -sd' ') $(rcli HGET wtd:3 v)" "wtd:2 wtd:3 b"
rs_expect "write then delete in one batch (SET)" "$(rcli SMEMBERS wtdset | LC_ALL=C sort | paste -sd' ')" "2 3"
rs_expect "composite key: fields joined by redis.separator, the deleted one gone" \
    "$(rcli --scan --pattern 'c|*' | paste -sd' ') $(rcli HGET 'c|1|x' v)" "c|1|x p"
rs_expect "column placeholders in a template" "$(rcli --scan --pattern 'ct:*' | paste -sd' ')" "ct:t:x-1"
x50=$(printf 'x%.0s' $(seq 1 50))
rs_expect "TOAST (HASH): the placeholder never overwrites a stored field" "$(rs_hash th:7)" "big=$x50
id=7
v=b"
rs_expect "TOAST (HASH): a placeholder with nothing stored writes no field" "$(rs_hash th:8)" "id=8
v=c"
rs_expect "TOAST (STRING): the stored column's value is kept in the JSON" "$(rcli GET ts:7)" \
    "{\"id\":7,\"big\":\"$x50\",\"v\":\"b\"}"
rs_expect "TOAST (STRING): nothing stored: the column is null" "$(rcli GET ts:8)" '{"id":8,"big":null,"v":"c"}'
ttl=$(rcli TTL th:7)
if [ "$ttl" -le 3500 ] || [ "$ttl" -gt 3600 ]; then it_fail "redis.key.ttl=3600 gave TTL $ttl"; fi
it_pass "redis.key.ttl sets the key's expiry ($ttl s left)"
rs_expect "no TTL without redis.key.ttl" "$(rcli TTL ts:7)" -1
for c in m-hash m-stream m-plain m-wtd; do
    rs_expect "$c task RUNNING" "$(rs_task_state $c)" RUNNING
done
it_stop_worker
it_done
