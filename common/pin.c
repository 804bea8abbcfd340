// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "log.h"
#include "pin.h"

int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int is_bpffs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st))
		return -errno;
	return st.f_type == BPF_FS_MAGIC;
}

/* The directory that would contain dir: everything before the last '/'. */
static void parent_of(const char *dir, char *buf, size_t len)
{
	const char *slash = strrchr(dir, '/');
	size_t n = slash ? (size_t)(slash - dir) : 0;

	if (n == 0) {
		snprintf(buf, len, "%s", slash ? "/" : ".");
		return;
	}
	if (n >= len)
		n = len - 1;
	memcpy(buf, dir, n);
	buf[n] = '\0';
}

static int ensure_bpffs(const char *parent)
{
	int r = is_bpffs(parent);

	if (r == 1)
		return 0;
	if (r < 0) {
		pr_warn("pin dir parent %s: %s; create it or choose another --pin-dir\n",
			parent, strerror(-r));
		return r;
	}
	if (strcmp(parent, XDPFWD_BPFFS_ROOT) != 0) {
		pr_warn("%s is not on a BPF filesystem; mount one there (mount -t bpf bpf %s) or use a --pin-dir under %s\n",
			parent, parent, XDPFWD_BPFFS_ROOT);
		return -EINVAL;
	}
	if (mount("bpf", XDPFWD_BPFFS_ROOT, "bpf", 0, "mode=0700")) {
		r = -errno;
		pr_warn("mounting bpffs on %s failed: %s; run as root or mount it yourself (mount -t bpf bpf %s)\n",
			XDPFWD_BPFFS_ROOT, strerror(-r), XDPFWD_BPFFS_ROOT);
		return r;
	}
	pr_info("mounted bpffs on %s\n", XDPFWD_BPFFS_ROOT);
	return 0;
}

static int check_dir_safe(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		pr_warn("pin dir %s exists but is not a directory; remove it or choose another --pin-dir\n", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != 0 || (st.st_mode & 0077)) {
		pr_warn("pin dir %s is owned by uid %u with mode %04o; refusing to trust it (expected root, 0700)\n",
			dir, st.st_uid, st.st_mode & 07777);
		return -EPERM;
	}
	if (is_bpffs(dir) != 1) {
		pr_warn("pin dir %s is not on a BPF filesystem\n", dir);
		return -EINVAL;
	}
	return 0;
}

int pin_dir_ensure_bpffs(const char *dir)
{
	char parent[PATH_MAX];

	if (!*dir || strlen(dir) >= PATH_MAX - 32 || dir[0] != '/') {
		pr_warn("--pin-dir '%s' must be an absolute path of reasonable length\n", dir);
		return -EINVAL;
	}
	parent_of(dir, parent, sizeof(parent));
	return ensure_bpffs(parent);
}

int pin_dir_create(const char *dir, int *created)
{
	mode_t old;
	int r;

	*created = 0;
	old = umask(077);
	r = mkdir(dir, 0700) ? -errno : 0;
	umask(old);
	if (r && r != -EEXIST) {
		pr_warn("creating pin dir %s failed: %s\n", dir, strerror(-r));
		return r;
	}
	*created = !r;
	return check_dir_safe(dir);
}

int pin_dir_check(const char *dir)
{
	int r;

	if (access(dir, F_OK)) {
		r = -errno;
		if (r == -ENOENT)
			pr_warn("no xdpfwd instance at %s (nothing pinned there); start one with: xdpfwd --iface IFACE%s%s\n",
				dir, strcmp(dir, XDPFWD_DEFAULT_PIN_DIR) ? " --pin-dir " : "",
				strcmp(dir, XDPFWD_DEFAULT_PIN_DIR) ? dir : "");
		else
			pr_warn("cannot access %s: %s; run as root\n", dir, strerror(-r));
		return r;
	}
	return check_dir_safe(dir);
}

static int lock_dir(const char *dir, int how)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int quiet = how & LOCK_NB;	/* try-lockers decide themselves what a failure means */

	if (fd < 0) {
		if (!quiet)
			pr_warn("opening %s to lock it failed: %s\n", dir, strerror(errno));
		return -errno;
	}
	if (flock(fd, how)) {
		int r = -errno;

		if (!quiet)
			pr_warn("locking %s failed: %s\n", dir, strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}

int pin_dir_lock(const char *dir)
{
	return lock_dir(dir, LOCK_EX);
}

int pin_dir_trylock(const char *dir)
{
	return lock_dir(dir, LOCK_EX | LOCK_NB);
}

void pin_dir_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
