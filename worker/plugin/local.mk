# worker/plugin: the plugin loader, the component catalogue, the host-services table, sluice_ctx.
libsluice_core_la_SOURCES += \
	%reldir%/catalog.c %reldir%/catalog.h \
	%reldir%/loader.c %reldir%/loader.h \
	%reldir%/host_api.c \
	%reldir%/ctx.c %reldir%/ctx.h
