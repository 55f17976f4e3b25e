# worker/transforms: the built-in transforms/predicates and the transform chain.
libsluice_core_la_SOURCES += \
	%reldir%/builtin.c
