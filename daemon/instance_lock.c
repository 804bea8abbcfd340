// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "log.h"
#include "instance_lock.h"

int instance_lock_iface(const char *pin_dir, const char *ifname)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, n;

	/* sun_path[0] = '\0' makes the name abstract; long pin dirs are cut, which only widens the lock. */
	n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "xdpfwd:%s:%s", ifname, pin_dir);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n > sizeof(sa.sun_path) - 2)
		n = sizeof(sa.sun_path) - 2;
	len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, len)) {
		int err = -errno;

		close(fd);
		if (err == -EADDRINUSE) {
			pr_warn("another xdpfwd daemon already runs for %s with pin dir %s; stop it first (systemctl stop xdpfwd@%s)\n",
				ifname, pin_dir, ifname);
			return -EBUSY;
		}
		pr_warn("taking the instance lock for %s failed: %s\n", ifname, strerror(-err));
		return err;
	}
	return fd;
}
