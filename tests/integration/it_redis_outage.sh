#!/usr/bin/env bash
# it_redis_outage.sh — Redis stopped for 20 s in the middle of a stream, then restarted from its
# append-only file: the Redis sink's task stays RUNNING (put() answers RETRY with backoff, the
# host redelivers the same batch), and afterwards the stream holds every record exactly once
# (no loss, no duplicate from a batch whose EXEC outcome was unknown) and every hash its last
# value.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../data/redis/redis_helpers.sh
. "${SLUICE_TEST_DATA:-$here/../data}/redis/redis_helpers.sh"

it_init it_redis_outage
rs_trap
it_need_cmd redis-server redis-cli jq kcat

TOTAL=15000
it_start_kafka --topic out:2
rs_start_redis
it_write_worker_props "$T/worker.properties" "plugin.path=$(rs_plugin_path)" \
    "consumer.max.poll.records=200"
for mode in stream hash; do
    cat >"$T/out-$mode.properties" <<EOF2
name=out-$mode
connector.class=RedisSink
tasks.max=1
topics=out
redis.uri=redis://127.0.0.1:$RS_PORT/2
redis.type=$mode
redis.keyspace=out$mode
redis.stream.maxlen=0
redis.connect.timeout.ms=500
redis.command.timeout.ms=2000
redis.retry.backoff.max.ms=2000
EOF2
done
gen() {
    awk -v from="$1" -v to="$2" 'BEGIN {
        for (i = from; i <= to; i++)
            printf "k%d\t{\"k\":\"k%d\",\"n\":%d}\n", i % 100, i % 100, i
    }'
}
stored() { rcli -n 2 HVALS "sluice:offsets:$1" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
stored_is() { [ "$(stored "$1")" -ge "$2" ]; }

it_start_worker "$T/worker.properties" "$T/out-stream.properties" "$T/out-hash.properties"
(
    for c in $(seq 0 29); do
        gen $((c * 500)) $((c * 500 + 499)) >"$T/chunk.$c"
        kcat -P -b "$BOOTSTRAP" -t out -K $'\t' -X linger.ms=5 <"$T/chunk.$c" 2>>"$T/producer.err"
        sleep 1
    done
) &
producer=$!
it_wait_for "records flowing before the outage" 60 stored_is out-stream 1500
rs_stop_redis
it_log "Redis stopped with $(grep -c '' "$T"/chunk.* 2>/dev/null | awk -F: '{ s += $2 } END { print s }') records produced"
for s in 7 7 6; do
    sleep "$s"
    for c in out-stream out-hash; do
        [ "$(rs_task_state $c)" = RUNNING ] || it_fail "$c is $(rs_task_state $c) while Redis is down"
    done
done
it_pass "both tasks stayed RUNNING through 20 s without Redis"
rs_start_redis
wait "$producer" || it_fail "the background producer failed: $(head -n 3 "$T/producer.err")"
it_wait_for "out-stream stored all $TOTAL offsets" 60 stored_is out-stream $TOTAL
it_wait_for "out-hash stored all $TOTAL offsets" 60 stored_is out-hash $TOTAL
rs_expect "no loss and no duplicate: one stream entry per record" "$(rcli -n 2 XLEN outstream)" $TOTAL
last=$(rcli -n 2 EVAL "local s = 0 for i = 0, 99 do s = s + tonumber(redis.call('HGET', 'outhash:k' .. i, 'n')) end return s" 0)
rs_expect "every hash holds its key's last value" "$last" \
    "$(awk -v t=$TOTAL 'BEGIN { s = 0; for (k = 0; k < 100; k++) s += t - 100 + k; print s }')"
grep -q 'Redis unavailable, retrying the batch' "$WORKER_LOG" || it_fail "no retry was logged"
grep -q 'Redis is reachable again' "$WORKER_LOG" || it_fail "no recovery was logged"
it_pass "the outage and the recovery were logged once each"
for c in out-stream out-hash; do
    rs_expect "$c RUNNING after the outage" "$(rs_task_state $c)" RUNNING
done
it_stop_worker
it_done
