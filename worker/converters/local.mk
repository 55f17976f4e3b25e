# worker/converters: built-in converters and converter instantiation for tasks.
libsluice_core_la_SOURCES += \
	%reldir%/builtin.c
