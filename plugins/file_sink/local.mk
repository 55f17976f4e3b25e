# plugins/file_sink: sluice_file_sink.so, Kafka's FileStreamSinkConnector equivalent.
plugin_LTLIBRARIES += %reldir%/sluice_file_sink.la
%canon_reldir%_sluice_file_sink_la_SOURCES = %reldir%/file_sink.c
%canon_reldir%_sluice_file_sink_la_CFLAGS = $(AM_CFLAGS)
%canon_reldir%_sluice_file_sink_la_LDFLAGS = -module $(PLUGIN_LINKOPTS)
EXTRA_DIST += %reldir%/README.md
