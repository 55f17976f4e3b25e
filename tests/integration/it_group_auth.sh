#!/usr/bin/env bash
# it_group_auth.sh — the group client over TLS and SASL, end to end. librdkafka 2.0.2's mock
# cluster has no TLS or SASL listener, so tests/tools/kafka_auth_fixture.py (an independent
# Python implementation of the broker side: ApiVersions, SaslHandshake, SaslAuthenticate with
# PLAIN and SCRAM-SHA-256/512, and a one-member group coordinator with Kafka 3.x version ranges)
# stands in. Checked: SASL_SSL with SCRAM-SHA-256 (Java's sasl.jaas.config + PEM truststore),
# SCRAM-SHA-512 and PLAIN (librdkafka's spellings), SASL_PLAINTEXT, mutual TLS with an encrypted
# client key; refused with a readable error: wrong passwords, a mechanism the broker does not
# enable, an untrusted CA, a hostname mismatch (accepted once identification is off), a wrong
# key password, a JKS truststore, GSSAPI; JoinGroup errors no retry fixes are reported as fatal.
# Passwords never appear in any output.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_init it_group_auth
it_need_cmd openssl

PROBE=${SLUICE_GROUP_PROBE:-$(dirname "${SLUICE_BIN:-./sluice}")/tests/tools/group_probe}
FIXTURE=${SLUICE_SRCDIR:-$(dirname "$0")/../..}/tests/tools/kafka_auth_fixture.py
[ -x "$PROBE" ] || it_fail "group_probe not built at $PROBE (make check builds it)"
[ -f "$FIXTURE" ] || it_fail "missing $FIXTURE"
[ -x /usr/bin/python3 ] || it__need_service "/usr/bin/python3 is not installed"

FX_PID=""
PROBE_PID=""
gp_exit() {
    local rc=$?
    [ -n "$PROBE_PID" ] && kill -KILL "$PROBE_PID" 2>/dev/null && wait "$PROBE_PID" 2>/dev/null
    [ -n "$FX_PID" ] && kill -KILL "$FX_PID" 2>/dev/null && wait "$FX_PID" 2>/dev/null
    (exit "$rc")
    it__cleanup
}
trap gp_exit EXIT

# ---------------------------------------------------------------- certificates

cd "$T" || it_fail "cd $T"
ssl() { openssl "$@" >>"$T/openssl.log" 2>&1 || it_fail "openssl $1 failed: $(tail -n 3 "$T/openssl.log")"; }
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
ssl req -x509 "${EC[@]}" -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=it-group-ca
ssl req -x509 "${EC[@]}" -nodes -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca
issue() { # NAME SAN
    ssl req "${EC[@]}" -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
    printf 'subjectAltName=%s\n' "$2" >"$1.ext"
    ssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 \
        -extfile "$1.ext"
}
issue server 'IP:127.0.0.1,DNS:localhost'
issue elsewhere 'DNS:broker.elsewhere.example'
issue client 'DNS:client'
ssl pkey -in client.key -aes256 -passout pass:keypass-9 -out client-enc.key
printf '\xfe\xed\xfe\xed not a PEM file' >truststore.jks

# ---------------------------------------------------------------- helpers

start_fixture() { # ARGS...
    stop_fixture
    : >"$T/fixture.out" # so the wait below never reads the previous fixture's port
    /usr/bin/python3 "$FIXTURE" "$@" >"$T/fixture.out" 2>"$T/fixture.err" &
    FX_PID=$!
    it_wait_for 10 test -s "$T/fixture.out" || it_fail "the fixture did not start: $(cat "$T/fixture.err")"
    FX_PORT=$(head -n 1 "$T/fixture.out")
}

stop_fixture() {
    if [ -n "$FX_PID" ]; then
        kill -TERM "$FX_PID" 2>/dev/null
        wait "$FX_PID" 2>/dev/null
        FX_PID=""
    fi
}

# probe NAME PROPS_TEXT [SECONDS] — runs one member until it is assigned, fails fatally or
# refuses its config, then stops it. Without SECONDS, no outcome within 15 s fails the test; with
# it, the member simply runs that long. Output in $T/NAME.out / $T/NAME.err.
probe() {
    local name=$1
    printf '%s\n' "$2" >"$T/$name.props"
    "$PROBE" "127.0.0.1:$FX_PORT" "grp-$name" "$name" --props "$T/$name.props" \
        --session 6000 --heartbeat 500 --exit-on-fatal >"$T/$name.out" 2>"$T/$name.err" &
    PROBE_PID=$!
    if [ -n "${3:-}" ]; then
        it_wait_for "$3" grep -sqE '^(ASSIGNED|FATAL|CONFIG-ERROR)' "$T/$name.out"
    else
        it_wait_for 15 grep -sqE '^(ASSIGNED|FATAL|CONFIG-ERROR)' "$T/$name.out" ||
            it_fail "$name: no assignment and no error within 15 s: $(tail -n 5 "$T/$name.err")"
    fi
    grep -q '^ASSIGNED' "$T/$name.out" && sleep 1.2 # let two heartbeats through
    kill -TERM "$PROBE_PID" 2>/dev/null
    wait "$PROBE_PID" 2>/dev/null
    PROBE_PID=""
}

