#!/usr/bin/env bash
# it_group.sh — the group membership client (worker/dist/group.c) against sluice-mock-kafka with 3
# brokers: three group_probe members of protocol type `connect` elect one leader whose assign
# callback hands every member its assignment; kill -9 of the leader gives the survivors a new
# generation after the session timeout; a coordinator broker going down (with the group moved to
# another broker) makes members find the new coordinator and rejoin; an injected heartbeat
# ILLEGAL_GENERATION makes a member report the loss and rejoin; members stop promptly (LeaveGroup
# is sent, though the mock ignores it). Bad paths: no broker at all, a malformed bootstrap list.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_init it_group

PROBE=${SLUICE_GROUP_PROBE:-$(dirname "${SLUICE_BIN:-./sluice}")/tests/tools/group_probe}
[ -x "$PROBE" ] || it_fail "group_probe not built at $PROBE (make check builds it)"

declare -A PID
GROUP=it-group

gp_exit() {
    local rc=$? n
    for n in "${!PID[@]}"; do
        kill -KILL "${PID[$n]}" 2>/dev/null
        wait "${PID[$n]}" 2>/dev/null
    done
    (exit "$rc")
    it__cleanup
}
trap gp_exit EXIT

start_probe() { # NAME [ARGS...]
    local name=$1
    shift
    "$PROBE" "$BOOTSTRAP" "$GROUP" "$name" --session 6000 --heartbeat 1000 "$@" \
        >"$T/$name.out" 2>"$T/$name.err" &
    PID[$name]=$!
}

# last_gen NAME — the generation of NAME's last assignment (0 when none).
last_gen() {
    local g
    g=$(grep '^ASSIGNED' "$T/$1.out" 2>/dev/null | tail -n 1 | sed 's/.* gen=\([0-9]*\) .*/\1/')
    echo "${g:-0}"
}

last_assignment() { grep '^ASSIGNED' "$T/$1.out" | tail -n 1; }

# all_assigned N GEN_MIN NAME... — every NAME's last assignment is for the same generation
# (> GEN_MIN) and for a group of N members.
all_assigned() {
    local n=$1 min=$2 first="" g name
    shift 2
    for name in "$@"; do
        g=$(last_gen "$name")
        [ "$g" -gt "$min" ] || return 1
        last_assignment "$name" | grep -q ";n=$n\$" || return 1
        [ -z "$first" ] && first=$g
        [ "$g" = "$first" ] || return 1
    done
}

# check_round GEN NAME... — exactly one member led generation GEN, every member's assignment
# came from that leader's assign callback and is addressed to it.
check_round() {
    local gen=$1 leaders name leader
    shift
    leaders=0
    for name in "$@"; do
        if grep -q "^LEADER gen=$gen " "$T/$name.out"; then
            leaders=$((leaders + 1))
            leader=$name
        fi
    done
    [ "$leaders" -eq 1 ] || it_fail "generation $gen had $leaders leaders"
    for name in "$@"; do
        last_assignment "$name" | grep -q "data=leader=$leader;to=$name;gen=$gen;" ||
            it_fail "$name's assignment did not come from leader $leader: $(last_assignment "$name")"
    done
    echo "$leader"
}

# ---------------------------------------------------------------- bad paths first (fast)

out=$("$PROBE" "not-a-host-port" "$GROUP" x 2>&1)
rc=$?
[ "$rc" -eq 3 ] && [[ "$out" == *"CONFIG-ERROR bootstrap.servers:"* ]] ||
    it_fail "a malformed bootstrap list was not refused naming the key (rc $rc): $out"
it_pass "a malformed bootstrap.servers is refused by sl_group_new, naming the key"

dead=$(it_free_port)
"$PROBE" "127.0.0.1:$dead" "$GROUP" lonely --session 6000 --heartbeat 1000 \
    >"$T/lonely.out" 2>"$T/lonely.err" &
PID[lonely]=$!
sleep 2
kill -TERM "${PID[lonely]}"
wait "${PID[lonely]}"
rc=$?
unset 'PID[lonely]'
[ "$rc" -eq 0 ] || it_fail "the probe without a broker exited $rc"
ms=$(sed -n 's/^STOPPED ms=//p' "$T/lonely.out")
[ -n "$ms" ] && [ "$ms" -lt 1000 ] || it_fail "stopping while no broker answers took '$ms' ms"
grep -q '^ASSIGNED' "$T/lonely.out" && it_fail "a member without a broker got an assignment"
it_pass "with no broker the member keeps retrying and stops in ${ms} ms"

# ---------------------------------------------------------------- three members, one leader

it_start_kafka --brokers 3
start_probe a
start_probe b
start_probe c
it_wait_for "three members assigned in one generation" 30 all_assigned 3 0 a b c
gen1=$(last_gen a)
leader1=$(check_round "$gen1" a b c)
it_pass "generation $gen1: one leader ($leader1), every member got its assignment from it"
grep -h '^ASSIGNED' "$T"/[abc].out | grep -qv 'protocol=sessioned' &&
    it_fail "the group did not settle on protocol sessioned"
it_pass "the coordinator picked the first offered protocol, sessioned"

# ---------------------------------------------------------------- kill -9 the leader

survivors=()
for n in a b c; do
    [ "$n" = "$leader1" ] || survivors+=("$n")
done
t0=$SECONDS
kill -KILL "${PID[$leader1]}"
wait "${PID[$leader1]}" 2>/dev/null
unset "PID[$leader1]"
it_wait_for "the survivors get a new generation after the session timeout" 40 \
    all_assigned 2 "$gen1" "${survivors[@]}"
