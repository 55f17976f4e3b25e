# worker/dist: internal topics (config/status records, klog, murmur2, creation) — owned by the topics engineer.
libsluice_core_la_SOURCES += \
	%reldir%/config_topic.c %reldir%/config_topic.h \
	%reldir%/status_topic.c %reldir%/status_topic.h \
	%reldir%/klog.c %reldir%/klog.h \
	%reldir%/internal_topics.c %reldir%/internal_topics.h

# Golden records (tests/data/dist), the config snapshot state machine, the status cache, murmur2.
check_PROGRAMS += tests/unit/test_dist_topics
TESTS += tests/unit/test_dist_topics
tests_unit_test_dist_topics_SOURCES = tests/unit/test_dist_topics.c
tests_unit_test_dist_topics_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_dist_topics_LDADD = $(TEST_LIBS)

# klog against sluice-mock-kafka (it_klog.sh) and topic creation/checks against a fake broker with
# CreateTopics/DescribeConfigs (it_internal_topics.sh); both drive klog_probe.
check_PROGRAMS += tests/integration/klog_probe
tests_integration_klog_probe_SOURCES = tests/integration/klog_probe.c
tests_integration_klog_probe_CFLAGS = $(AM_CFLAGS)
tests_integration_klog_probe_LDADD = libsluice_core.la $(CORE_LIBS)
TESTS += tests/integration/it_klog.sh tests/integration/it_internal_topics.sh
EXTRA_DIST += tests/integration/it_klog.sh tests/integration/it_internal_topics.sh \
	tests/integration/fake_admin_broker.py
