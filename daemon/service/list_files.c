// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
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
#include "rate_limits.h"
#include "capacity.h"
#include "list_files.h"
#include "instance.h"
#include "lib_error.h"

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
static int write_state(int dirfd, enum list_kind kind, const char *set, const struct xdpfwd_prefix_set *s)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	char name[64], tmp[72], buf[XDPFWD_PREFIX_STRLEN];
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
	fprintf(f, "# Entries of %s set %s added with `xdpfwd ... --persist`; rewritten by xdpfwd, edits may be lost.\n",
		list_kind_name(kind), set ? set : "manual");
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

int list_state_update(const char *state_dir, enum list_kind kind, const char *set,
		      const struct xdpfwd_prefix_set *prefixes, __u64 expires_at, int remove)
{
	struct xdpfwd_prefix_set cur = {}, next = {};
	char path[PATH_MAX], why[600];
	struct xdpfwd_prefix p;
	size_t i;
	int err, dirfd;
	mode_t old;

	err = list_state_path(path, sizeof(path), state_dir, kind, set);
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
	err = read_state(dirfd, path, kind, set, &cur, why, sizeof(why));
	if (err) {
		pr_warn("%s%s\n", why, strstr(why, "; remove it") ? "" : "; fix or remove it, then try again");
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
		pr_warn("saving %s failed: %s; the change applies now but will not survive a reboot\n", path,
			strerror(-err));
out:
	close(dirfd);
	xdpfwd_prefix_set_free(&cur);
	xdpfwd_prefix_set_free(&next);
	return err;
}

/* The persisted entries of one set, added to out. A missing state dir or file is an empty one. */
static int read_persisted(const char *state_dir, enum list_kind kind, const char *set,
			  struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int r, fd;

	r = list_state_path(path, sizeof(path), state_dir, kind, set);
	if (r)
		return say(r, err, errlen, "--state-dir %s: %s", state_dir, strerror(-r));
	fd = state_dir_open(state_dir, err, errlen);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	r = read_state(fd, path, kind, set, out, err, errlen);
	close(fd);
	return r;
}

/* ---- the files the daemon owns ---- */

#define DIRECTIVE "xdpfwd-set:"

/* The options of a directive line, in the order of their names below. */
enum directive_key {
	DIR_KIND,
	DIR_MODE,
	DIR_SCOPE,
	DIR_TIMEOUT,
	DIR_FORMAT,
	DIR_MIN_SCORE,
	DIR_SKIP_INVALID,
	DIR_KEYS,
};

static const char *const directive_keys[DIR_KEYS] = {
	"kind", "mode", "scope", "timeout", "format", "min-score", "skip-invalid",
};

/* One key=value of a directive line. */
static int directive_word(const char *name, size_t lineno, char *word, struct set_directives *d,
			  unsigned int *seen, char *err, size_t errlen)
{
	char *val = strchr(word, '='), why[200], *end;
	unsigned int k;
	__u64 secs;

	if (val)
		*val++ = '\0';
	for (k = 0; k < DIR_KEYS && strcmp(word, directive_keys[k]); k++)
		;
	if (!val || k == DIR_KEYS)
		return say(-EINVAL, err, errlen,
			   "%s:%zu: '%s' is not an option of " DIRECTIVE " (kind=block|allow mode=enforce|audit scope=tcp:PORTS timeout=DURATION format=plain|spamhaus|netset|ipsum|auto min-score=N skip-invalid=yes|no)",
			   name, lineno, word);
	if (*seen & (1U << k))
		return say(-EINVAL, err, errlen, "%s:%zu: %s= is given twice; keep one", name, lineno, word);
	*seen |= 1U << k;
	switch ((enum directive_key)k) {
	case DIR_KIND:
		if (strcmp(val, "block") && strcmp(val, "allow"))
			return say(-EINVAL, err, errlen, "%s:%zu: kind=%s: the kind is block or allow", name, lineno,
				   val);
		d->kind = strcmp(val, "block") ? LIST_ALLOW : LIST_BLOCK;
		d->has_kind = true;
		return 0;
	case DIR_MODE:
		if (strcmp(val, "enforce") && strcmp(val, "audit"))
			return say(-EINVAL, err, errlen, "%s:%zu: mode=%s: the mode is enforce or audit", name,
				   lineno, val);
		d->opts.mode = strcmp(val, "audit") ? XDPFWD_SET_ENFORCE : XDPFWD_SET_AUDIT;
		return 0;
	case DIR_SCOPE:
		lib_error_clear();
		if (set_scope_parse(val, &d->opts))
			return say(-EINVAL, err, errlen, "%s:%zu: scope=%s: %s", name, lineno, val, lib_error());
		return 0;
	case DIR_TIMEOUT:
		d->opts.timeout_s = 0;
		if (!strcmp(val, "0") || !strcmp(val, "none"))
			return 0;
		if (xdpfwd_duration_parse(val, &secs, why, sizeof(why)))
			return say(-EINVAL, err, errlen, "%s:%zu: timeout=%s: %s", name, lineno, val, why);
		d->opts.timeout_s = secs;
		return 0;
	case DIR_FORMAT:
		if (xdpfwd_list_format_parse(val, &d->format, why, sizeof(why)))
			return say(-EINVAL, err, errlen, "%s:%zu: format=%s: %s", name, lineno, val, why);
		return 0;
	case DIR_MIN_SCORE:
		errno = 0;
		d->min_score = strtoul(val, &end, 10);
		if (*val < '0' || *val > '9' || *end || errno || d->min_score > 1000000)
			return say(-EINVAL, err, errlen, "%s:%zu: min-score=%s: a number of 0 to 1000000 was expected",
				   name, lineno, val);
		return 0;
	case DIR_SKIP_INVALID:
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return say(-EINVAL, err, errlen, "%s:%zu: skip-invalid=%s: yes or no was expected", name,
				   lineno, val);
		d->skip_invalid = !strcmp(val, "yes");
		return 0;
	case DIR_KEYS:
		break;
	}
	return -EINVAL;
}

/*
 * The "# xdpfwd-set: ..." lines of a file: a comment to every list parser,
 * the set's options to the daemon. Only the file's head is looked at (blank
 * lines and '#' or ';' comments, up to the first entry), so a million-line
 * feed is not scanned twice. Options not given take their defaults:
 * deleting a line takes its option back.
 */
static int parse_directives(const char *name, const char *buf, size_t len, struct set_directives *d, char *err,
			    size_t errlen)
{
	char line[XDPFWD_LISTFILE_LINE_MAX + 1], *s, *word, *save;
	size_t pos = 0, n, lineno = 0;
	unsigned int seen = 0;
	const char *end;
	int r;

	while (pos < len) {
		end = memchr(buf + pos, '\n', len - pos);
		n = end ? (size_t)(end - (buf + pos)) : len - pos;
		lineno++;
		if (n > XDPFWD_LISTFILE_LINE_MAX)
			return 0;	/* the list parser says why */
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + 1;
		s = line + strspn(line, " \t\r");
		if (!*s || *s == ';')
			continue;
		if (*s != '#')
			return 0;	/* the first entry: the head is over */
		s += 1 + strspn(s + 1, " \t");
		if (strncmp(s, DIRECTIVE, strlen(DIRECTIVE)))
			continue;
		s += strlen(DIRECTIVE);
		s[strcspn(s, "\r")] = '\0';
		for (word = strtok_r(s, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
			r = directive_word(name, lineno, word, d, &seen, err, errlen);
			if (r)
				return r;
		}
	}
	return 0;
}

/*
 * The entries of a file in its format (list_parse.h). Skipped bad lines
 * (skip-invalid=yes) are reported, the first few with FILE:LINE.
 */
static int parse_entries(const char *name, const char *buf, size_t len, const struct set_directives *d,
			 struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	struct xdpfwd_listfile_opts lo = {
		.format = d->format,
		.min_score = d->min_score,
		.skip_invalid = d->skip_invalid,
	};
	size_t i;
	int r;

	r = xdpfwd_listfile_parse_buf_opts(name, buf, len, out, &lo, err, errlen);
	if (!r)
		r = check_catch_all(name, buf, len, out, err, errlen);
	if (!r && lo.skipped) {
		pr_warn("%s: skipped %zu bad line%s (skip-invalid=yes)%s\n", name, lo.skipped,
			lo.skipped == 1 ? "" : "s", lo.nmsgs < lo.skipped ? "; the first ones:" : ":");
		for (i = 0; i < lo.nmsgs; i++)
			pr_warn("  %s\n", lo.msgs[i]);
	}
	return r;
}

/* FNV-1a: tells one version of a file from another, nothing more (whoever can write it can change it anyway). */
static __u64 content_hash(const char *buf, size_t len)
{
	__u64 h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
	return h ?: 1;	/* 0: not read */
}

/* The last read of the file at path, if known has one. */
static const struct set_file *known_file(const struct set_files *known, const char *path)
{
	size_t i;

	for (i = 0; known && i < known->n; i++)
		if (!strcmp(known->v[i].path, path))
			return &known->v[i];
	return NULL;
}

/*
 * A file the daemon owns: its options, then its entries, then its set's
 * persisted entries. With known (a watcher's round), a file whose bytes hash
 * as they did at its last read is not parsed again: it is marked unchanged,
 * with what that read found (its kind, or its error, said then).
 */
static int read_set_file(const struct daemon_opts *o, struct set_file *f, const struct set_files *known, char *err,
			 size_t errlen)
{
	const struct set_file *was;
	enum list_kind kind = f->d.kind;
	bool fixed_kind = f->d.has_kind;
	struct stat st;
	size_t len;
	char *buf;
	int fd, r;

	/* O_NONBLOCK: a FIFO put there is refused, not waited on. */
	fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return say(-errno, err, errlen, "%s: %s", f->path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return say(-EINVAL, err, errlen, "%s is not a regular file", f->path);
	}
	r = read_all(fd, &buf, &len);
	close(fd);
	if (r) {
		free(buf);
		return say(r, err, errlen, "%s: %s", f->path, strerror(-r));
	}
	f->hash = content_hash(buf, len);
	was = known_file(known, f->path);
	if (was && was->hash == f->hash && !strcmp(was->name, f->name)) {
		free(buf);
		f->d = was->d;
		f->unchanged = true;
		return was->err;
	}
	memset(&f->d, 0, sizeof(f->d));
	f->d.kind = kind;
	/* A feed says which it is; the operator's own file is plain, as --blocklist-file always was. */
	f->d.format = XDPFWD_LIST_PLAIN;
	r = parse_directives(f->path, buf, len, &f->d, err, errlen);
	if (!r && fixed_kind && f->d.has_kind && f->d.kind != kind)
		r = say(-EINVAL, err, errlen, "%s: says kind=%s, but it is the --%slist-file; drop the kind= option",
			f->path, list_kind_name(f->d.kind), list_kind_name(kind));
	f->d.has_kind |= fixed_kind;
	if (!r && f->d.kind == LIST_ALLOW && (f->d.opts.mode != XDPFWD_SET_ENFORCE || f->d.opts.scope_protos))
		r = say(-EINVAL, err, errlen,
			"%s: an allow set has no mode= or scope= (it always lets its sources through); drop them",
			f->path);
	if (!r)
		r = parse_entries(f->path, buf, len, &f->d, &f->entries, err, errlen);
	free(buf);
	if (!r)
		r = read_persisted(o->state_dir, f->d.kind, f->name, &f->entries, err, errlen);
	if (r == -ENOMEM)
		say(r, err, errlen, "%s: out of memory", f->path);
	return r;
}

static struct set_file *set_files_new(struct set_files *sf)
{
	struct set_file *v = realloc(sf->v, (sf->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	sf->v = v;
	memset(&v[sf->n], 0, sizeof(*v));
	return &v[sf->n++];
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the NAME.list files in dir, sorted, so files apply in the same order every time. */
static int list_dir(const char *dir, char ***names, size_t *n)
{
	struct dirent *de;
	size_t len, sl = strlen(SETS_DIR_SUFFIX);
	char **v = NULL, **tmp;
	int err = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((errno = 0, de = readdir(d))) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= sl || strcmp(de->d_name + len - sl, SETS_DIR_SUFFIX))
			continue;
		tmp = realloc(v, (*n + 1) * sizeof(*v));
		if (!tmp || !(tmp[*n] = strndup(de->d_name, len - sl))) {
			v = tmp ? tmp : v;
			err = -ENOMEM;
			break;
		}
		v = tmp;
		(*n)++;
	}
	if (!err && errno)
		err = -errno;
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), by_name);
	*names = v;
	return err;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A NAME.list whose NAME no file may have: true, with why and what to do in err. */
static bool refused_name(const char *name, const char *path, char *err, size_t errlen)
{
	if (!set_name_valid(name))
		return say(1, err, errlen,
			   "%s: '%s' is not a set name (a-z, 0-9, '_' and '-', 1 to %d characters); file skipped, rename it",
			   path, name, XDPFWD_SET_NAME_MAX);
	/* A file would wipe every `block add` at each reload. */
	if (!strcmp(name, "manual"))
		return say(1, err, errlen,
			   "%s: set manual is the command line's (xdpfwd block add) and no file's; file skipped, rename it",
			   path);
	/* A file would lift every ban at each reload. */
	if (!strcmp(name, LIMIT_AUTO_SET))
		return say(1, err, errlen, "%s: set auto holds the flood defense's bans, made at run time, and no "
			   "file's; file skipped, rename it", path);
	return false;
}

static int read_sets_dir(const struct daemon_opts *o, struct set_files *sf, const struct set_files *known)
{
	char err[600], **names;
	struct set_file *f;
	size_t n, i, k;
	int r;

	r = list_dir(o->sets_dir, &names, &n);
	if (r == -ENOENT && known)
		return r;	/* the watcher's round: see set_files_read_changed */
	if (r == -ENOENT) {
		/* An empty dir: the sets it made are its no more. */
		pr_info("sets dir %s does not exist: no set from it\n", o->sets_dir);
		sf->dir = o->sets_dir;
		return 0;
	}
	if (r == -ENOMEM) {
		free_names(names, n);
		return r;
	}
	if (r) {
		pr_warn("listing sets dir %s failed: %s; its sets keep their running entries\n", o->sets_dir,
			strerror(-r));
		free_names(names, n);
		return 0;
	}
	sf->dir = o->sets_dir;
	for (i = 0; i < n; i++) {
		f = set_files_new(sf);
		if (!f) {
			free_names(names, n);
			return -ENOMEM;
		}
		snprintf(f->path, sizeof(f->path), "%s/%s" SETS_DIR_SUFFIX, o->sets_dir, names[i]);
		snprintf(f->name, sizeof(f->name), "%s", names[i]);
		f->in_dir = true;
		f->d.kind = LIST_BLOCK;
		if (refused_name(names[i], f->path, err, sizeof(err))) {
			f->err = -EINVAL;
			if (!set_name_valid(names[i]))
				f->name[0] = '\0';
			/* Said at the read that first met it: a watcher's round does not say it again. */
			f->unchanged = known_file(known, f->path) != NULL;
			if (!f->unchanged)
				pr_warn("%s\n", err);
			continue;
		}
		f->err = read_set_file(o, f, known, err, sizeof(err));
		if (!f->err)
			for (k = 0; k < sf->n - 1 && !f->err; k++)
				if (sf->v[k].d.has_kind && sf->v[k].d.kind == f->d.kind && !strcmp(sf->v[k].name, f->name))
					f->err = say(-EEXIST, err, sizeof(err),
						     "%s: %s set %s is the --%slist-file %s; file skipped, rename one",
						     f->path, list_kind_name(f->d.kind), f->name,
						     list_kind_name(f->d.kind), sf->v[k].path);
		if (f->err == -ENOMEM) {
			free_names(names, n);
			return -ENOMEM;
		}
		/* An unchanged bad file said so when it was read. */
		if (f->err && !f->unchanged)
			pr_warn("%s; %s set %s keeps its running entries\n", err, list_kind_name(f->d.kind), f->name);
	}
	free_names(names, n);
	return 0;
}

/*
 * Does a file fill (kind, name)? One that failed (its kind= unknown) counts
 * for both kinds: its sets are left as they run.
 */
static bool has_file(const struct set_files *sf, enum list_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < sf->n; i++)
		if (!strcmp(sf->v[i].name, name) && (sf->v[i].err || sf->v[i].d.kind == kind))
			return true;
	return false;
}

/*
 * The persisted entries of the sets no file fills, read at start so that a
 * bad state file refuses the start before anything changes, as a bad list
 * file does (a /0 planted there must not slip in after a reboot).
 */
static int read_persisted_sets(const struct daemon_opts *o, struct set_files *sf)
{
	const char *kname, *set;
	char **names = NULL, err[600];
	struct set_file *f;
	size_t n = 0, i, kl;
	int kind, r = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(o->state_dir);
	if (!d && errno == ENOENT)
		return 0;
	if (!d) {
		r = -errno;
		pr_warn("listing state dir %s failed: %s\n", o->state_dir, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		char **tmp;

		if (de->d_name[0] == '.')
			continue;	/* our temp files too */
		tmp = realloc(names, (n + 1) * sizeof(*names));
		if (!tmp || !(tmp[n] = strdup(de->d_name))) {
			names = tmp ? tmp : names;
			closedir(d);
			free_names(names, n);
			return -ENOMEM;
		}
		names = tmp;
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), by_name);
	/* blocklist, allowlist: set manual; blocklist.NAME, allowlist.NAME: set NAME. */
	for (i = 0; i < n && !r; i++) {
		for (kind = LIST_BLOCK; kind <= LIST_ALLOW && !r; kind++) {
			kname = list_kind_name(kind);
			kl = strlen(kname);
			if (strncmp(names[i], kname, kl) || strncmp(names[i] + kl, "list", 4))
				continue;
			set = names[i] + kl + 4;
			if (*set == '.')
				set++;
			else if (*set)
				continue;
			else
				set = "manual";
			if (!set_name_valid(set) || has_file(sf, kind, set))
				continue;
			f = realloc(sf->persisted, (sf->n_persisted + 1) * sizeof(*f));
			if (!f) {
				r = -ENOMEM;
				break;
			}
			sf->persisted = f;
			f = &sf->persisted[sf->n_persisted++];
			memset(f, 0, sizeof(*f));
			f->d.kind = kind;
			snprintf(f->name, sizeof(f->name), "%s", set);
			r = list_state_path(f->path, sizeof(f->path), o->state_dir, kind, set);
			if (!r)
				r = read_persisted(o->state_dir, kind, set, &f->entries, err, sizeof(err));
			if (r)
				pr_warn("%s\n", err);
		}
	}
	free_names(names, n);
	return r;
}

int set_files_read(const struct daemon_opts *o, struct set_files *sf, bool at_start)
{
	char err[600];
	struct set_file *f;
	int kind, first = 0;

	memset(sf, 0, sizeof(*sf));
	/* An untrusted state dir refuses the start even when no file would read it (see above). */
	if (at_start) {
		first = list_state_dir_check(o->state_dir);
		if (first)
			return first;
	}
	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++) {
		if (!o->list_file[kind])
			continue;
		f = set_files_new(sf);
		if (!f)
			return -ENOMEM;
		snprintf(f->path, sizeof(f->path), "%s", o->list_file[kind]);
		snprintf(f->name, sizeof(f->name), LIST_FILE_SET);
		f->d.kind = kind;
		f->d.has_kind = true;
		f->err = read_set_file(o, f, NULL, err, sizeof(err));
		if (f->err == -ENOMEM)
			return -ENOMEM;
		if (f->err && at_start)
			pr_warn("%s\n", err);
		else if (f->err)
			pr_warn("%s; %s set %s keeps its running entries\n", err, list_kind_name(kind), f->name);
		first = first ?: f->err;
	}
	if (o->sets_dir) {
		kind = read_sets_dir(o, sf, NULL);
		if (kind)
			return kind;
	}
	/* Only a start on fresh maps adds them; read at every start, so that a bad one refuses it. */
	if (at_start && !first)
		first = read_persisted_sets(o, sf);
	return first;
}

