// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lib_error.h"
#include "list_text.h"
#include "list_state.h"

int list_state_path(char *buf, size_t len, const char *state_dir, enum list_kind kind, const char *set)
{
	int n;

	if (!set || !strcmp(set, "manual"))
		n = snprintf(buf, len, "%s/%slist", state_dir, list_kind_name(kind));
	else
		n = snprintf(buf, len, "%s/%slist.%s", state_dir, list_kind_name(kind), set);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The state file's name inside the state dir (see list_state_path). */
static void state_name(char *buf, size_t len, enum list_kind kind, const char *set)
{
	if (!set || !strcmp(set, "manual"))
		snprintf(buf, len, "%slist", list_kind_name(kind));
	else
		snprintf(buf, len, "%slist.%s", list_kind_name(kind), set);
}

/*
 * The state dir is opened once and checked through that descriptor, and its
 * files are reached relative to it: whoever can write in it (or swap it)
 * could point our rewrite at any root file, or plant 0.0.0.0/0 in the
 * allowlist. So, like the pin dir: a real directory, owned by root, not
 * writable by group or others (StateDirectory='s 0755 is fine).
 * -ENOENT (prints nothing) when it does not exist.
 */
static int state_dir_open(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return list_say(-ENOTDIR, err, errlen,
			        "state dir %s is a symlink or not a directory; refusing to trust it (make it a directory owned by root, or choose another --state-dir)",
			        dir);
	if (fd < 0)
		return list_say(-errno, err, errlen, "state dir %s: %s", dir, strerror(errno));
	if (fstat(fd, &st)) {
		close(fd);
		return list_say(-errno, err, errlen, "state dir %s: %s", dir, strerror(errno));
	}
	if (st.st_uid != 0 || (st.st_mode & 0022)) {
		close(fd);
		return list_say(-EPERM, err, errlen,
			        "state dir %s is owned by uid %u with mode %04o; refusing to trust it (chown root and chmod go-w it, or choose another --state-dir)",
			        dir, st.st_uid, st.st_mode & 07777);
	}
	return fd;
}

int list_state_dir_check(const char *state_dir)
{
	char why[600];
	int fd = state_dir_open(state_dir, why, sizeof(why));

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return lib_error_set(fd, "%s", why);
	close(fd);
	return 0;
}

/* Parses the list in fd (named name in messages) into out; on failure out keeps its entries. */
static int read_list_fd(int fd, const char *name, struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	struct xdpfwd_prefix_set got = {};
	size_t len, i;
	char *buf;
	int r;

	r = list_text_read(fd, &buf, &len);
	if (r) {
		free(buf);
		return list_say(r, err, errlen, "%s: %s", name, strerror(-r));
	}
	r = xdpfwd_listfile_parse_buf(name, buf, len, &got, err, errlen);
	if (!r)
		r = list_text_check_catch_all(name, buf, len, &got, err, errlen);
	if (!r && !out->n) {
		/* Already sorted and unique: a million-line file is not sorted twice. */
		xdpfwd_prefix_set_free(out);
		*out = got;
		memset(&got, 0, sizeof(got));
	}
	for (i = 0; i < got.n && !r; i++)
		r = xdpfwd_prefix_set_push(out, &got.v[i]);
	if (r == -ENOMEM)
		list_say(r, err, errlen, "%s: out of memory", name);
	if (!r && got.n)
		xdpfwd_prefix_set_sort_unique(out);
	xdpfwd_prefix_set_free(&got);
	free(buf);
	return r;
}

/* Our own file in the checked state dir: a regular file, never through a symlink, never a FIFO's wait. */
static int read_state(int dirfd, const char *path, enum list_kind kind, const char *set,
		      struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	char name[64];
	struct stat st;
	int fd, r;

	state_name(name, sizeof(name), kind, set);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		r = -errno;
		return list_say(r, err, errlen, "%s: %s%s", path, strerror(-r),
			        r == -ELOOP ? " (a symlink, which xdpfwd never writes); remove it" : "");
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return list_say(-EINVAL, err, errlen, "%s is not a regular file; remove it", path);
	}
	r = read_list_fd(fd, path, out, err, errlen);
	close(fd);
	return r;
}

/* One line of a state file; a write error shows at fflush. */
static void __attribute__((format(printf, 2, 3))) put_line(FILE *f, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		fwrite(line, 1, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1, f);
}

/*
 * Written as a new file (O_EXCL: no symlink followed, nothing of someone
 * else's reused) under a temp name, then renamed over the old one. A temp
 * file left by a crash is ours: the directory is root's alone.
 */
