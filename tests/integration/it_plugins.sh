#!/usr/bin/env bash
# it_plugins.sh — a real worker with a plugin.path that mixes bad plugins (wrong magic, missing
# put(), wrong major, no entry symbol) with good ones: every bad one is refused with a message
# naming its file, the good ones load and serve connectors, `sluice plugins` lists the same, and
# a topics.regex subscription delivers from every matching topic and none other.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_plugins
it_need_cmd jq kcat
fx=${SLUICE_FIXTURE_DIR:?}
[ -f "$fx/bad_magic.so" ] || it_fail "fixture plugins not built in $fx"

mixed="$T/plugins"
mkdir -p "$mixed"
for p in bad_magic missing_put major_mismatch no_entry good_sink; do
    cp "$fx/$p.so" "$mixed/"
done
ppath="$(it_plugin_path),$mixed"

# `sluice plugins` refuses the bad ones and lists the good ones without starting anything.
out=$("$SLUICE_BIN" plugins --plugin-path "$ppath" 2>&1) || it_fail "sluice plugins failed: $out"
grep -q 'FileStreamSinkConnector' <<<"$out" || it_fail "sluice plugins misses the file sink: $out"
it_pass "sluice plugins lists the good plugins next to bad ones"

it_start_kafka --topic cdc.inventory.orders:2 --topic cdc.inventory.customers:1 --topic other:1
it_write_worker_props "$T/worker.properties" "plugin.path=$ppath" \
    "value.converter=org.apache.kafka.connect.storage.StringConverter"
it_start_worker "$T/worker.properties"

for p in bad_magic missing_put major_mismatch no_entry; do
    grep -q "$mixed/$p.so" "$WORKER_LOG" || it_fail "no refusal naming $p.so in the worker log"
done
grep -q 'expected' "$WORKER_LOG" || it_fail "refusals do not say what was expected"
it_pass "each bad plugin is refused with a message naming its file"

plugins=$(it_http GET '/connector-plugins')
jq -e 'map(.class) | index("org.apache.kafka.connect.file.FileStreamSinkConnector")' \
    <<<"$plugins" >/dev/null || it_fail "file sink missing from /connector-plugins: $plugins"
it_pass "good plugins are served by /connector-plugins"

out="$T/regex.txt"
body=$(jq -n --arg f "$out" '{name:"regex",config:{"connector.class":"FileStreamSink",
    "topics.regex":"cdc\\.inventory\\..*","file":$f}}')
it_http_expect 201 POST /connectors "$body"
it_produce cdc.inventory.orders "order-1" "order-2"
it_produce cdc.inventory.customers "customer-1"
it_produce other "must-not-arrive"
has3() { [ -f "$out" ] && [ "$(wc -l <"$out")" -ge 3 ]; }
it_wait_for "three lines from the two matching topics" 30 has3
sleep 1
[ "$(sort "$out" | paste -sd, -)" = "customer-1,order-1,order-2" ] ||
    it_fail "topics.regex delivered '$(paste -sd, - <"$out")'"
it_pass "topics.regex subscribes to every matching topic and nothing else"

topics=$(it_http GET /connectors/regex/topics | jq -c '.regex.topics | sort')
[ "$topics" = '["cdc.inventory.customers","cdc.inventory.orders"]' ] ||
    it_fail "active topics: $topics"
it_pass "active topics list the matched topics"

it_stop_worker
it_done