int set_files_read_changed(const struct daemon_opts *o, struct set_files *sf, const struct set_files *known,
			   size_t *changed)
{
	struct set_file *f;
	size_t i;
	int r;

	memset(sf, 0, sizeof(*sf));
	*changed = 0;
	/* The list files are not the dir's: taken as they were, so that a name clash is still seen. */
	for (i = 0; i < known->n; i++) {
		if (known->v[i].in_dir)
			continue;
		f = set_files_new(sf);
		if (!f)
			return -ENOMEM;
		*f = known->v[i];
		memset(&f->entries, 0, sizeof(f->entries));
		f->unchanged = true;
	}
	r = read_sets_dir(o, sf, known);
	if (r)
		return r;
	for (i = 0; i < sf->n; i++)
		*changed += !sf->v[i].unchanged;
	/* Files gone since: their sets go (set_files_apply). */
	for (i = 0; i < known->n; i++)
		if (known->v[i].in_dir && !known_file(sf, known->v[i].path))
			(*changed)++;
	return 0;
}

void set_files_drop_entries(struct set_files *sf)
{
	size_t i;

	for (i = 0; i < sf->n; i++)
		xdpfwd_prefix_set_free(&sf->v[i].entries);
	for (i = 0; i < sf->n_persisted; i++)
		xdpfwd_prefix_set_free(&sf->persisted[i].entries);
	free(sf->persisted);
	sf->persisted = NULL;
	sf->n_persisted = 0;
}

