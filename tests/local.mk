# tests: loader fixture plugins (tests/plugins) and the plugin-area unit tests.
# tests/plugins/flaky_sink.c belongs to the task engineer, who registers it in their own local.mk.

# Fixture .so files: -module written literally; -rpath makes libtool build a real shared
# object although it is never installed.
EXTRA_DIST += tests/abi

check_LTLIBRARIES += tests/plugins/good_sink.la
tests_plugins_good_sink_la_SOURCES = tests/plugins/good_sink.c tests/plugins/fixture.h
tests_plugins_good_sink_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_good_sink_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/bad_magic.la
tests_plugins_bad_magic_la_SOURCES = tests/plugins/bad_magic.c tests/plugins/fixture.h
tests_plugins_bad_magic_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_bad_magic_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/major_mismatch.la
tests_plugins_major_mismatch_la_SOURCES = tests/plugins/major_mismatch.c tests/plugins/fixture.h
tests_plugins_major_mismatch_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_major_mismatch_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/future_minor.la
tests_plugins_future_minor_la_SOURCES = tests/plugins/future_minor.c tests/plugins/fixture.h
tests_plugins_future_minor_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_future_minor_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/wrong_facts.la
tests_plugins_wrong_facts_la_SOURCES = tests/plugins/wrong_facts.c tests/plugins/fixture.h
tests_plugins_wrong_facts_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_wrong_facts_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/entry_returns_null.la
tests_plugins_entry_returns_null_la_SOURCES = tests/plugins/entry_returns_null.c
tests_plugins_entry_returns_null_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_entry_returns_null_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/missing_put.la
tests_plugins_missing_put_la_SOURCES = tests/plugins/missing_put.c tests/plugins/fixture.h
tests_plugins_missing_put_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_missing_put_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/dup_class.la
tests_plugins_dup_class_la_SOURCES = tests/plugins/dup_class.c tests/plugins/fixture.h
tests_plugins_dup_class_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_dup_class_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/bad_config_def.la
tests_plugins_bad_config_def_la_SOURCES = tests/plugins/bad_config_def.c tests/plugins/fixture.h
tests_plugins_bad_config_def_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_bad_config_def_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/dup_config_key.la
tests_plugins_dup_config_key_la_SOURCES = tests/plugins/dup_config_key.c tests/plugins/fixture.h
tests_plugins_dup_config_key_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_dup_config_key_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

check_LTLIBRARIES += tests/plugins/abi_v1_0_sink.la
tests_plugins_abi_v1_0_sink_la_SOURCES = tests/plugins/abi_v1_0_sink.c
tests_plugins_abi_v1_0_sink_la_CFLAGS = $(AM_CFLAGS)
# Only the frozen v1.0 header is on the include path: old plugins must keep loading.
tests_plugins_abi_v1_0_sink_la_CPPFLAGS = -I$(top_srcdir)/tests/abi
tests_plugins_abi_v1_0_sink_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)

# The out-of-tree plugin template, built here too so a broken template fails make check.
check_LTLIBRARIES += tests/plugins/example_sink.la
tests_plugins_example_sink_la_SOURCES = examples/plugin-template/example_sink.c
tests_plugins_example_sink_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_example_sink_la_LDFLAGS = -module -rpath /nowhere $(PLUGIN_LINKOPTS)
EXTRA_DIST += examples/plugin-template/Makefile examples/plugin-template/README.md

# Exports a different symbol, so it cannot use the export list of real plugins.
check_LTLIBRARIES += tests/plugins/no_entry.la
tests_plugins_no_entry_la_SOURCES = tests/plugins/no_entry.c
tests_plugins_no_entry_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_no_entry_la_LDFLAGS = -module -rpath /nowhere -avoid-version -shared -no-undefined \
	$(SAN_FLAGS)


check_PROGRAMS += tests/unit/test_loader
TESTS += tests/unit/test_loader
tests_unit_test_loader_SOURCES = tests/unit/test_loader.c
tests_unit_test_loader_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_loader_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_host_api
TESTS += tests/unit/test_host_api
tests_unit_test_host_api_SOURCES = tests/unit/test_host_api.c
tests_unit_test_host_api_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_host_api_LDADD = $(TEST_LIBS)

# Drives the built sluice_file_sink.so ($SLUICE_BUILD_PLUGINS/file_sink/.libs) through the host.
check_PROGRAMS += tests/unit/test_file_sink
TESTS += tests/unit/test_file_sink
tests_unit_test_file_sink_SOURCES = tests/unit/test_file_sink.c
tests_unit_test_file_sink_CFLAGS = $(TEST_CCOPTS)
tests_unit_test_file_sink_LDADD = $(TEST_LIBS)
TESTS += tests/integration/it_plugins.sh
EXTRA_DIST += tests/integration/it_plugins.sh

# docs/sink-plugins.md is generated from the sink plugins' config tables and must stay current.
TESTS += tests/check_sink_docs.sh
EXTRA_DIST += tests/check_sink_docs.sh
