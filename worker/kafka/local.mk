# worker/kafka: librdkafka helpers — client configs, DLQ producer, errant-record headers, group offsets.
libsluice_core_la_SOURCES += \
	%reldir%/clients.c %reldir%/clients.h \
	%reldir%/topics.c \
	%reldir%/dlq.c %reldir%/dlq.h \
	%reldir%/errant.c \
	%reldir%/group_offsets.c %reldir%/group_offsets.h
