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
#include <linux/capability.h>
#include <linux/magic.h>
#include "log.h"
#include "privs.h"
#include "pin_dir.h"

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

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static pid_t parent_of_pid(pid_t pid)
{
	char path[64], buf[512], *end;
	int ppid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses, the last ')' ends it. */
	end = strrchr(buf, ')');
	if (!end || sscanf(end + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

/*
 * A mount namespace of our own whose /sys/fs/bpf is not the host's bpffs:
 * what `ip netns exec` makes (it remounts /sys, and bpffs goes with the old
 * one). Pins made there are seen by no other process and vanish with it. The
 * nearest ancestor in another mount namespace stands for the host (the shell
 * that ran `ip netns exec`); where none can be read (systemd's sandbox hides
 * pid 1 from an unprivileged view), nothing is known and 0 is returned.
 */
static int bpffs_hidden_by_mount_ns(void)
{
	char ns[64], root[96];
	struct stat ours, theirs;
	pid_t pid = getpid();

	while ((pid = parent_of_pid(pid)) > 0) {
		snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", pid);
		if (same_file("/proc/self/ns/mnt", ns))
			continue;
		snprintf(root, sizeof(root), "/proc/%d/root" XDPFWD_BPFFS_ROOT, pid);
		if (is_bpffs(root) != 1 || stat(root, &theirs))
			return 0;
		return stat(XDPFWD_BPFFS_ROOT, &ours) || ours.st_dev != theirs.st_dev;
	}
	return 0;
}

static void warn_hidden_bpffs(const char *what, const char *so)
{
	pr_warn("%s runs in a mount namespace of its own whose %s is not the host's bpffs (`ip netns exec` "
		"remounts /sys): %s; enter only the network namespace instead: nsenter --net=/run/netns/NAME "
		"xdpfwd ...\n", what, XDPFWD_BPFFS_ROOT, so);
}

/* The initial user namespace maps every uid to itself; a container's maps a range. */
static int in_initial_userns(void)
{
	unsigned int inside, outside, count;
	FILE *f = fopen("/proc/self/uid_map", "r");
	int n = f ? fscanf(f, "%u %u %u", &inside, &outside, &count) : 0;

	if (f)
		fclose(f);
	return n != 3 || (inside == 0 && outside == 0 && count == 4294967295U);
}

/* Why mount(2) was refused to a process that passed privs_check, as the rest of a message. */
static const char *mount_refusal_cause(int err)
{
	char line[128];
	int seccomp = 0;
	FILE *f;

	if (err != -EPERM && err != -EACCES)
		return "the kernel refused it";
	if (!privs_has_cap(CAP_SYS_ADMIN))
		return "mounting needs CAP_SYS_ADMIN, which this process does not have";
	if (!in_initial_userns())
		return "this process is root only inside a user namespace (a container), which may not mount "
		       "bpffs for the host";
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &seccomp) == 1)
			break;
	if (f)
		fclose(f);
	if (seccomp == 2)
		return "a seccomp filter forbids mount(2) to this process (e.g. systemd's SystemCallFilter=)";
	return "a security module or the container's setup forbids mount(2) to this process although it has "
	       "CAP_SYS_ADMIN";
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
	if (bpffs_hidden_by_mount_ns()) {
		warn_hidden_bpffs("the xdpfwd daemon", "pins made here would be invisible to every xdpfwd command "
				  "and lost on exit");
		return -EXDEV;
	}
	if (mount("bpf", XDPFWD_BPFFS_ROOT, "bpf", 0, "mode=0700")) {
		r = -errno;
		pr_warn("mounting bpffs on %s failed: %s: %s; mount bpffs there before starting xdpfwd "
			"(mount -t bpf bpf %s; systemd does at boot, a container gets it from its host)\n",
			XDPFWD_BPFFS_ROOT, strerror(-r), mount_refusal_cause(r), XDPFWD_BPFFS_ROOT);
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

/* After the lock: still the directory at the path (not removed meanwhile), and still safe. */
static int locked_dir_current(int fd, const char *dir)
{
	struct stat held, now;

	if (fstat(fd, &held) || lstat(dir, &now))
		return 0;
	return held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

int pin_dir_create_locked(const char *dir, int *created)
{
	int tries, fd, r;

	for (tries = 0; tries < 10; tries++) {
		r = pin_dir_create(dir, created);
		if (r == -ENOENT)	/* removed between mkdir and the checks */
			continue;
		if (r)
			return r;
		/* O_NOFOLLOW: the directory checked above, not a symlink swapped in since. */
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0) {
			r = -errno;
			pr_warn("opening pin dir %s to lock it failed: %s; remove it or choose another --pin-dir\n",
				dir, strerror(-r));
			return r;
		}
		if (flock(fd, LOCK_EX)) {
			r = -errno;
			pr_warn("locking %s failed: %s\n", dir, strerror(-r));
			close(fd);
			return r;
		}
		/* `xdpfwd detach` or a refused start may have removed it while we waited: lock the new one. */
		if (locked_dir_current(fd, dir)) {
			r = check_dir_safe(dir);
			if (r) {
				close(fd);
				return r;
			}
			return fd;
		}
		close(fd);
	}
	pr_warn("pin dir %s was removed and created again %d times while xdpfwd waited for its lock; "
		"stop whatever keeps removing it and start xdpfwd again\n", dir, tries);
	return -EAGAIN;
}

int pin_dir_check(const char *dir)
{
	int r;

	if (access(dir, F_OK)) {
		r = -errno;
		if (r == -ENOENT && bpffs_hidden_by_mount_ns())
			warn_hidden_bpffs("this xdpfwd command", "it cannot see the instances pinned on the host");
		else if (r == -ENOENT)
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
		int r = -errno;	/* before printing, which may change errno */

		if (!quiet)
			pr_warn("opening %s to lock it failed: %s\n", dir, strerror(-r));
		return r;
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
