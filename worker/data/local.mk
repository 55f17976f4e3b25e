# worker/data: the Connect data model and the simdjson record decoder.
libsluice_core_la_SOURCES += \
	%reldir%/value.c %reldir%/value.h \
	%reldir%/json_parse.cpp %reldir%/json_parse.h
# json_parse.cpp includes the walk once per simdjson kernel; not compiled on its own.
EXTRA_DIST += %reldir%/json_walk.inc

check_PROGRAMS += tests/unit/test_value
TESTS += tests/unit/test_value
tests_unit_test_value_SOURCES = tests/unit/test_value.c
tests_unit_test_value_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_value_LDADD = $(TEST_LIBS)
