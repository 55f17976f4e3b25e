#!/usr/bin/env bash
# test_bq_server.sh -- self-test of the BigQuery REST test double (bq_test_server.py, this dir).
# Runs the unittest module test_bq_server.py with Debian's /usr/bin/python3 (which sees
# python3-cryptography); JWTs in it are signed with `openssl dgst -sha256 -sign`, independently of
# the server's code. Exit codes: 0 pass, 1 fail, 77 skip (only with SLUICE_TEST_SKIP_MISSING=1 when
# a tool is missing; otherwise a missing tool fails the test).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3

missing() {
    if [ "${SLUICE_TEST_SKIP_MISSING:-0}" = 1 ]; then
        echo "SKIP: test_bq_server: $*" >&2
        exit 77
    fi
    echo "FAIL: test_bq_server: $*" >&2
    exit 1
}

[ -x "$py" ] || missing "$py not found"
"$py" -c 'import cryptography.hazmat.primitives.asymmetric.rsa' 2>/dev/null ||
    missing "python3-cryptography is not installed for $py"
command -v openssl >/dev/null 2>&1 || missing "openssl not found"

tmp_root=${SLUICE_TEST_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$tmp_root" || exit 1
export TMPDIR="$tmp_root"
export PYTHONDONTWRITEBYTECODE=1

cd "$here" || exit 1
# -B: the source tree may be read-only (distcheck); timeout: a hung server must not hang make check.
timeout -k 5 120 "$py" -B -m unittest -v test_bq_server
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL: test_bq_server (unittest exit $rc)" >&2
    exit 1
fi
echo "PASS: test_bq_server"
exit 0
