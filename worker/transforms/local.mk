# worker/transforms: the built-in transforms/predicates and the transform chain.
libsluice_core_la_SOURCES += \
	%reldir%/builtin.c %reldir%/builtin.h \
	%reldir%/jregex.c %reldir%/jregex.h \
	%reldir%/extract_new_state.c \
	%reldir%/regex_router.c \
	%reldir%/predicates.c \
	%reldir%/chain.c %reldir%/chain.h

check_PROGRAMS += tests/unit/test_transforms
TESTS += tests/unit/test_transforms
tests_unit_test_transforms_SOURCES = tests/unit/test_transforms.c
tests_unit_test_transforms_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_transforms_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_chain
TESTS += tests/unit/test_chain
tests_unit_test_chain_SOURCES = tests/unit/test_chain.c
tests_unit_test_chain_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_chain_LDADD = $(TEST_LIBS)
