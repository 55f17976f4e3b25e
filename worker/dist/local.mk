# worker/dist: the distributed herder backend (distributed.c), KIP-507 session keys and request
# signatures (session_key.c), the worker-to-worker REST client (forward.c) — owned by the
# distributed-herder engineer.
libsluice_core_la_SOURCES += \
	%reldir%/distributed.c %reldir%/distributed.h \
	%reldir%/session_key.c %reldir%/session_key.h \
	%reldir%/forward.c %reldir%/forward.h

check_PROGRAMS += tests/unit/test_session_key
TESTS += tests/unit/test_session_key
tests_unit_test_session_key_SOURCES = tests/unit/test_session_key.c
tests_unit_test_session_key_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_session_key_LDADD = $(TEST_LIBS) $(CRYPTO_LIBS)

dist_examples_DATA += config/connect-distributed.properties

DIST_IT = \
	tests/integration/it_dist_basic.sh \
	tests/integration/it_dist_failover.sh \
	tests/integration/it_dist_restart.sh \
	tests/integration/it_dist_faults.sh
TESTS += $(DIST_IT)
EXTRA_DIST += $(DIST_IT) tests/integration/it_dist_lib.sh

# The distributed herder's REST answers without Kafka (a herder that is never started).
check_PROGRAMS += tests/unit/test_dist_herder
TESTS += tests/unit/test_dist_herder
tests_unit_test_dist_herder_SOURCES = tests/unit/test_dist_herder.c
tests_unit_test_dist_herder_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_dist_herder_LDADD = $(TEST_LIBS)
