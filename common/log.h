/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics on stderr, one line each; libbpf and libxdp chatter only with -v. */
#ifndef XDPFWD_LOG_H
#define XDPFWD_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Routes libbpf's and libxdp's messages through our levels. */
void log_install_lib_printers(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
