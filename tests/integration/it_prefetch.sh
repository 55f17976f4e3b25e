#!/usr/bin/env bash
# it_prefetch.sh — a sink task with a tiny prefetch queue (consumer.queued.max.messages.kbytes=64)
# keeps consuming at speed: librdkafka 2.0.2 stops fetching when that queue is full and on its
# own looks again only up to a second later, so 4.8 MB through a 64 KB queue would take ~20 s.
# The task wakes the fetchers when it has drained the queue (worker/kafka/prefetch.h), logged at
# DEBUG. Every record arrives exactly once. Mock broker, three partitions, FileStreamSink.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_prefetch
it_need_cmd jq
it_start_kafka --topic pf:3
it_write_worker_props "$T/worker.properties" \
    "value.converter=org.apache.kafka.connect.storage.StringConverter" \
    "consumer.queued.max.messages.kbytes=64"
pad=$(printf '%0400d' 0)
seq 1 12000 | sed "s/\$/ $pad/" >"$T/in.txt"
# Batches of 100 (40 KB): a fetch returns whole batches (the mock one per partition), so the three
# partitions overfill the 64 KB queue with every fetch and fetching stops each time.
it__kcat_produce pf "$T/in.txt" -X batch.num.messages=100
SLUICE_LOG_LEVEL=debug it_start_worker "$T/worker.properties"

body=$(jq -n --arg f "$T/out.txt" '{name:"pf",config:{"connector.class":"FileStreamSink",
    "topics":"pf","file":$f}}')
it_http_expect 201 POST /connectors "$body"
count() { if [ -f "$T/out.txt" ]; then wc -l <"$T/out.txt" | tr -d ' '; else echo 0; fi; }
all() { [ "$(count)" -ge 12000 ]; }
some() { [ "$(count)" -gt 0 ]; }
it_wait_for "the first record" 60 some
start=$SECONDS
it_wait_for "12000 records through a 64 KB prefetch queue" 90 all
took=$((SECONDS - start))
sleep 1
sort "$T/out.txt" | cmp -s - <(sort "$T/in.txt") ||
    it_fail "the file holds $(count) lines, not the 12000 records once each"
kicks=$(grep -c "Prefetch queue drained: woke the fetchers" "$WORKER_LOG")
[ "$kicks" -ge 20 ] || it_fail "the task woke the fetchers $kicks times for ~40 refills"
# Without the wake-ups each refill waits for librdkafka's timer (up to 1 s): ~20 s here, ~2 s with.
[ "$took" -le 10 ] || it_fail "12000 records took ${took}s: the fetchers were left idle"
it_pass "12000 records once each in ${took}s through a 64 KB queue; fetchers woken $kicks times"
it_done