void set_files_free(struct set_files *sf)
{
	size_t i;

	for (i = 0; i < sf->n; i++)
		xdpfwd_prefix_set_free(&sf->v[i].entries);
	for (i = 0; i < sf->n_persisted; i++)
		xdpfwd_prefix_set_free(&sf->persisted[i].entries);
	free(sf->v);
	free(sf->persisted);
	memset(sf, 0, sizeof(*sf));
}

static void describe_options(const struct set_directives *d, char *buf, size_t len)
{
	struct xdpfwd_set s = { .scope_protos = d->opts.scope_protos, .nports = d->opts.nports };
	char scope[96] = "";

	memcpy(s.ports, d->opts.ports, sizeof(s.ports));
	if (d->opts.scope_protos)
		set_scope_format(&s, scope, sizeof(scope));
	snprintf(buf, len, "%s%s%s", d->opts.mode == XDPFWD_SET_AUDIT ? ", audit mode" : "",
		 scope[0] ? ", scope " : "", scope);
}

/* One good file into its set: options, entries (one atomic replace), source. */
static int apply_one(struct xdpfwd_bpf *skel, const struct set_file *f)
{
	char opts[128];
	struct list_maps m;
	int id, err;

	list_maps_get(skel, f->d.kind, &m);
	lib_error_clear();
	err = sets_define(&m, f->name, &f->d.opts, &id);
	if (!err)
		err = list_replace(&m, id, &f->entries);
	if (!err)
		err = sets_set_source(m.sets, f->d.kind, id, f->path);
	if (err) {
		pr_warn("%s: loading %s set %s failed: %s; fix the cause and reload (its running entries may be the old ones)\n",
			f->path, list_kind_name(f->d.kind), f->name, lib_error()[0] ? lib_error() : strerror(-err));
		return err;
	}
	describe_options(&f->d, opts, sizeof(opts));
	pr_info("%s set %s: %zu entries from %s%s\n", list_kind_name(f->d.kind), f->name, f->entries.n, f->path,
		opts);
	return 0;
}

