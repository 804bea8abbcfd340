/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd's service notification protocol without libsystemd: one datagram of
 * "KEY=VALUE" lines sent to the AF_UNIX socket named by $NOTIFY_SOCKET (a path,
 * or an abstract name written with a leading '@'). The protocol is stable and
 * small, and one less library keeps the daemon's dependencies to libbpf and
 * libxdp. Outside systemd, with no $NOTIFY_SOCKET, every call does nothing, so
 * callers need not check where they run.
 *
 * Each sender returns 1 when the message was sent, 0 when there is no
 * $NOTIFY_SOCKET, or -errno. A failure is also reported once with pr_warn: a
 * service manager waiting for READY=1 would otherwise time out with no clue.
 */
#ifndef XDPFWD_SD_NOTIFY_H
#define XDPFWD_SD_NOTIFY_H

#include <linux/types.h>

/* Sends state as it is: one or more "KEY=VALUE" lines separated by '\n'. */
int sd_notify_send(const char *state);

/*
 * "READY=1" with a one-line STATUS= (printf format; newlines become spaces):
 * the service is up. For Type=notify units, systemd holds back units ordered
 * after this one, and `systemctl start` returns, only once this arrives.
 */
int sd_notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "STATUS=...", shown by `systemctl status`. */
int sd_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "RELOADING=1" before acting on SIGHUP; follow with sd_notify_ready() when done. */
int sd_notify_reloading(void);

/* "STOPPING=1" when shutting down on request. */
int sd_notify_stopping(void);

/* "WATCHDOG=1": the main loop is alive. */
int sd_notify_watchdog(void);

/*
 * The watchdog timeout in microseconds ($WATCHDOG_USEC) when it is meant for
 * this process ($WATCHDOG_PID unset or equal to getpid()), else 0. Ping at
 * half of it, so one late tick does not get the service killed.
 */
__u64 sd_watchdog_usec(void);

#endif
