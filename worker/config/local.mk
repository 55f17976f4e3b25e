# worker/config: .properties/JSON props, the config-def engine, def tables, validation, providers.
libsluice_core_la_SOURCES += \
	%reldir%/props.c %reldir%/props.h \
	%reldir%/config.h %reldir%/engine.c %reldir%/engine.h \
	%reldir%/config.c %reldir%/defs.c \
	%reldir%/validation.c %reldir%/validation_internal.h \
	%reldir%/connector_validate.c \
	%reldir%/providers.c \
	%reldir%/reference_doc.c

check_PROGRAMS += tests/unit/test_props
TESTS += tests/unit/test_props
tests_unit_test_props_SOURCES = tests/unit/test_props.c
tests_unit_test_props_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_props_LDADD = $(TEST_LIBS)

noinst_PROGRAMS += tests/gen_config_docs
tests_gen_config_docs_SOURCES = tests/gen_config_docs.c
tests_gen_config_docs_LDADD = libsluice_core.la $(CORE_LIBS)

check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_config_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_providers
TESTS += tests/unit/test_providers
tests_unit_test_providers_SOURCES = tests/unit/test_providers.c
tests_unit_test_providers_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_providers_LDADD = $(TEST_LIBS)
