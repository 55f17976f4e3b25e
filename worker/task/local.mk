# worker/task: the sink task runtime (thread per task: poll → convert → transform → put → commit).
libsluice_core_la_SOURCES += \
	%reldir%/offsets.c %reldir%/offsets.h \
	%reldir%/sink_task.c %reldir%/task.h

# Fixture sink: RETRY N times then OK; reports "poison" records through report_errant.
check_LTLIBRARIES += tests/plugins/flaky_sink.la
tests_plugins_flaky_sink_la_SOURCES = tests/plugins/flaky_sink.c
tests_plugins_flaky_sink_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_PROGRAMS += tests/unit/test_sink_task
TESTS += tests/unit/test_sink_task
tests_unit_test_sink_task_SOURCES = tests/unit/test_sink_task.c
tests_unit_test_sink_task_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_sink_task_LDADD = $(TEST_LIBS)

EXTRA_DIST += tests/integration/it_sink_pipeline.sh tests/integration/it_sink_errors.sh \
	tests/integration/it_kill9.sh
TESTS += tests/integration/it_sink_pipeline.sh tests/integration/it_sink_errors.sh \
	tests/integration/it_kill9.sh
TESTS += tests/integration/it_broker_faults.sh tests/integration/it_task_seek.sh
EXTRA_DIST += tests/integration/it_broker_faults.sh tests/integration/it_task_seek.sh
