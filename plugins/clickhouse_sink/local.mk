# plugins/clickhouse_sink: clickhouse_sink.so, the ClickHouse sink (com.clickhouse.kafka.connect.
# ClickHouseSinkConnector): Debezium changes into ReplacingMergeTree tables over HTTP/RowBinary.
plugin_LTLIBRARIES += %reldir%/clickhouse_sink.la
%canon_reldir%_clickhouse_sink_la_SOURCES = %reldir%/clickhouse_sink.c %reldir%/ch.h \
	%reldir%/ch_types.c %reldir%/ch_rowbinary.c %reldir%/ch_http.c %reldir%/ch_http.h
%canon_reldir%_clickhouse_sink_la_CFLAGS = $(AM_CFLAGS)
%canon_reldir%_clickhouse_sink_la_LDFLAGS = -module $(PLUGIN_LINKOPTS)
%canon_reldir%_clickhouse_sink_la_LIBADD = plugins/common/libsl_cdc.la $(CURL_LIBS) $(ZLIB_LIBS)

# Unit tests: generated SQL and RowBinary encoding, the plugin's pure code compiled in and driven
# through the worker's real host table.
check_PROGRAMS += tests/unit/test_clickhouse_sql
TESTS += tests/unit/test_clickhouse_sql
tests_unit_test_clickhouse_sql_SOURCES = tests/unit/test_clickhouse_sql.c \
	%reldir%/ch_types.c %reldir%/ch_rowbinary.c %reldir%/ch.h
tests_unit_test_clickhouse_sql_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_clickhouse_sql_LDADD = plugins/common/libsl_cdc.la $(TEST_LIBS)

# Integration tests against a private ClickHouse server (tests/integration/clickhouse-lib.sh).
TESTS += tests/integration/it_clickhouse_cdc.sh tests/integration/it_clickhouse_faults.sh \
	tests/integration/it_clickhouse_rejects.sh
EXTRA_DIST += tests/integration/it_clickhouse_cdc.sh tests/integration/it_clickhouse_faults.sh \
	tests/integration/it_clickhouse_rejects.sh \
	tests/integration/clickhouse-lib.sh bench/e2e_clickhouse_sink.sh bench/peer_clickhouse.py