/* A set of the sets dir: its source is DIR/NAME.list of its own name. */
static bool owned_by_dir(const char *dir, const struct xdpfwd_set *s)
{
	size_t dl = strlen(dir);

	return s->name[0] && !strncmp(s->source, dir, dl) && s->source[dl] == '/' &&
	       !strncmp(s->source + dl + 1, s->name, strlen(s->name)) &&
	       !strcmp(s->source + dl + 1 + strlen(s->name), SETS_DIR_SUFFIX);
}

void list_state_put_aside(const char *state_dir, enum list_kind kind, const char *set)
{
	char name[64], aside[80], why[600];
	int dirfd;

	dirfd = state_dir_open(state_dir, why, sizeof(why));
	if (dirfd < 0)
		return;	/* none, or not ours to touch (a start refuses it) */
	state_name(name, sizeof(name), kind, set);
	snprintf(aside, sizeof(aside), ".%s.removed", name);
	if (!renameat(dirfd, name, dirfd, aside))
		pr_info("%s set %s: its persisted entries are kept aside as %s/%s\n", list_kind_name(kind), set,
			state_dir, aside);
	else if (errno != ENOENT)
		pr_warn("%s set %s: putting aside %s/%s failed: %s; remove it, or the set comes back after a reboot\n",
			list_kind_name(kind), set, state_dir, name, strerror(errno));
	close(dirfd);
}

