# plugins/redis_sink: redis_sink.so, the Redis sink (hash/string/stream/set/zset, Debezium natively,
# exactly once with the offsets in Redis), on hiredis; its unit test, integration tests and bench.
plugin_LTLIBRARIES += %reldir%/redis_sink.la
%canon_reldir%_redis_sink_la_SOURCES = %reldir%/redis_sink.c %reldir%/rs_conn.c \
	%reldir%/rs_conn.h %reldir%/rs_util.c %reldir%/rs_util.h
%canon_reldir%_redis_sink_la_CFLAGS = $(AM_CFLAGS) -pthread $(HIREDIS_CFLAGS)
%canon_reldir%_redis_sink_la_LDFLAGS = -module $(PLUGIN_LINKOPTS) -pthread
%canon_reldir%_redis_sink_la_LIBADD = plugins/common/libsl_cdc.la $(HIREDIS_LIBS)

check_PROGRAMS += %reldir%/test_rs_util
TESTS += %reldir%/test_rs_util
%canon_reldir%_test_rs_util_SOURCES = %reldir%/test_rs_util.c %reldir%/rs_util.c %reldir%/rs_util.h
%canon_reldir%_test_rs_util_CFLAGS = $(TEST_CCOPTS)
%canon_reldir%_test_rs_util_LDADD = $(CMOCKA_LIBS) -lm

REDIS_IT = tests/integration/it_redis_modes.sh tests/integration/it_redis_exactly_once.sh \
	tests/integration/it_redis_outage.sh tests/integration/it_redis_config.sh
TESTS += $(REDIS_IT)
EXTRA_DIST += $(REDIS_IT) bench/e2e_redis_sink.sh
