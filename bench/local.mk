# bench: throughput tools (built with the tree, not run by `make check`).
noinst_PROGRAMS += bench/bench_json_decode
bench_bench_json_decode_SOURCES = bench/bench_json_decode.c
bench_bench_json_decode_CPPFLAGS = $(AM_CPPFLAGS) -DSL_TEST_DATA_DIR='"$(abs_srcdir)/tests/data"'
bench_bench_json_decode_LDADD = libsluice_core.la $(CORE_LIBS)