/* The sets dir's sets whose file is gone: flushed and their ids freed. */
static int remove_orphans(struct xdpfwd_bpf *skel, const struct daemon_opts *o, const struct set_files *sf)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	struct list_maps m;
	int kind, id, err, first = 0;

	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++) {
		list_maps_get(skel, kind, &m);
		err = sets_read_all(m.sets, kind, sets);
		if (err) {
			pr_warn("reading the %s sets failed: %s\n", list_kind_name(kind), strerror(-err));
			first = first ?: err;
			continue;
		}
		for (id = 0; id < XDPFWD_MAX_SETS; id++) {
			if (id == XDPFWD_SET_MANUAL || !owned_by_dir(sf->dir, &sets[id]) ||
			    has_file(sf, kind, sets[id].name))
				continue;
			lib_error_clear();
			err = sets_remove(&m, id);
			if (err) {
				pr_warn("%s set %s: removing it (its file %s is gone) failed: %s\n", list_kind_name(kind),
					sets[id].name, sets[id].source, lib_error()[0] ? lib_error() : strerror(-err));
				first = first ?: err;
				continue;
			}
			pr_info("%s set %s: its file %s is gone: flushed and removed\n", list_kind_name(kind),
				sets[id].name, sets[id].source);
			list_state_put_aside(o->state_dir, kind, sets[id].name);
		}
	}
	return first;
}

