// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "list_files.h"
#include "instance.h"

int list_state_path(char *buf, size_t len, const char *state_dir, enum list_kind kind)
{
	int n = snprintf(buf, len, "%s/%slist", state_dir, list_kind_name(kind));

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int __attribute__((format(printf, 4, 5)))
say(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
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
		return say(-ENOTDIR, err, errlen,
			   "state dir %s is a symlink or not a directory; refusing to trust it (make it a directory owned by root, or choose another --state-dir)",
			   dir);
	if (fd < 0)
		return say(-errno, err, errlen, "state dir %s: %s", dir, strerror(errno));
	if (fstat(fd, &st)) {
		close(fd);
		return say(-errno, err, errlen, "state dir %s: %s", dir, strerror(errno));
	}
	if (st.st_uid != 0 || (st.st_mode & 0022)) {
		close(fd);
		return say(-EPERM, err, errlen,
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
	if (fd < 0) {
		pr_warn("%s\n", why);
		return fd;
	}
	close(fd);
	return 0;
}

/* The whole of fd into a malloc'ed *buf. */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 0;
	char *tmp;
	ssize_t r;

	*buf = NULL;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			tmp = realloc(*buf, cap);
			if (!tmp)
				return -ENOMEM;
			*buf = tmp;
		}
		r = read(fd, *buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return 0;
		*len += r;
	}
}

/* A /0 line may stay when its comment says "--force", as the CLI's --force lets it in. */
#define CATCH_ALL_OK "--force"

/*
 * A /0 entry matches every source: an allowlist one turns the firewall off,
 * a blocklist one cuts the host off. The CLI wants --force for one; a file
 * wants the same word in the line's comment. Only called when set holds a
 * /0, so the lines are looked at again only then, to say which one.
 */
static int check_catch_all(const char *name, const char *buf, size_t len, const struct xdpfwd_prefix_set *set,
			   char *err, size_t errlen)
{
	char line[XDPFWD_LISTFILE_LINE_MAX + 1], text[XDPFWD_PREFIX_STRLEN];
	struct xdpfwd_prefix p;
	size_t i, pos = 0, n, lineno = 0;
	const char *s, *end, *hash;

	for (i = 0; i < set->n && set->v[i].prefixlen; i++)
		;
	if (i == set->n)
		return 0;
	while (pos < len) {
		s = buf + pos;
		end = memchr(s, '\n', len - pos);
		n = end ? (size_t)(end - s) : len - pos;
		pos += n + 1;
		lineno++;
		if (n > XDPFWD_LISTFILE_LINE_MAX)
			continue;	/* the parser refused such a line already */
		memcpy(line, s, n);
		line[n] = '\0';
		hash = strchr(line, '#');
		if (hash && strstr(hash, CATCH_ALL_OK))
			continue;
		s = line + strspn(line, " \t");
		line[s - line + strcspn(s, "# \t\r")] = '\0';
		if (xdpfwd_prefix_parse(s, &p, NULL, 0) || p.prefixlen)
			continue;
		xdpfwd_prefix_format(&p, text, sizeof(text));
		return say(-EINVAL, err, errlen,
			   "%s:%zu: %s matches every %s source; end the line with '# " CATCH_ALL_OK "' if you mean it",
			   name, lineno, text, p.family == 4 ? "IPv4" : "IPv6");
	}
	return 0;
}

/* Parses the list in fd (named name in messages) into out; on failure out keeps its entries. */
static int read_list_fd(int fd, const char *name, struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	struct xdpfwd_prefix_set got = {};
	size_t len, i;
	char *buf;
	int r;

	r = read_all(fd, &buf, &len);
	if (r) {
		free(buf);
		return say(r, err, errlen, "%s: %s", name, strerror(-r));
	}
	r = xdpfwd_listfile_parse_buf(name, buf, len, &got, err, errlen);
	if (!r)
		r = check_catch_all(name, buf, len, &got, err, errlen);
	if (!r && !out->n) {
		/* Already sorted and unique: a million-line file is not sorted twice. */
		xdpfwd_prefix_set_free(out);
		*out = got;
		memset(&got, 0, sizeof(got));
	}
	for (i = 0; i < got.n && !r; i++)
		r = xdpfwd_prefix_set_push(out, &got.v[i]);
	if (r == -ENOMEM)
		say(r, err, errlen, "%s: out of memory", name);
	if (!r && got.n)
		xdpfwd_prefix_set_sort_unique(out);
	xdpfwd_prefix_set_free(&got);
	free(buf);
	return r;
}

/* Our own file in the checked state dir: a regular file, never through a symlink, never a FIFO's wait. */
static int read_state(int dirfd, const char *path, enum list_kind kind, struct xdpfwd_prefix_set *out,
		      char *err, size_t errlen)
{
	char name[16];
	struct stat st;
	int fd, r;

	snprintf(name, sizeof(name), "%slist", list_kind_name(kind));
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		r = -errno;
		return say(r, err, errlen, "%s: %s%s", path, strerror(-r),
			   r == -ELOOP ? " (a symlink, which xdpfwd never writes); remove it" : "");
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return say(-EINVAL, err, errlen, "%s is not a regular file; remove it", path);
	}
	r = read_list_fd(fd, path, out, err, errlen);
	close(fd);
	return r;
}

