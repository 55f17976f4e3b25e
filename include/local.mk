# The installed plugin ABI.
sluiceincludedir = $(includedir)/sluice
sluiceinclude_HEADERS = %reldir%/sluice/plugin.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = %reldir%/sluice/sluice-plugin.pc
