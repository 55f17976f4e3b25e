#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the whole suite (unit + integration
# against real services on loopback). Prints "N passed, N failed" as its last line.
#
#   scripts/test.sh                 normal build in ./build/default
#   scripts/test.sh --sanitizers    ASan + UBSan build in ./build/sanitizers
#   scripts/test.sh --all           both, one after the other, then `make distcheck` (what CI runs)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

modes=(default)
case "${1:-}" in
    --sanitizers) modes=(sanitizers) ;;
    --all) modes=(default sanitizers) ;;
    "") ;;
    *) echo "usage: scripts/test.sh [--sanitizers|--all]" >&2; exit 2 ;;
esac

scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
[ -x configure ] && [ configure -nt configure.ac ] || ./autogen.sh >/dev/null 2>&1 || {
    echo "autogen.sh failed" >&2; echo "0 passed, 1 failed"; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0 skipped=0 rc=0
for mode in "${modes[@]}"; do
    dir="$top/build/$mode"
    mkdir -p "$dir"
    flags=()
    [ "$mode" = sanitizers ] && flags=(--enable-sanitizers)
    echo "== $mode build ($dir)"
    if ! ( cd "$dir" && { [ -f Makefile ] || "$top/configure" -q "${flags[@]}"; } && make -s -j"$jobs" >/dev/null ); then
        echo "build failed ($mode)" >&2
        failed=$((failed + 1)); rc=1; continue
    fi
    # Sanitizer builds: leaks are errors; UBSan findings stop the test that hit them.
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ( cd "$dir" && make -j"$jobs" check >/dev/null 2>&1 ) || rc=1
    # One .trs per test program or script; TAP programs have one result line per test case.
    while IFS= read -r trs; do
        while IFS= read -r result; do
            case "$result" in
                PASS|XFAIL) passed=$((passed + 1)) ;;
                SKIP) skipped=$((skipped + 1)) ;;
                *) failed=$((failed + 1)) ;;
            esac
        done < <(sed -n 's/^:test-result: \([A-Z]*\).*/\1/p' "$trs")
        if grep -qE '^:test-result: (FAIL|ERROR|XPASS)' "$trs"; then
            echo "FAILED ($mode): ${trs%.trs}" >&2
            tail -n 40 "${trs%.trs}.log" >&2
        fi
    done < <(find "$dir" -name '*.trs' | sort)
done
if [ "${1:-}" = --all ]; then
    echo "== make distcheck"
    # The integration scripts ran against these sources in both builds above: distcheck checks that
    # the tarball builds and passes its unit tests.
    if ( cd "$top/build/default" && SLUICE_SKIP_INTEGRATION=1 make -j"$jobs" distcheck >distcheck.log 2>&1 ); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); echo "FAILED: make distcheck" >&2; tail -n 40 "$top/build/default/distcheck.log" >&2
    fi
fi
[ $failed -gt 0 ] && rc=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
