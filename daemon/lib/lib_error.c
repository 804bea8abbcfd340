// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lib_error.h"

static __thread char last[LIB_ERROR_MAX];
static lib_notice_fn notice_fn;

static void strip_newline(char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
}

int lib_error_set(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last, sizeof(last), fmt, ap);
	va_end(ap);
	strip_newline(last);
	return err;
}

const char *lib_error(void)
{
	return last;
}

void lib_error_clear(void)
{
	last[0] = '\0';
}

void lib_notice_set_handler(lib_notice_fn fn)
{
	notice_fn = fn;
}

void lib_notice(const char *fmt, ...)
{
	char msg[LIB_ERROR_MAX];
	va_list ap;

	if (!notice_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strip_newline(msg);
	notice_fn(msg);
}

void lib_error_notice(void)
{
	if (last[0])
		lib_notice("%s", last);
	lib_error_clear();
}

void lib_report(lib_report_fn fn, enum lib_report_level level, const char *fmt, ...)
{
	/* A line may name two paths (a file and the state dir) and an error. */
	char msg[2 * 4096 + LIB_ERROR_MAX];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strip_newline(msg);
	fn(level, msg);
}
