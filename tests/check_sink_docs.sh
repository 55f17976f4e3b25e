#!/usr/bin/env bash
# check_sink_docs.sh — docs/sink-plugins.md must be what tests/gen_config_docs prints from the
# built sink plugins' config tables (regenerate from a build dir:
# ./tests/gen_config_docs plugins/*/.libs/*_sink.so > docs/sink-plugins.md).
set -uo pipefail
build=$(dirname "${SLUICE_BIN:?run through make check}")
src=${SLUICE_SRCDIR:?run through make check}
shopt -s nullglob
plugins=("$build"/plugins/*/.libs/*_sink.so)
[ ${#plugins[@]} -ge 4 ] || { echo "FAIL: sink plugins not built under $build/plugins"; exit 1; }
if ! "$build/tests/gen_config_docs" "${plugins[@]}" 2>/dev/null | diff -u "$src/docs/sink-plugins.md" - >"${TMPDIR:-/tmp}/sink-docs.$$.diff"; then
    echo "FAIL: docs/sink-plugins.md is stale; regenerate it:"
    head -n 40 "${TMPDIR:-/tmp}/sink-docs.$$.diff"
    rm -f "${TMPDIR:-/tmp}/sink-docs.$$.diff"
    exit 1
fi
rm -f "${TMPDIR:-/tmp}/sink-docs.$$.diff"
echo "PASS: docs/sink-plugins.md matches the plugins' config tables (${#plugins[@]} plugins)"
