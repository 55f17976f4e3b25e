libsluice_core_la_SOURCES += \
	%reldir%/log.c %reldir%/log.h \
	%reldir%/buf.c %reldir%/buf.h \
	%reldir%/mem.c %reldir%/mem.h \
	%reldir%/text.c %reldir%/text.h
