# worker/kafka: librdkafka helpers — client configs, DLQ producer, errant-record headers, group offsets,
# the prefetch watcher.
libsluice_core_la_SOURCES += \
	%reldir%/clients.c %reldir%/clients.h \
	%reldir%/topics.c \
	%reldir%/dlq.c %reldir%/dlq.h \
	%reldir%/errant.c \
	%reldir%/group_offsets.c %reldir%/group_offsets.h \
	%reldir%/prefetch.c %reldir%/prefetch.h

check_PROGRAMS += tests/unit/test_prefetch
TESTS += tests/unit/test_prefetch
tests_unit_test_prefetch_SOURCES = tests/unit/test_prefetch.c
tests_unit_test_prefetch_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_prefetch_LDADD = $(TEST_LIBS)
TESTS += tests/integration/it_prefetch.sh
EXTRA_DIST += tests/integration/it_prefetch.sh
