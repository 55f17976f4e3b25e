#!/usr/bin/env bash
# run.sh — run one libFuzzer target for a while: tests/fuzz/run.sh TARGET SECONDS [libFuzzer args]
# TARGET is properties | json_converter | rest_router | connector_file (or fuzz_<name>).
# Builds nothing: run tests/fuzz/build.sh first. New inputs go to $BUILD/fuzz/corpus-TARGET (the
# seeds in tests/fuzz/corpus are read, never written); crashes to $BUILD/fuzz/artifacts/TARGET/.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${SLUICE_FUZZ_BUILD:-$(dirname "$SRC")/build-fuzz}
if [ $# -lt 2 ]; then
    echo "usage: $0 TARGET SECONDS [libFuzzer args...]" >&2
    exit 2
fi
T=${1#fuzz_}
T=fuzz_$T
SECS=$2
shift 2
BIN="$BUILD/fuzz/$T"
if [ ! -x "$BIN" ]; then
    echo "$BIN not built: run tests/fuzz/build.sh" >&2
    exit 2
fi
WORK="$BUILD/fuzz/corpus-${T#fuzz_}"
ART="$BUILD/fuzz/artifacts/${T#fuzz_}/"
mkdir -p "$WORK" "$ART"
# detect_leaks stays on: the worker's parsers must not leak on bad input either.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
DICT=()
if [ -f "$SRC/tests/fuzz/${T#fuzz_}.dict" ]; then
    DICT=(-dict="$SRC/tests/fuzz/${T#fuzz_}.dict")
fi
exec "$BIN" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$ART" "${DICT[@]}" "$@" "$WORK" "$SRC/tests/fuzz/corpus/$T"
