// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "lib_error.h"
#include "pin_dir.h"
#include "netns.h"
#include "instance_lock.h"

/*
 * The initial network namespace's inode: PID 1's, or where that is hidden
 * (a sandbox without CAP_SYS_PTRACE), the fixed number recent kernels give it
 * (PROC_NET_INIT_INO, 0xEFFFFFF9 on 6.18).
 */
static __u64 netns_initial(void)
{
	struct stat st;

	return stat("/proc/1/ns/net", &st) ? 0xEFFFFFF9ULL : (__u64)st.st_ino;
}

int instance_iface_id(const char *ifname, bool with_netns, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	__u64 ns = netns_current();
	size_t n = 0;
	int r;

	for (; *ifname; ifname++) {
		unsigned char c = *ifname;

		if (n + 4 > len)
			return -ENAMETOOLONG;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '-') {
			buf[n++] = c;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	buf[n] = '\0';
	if (!with_netns && ns == netns_initial())
		return 0;
	r = snprintf(buf + n, len - n, "@%llu", (unsigned long long)ns);
	return r < 0 || (size_t)r >= len - n ? -ENAMETOOLONG : 0;
}

static int lock_path(const char *pin_dir, const char *ifname, char *path, size_t len)
{
	char id[INSTANCE_IFACE_ID_MAX], name[sizeof(id) + sizeof(INSTANCE_LOCK_PREFIX)];
	int err;

	err = instance_iface_id(ifname, true, id, sizeof(id));
	if (err)
		return err;
	snprintf(name, sizeof(name), INSTANCE_LOCK_PREFIX "%s", id);
	return pin_path(path, len, pin_dir, name);
}

int instance_lock_iface(const char *pin_dir, const char *ifname)
{
	struct stat held, now;
	char path[PATH_MAX];
	int fd, err, tries;

	err = lock_path(pin_dir, ifname, path, sizeof(path));
	if (err)
		return err;
	/* A directory removed between our open and our flock is not the lock any more: take the new one. */
	for (tries = 0; tries < 10; tries++) {
		/* 0600: nothing ever goes inside; root opens it for flock all the same. */
		if (mkdir(path, 0600) && errno != EEXIST) {
			err = -errno;
			break;
		}
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			if (err == -ENOENT)
				continue;
			break;
		}
		if (fstat(fd, &held) || held.st_uid != 0) {
			err = -EPERM;
			close(fd);
			break;
		}
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			err = -errno;
			close(fd);
			if (err == -EWOULDBLOCK)
				return lib_error_set(-EBUSY, "another xdpfwd daemon already runs for %s with pin dir %s; "
						     "stop it first (systemctl stop xdpfwd@%s)", ifname, pin_dir, ifname);
			break;
		}
		if (!lstat(path, &now) && now.st_dev == held.st_dev && now.st_ino == held.st_ino)
			return fd;
		close(fd);
	}
	if (!err)
		err = -EAGAIN;
	return lib_error_set(err, "taking the instance lock %s failed: %s; it must be a directory root made, or absent",
			     path, strerror(-err));
}

/* Removes one lock directory, unless with_held is false and a daemon holds it. */
static int remove_lock(const char *path, bool with_held)
{
	int fd, err = 0;

	if (with_held)
		return rmdir(path) && errno != ENOENT ? -errno : 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* Removed while we hold it: a daemon that opened it before cannot take it (it checks the path). */
	if (!flock(fd, LOCK_EX | LOCK_NB) && rmdir(path) && errno != ENOENT)
		err = -errno;
	close(fd);
	return err;
}

int instance_lock_remove_all(const char *pin_dir, bool with_held)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0, r;
	DIR *d;

	d = opendir(pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, INSTANCE_LOCK_PREFIX, strlen(INSTANCE_LOCK_PREFIX)) &&
		    !pin_path(path, sizeof(path), pin_dir, de->d_name) && (r = remove_lock(path, with_held)))
			err = r;
	closedir(d);
	return err;
}
