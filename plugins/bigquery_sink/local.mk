# plugins/bigquery_sink: bigquery_sink.so, the BigQuerySinkConnector replacement (insertAll,
# intermediate table + MERGE by source position), its unit and integration tests.
plugin_LTLIBRARIES += %reldir%/bigquery_sink.la
%canon_reldir%_bigquery_sink_la_SOURCES = %reldir%/bigquery_sink.c %reldir%/bq.h \
	%reldir%/bq_types.c %reldir%/bq_sql.c %reldir%/bq_auth.c %reldir%/bq_http.c
%canon_reldir%_bigquery_sink_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) \
	$(CRYPTO_CFLAGS)
%canon_reldir%_bigquery_sink_la_LDFLAGS = -module $(PLUGIN_LINKOPTS)
%canon_reldir%_bigquery_sink_la_LIBADD = plugins/common/libsl_cdc.la $(JANSSON_LIBS) \
	$(CURL_LIBS) $(CRYPTO_LIBS)

# Unit tests compile the plugin's internals directly against the real host table.
BQ_UNIT_SOURCES = %reldir%/bq.h %reldir%/bq_types.c %reldir%/bq_sql.c %reldir%/bq_auth.c \
	%reldir%/bq_http.c tests/unit/test_bigquery_host.h

check_PROGRAMS += tests/unit/test_bigquery_jwt tests/unit/test_bigquery_sql \
	tests/unit/test_bigquery_types
TESTS += tests/unit/test_bigquery_jwt tests/unit/test_bigquery_sql \
	tests/unit/test_bigquery_types
tests_unit_test_bigquery_jwt_SOURCES = tests/unit/test_bigquery_jwt.c $(BQ_UNIT_SOURCES)
tests_unit_test_bigquery_jwt_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_bigquery_jwt_LDADD = plugins/common/libsl_cdc.la $(TEST_LIBS)
tests_unit_test_bigquery_sql_SOURCES = tests/unit/test_bigquery_sql.c $(BQ_UNIT_SOURCES)
tests_unit_test_bigquery_sql_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_bigquery_sql_LDADD = plugins/common/libsl_cdc.la $(TEST_LIBS)
tests_unit_test_bigquery_types_SOURCES = tests/unit/test_bigquery_types.c $(BQ_UNIT_SOURCES)
tests_unit_test_bigquery_types_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_bigquery_types_LDADD = plugins/common/libsl_cdc.la $(TEST_LIBS)

EXTRA_DIST += bench/e2e_bigquery_sink.sh

# Integration tests against the BigQuery test double (tests/bigquery/bq_test_server.py).
BQ_IT = tests/integration/it_bigquery_cdc.sh tests/integration/it_bigquery_order.sh \
	tests/integration/it_bigquery_faults.sh tests/integration/it_bigquery_kill9.sh
TESTS += $(BQ_IT)
EXTRA_DIST += $(BQ_IT) %reldir%/it_lib.sh