gen2=$(last_gen "${survivors[0]}")
leader2=$(check_round "$gen2" "${survivors[@]}")
it_pass "after kill -9 of $leader1: generation $gen2 of 2 led by $leader2 ($((SECONDS - t0)) s)"

# ---------------------------------------------------------------- the coordinator moves

coord_of() { grep -ho 'coordinator is broker [0-9]*' "$T/$1.err" | tail -n 1 | awk '{print $4}'; }
coord=$(coord_of "${survivors[0]}")
[ -n "$coord" ] || it_fail "the members never logged their coordinator"
new=$((coord % 3 + 1))
it_kafka_cmd coordinator group "$GROUP" "$new" >/dev/null
on_new_coord() {
    local n
    for n in "${survivors[@]}"; do
        [ "$(coord_of "$n")" = "$new" ] || return 1
    done
}
it_wait_for "members follow NOT_COORDINATOR to broker $new" 15 on_new_coord
sleep 2 # a few heartbeats on the new coordinator
for n in "${survivors[@]}"; do
    [ "$(last_gen "$n")" = "$gen2" ] || it_fail "$n changed generation although the group survived"
    grep -q '^LOST' "$T/$n.out" && it_fail "$n reported a loss for a prompt coordinator move"
done
it_pass "coordinator moved to broker $new: members found it and kept generation $gen2"

# ---------------------------------------------------------------- the coordinator broker dies

coord=$new
new=$((coord % 3 + 1))
it_kafka_cmd broker down "$coord" >/dev/null
sleep 3 # longer than heartbeat.interval.ms: members must give their work up
for n in "${survivors[@]}"; do
    grep -q '^LOST .*coordinator has been unreachable' "$T/$n.out" ||
        it_fail "$n did not report its membership lost while the coordinator was down"
done
it_kafka_cmd coordinator group "$GROUP" "$new" >/dev/null
it_wait_for "members rejoin through the new coordinator (broker $new)" 30 \
    all_assigned 2 "$gen2" "${survivors[@]}"
gen3=$(last_gen "${survivors[0]}")
check_round "$gen3" "${survivors[@]}" >/dev/null
it_kafka_cmd broker up "$coord" >/dev/null
it_pass "coordinator broker $coord down: LOST reported, broker $new found, rejoined as generation $gen3"

# ---------------------------------------------------------------- a heartbeat error

it_kafka_cmd error Heartbeat ILLEGAL_GENERATION 1 >/dev/null
it_wait_for "a new generation after ILLEGAL_GENERATION" 30 all_assigned 2 "$gen3" "${survivors[@]}"
grep -q '^LOST Heartbeat answered ILLEGAL_GENERATION' "$T/${survivors[0]}.out" "$T/${survivors[1]}.out" ||
    it_fail "no member reported ILLEGAL_GENERATION as a lost membership"
it_pass "ILLEGAL_GENERATION on a heartbeat: the member reported the loss and the group rejoined"

# ---------------------------------------------------------------- more broker errors

gen4=$(last_gen "${survivors[0]}")
ids_before=$(grep -ho 'member=[^ ]*' "$T/${survivors[0]}.out" "$T/${survivors[1]}.out" | sort -u)
it_kafka_cmd error Heartbeat UNKNOWN_MEMBER_ID 1 >/dev/null
it_kafka_cmd error JoinGroup COORDINATOR_LOAD_IN_PROGRESS 1 >/dev/null
it_kafka_cmd error FindCoordinator COORDINATOR_NOT_AVAILABLE 1 >/dev/null
it_wait_for "a new generation after UNKNOWN_MEMBER_ID and coordinator errors" 40 \
    all_assigned 2 "$gen4" "${survivors[@]}"
grep -q '^LOST Heartbeat answered UNKNOWN_MEMBER_ID' "$T/${survivors[0]}.out" "$T/${survivors[1]}.out" ||
    it_fail "no member reported UNKNOWN_MEMBER_ID as a lost membership"
grep -q 'JoinGroup answered COORDINATOR_LOAD_IN_PROGRESS); looking it up again' \
    "$T/${survivors[0]}.err" "$T/${survivors[1]}.err" ||
    it_fail "no member looked the coordinator up again after COORDINATOR_LOAD_IN_PROGRESS"
ids_after=$(for n in "${survivors[@]}"; do last_assignment "$n" | grep -o 'member=[^ ]*'; done | sort -u)
new_ids=$(comm -13 <(echo "$ids_before") <(echo "$ids_after") | wc -l)
[ "$new_ids" -ge 1 ] || it_fail "the member told UNKNOWN_MEMBER_ID did not rejoin with a new id"
check_round "$(last_gen "${survivors[0]}")" "${survivors[@]}" >/dev/null
it_pass "UNKNOWN_MEMBER_ID: member id cleared, rejoined as a new member through coordinator errors"

# ---------------------------------------------------------------- stop

for n in "${survivors[@]}"; do
    kill -TERM "${PID[$n]}"
done
for n in "${survivors[@]}"; do
    wait "${PID[$n]}"
    rc=$?
    unset "PID[$n]"
    [ "$rc" -eq 0 ] || it_fail "$n exited $rc on SIGTERM"
    ms=$(sed -n 's/^STOPPED ms=//p' "$T/$n.out")
    [ -n "$ms" ] && [ "$ms" -lt 2000 ] || it_fail "$n took '$ms' ms to stop"
    grep -q 'left the group' "$T/$n.err" || it_fail "$n sent no LeaveGroup on stop"
done
it_pass "members stop promptly and send LeaveGroup"
if grep -l -e 'Sanitizer' -e 'runtime error:' "$T"/*.err; then
    it_fail "a sanitizer reported an error in the files above"
fi
it_pass "no sanitizer report from any probe"
it_done
