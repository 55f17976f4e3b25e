#!/usr/bin/env bash
# it_cli.sh — the sluice command line: version, help, plugins (lists the file sink and
# JsonConverter), distributed (usage and required keys), unknown commands, a missing worker file, and a
# standalone worker that exits 0 on SIGTERM. Needs no Kafka; must never leave a worker running.
set -uo pipefail

: "${SLUICE_BIN:?SLUICE_BIN not set (run through make check)}"
tmp="${SLUICE_TEST_TMP:-/tmp}/it_cli.$$"
mkdir -p "$tmp"
worker_pid=""
cleanup() {
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
        kill -KILL "$worker_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

plugin_dir() {
    local so
    so=$(find "${SLUICE_BUILD_PLUGINS:-/nonexistent}" -name 'sluice_file_sink.so' 2>/dev/null | head -1)
    [ -n "$so" ] && dirname "$so"
}

# --- version
out=$("$SLUICE_BIN" version); rc=$?
if [ $rc -eq 0 ] && [[ "$out" =~ ^sluice\ [0-9]+\.[0-9]+\.[0-9]+.*Kafka\ Connect ]]; then
    ok "version prints '$out'"
else
    fail "version: rc=$rc out='$out'"
fi

# --- help
out=$("$SLUICE_BIN" --help); rc=$?
[ $rc -eq 0 ] && grep -q "sluice standalone" <<<"$out" && grep -q "sluice plugins" <<<"$out" \
    && ok "--help shows usage" || fail "--help: rc=$rc"
out=$("$SLUICE_BIN" -h); rc=$?
[ $rc -eq 0 ] && grep -q "Usage" <<<"$out" && ok "-h shows usage" || fail "-h: rc=$rc"

# --- unknown command and no command
out=$("$SLUICE_BIN" frobnicate 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "unknown command" <<<"$out" && grep -q "Usage" <<<"$out" \
    && ok "unknown command exits 2 with usage" || fail "unknown command: rc=$rc out='$out'"
"$SLUICE_BIN" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "no command exits 2" || fail "no command: rc=$rc"

# --- distributed: usage, a missing file, required keys with Java's message (the cluster itself is
# tested by it_dist_*.sh)
out=$("$SLUICE_BIN" distributed 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "missing WORKER.properties" <<<"$out" \
    && ok "distributed without a file exits 2" || fail "distributed no file: rc=$rc out='$out'"
out=$("$SLUICE_BIN" distributed "$tmp/none.properties" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "cannot load worker config" <<<"$out" \
    && ok "distributed with a missing file exits 1" || fail "distributed: rc=$rc out='$out'"
printf 'bootstrap.servers=127.0.0.1:1\ngroup.id=g\nconfig.storage.topic=c\n' >"$tmp/dist.properties"
out=$("$SLUICE_BIN" distributed "$tmp/dist.properties" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'Missing required configuration "offset.storage.topic" which has no default value.' <<<"$out" \
    && ok "distributed names the first missing required key" || fail "distributed keys: rc=$rc out='$out'"
printf 'offset.storage.topic=o\nstatus.storage.topic=s\nkey.converter=org.apache.kafka.connect.storage.StringConverter\n' >>"$tmp/dist.properties"
out=$("$SLUICE_BIN" distributed "$tmp/dist.properties" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'Missing required configuration "value.converter" which has no default value.' <<<"$out" \
    && ok "distributed requires value.converter" || fail "distributed converters: rc=$rc out='$out'"

# --- plugins
pdir=$(plugin_dir)
if [ -z "$pdir" ]; then
    fail "sluice_file_sink.so not found under ${SLUICE_BUILD_PLUGINS:-}"
else
    out=$("$SLUICE_BIN" plugins --plugin-path "$pdir" 2>"$tmp/plugins.err"); rc=$?
    if [ $rc -eq 0 ] && grep -q "org.apache.kafka.connect.file.FileStreamSinkConnector" <<<"$out" \
        && grep -q "org.apache.kafka.connect.json.JsonConverter" <<<"$out" \
        && grep -qE "^sink +org.apache.kafka.connect.file.FileStreamSinkConnector" <<<"$out" \
        && grep -qE "^converter +org.apache.kafka.connect.json.JsonConverter" <<<"$out"; then
        ok "plugins lists the file sink and JsonConverter with their kinds"
    else
        fail "plugins: rc=$rc"; echo "$out" | head -40 >&2; cat "$tmp/plugins.err" >&2
    fi
    # config keys are listed under the component
    grep -qE "^ +file +STRING" <<<"$out" && ok "plugins lists config keys (file)" \
        || fail "plugins does not list the file sink's 'file' key"
fi

# --- missing worker file
out=$("$SLUICE_BIN" standalone "$tmp/missing.properties" 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "missing.properties" <<<"$out" \
    && ok "missing worker file exits $rc naming the file" || fail "missing worker file: rc=$rc out='$out'"
out=$("$SLUICE_BIN" standalone 2>&1); rc=$?
[ $rc -eq 2 ] && ok "standalone without worker file exits 2" || fail "standalone no args: rc=$rc"

# --- missing offset.storage.file.filename: Java's message
cat >"$tmp/noofs.properties" <<EOF
bootstrap.servers=127.0.0.1:1
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
listeners=http://127.0.0.1:0
EOF
out=$(timeout 20 "$SLUICE_BIN" standalone "$tmp/noofs.properties" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'Missing required configuration "offset.storage.file.filename"' <<<"$out" \
    && ok "missing offset.storage.file.filename is refused" || fail "no offsets file: rc=$rc out='$out'"

# --- standalone starts fast, answers REST, and exits 0 on SIGTERM
cat >"$tmp/worker.properties" <<EOF
bootstrap.servers=127.0.0.1:1
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$tmp/state/connect.offsets
listeners=http://127.0.0.1:0
plugin.path=${pdir:-$tmp}
some.unknown.key=1
EOF
"$SLUICE_BIN" standalone "$tmp/worker.properties" >"$tmp/worker.log" 2>&1 &
worker_pid=$!
for _ in $(seq 1 100); do
    grep -q "Worker ready" "$tmp/worker.log" && break
    kill -0 "$worker_pid" 2>/dev/null || break
    sleep 0.1
done
if grep -q "Worker ready" "$tmp/worker.log"; then
    ok "worker ready: $(grep -o 'Worker ready in [0-9.]* ms' "$tmp/worker.log")"
    grep -q "some.unknown.key" "$tmp/worker.log" && ok "unknown worker key is logged, not fatal" \
        || fail "unknown worker key not logged"
    url=$(grep -o 'REST API at http://[^ ]*' "$tmp/worker.log" | head -1 | sed 's/REST API at //')
    url=${url%/}
    if [ -n "$url" ] && command -v curl >/dev/null; then
        body=$(curl -s "$url/connectors")
        [ "$body" = "[]" ] && ok "GET /connectors answers []" || fail "GET /connectors: '$body'"
    fi
    kill -TERM "$worker_pid"
    wait "$worker_pid"; rc=$?
    worker_pid=""
    [ $rc -eq 0 ] && ok "SIGTERM exits 0" || { fail "SIGTERM exit code $rc"; tail -20 "$tmp/worker.log" >&2; }
    [ -f "$tmp/state/connectors.json" ] && ok "state file written at shutdown" \
        || fail "no state file in $tmp/state"
else
    fail "worker did not become ready"; tail -30 "$tmp/worker.log" >&2
fi

# --- a corrupted state file stops the worker with a message naming it (never a crash)
if [ -f "$tmp/state/connectors.json" ]; then
    printf '{"version":1,"connectors":[{"name":"x","con' >"$tmp/state/connectors.json"
    out=$(timeout 20 "$SLUICE_BIN" standalone "$tmp/worker.properties" 2>&1); rc=$?
    [ $rc -eq 1 ] && grep -q "connectors.json is corrupted" <<<"$out" \
        && ok "corrupted state file is refused with a clear message" \
        || fail "corrupted state file: rc=$rc out='$out'"
    rm -f "$tmp/state/connectors.json"
fi

# --- an invalid connector file on the command line stops the worker
printf 'name=bad\nconnector.class=NoSuchConnector\ntopics=t\n' >"$tmp/bad.properties"
out=$(timeout 20 "$SLUICE_BIN" standalone "$tmp/worker.properties" "$tmp/bad.properties" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "Failed to create connector for $tmp/bad.properties" <<<"$out" \
    && ok "an invalid connector file is refused (exit 1)" || fail "invalid connector file: rc=$rc out='$out'"

if [ $failures -gt 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all CLI checks passed"
exit 0
