// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

static enum log_level current_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	fputs("xdpfwd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Library messages explain failures we already report in one line; show them only with -v. */
static int lib_print(enum log_level level, const char *fmt, va_list ap)
{
	if (current_level < LOG_LEVEL_DEBUG || level > current_level)
		return 0;
	fputs("  lib: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return lib_print(level == LIBBPF_WARN ? LOG_LEVEL_WARN :
			 level == LIBBPF_INFO ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG, fmt, ap);
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return lib_print(level == LIBXDP_WARN ? LOG_LEVEL_WARN :
			 level == LIBXDP_INFO ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG, fmt, ap);
}

void log_install_lib_printers(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
