#!/usr/bin/env bash
# it_redis_exactly_once.sh — the Redis sink applies every record exactly once: two connectors
# (STREAM, where a duplicate or a loss changes the entry count, and HASH, last value per key) with
# two tasks over four partitions; the worker is killed with SIGKILL mid-stream and restarted, and
# Redis ends exactly right (entry count == records, every key's last value); then the consumer
# group is reset to offset 0 through the REST offsets API while the connector is STOPPED, and the
# replay changes nothing (the task seeks to the offsets stored in Redis) while new records still
# arrive.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../data/redis/redis_helpers.sh
. "${SLUICE_TEST_DATA:-$here/../data}/redis/redis_helpers.sh"

it_init it_redis_exactly_once
rs_trap
it_need_cmd redis-server redis-cli jq kcat

TOTAL=20000
KEYS=500
it_start_kafka --topic eo:4
rs_start_redis

it_write_worker_props "$T/worker.properties" "plugin.path=$(rs_plugin_path)" \
    "offset.flush.interval.ms=300" "consumer.max.poll.records=250"
for mode in stream hash; do
    cat >"$T/eo-$mode.properties" <<EOF2
name=eo-$mode
connector.class=RedisSink
tasks.max=2
topics=eo
redis.uri=redis://127.0.0.1:$RS_PORT
redis.type=$mode
redis.keyspace=eo$mode
redis.stream.maxlen=0
EOF2
done

# Record i: key k<i mod KEYS>, an unwrapped-style envelope carrying n=i.
gen() {
    awk -v from="$1" -v to="$2" -v keys=$KEYS 'BEGIN {
        for (i = from; i <= to; i++)
            printf "k%d\t{\"before\":null,\"after\":{\"k\":\"k%d\",\"n\":%d},\"op\":\"u\",\"source\":{\"connector\":\"postgresql\",\"table\":\"t\",\"lsn\":%d}}\n", i % keys, i % keys, i, i
    }'
}
# The last n of each key, summed: what the hashes must add up to.
want_sum() { awk -v total="$1" -v keys=$KEYS 'BEGIN { s = 0; for (k = 0; k < keys; k++) { m = total - 1 - ((total - 1 - k) % keys); s += m } print s }'; }
stored() { rcli HVALS "sluice:offsets:$1" | awk '{ s += $1 } END { print s + 0 }'; }
stored_is() { [ "$(stored "$1")" -ge "$2" ]; }
hash_sum() {
    rcli EVAL "local s = 0 for i = 0, $((KEYS - 1)) do local v = redis.call('HGET', 'eohash:k' .. i, 'n') if v then s = s + tonumber(v) end end return s" 0
}

it_start_worker "$T/worker.properties" "$T/eo-stream.properties" "$T/eo-hash.properties"
(
    for c in $(seq 0 19); do
        gen $((c * 1000)) $((c * 1000 + 999)) >"$T/chunk.$c"
        kcat -P -b "$BOOTSTRAP" -t eo -K $'\t' -X linger.ms=5 <"$T/chunk.$c" 2>>"$T/producer.err"
        sleep 0.3
    done
) &
producer=$!
it_wait_for "some records in Redis before the crash" 60 stored_is eo-stream 3000
before=$(stored eo-stream)
it_kill_worker
it_log "killed the worker with $before records stored by eo-stream"
wait "$producer" || it_fail "the background producer failed: $(head -n 3 "$T/producer.err")"
[ "$before" -lt "$TOTAL" ] || it_log "note: everything was written before the kill"

it_start_worker "$T/worker.properties" "$T/eo-stream.properties" "$T/eo-hash.properties"
it_wait_for "eo-stream stored all $TOTAL offsets" 60 stored_is eo-stream $TOTAL
it_wait_for "eo-hash stored all $TOTAL offsets" 60 stored_is eo-hash $TOTAL
rs_expect "after kill -9: the stream has exactly one entry per record" "$(rcli XLEN eostream)" $TOTAL
rs_expect "after kill -9: every hash holds its key's last value" "$(hash_sum)" "$(want_sum $TOTAL)"
rs_expect "after kill -9: $KEYS hashes" "$(rcli --scan --pattern 'eohash:*' | wc -l)" $KEYS

# Replay from offset 0: stop, reset the group's offsets, resume.
it_http_expect 204 PUT /connectors/eo-stream/stop
stopped() { [ "$(it_json .connector.state "$(it_http GET /connectors/eo-stream/status)")" = STOPPED ]; }
it_wait_for "eo-stream STOPPED" 30 stopped
body='{"offsets":['
for p in 0 1 2 3; do
    body+="{\"partition\":{\"kafka_topic\":\"eo\",\"kafka_partition\":$p},\"offset\":{\"kafka_offset\":0}}"
    [ $p -lt 3 ] && body+=,
done
body+=']}'
it_http_expect 200 PATCH /connectors/eo-stream/offsets "$body"
it_http GET /connectors/eo-stream/offsets
it_log "group offsets after the reset: $HTTP_BODY"
seeks_before=$(grep -c 'eo-stream|task-.*resuming at offset .* stored in Redis' "$WORKER_LOG")
it_http_expect 202 PUT /connectors/eo-stream/resume
running() { [ "$(rs_task_state eo-stream)" = RUNNING ]; }
it_wait_for "eo-stream RUNNING again" 30 running
gen $TOTAL $((TOTAL + 99)) >"$T/more.kv"
kcat -P -b "$BOOTSTRAP" -t eo -K $'\t' -X linger.ms=5 <"$T/more.kv" 2>>"$T/producer.err"
it_wait_for "eo-stream stored the 100 new offsets" 60 stored_is eo-stream $((TOTAL + 100))
sleep 2 # anything replayed would have landed by now
rs_expect "replay from offset 0 added nothing; the 100 new records once each" \
    "$(rcli XLEN eostream)" $((TOTAL + 100))
seeks_after=$(grep -c 'eo-stream|task-.*resuming at offset .* stored in Redis' "$WORKER_LOG")
[ "$seeks_after" -gt "$seeks_before" ] ||
    it_fail "the resumed task did not seek to the offsets stored in Redis"
it_pass "the task sought to the offsets stored in Redis"
it_wait_for "eo-hash stored the 100 new offsets" 60 stored_is eo-hash $((TOTAL + 100))
rs_expect "hashes hold the new last values" "$(hash_sum)" "$(want_sum $((TOTAL + 100)))"
it_stop_worker
it_done
