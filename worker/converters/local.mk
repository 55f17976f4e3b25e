# worker/converters: built-in converters and converter instantiation for tasks.
libsluice_core_la_SOURCES += \
	%reldir%/builtin.c \
	%reldir%/json_converter.c %reldir%/json_converter.h \
	%reldir%/convert.c %reldir%/convert.h

check_PROGRAMS += tests/unit/test_json_converter
TESTS += tests/unit/test_json_converter
tests_unit_test_json_converter_SOURCES = tests/unit/test_json_converter.c
tests_unit_test_json_converter_CPPFLAGS = $(AM_CPPFLAGS) -DSL_TEST_DATA_DIR='"$(abs_srcdir)/tests/data"'
tests_unit_test_json_converter_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_json_converter_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_converters
TESTS += tests/unit/test_converters
tests_unit_test_converters_SOURCES = tests/unit/test_converters.c
tests_unit_test_converters_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_converters_LDADD = $(TEST_LIBS)