/*
 * Written as a new file (O_EXCL: no symlink followed, nothing of someone
 * else's reused) under a temp name, then renamed over the old one. A temp
 * file left by a crash is ours: the directory is root's alone.
 */
static int write_state(int dirfd, enum list_kind kind, const struct xdpfwd_prefix_set *s)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	char name[16], tmp[24], buf[XDPFWD_PREFIX_STRLEN];
	size_t i;
	FILE *f;
	int fd, err = 0;

	snprintf(name, sizeof(name), "%slist", list_kind_name(kind));
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
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
	fputs("# Entries added with `xdpfwd ... --persist`; rewritten by xdpfwd, edits may be lost.\n", f);
	for (i = 0; i < s->n; i++) {
		xdpfwd_prefix_format(&s->v[i], buf, sizeof(buf));
		fputs(buf, f);
		if (s->v[i].expires_at)
			fprintf(f, " until=%llu", (unsigned long long)s->v[i].expires_at);
		/* Only `--force` lets a /0 in; the file says so, or the next start refuses it. */
		fputs(s->v[i].prefixlen ? "\n" : " # " CATCH_ALL_OK "\n", f);
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

int list_state_update(const char *state_dir, enum list_kind kind, const struct xdpfwd_prefix_set *set,
		      __u64 expires_at, int remove)
{
	struct xdpfwd_prefix_set cur = {}, next = {};
	char path[PATH_MAX], why[600];
	struct xdpfwd_prefix p;
	size_t i;
	int err, dirfd;
	mode_t old;

	err = list_state_path(path, sizeof(path), state_dir, kind);
	if (err)
		return err;
	old = umask(077);
	err = mkdir(state_dir, 0700) && errno != EEXIST ? -errno : 0;
	umask(old);
	if (err) {
		pr_warn("creating state dir %s failed: %s\n", state_dir, strerror(-err));
		return err;
	}
	dirfd = state_dir_open(state_dir, why, sizeof(why));
	if (dirfd < 0) {
		pr_warn("%s\n", dirfd == -ENOENT ? "state dir vanished" : why);
		return dirfd;
	}
	err = read_state(dirfd, path, kind, &cur, why, sizeof(why));
	if (err) {
		pr_warn("%s%s\n", why, strstr(why, "; remove it") ? "" : "; fix or remove it, then try again");
		goto out;
	}
	/* Entries of this command replace their earlier versions (a new timeout). */
	for (i = 0; i < cur.n && !err; i++)
		if (!bsearch(&cur.v[i], set->v, set->n, sizeof(*set->v), xdpfwd_prefix_cmp))
			err = xdpfwd_prefix_set_push(&next, &cur.v[i]);
	for (i = 0; i < set->n && !err && !remove; i++) {
		p = set->v[i];
		p.expires_at = expires_at;
		err = xdpfwd_prefix_set_push(&next, &p);
	}
	if (!err) {
		xdpfwd_prefix_set_sort_unique(&next);
		err = write_state(dirfd, kind, &next);
	}
	if (err)
		pr_warn("saving %s failed: %s; the change applies now but will not survive a reboot\n", path,
			strerror(-err));
out:
	close(dirfd);
	xdpfwd_prefix_set_free(&cur);
	xdpfwd_prefix_set_free(&next);
	return err;
}

int list_files_read(const char *config_file, const char *state_dir, enum list_kind kind,
		    struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int r, fd;

	if (config_file) {
		fd = open(config_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return say(-errno, err, errlen, "%s: %s", config_file, strerror(errno));
		r = read_list_fd(fd, config_file, out, err, errlen);
		close(fd);
		if (r)
			return r;
	}
	r = list_state_path(path, sizeof(path), state_dir, kind);
	if (r)
		return say(r, err, errlen, "--state-dir %s: %s", state_dir, strerror(-r));
	fd = state_dir_open(state_dir, err, errlen);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	r = read_state(fd, path, kind, out, err, errlen);
	close(fd);
	return r;
}

/* The configured list files plus the persisted entries; 0 or -errno after saying where the error is. */
int list_files_load(const struct daemon_opts *o, enum list_kind kind, struct xdpfwd_prefix_set *out)
{
	char err[600];
	int r;

	memset(out, 0, sizeof(*out));
	r = list_files_read(o->list_file[kind], o->state_dir, kind, out, err, sizeof(err));
	if (r)
		pr_warn("%s\n", err);
	return r;
}

/*
 * With a configured file the list becomes exactly file + persisted entries
 * (one atomic replace). Without one, persisted entries are only added to maps
 * this start created (after a reboot), never replacing what the CLI did.
 */
int list_files_apply(struct xdpfwd_bpf *skel, const struct daemon_opts *o, enum list_kind kind,
		     const struct xdpfwd_prefix_set *set, int fresh_maps)
{
	struct list_maps m;
	size_t added;
	int err = 0;

	list_maps_get(skel, kind, &m);
	if (o->list_file[kind]) {
		err = list_replace(&m, set);
		if (!err)
			pr_info("%slist: %zu entries from %s and %s\n", list_kind_name(kind), set->n,
				o->list_file[kind], o->state_dir);
	} else if (fresh_maps && set->n) {
		err = list_add(&m, set, 0, &added);
		if (!err)
			pr_info("%slist: restored %zu persisted entries from %s\n", list_kind_name(kind), added,
				o->state_dir);
	}
	return err;
}