expect_assigned() { # NAME WHAT
    grep -q "^ASSIGNED gen=[0-9]* protocol=sessioned name=$1 .*data=leader=$1;to=$1;" "$T/$1.out" ||
        it_fail "$1: not assigned: $(cat "$T/$1.out") $(tail -n 5 "$T/$1.err")"
    grep -q "^SYNC .*member=grp-$1-m[0-9]* n=1 .*err=0" "$T/fixture.out" ||
        it_fail "$1: the fixture saw no successful SyncGroup"
    grep -q "^HEARTBEAT .*member=grp-$1-m[0-9]* err=0" "$T/fixture.out" ||
        it_fail "$1: the fixture saw no heartbeat"
    grep -q "^LEAVE .*group=grp-$1 " "$T/fixture.out" || it_fail "$1: no LeaveGroup on stop"
    it_pass "$2"
}

expect_error() { # NAME KIND(FATAL|CONFIG-ERROR) PATTERN WHAT
    grep -q "^$2 .*$3" "$T/$1.out" ||
        it_fail "$1: expected '$2 ...$3', got: $(cat "$T/$1.out")"
    grep -q '^ASSIGNED' "$T/$1.out" && it_fail "$1: was assigned despite the error"
    it_pass "$4: $(grep -m1 "^$2" "$T/$1.out" | cut -c1-160)"
}

JAAS_SCRAM='org.apache.kafka.common.security.scram.ScramLoginModule required'
JAAS_PLAIN='org.apache.kafka.common.security.plain.PlainLoginModule required'

# ---------------------------------------------------------------- SASL_SSL

start_fixture --tls server.pem server.key --sasl PLAIN,SCRAM-SHA-256,SCRAM-SHA-512 \
    --user alice:alice-pw-1 --user bob:bob-pw-2

probe scram256 "security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-256
sasl.jaas.config=$JAAS_SCRAM username=\"alice\" password=\"alice-pw-1\";
ssl.truststore.location=$T/ca.pem
ssl.truststore.type=PEM"
expect_assigned scram256 "SASL_SSL + SCRAM-SHA-256 (Java sasl.jaas.config, PEM truststore)"
grep -q '^AUTH-OK mech=SCRAM-SHA-256 user=alice v=2' fixture.out ||
    it_fail "the fixture did not authenticate alice with SCRAM-SHA-256 over SaslAuthenticate v2"
for v in 'API_VERSIONS v=3' 'FIND_COORDINATOR v=4' 'JOIN v=9' 'SYNC v=5' 'HEARTBEAT v=4' \
    'LEAVE v=5'; do
    grep -q "^$v " fixture.out || it_fail "the client did not negotiate $v"
done
grep -q '^JOIN v=9 .*member=grp-scram256-m[0-9]* err=79' fixture.out ||
    it_fail "no MEMBER_ID_REQUIRED round on the first join"
it_pass "negotiated the newest versions (ApiVersions 3, FindCoordinator 4, JoinGroup 9 with MEMBER_ID_REQUIRED, SyncGroup 5, Heartbeat 4, LeaveGroup 5)"

probe scram512 "security.protocol=SASL_SSL
sasl.mechanisms=SCRAM-SHA-512
sasl.username=bob
sasl.password=bob-pw-2
ssl.ca.location=$T/ca.pem"
expect_assigned scram512 "SASL_SSL + SCRAM-SHA-512 (librdkafka spellings, ssl.ca.location)"

probe plain "security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=$JAAS_PLAIN username=\"alice\" password=\"alice-pw-1\";
ssl.ca.location=$T/ca.pem"
expect_assigned plain "SASL_SSL + PLAIN"

probe badscram "security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-256
sasl.jaas.config=$JAAS_SCRAM username=\"alice\" password=\"Wrong-Secret-7\";
ssl.ca.location=$T/ca.pem"
expect_error badscram FATAL 'SASL authentication failed: SASL_AUTHENTICATION_FAILED: Authentication failed' \
    "wrong SCRAM password refused readably"

probe badplain "security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.username=bob
sasl.password=Wrong-Secret-7
ssl.ca.location=$T/ca.pem"
expect_error badplain FATAL 'SASL_AUTHENTICATION_FAILED' "wrong PLAIN password refused readably"