static int write_state(int dirfd, enum list_kind kind, const char *set, const struct xdpfwd_prefix_set *s)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	char name[64], tmp[72], buf[XDPFWD_PREFIX_STRLEN], until[32];
	size_t i;
	FILE *f;
	int fd, err = 0;

	state_name(name, sizeof(name), kind, set);
	/* Hidden: "blocklist.tmp" would be the state file of a set named tmp. */
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = openat(dirfd, tmp, flags, 0600);
	if (fd < 0 && errno == EEXIST && !unlinkat(dirfd, tmp, 0))
		fd = openat(dirfd, tmp, flags, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return err;
	}
	put_line(f, "# Entries of %s set %s added with `xdpfwd ... --persist`; rewritten by xdpfwd, edits may be lost.\n",
		 list_kind_name(kind), set ? set : "manual");
	for (i = 0; i < s->n; i++) {
		xdpfwd_prefix_format(&s->v[i], buf, sizeof(buf));
		if (s->v[i].expires_at)
			snprintf(until, sizeof(until), " until=%llu", (unsigned long long)s->v[i].expires_at);
		else
			until[0] = '\0';
		/* Only `--force` lets a /0 in; the file says so, or the next start refuses it. */
		put_line(f, "%s%s%s\n", buf, until, s->v[i].prefixlen ? "" : " # " CATCH_ALL_OK);
	}
	/* Flushed and synced before the rename, so a crash leaves the old file or the new one. */
	if (fflush(f) || fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && renameat(dirfd, tmp, dirfd, name))
		err = -errno;
	if (err)
		unlinkat(dirfd, tmp, 0);
	return err;
}

int list_state_update(const char *state_dir, enum list_kind kind, const char *set,
		      const struct xdpfwd_prefix_set *prefixes, __u64 expires_at, int remove)
{
	struct xdpfwd_prefix_set cur = {}, next = {};
	char path[PATH_MAX], why[600];
	struct xdpfwd_prefix p;
	size_t i;
	int err, dirfd;
	mode_t old;

	lib_error_clear();
	err = list_state_path(path, sizeof(path), state_dir, kind, set);
	if (err)
		return err;
	old = umask(077);
	err = mkdir(state_dir, 0700) && errno != EEXIST ? -errno : 0;
	umask(old);
	if (err)
		return lib_error_set(err, "creating state dir %s failed: %s", state_dir, strerror(-err));
	dirfd = state_dir_open(state_dir, why, sizeof(why));
	if (dirfd < 0)
		return lib_error_set(dirfd, "%s", dirfd == -ENOENT ? "state dir vanished" : why);
	err = read_state(dirfd, path, kind, set, &cur, why, sizeof(why));
	if (err) {
		lib_error_set(err, "%s%s", why, strstr(why, "; remove it") ? "" : "; fix or remove it, then try again");
		goto out;
	}
	/* Entries of this command replace their earlier versions (a new timeout). */
	for (i = 0; i < cur.n && !err; i++)
		if (!bsearch(&cur.v[i], prefixes->v, prefixes->n, sizeof(*prefixes->v), xdpfwd_prefix_cmp))
			err = xdpfwd_prefix_set_push(&next, &cur.v[i]);
	for (i = 0; i < prefixes->n && !err && !remove; i++) {
		p = prefixes->v[i];
		p.expires_at = expires_at;
		err = xdpfwd_prefix_set_push(&next, &p);
	}
	if (!err) {
		xdpfwd_prefix_set_sort_unique(&next);
		err = write_state(dirfd, kind, set, &next);
	}
	if (err)
		lib_error_set(err, "saving %s failed: %s; the change applies now but will not survive a reboot", path,
			      strerror(-err));
out:
	close(dirfd);
	xdpfwd_prefix_set_free(&cur);
	xdpfwd_prefix_set_free(&next);
	return err;
}

int list_state_read(const char *state_dir, enum list_kind kind, const char *set, struct xdpfwd_prefix_set *out,
		    char *err, size_t errlen)
{
	char path[PATH_MAX];
	int r, fd;

	r = list_state_path(path, sizeof(path), state_dir, kind, set);
	if (r)
		return list_say(r, err, errlen, "--state-dir %s: %s", state_dir, strerror(-r));
	fd = state_dir_open(state_dir, err, errlen);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	r = read_state(fd, path, kind, set, out, err, errlen);
	close(fd);
	return r;
}

int list_state_put_aside(const char *state_dir, enum list_kind kind, const char *set)
{
	char name[64], aside[80], why[600];
	int dirfd, err = 0;

	dirfd = state_dir_open(state_dir, why, sizeof(why));
	if (dirfd < 0)
		return 0;	/* none, or not ours to touch (a start refuses it) */
	state_name(name, sizeof(name), kind, set);
	snprintf(aside, sizeof(aside), ".%s.removed", name);
	if (!renameat(dirfd, name, dirfd, aside))
		lib_notice("%s set %s: its persisted entries are kept aside as %s/%s", list_kind_name(kind), set,
			   state_dir, aside);
	else if (errno != ENOENT)
		err = lib_error_set(-errno, "%s set %s: putting aside %s/%s failed: %s; remove it, or the set comes back after a reboot",
				    list_kind_name(kind), set, state_dir, name, strerror(errno));
	close(dirfd);
	return err;
}
