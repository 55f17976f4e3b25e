# worker/herder: the standalone herder (lifecycle, status, state directory), the CLI's tests and
# the example configs.
libsluice_core_la_SOURCES += \
	%reldir%/herder.c %reldir%/herder.h %reldir%/runtime.h \
	%reldir%/state.c %reldir%/state.h

check_PROGRAMS += tests/unit/test_herder_state
TESTS += tests/unit/test_herder_state
tests_unit_test_herder_state_SOURCES = tests/unit/test_herder_state.c
tests_unit_test_herder_state_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_herder_state_LDADD = $(TEST_LIBS)

dist_examples_DATA += \
	config/connect-standalone.properties \
	config/file-sink.properties \
	config/file-sink.json

TESTS += tests/integration/it_cli.sh tests/integration/it_standalone_restart.sh
EXTRA_DIST += tests/integration/it_cli.sh tests/integration/it_standalone_restart.sh