probe untrusted "security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.username=bob
sasl.password=bob-pw-2
ssl.ca.location=$T/other-ca.pem"
expect_error untrusted FATAL 'TLS certificate verification failed' "a broker certificate from an untrusted CA is refused"

stop_fixture
start_fixture --tls elsewhere.pem elsewhere.key --sasl SCRAM-SHA-512 --user bob:bob-pw-2
probe wronghost "security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.username=bob
sasl.password=bob-pw-2
ssl.ca.location=$T/ca.pem"
expect_error wronghost FATAL 'verification failed: .*IP address mismatch' \
    "a certificate for another host is refused (ssl.endpoint.identification.algorithm=https)"
probe nohostcheck "security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.username=bob
sasl.password=bob-pw-2
ssl.ca.location=$T/ca.pem
ssl.endpoint.identification.algorithm="
expect_assigned nohostcheck "the same certificate is accepted with ssl.endpoint.identification.algorithm empty"
probe nomech "security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.username=bob
sasl.password=bob-pw-2
ssl.ca.location=$T/ca.pem
ssl.endpoint.identification.algorithm="
expect_error nomech FATAL 'SASL mechanism PLAIN refused: UNSUPPORTED_SASL_MECHANISM (the broker enables: SCRAM-SHA-512' \
    "a mechanism the broker does not enable is refused, naming what it enables"

# ---------------------------------------------------------------- SASL_PLAINTEXT, mutual TLS

stop_fixture
start_fixture --sasl SCRAM-SHA-256 --user alice:alice-pw-1
probe saslplain "security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-256
sasl.jaas.config=$JAAS_SCRAM username=\"alice\" password=\"alice-pw-1\";"
expect_assigned saslplain "SASL_PLAINTEXT + SCRAM-SHA-256"

stop_fixture
start_fixture --tls server.pem server.key --client-ca ca.pem
probe mtls "security.protocol=SSL
ssl.ca.location=$T/ca.pem
ssl.certificate.location=$T/client.pem
ssl.key.location=$T/client-enc.key
ssl.key.password=keypass-9"
expect_assigned mtls "SSL with a client certificate and an encrypted key (ssl.key.password)"
probe nocert "security.protocol=SSL
ssl.ca.location=$T/ca.pem" 3
grep -q '^ASSIGNED' "$T/nocert.out" && it_fail "a client without a certificate joined an mTLS broker"
it_pass "a client without a certificate does not get in where one is required"

# ---------------------------------------------------------------- group errors retrying cannot fix

stop_fixture
start_fixture --join-error 23
probe inconsistent ""
expect_error inconsistent FATAL 'JoinGroup failed: INCONSISTENT_GROUP_PROTOCOL (23): another member' \
    "INCONSISTENT_GROUP_PROTOCOL is reported as fatal, explained"
stop_fixture
start_fixture --join-error 30
probe groupauth ""
expect_error groupauth FATAL 'JoinGroup failed: GROUP_AUTHORIZATION_FAILED (30)' \
    "GROUP_AUTHORIZATION_FAILED is reported as fatal"

# ---------------------------------------------------------------- refused at sl_group_new

probe badkeypw "security.protocol=SSL
ssl.ca.location=$T/ca.pem
ssl.certificate.location=$T/client.pem
ssl.key.location=$T/client-enc.key
ssl.key.password=Wrong-Secret-7"
expect_error badkeypw CONFIG-ERROR 'ssl.key.location: cannot load the private key' "a wrong ssl.key.password names ssl.key.location"
probe jks "security.protocol=SSL
ssl.truststore.location=$T/truststore.jks
ssl.truststore.password=Wrong-Secret-7"
expect_error jks CONFIG-ERROR 'ssl.truststore.location: only PEM truststores' "a JKS truststore is refused naming ssl.truststore.location"
probe gssapi "security.protocol=SASL_PLAINTEXT
sasl.mechanism=GSSAPI"
expect_error gssapi CONFIG-ERROR 'sasl.mechanism: mechanism .GSSAPI. is not supported' "GSSAPI is refused naming sasl.mechanism"
stop_fixture

# ---------------------------------------------------------------- no secret anywhere

if grep -rl -e 'Wrong-Secret-7' -e 'alice-pw-1' -e 'bob-pw-2' -e 'keypass-9' "$T"/*.out "$T"/*.err; then
    it_fail "a secret appears in the output above"
fi
it_pass "no password or key password appears in any probe or fixture output"
if grep -l -e 'Sanitizer' -e 'runtime error:' "$T"/*.err; then
    it_fail "a sanitizer reported an error in the files above"
fi
it_pass "no sanitizer report from any probe"
it_done
