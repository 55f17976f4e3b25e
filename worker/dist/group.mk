# worker/dist: Kafka group membership client (group.c, kwire.*, kmsg.*, ksec.*, kconn.*) — owned by
# the group engineer. Unit tests, the group probe and the TLS/SASL fixture broker.
libsluice_core_la_SOURCES += \
	%reldir%/group.c %reldir%/group.h \
	%reldir%/kwire.c %reldir%/kwire.h \
	%reldir%/kmsg.c %reldir%/kmsg.h \
	%reldir%/ksec.c %reldir%/ksec.h \
	%reldir%/kconn.c %reldir%/kconn.h
libsluice_core_la_LIBADD += $(SSL_LIBS)

check_PROGRAMS += tests/unit/test_kwire
TESTS += tests/unit/test_kwire
tests_unit_test_kwire_SOURCES = tests/unit/test_kwire.c
tests_unit_test_kwire_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_kwire_LDADD = $(TEST_LIBS) $(SSL_LIBS)

check_PROGRAMS += tests/unit/test_ksec
TESTS += tests/unit/test_ksec
tests_unit_test_ksec_SOURCES = tests/unit/test_ksec.c
tests_unit_test_ksec_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_ksec_LDADD = $(TEST_LIBS) $(SSL_LIBS)

# Joins a group with protocol type `connect` and prints every generation's assignment.
check_PROGRAMS += tests/tools/group_probe
tests_tools_group_probe_SOURCES = tests/tools/group_probe.c
tests_tools_group_probe_CFLAGS = $(TEST_CCOPTS)
tests_tools_group_probe_LDADD = $(TEST_LIBS) $(SSL_LIBS)

TESTS += tests/integration/it_group.sh tests/integration/it_group_auth.sh
EXTRA_DIST += tests/integration/it_group.sh tests/integration/it_group_auth.sh \
	tests/tools/kafka_auth_fixture.py