/*
 * After a reboot (fresh maps): the persisted entries of the sets no file
 * fills, each added back to its set. Never on a restart, where the maps kept
 * what the CLI made of them (an entry deleted since stays deleted).
 */
static int restore_persisted(struct xdpfwd_bpf *skel, const struct daemon_opts *o, const struct set_files *sf)
{
	const struct set_file *f;
	struct list_maps m;
	size_t i, added;
	int r, id, first = 0;

	for (i = 0; i < sf->n_persisted; i++) {
		f = &sf->persisted[i];
		if (!f->entries.n)
			continue;
		list_maps_get(skel, f->d.kind, &m);
		lib_error_clear();
		r = sets_ensure(m.sets, m.meta, f->d.kind, f->name, &id);
		if (!r)
			r = list_add(&m, id, &f->entries, 0, &added);
		if (r) {
			pr_warn("%s set %s: restoring its persisted entries from %s failed: %s\n",
				list_kind_name(f->d.kind), f->name, f->path, lib_error()[0] ? lib_error() : strerror(-r));
			first = first ?: r;
			continue;
		}
		pr_info("%s set %s: restored %zu persisted entries from %s\n", list_kind_name(f->d.kind), f->name,
			added, o->state_dir);
	}
	return first;
}

int set_files_apply(struct xdpfwd_bpf *skel, const struct daemon_opts *o, struct set_files *sf, int fresh_maps)
{
	int err, first = 0;
	size_t i;

	for (i = 0; i < sf->n; i++) {
		if (sf->v[i].err || sf->v[i].unchanged)
			continue;
		err = apply_one(skel, &sf->v[i]);
		/* Not what runs: the next watcher round tries it again, changed or not. */
		if (err)
			sf->v[i].hash = 0;
		first = first ?: err;
	}
	if (sf->dir) {
		err = remove_orphans(skel, o, sf);
		first = first ?: err;
	}
	if (fresh_maps) {
		err = restore_persisted(skel, o, sf);
		first = first ?: err;
	}
	return first;
}

void set_files_count(const struct set_files *sf, bool fresh_maps, size_t add[CAP_MAPS])
{
	size_t i;

	for (i = 0; i < sf->n; i++)
		if (!sf->v[i].err && !sf->v[i].unchanged && sf->v[i].d.kind == LIST_BLOCK)
			capacity_count(&sf->v[i].entries, add);
	for (i = 0; fresh_maps && i < sf->n_persisted; i++)
		if (sf->persisted[i].d.kind == LIST_BLOCK)
			capacity_count(&sf->persisted[i].entries, add);
}
