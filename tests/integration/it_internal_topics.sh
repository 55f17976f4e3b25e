#!/usr/bin/env bash
# it_internal_topics.sh — sl_internal_topics_ensure against a broker that has CreateTopics and
# DescribeConfigs (tests/integration/fake_admin_broker.py; the mock has neither): missing topics
# are created compacted with the configured partitions, replication factor (-1 = broker default)
# and extra *.storage.* configs (cleanup.policy overrides dropped); existing topics are checked
# for exactly cleanup.policy=compact and a 1-partition config topic with Java's messages; refused
# creations say what to do. Must clean up every process it started, even on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

it_init it_internal_topics
probe="$(dirname "${SLUICE_BIN:?}")/tests/integration/klog_probe"
[ -x "$probe" ] || it_fail "klog_probe not built: $probe"
it_need_cmd /usr/bin/python3

FAKE_PID=""
stop_fake() {
    if [ -n "$FAKE_PID" ]; then
        kill "$FAKE_PID" 2>/dev/null
        wait "$FAKE_PID" 2>/dev/null
        FAKE_PID=""
    fi
}
# keep lib.sh's cleanup (and its view of the exit status) after stopping the fake broker
on_exit() {
    local rc=$?
    stop_fake
    (exit "$rc")
    it__cleanup
}
trap on_exit EXIT

# start_fake ARGS... — a fresh fake broker; sets FAKE (bootstrap) and $T/fake.out (its log)
start_fake() {
    stop_fake
    : >"$T/fake.out"
    timeout 120 /usr/bin/python3 "$here/fake_admin_broker.py" "$@" >"$T/fake.out" \
        2>"$T/fake.err" &
    FAKE_PID=$!
    it_wait_for 10 test -s "$T/fake.out" || it_fail "fake broker did not start: $(cat "$T/fake.err")"
    FAKE="127.0.0.1:$(head -n 1 "$T/fake.out")"
}

names=(config.storage.topic=connect-configs offset.storage.topic=connect-offsets
    status.storage.topic=connect-status)

ensure() {
    timeout 60 "$probe" ensure "$FAKE" "${names[@]}" "$@" 2>&1
}

# ---- nothing exists: all three are created as Java creates them
start_fake
out=$(ensure config.storage.replication.factor=1 config.storage.partitions=7 \
    offset.storage.partitions=-1 offset.storage.replication.factor=-1 \
    status.storage.partitions=3 status.storage.replication.factor=2 \
    status.storage.segment.bytes=1048576 status.storage.cleanup.policy=delete \
    offset.storage.min.insync.replicas=2)
tail -n 1 <<<"$out" | grep -qx ok || it_fail "creation: $out"
creates=$(grep '^create ' "$T/fake.out" | sort)
expected="create connect-configs 1 1 cleanup.policy=compact
create connect-offsets -1 -1 cleanup.policy=compact,min.insync.replicas=2
create connect-status 3 2 cleanup.policy=compact,segment.bytes=1048576"
[ "$creates" = "$expected" ] || it_fail "CreateTopics requests:
$creates
expected:
$expected"
grep -q "Ignoring 'config.storage.partitions=7' setting, since config topic partitions is always 1" <<<"$out" ||
    it_fail "no warning for config.storage.partitions: $out"
grep -q "Ignoring 'status.storage.cleanup.policy=delete' setting, since compaction is always used" <<<"$out" ||
    it_fail "no warning for status.storage.cleanup.policy: $out"
it_pass "missing topics created compacted with partitions, replication factor and extra configs"

# a second worker finds them and creates nothing
n_before=$(grep -c '^create ' "$T/fake.out")
out=$(ensure)
tail -n 1 <<<"$out" | grep -qx ok || it_fail "second ensure: $out"
[ "$(grep -c '^create ' "$T/fake.out")" -eq "$n_before" ] || it_fail "existing topics re-created"
it_pass "existing compacted topics are accepted without CreateTopics"

# ---- cleanup.policy must be exactly compact
start_fake --topic connect-configs:1 --topic connect-offsets:25 --topic connect-status:5:compact,delete
out=$(ensure)
grep -q "error: Topic 'connect-status' supplied via the 'status.storage.topic' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of connector and task statuses, but found the topic currently has 'cleanup.policy=compact,delete'." <<<"$out" ||
    it_fail "compact,delete accepted: $out"
start_fake --topic connect-configs:1 --topic connect-offsets:25:delete --topic connect-status:5
out=$(ensure)
grep -q "error: Topic 'connect-offsets' supplied via the 'offset.storage.topic' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of source connector offsets, but found the topic currently has 'cleanup.policy=delete'" <<<"$out" ||
    it_fail "delete accepted: $out"
it_pass "existing topics with cleanup.policy compact,delete or delete are refused with Java's message"

start_fake --no-describe --topic connect-configs:1 --topic connect-offsets:25:delete \
    --topic connect-status:5
out=$(ensure)
tail -n 1 <<<"$out" | grep -qx ok || it_fail "without DescribeConfigs: $out"
grep -q "Unable to use admin client to verify the cleanup policy of 'connect-offsets' topic is 'compact'" <<<"$out" ||
    it_fail "no INFO about the skipped check: $out"
it_pass "without DescribeConfigs the policy check is skipped with Java's INFO line"

# ---- the config topic must have one partition
start_fake --topic connect-configs:2 --topic connect-offsets:25 --topic connect-status:5
out=$(ensure)
grep -q "error: Topic 'connect-configs' supplied via the 'config.storage.topic' property is required to have a single partition in order to guarantee consistency of connector configurations, but found 2 partitions." <<<"$out" ||
    it_fail "2-partition config topic accepted: $out"
it_pass "a 2-partition config topic is refused"

# ---- creation refused
start_fake --create-error 29 --topic connect-configs:1 --topic connect-status:5
out=$(ensure)
if ! grep -q "Unable to create topic(s) 'connect-offsets'" <<<"$out" ||
    ! grep -q "Falling back to assume topic(s) exist or will be auto-created by the broker." <<<"$out"; then
    it_fail "no fallback warning for an unauthorised creation: $out"
fi
grep -q "error: Topic 'connect-offsets' supplied via the 'offset.storage.topic' property does not exist and it could not be created. Create it first, e.g. kafka-topics.sh --create --topic connect-offsets --partitions 25 --replication-factor 3 --config cleanup.policy=compact" <<<"$out" ||
    it_fail "no instructions after an unauthorised creation: $out"
it_pass "an unauthorised creation warns like Java, then says how to create the topic"

start_fake --create-error 40
out=$(ensure)
grep -q "error: Unable to create topic(s) 'connect-configs': refused by the test" <<<"$out" ||
    it_fail "an invalid-config creation error was not reported: $out"
it_pass "a creation refused for its config is an error with the broker's message"

# ---- no broker at all: bounded, and says so
stop_fake
FAKE="127.0.0.1:$(it_free_port)"
start=$SECONDS
out=$(ensure)
grep -q '^error: ' <<<"$out" || it_fail "no broker: $out"
[ $((SECONDS - start)) -le 20 ] || it_fail "ensure without a broker took $((SECONDS - start)) s"
it_pass "without a broker ensure fails within its timeout"

it_done
