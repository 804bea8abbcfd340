/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library never prints. A failing call returns -errno and records one
 * line saying what failed and why (and, where only the library can know it,
 * what to do); the front end decides whether, where and how to show it:
 * the CLI on stderr, the service in the journal or in its status line.
 * Notices (things an operator may want to know that are not failures, such
 * as "taking over the event ring buffer") go to a handler the front end
 * installs; without one they are dropped.
 *
 * The record is per thread and kept until the next lib_error_set, so a
 * caller reads it right after the call that failed.
 */
#ifndef XDPFWD_LIB_ERROR_H
#define XDPFWD_LIB_ERROR_H

#define LIB_ERROR_MAX 512

/* Records the message (no trailing newline needed; one is stripped) and returns err unchanged. */
int lib_error_set(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last recorded message of this thread; "" when none. */
const char *lib_error(void);
void lib_error_clear(void);

typedef void (*lib_notice_fn)(const char *msg);
/* Where notices go; NULL drops them. */
void lib_notice_set_handler(lib_notice_fn fn);
void lib_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A failure the library works around (the call goes on and succeeds): its
 * message is still news to an operator, so it goes out as a notice, and the
 * record is cleared so that no later failure is shown with it.
 */
void lib_error_notice(void);

/*
 * Reports: the lines of a job that goes on past what it reports (a bad file
 * among good ones, what each set got), each at the level the front end logs
 * it at: a warning, news, or detail shown only when asked for (-v). Unlike
 * notices they have a level, and the caller of such a job passes where they
 * go (NULL drops them).
 */
enum lib_report_level {
	LIB_REPORT_WARN,
	LIB_REPORT_INFO,
	LIB_REPORT_DEBUG,
};
typedef void (*lib_report_fn)(enum lib_report_level level, const char *msg);
void lib_report(lib_report_fn fn, enum lib_report_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
