# rest: the Connect REST API server (libmicrohttpd) — its own library, linked by the worker.
libsluice_rest_la_SOURCES += \
	%reldir%/rest.h \
	%reldir%/router.c %reldir%/router.h \
	%reldir%/loggers.c %reldir%/loggers.h \
	%reldir%/handlers.c %reldir%/handlers.h \
	%reldir%/server.c

check_PROGRAMS += tests/unit/test_rest_router
TESTS += tests/unit/test_rest_router
tests_unit_test_rest_router_SOURCES = tests/unit/test_rest_router.c
tests_unit_test_rest_router_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_rest_router_LDADD = $(TEST_LIBS)

TESTS += tests/integration/it_rest_api.sh
EXTRA_DIST += tests/integration/it_rest_api.sh
