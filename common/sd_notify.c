// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "log.h"
#include "sd_notify.h"

/* STATUS= text beyond this is cut; systemctl status shows one line anyway. */
#define SD_STATUS_MAX 256

/* Fills *sa from $NOTIFY_SOCKET; 0 when unset, 1 when usable, -errno when unusable. */
static int notify_address(struct sockaddr_un *sa, socklen_t *len)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t n;

	if (!path || !*path)
		return 0;
	/* Newer systemd also speaks vsock ("vsock:CID:PORT"); a host service never gets one. */
	if (path[0] != '/' && path[0] != '@')
		return -EAFNOSUPPORT;
	n = strlen(path);
	if (n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n);
	/* An abstract name starts with a NUL and is exactly n bytes long: no terminator counts. */
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	*len = offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/');
	return 1;
}

int sd_notify_send(const char *state)
{
	static int warned;
	struct sockaddr_un sa;
	socklen_t len = 0;
	int fd, r;

	r = notify_address(&sa, &len);
	if (r <= 0)
		goto out;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	/* MSG_NOSIGNAL: a manager that went away must not kill us with SIGPIPE. */
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0)
		r = -errno;
	close(fd);
out:
	if (r < 0 && !warned) {
		warned = 1;
		pr_warn("notifying the service manager through NOTIFY_SOCKET=%s failed: %s\n",
			getenv("NOTIFY_SOCKET"), strerror(-r));
	}
	return r;
}

/* prefix, then the formatted text on one line: STATUS= ends at the first newline. */
static int send_with_status(const char *prefix, const char *fmt, va_list ap)
{
	char msg[sizeof("READY=1\nSTATUS=") + SD_STATUS_MAX];
	size_t plen = strlen(prefix);
	char *p;

	if (plen >= sizeof(msg))
		return -EINVAL;
	memcpy(msg, prefix, plen);
	vsnprintf(msg + plen, sizeof(msg) - plen, fmt, ap);
	for (p = msg + plen; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return sd_notify_send(msg);
}

int sd_notify_ready(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = send_with_status("READY=1\nSTATUS=", fmt, ap);
	va_end(ap);
	return r;
}

int sd_notify_status(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = send_with_status("STATUS=", fmt, ap);
	va_end(ap);
	return r;
}

int sd_notify_reloading(void)
{
	return sd_notify_send("RELOADING=1");
}

int sd_notify_stopping(void)
{
	return sd_notify_send("STOPPING=1");
}

int sd_notify_watchdog(void)
{
	return sd_notify_send("WATCHDOG=1");
}

/* Decimal, no sign, no junk, > 0; else 0. */
static unsigned long long env_u64(const char *name)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno || *end ? 0 : v;
}

__u64 sd_watchdog_usec(void)
{
	/* systemd sets WATCHDOG_PID so a child the main process spawns does not ping for it. */
	if (getenv("WATCHDOG_PID") && env_u64("WATCHDOG_PID") != (unsigned long long)getpid())
		return 0;
	return env_u64("WATCHDOG_USEC");
}
