# plugins/common: code shared by the sink plugins (Debezium change decoding, logical values),
# linked statically into each plugin. It uses only the host table, never the worker.
noinst_LTLIBRARIES += %reldir%/libsl_cdc.la
%canon_reldir%_libsl_cdc_la_SOURCES = %reldir%/cdc.c %reldir%/cdc.h
%canon_reldir%_libsl_cdc_la_CFLAGS = $(AM_CFLAGS) -fPIC

check_PROGRAMS += tests/unit/test_cdc
TESTS += tests/unit/test_cdc
tests_unit_test_cdc_SOURCES = tests/unit/test_cdc.c
tests_unit_test_cdc_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_cdc_LDADD = %reldir%/libsl_cdc.la $(TEST_LIBS)

# shortnum.h, jsontext.h: header-only (the worker's JSON writer includes them too)
EXTRA_DIST += %reldir%/shortnum.h %reldir%/jsontext.h
check_PROGRAMS += tests/unit/test_shortnum
TESTS += tests/unit/test_shortnum
tests_unit_test_shortnum_SOURCES = tests/unit/test_shortnum.c
tests_unit_test_shortnum_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_shortnum_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_jsontext
TESTS += tests/unit/test_jsontext
tests_unit_test_jsontext_SOURCES = tests/unit/test_jsontext.c
tests_unit_test_jsontext_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_jsontext_LDADD = $(TEST_LIBS)
