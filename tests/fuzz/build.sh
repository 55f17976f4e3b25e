#!/usr/bin/env bash
# build.sh — build the libFuzzer targets in tests/fuzz against a sanitizer build of the worker's
# core and REST libraries. Not part of `make check` (it needs clang + libFuzzer); see
# docs/fuzzing.md. Usage: tests/fuzz/build.sh [BUILD_DIR]   (default: ../build-fuzz next to the
# source tree, or $SLUICE_FUZZ_BUILD). Never builds inside the source tree.
# FUZZ_CFLAGS adds flags to the targets only, e.g. FUZZ_CFLAGS=-DFUZZ_STRICT to stop tolerating
# the known bugs listed in docs/fuzzing.md.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${SLUICE_FUZZ_BUILD:-$(dirname "$SRC")/build-fuzz}}
CC=${CC:-clang-14}
CXX=${CXX:-clang++-14}
command -v "$CC" >/dev/null || CC=clang
command -v "$CXX" >/dev/null || CXX=clang++
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS_COMMON="-g -O1 -fno-omit-frame-pointer $SAN"
TARGETS="fuzz_properties fuzz_json_converter fuzz_rest_router fuzz_connector_file"

mkdir -p "$BUILD"
cd "$BUILD"
if [ ! -f Makefile ]; then
    # fuzzer-no-link: libFuzzer's coverage instrumentation in the libraries, main() only in
    # the targets.
    "$SRC/configure" CC="$CC" CXX="$CXX" \
        CFLAGS="$CFLAGS_COMMON -fsanitize=fuzzer-no-link" \
        CXXFLAGS="$CFLAGS_COMMON -fsanitize=fuzzer-no-link" >configure.log
fi
make -j"$(nproc)" libsluice_core.la libsluice_rest.la >make.log

PKGS="rdkafka jansson libmicrohttpd libcurl simdjson libcrypto"
# shellcheck disable=SC2046
LIBS="$(pkg-config --libs $PKGS) -lstdc++ -lm -ldl -lpthread"
# shellcheck disable=SC2046
INCS="-I$SRC/include -I$SRC/worker -I$SRC -I$BUILD $(pkg-config --cflags $PKGS)"
mkdir -p "$BUILD/fuzz"
for t in $TARGETS; do
    "$CC" -std=gnu11 -Wall -Wextra -Wno-unused-parameter $CFLAGS_COMMON -fsanitize=fuzzer-no-link \
        ${FUZZ_CFLAGS:-} $INCS -c "$SRC/tests/fuzz/$t.c" -o "$BUILD/fuzz/$t.o"
    "$CXX" $CFLAGS_COMMON -fsanitize=fuzzer "$BUILD/fuzz/$t.o" \
        "$BUILD/.libs/libsluice_rest.a" "$BUILD/.libs/libsluice_core.a" $LIBS -o "$BUILD/fuzz/$t"
    echo "built $BUILD/fuzz/$t"
done
