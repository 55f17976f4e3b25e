# worker/dist: connect subprotocol codec and assignors — owned by the assignor engineer.
libsluice_core_la_SOURCES += \
	%reldir%/connect_protocol.c %reldir%/connect_protocol.h \
	%reldir%/assignor.c %reldir%/assignor.h

check_PROGRAMS += tests/unit/test_connect_protocol tests/unit/test_assignor
TESTS += tests/unit/test_connect_protocol tests/unit/test_assignor
tests_unit_test_connect_protocol_SOURCES = tests/unit/test_connect_protocol.c
tests_unit_test_connect_protocol_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_connect_protocol_LDADD = $(TEST_LIBS)
tests_unit_test_assignor_SOURCES = tests/unit/test_assignor.c
tests_unit_test_assignor_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_assignor_LDADD = $(TEST_LIBS)
