# tools/mock-kafka: sluice-mock-kafka (librdkafka's mock cluster as a process) and its integration
# test, which also exercises the Kafka half of tests/integration/lib.sh.
bin_PROGRAMS += sluice-mock-kafka
sluice_mock_kafka_SOURCES = tools/mock-kafka/mock_kafka.c
sluice_mock_kafka_LDADD = $(RDKAFKA_LIBS)

TESTS += tests/integration/it_mock_kafka.sh
EXTRA_DIST += tests/integration/it_mock_kafka.sh tools/mock-kafka/group_probe.py
