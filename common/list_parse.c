// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "list_parse.h"

static int __attribute__((format(printf, 4, 5)))
fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static __u64 be64_at(const __u8 *p)
{
	__u64 v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

int xdpfwd_prefix_cmp(const void *a, const void *b)
{
	const struct xdpfwd_prefix *x = a, *y = b;
	__u64 u, v;

	if (x->family != y->family)
		return x->family - y->family;
	/* memcmp's order of the address, as two big-endian words: sorting a million calls it 20 million times. */
	u = be64_at(x->addr);
	v = be64_at(y->addr);
	if (u == v) {
		u = be64_at(x->addr + 8);
		v = be64_at(y->addr + 8);
	}
	if (u != v)
		return u < v ? -1 : 1;
	return x->prefixlen - y->prefixlen;
}

int xdpfwd_prefix_set_push(struct xdpfwd_prefix_set *s, const struct xdpfwd_prefix *p)
{
	struct xdpfwd_prefix *v;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 64;
		v = reallocarray(s->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *p;
	return 0;
}

int xdpfwd_prefix_set_add(struct xdpfwd_prefix_set *s, const struct xdpfwd_prefix *p)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!xdpfwd_prefix_cmp(&s->v[i], p))
			return 0;
	return xdpfwd_prefix_set_push(s, p);
}

void xdpfwd_prefix_set_free(struct xdpfwd_prefix_set *s)
{
	free(s->v);
	*s = (struct xdpfwd_prefix_set){};
}

/* a lasts longer than b: no expiry (0) outlasts every deadline. */
static int outlasts(const struct xdpfwd_prefix *a, const struct xdpfwd_prefix *b)
{
	return b->expires_at && (!a->expires_at || a->expires_at > b->expires_at);
}

/* Keeps one entry per run of equal prefixes in a sorted set: the one that lasts longest. */
static void keep_longest(struct xdpfwd_prefix_set *s)
{
	size_t i, last = 0;

	if (!s->n)
		return;
	for (i = 1; i < s->n; i++) {
		if (xdpfwd_prefix_cmp(&s->v[last], &s->v[i]))
			s->v[++last] = s->v[i];
		else if (outlasts(&s->v[i], &s->v[last]))
			s->v[last] = s->v[i];
	}
	s->n = last + 1;
}

/* Bulk loads append blindly and de-duplicate once: a scan per line would be quadratic on big lists. */
void xdpfwd_prefix_set_sort_unique(struct xdpfwd_prefix_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), xdpfwd_prefix_cmp);
	keep_longest(s);
}

/*
 * What may follow the address on a line: timeout=DURATION (from now) or
 * until=SECONDS (a CLOCK_REALTIME deadline, as --persist writes it), which
 * is held to now + XDPFWD_DURATION_MAX (list_parse.h says why).
 */
static int parse_options(char *opts, __u64 now, struct xdpfwd_prefix *p, char *why, size_t whylen)
{
	char *tok, *save = NULL, *end;
	unsigned long long v;
	__u64 secs;

	for (tok = strtok_r(opts, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(tok, "timeout=", 8)) {
			if (xdpfwd_duration_parse(tok + 8, &secs, why, whylen))
				return -EINVAL;
			p->expires_at = now + secs;
		} else if (!strncmp(tok, "until=", 6)) {
			errno = 0;
			v = strtoull(tok + 6, &end, 10);
			/* Digits only; more of them than a __u64 holds is just far away (ERANGE gives the max). */
			if (tok[6] < '0' || tok[6] > '9' || (errno && errno != ERANGE) || *end || !v)
				return fail(-EINVAL, why, whylen, "'%s' is not a valid deadline (until=SECONDS since 1970)",
					    tok);
			p->expires_at = v < now + XDPFWD_DURATION_MAX ? v : now + XDPFWD_DURATION_MAX;
		} else {
			return fail(-EINVAL, why, whylen,
				    "unexpected '%s' after the address (only timeout=DURATION or until=SECONDS)", tok);
		}
	}
	return 0;
}

/*
 * One stretch of a list file, parsed into a set of its own: a big file is
 * cut in two at a line boundary and the halves are parsed (and sorted) on
 * two threads, which halves the wait for a million-line list.
 */
struct part {
	const char *buf;
	size_t len;
	__u64 now;			/* one time for the whole file: equal timeouts, equal deadlines */
	struct xdpfwd_prefix_set set;	/* sorted; duplicates are resolved after the merge */
	size_t lines;			/* lines read; on failure the bad one, counted within the part */
	int ret;			/* 0, or the failure, with lines (0: no line) and why */
	int started;
	char why[320];
	pthread_t thread;
};

#define SPLIT_MIN_BYTES (1 << 20)

static void *parse_part(void *arg)
{
	char line[XDPFWD_LISTFILE_LINE_MAX + 1];
	struct part *pt = arg;
	size_t pos = 0, n;
	struct xdpfwd_prefix p;
	const char *s, *end;
	char *opts;
	int ret;

	while (pos < pt->len) {
		s = pt->buf + pos;
		end = memchr(s, '\n', pt->len - pos);
		n = end ? (size_t)(end - s) : pt->len - pos;
		pos += n + 1;
		pt->lines++;

		/* A NUL means a binary or corrupt file, not text with a stray byte to skip. */
		if (memchr(s, '\0', n)) {
			pt->ret = fail(-EINVAL, pt->why, sizeof(pt->why), "NUL byte in line");
			return NULL;
		}
		if (n && s[n - 1] == '\r')
			n--;
		if (n > XDPFWD_LISTFILE_LINE_MAX) {
			pt->ret = fail(-EINVAL, pt->why, sizeof(pt->why), "line is longer than %d bytes",
				       XDPFWD_LISTFILE_LINE_MAX);
			return NULL;
		}
		end = memchr(s, '#', n);
		if (end)
			n = end - s;
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		if (!n)
			continue;

		memcpy(line, s, n);
		line[n] = '\0';
		opts = line + strcspn(line, " \t");
		if (*opts)
			*opts++ = '\0';
		ret = xdpfwd_prefix_parse(line, &p, pt->why, sizeof(pt->why));
		if (!ret)
			ret = parse_options(opts, pt->now, &p, pt->why, sizeof(pt->why));
		if (ret) {
			pt->ret = ret;
			return NULL;
		}
		/* A persisted entry whose time ran out while nothing was running is simply gone. */
		if (p.expires_at && p.expires_at <= pt->now)
			continue;
		p.line = pt->lines;	/* within the part; made the file's line after the parts are done */
		if (xdpfwd_prefix_set_push(&pt->set, &p)) {
			pt->lines = 0;
			pt->ret = fail(-ENOMEM, pt->why, sizeof(pt->why), "out of memory");
			return NULL;
		}
	}
	if (pt->set.n)
		qsort(pt->set.v, pt->set.n, sizeof(*pt->set.v), xdpfwd_prefix_cmp);
	return NULL;
}

/* Both sorted parts as one sorted set (duplicates kept). */
static int merge_parts(struct xdpfwd_prefix_set *out, struct part *a, struct part *b)
{
	size_t i = 0, j = 0;
	int c;

	out->cap = a->set.n + b->set.n;
	out->v = reallocarray(NULL, out->cap ? out->cap : 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	while (i < a->set.n || j < b->set.n) {
		c = i == a->set.n ? 1 : j == b->set.n ? -1 : xdpfwd_prefix_cmp(&a->set.v[i], &b->set.v[j]);
		out->v[out->n++] = c <= 0 ? a->set.v[i++] : b->set.v[j++];
	}
	return 0;
}

/*
 * Resolves the entries a file gives more than once (the longest expiry
 * stays) and warns, naming both lines, where their expiries differ: a
 * second line with another timeout is more likely a mistake than a wish.
 */
static void resolve_repeats(const char *name, struct xdpfwd_prefix_set *s)
{
	char buf[XDPFWD_PREFIX_STRLEN];
	size_t i, j, k, warned = 0;
	const struct xdpfwd_prefix *first, *other;

	for (i = 0; i < s->n; i = j) {
		first = other = NULL;
		for (j = i; j < s->n && !xdpfwd_prefix_cmp(&s->v[i], &s->v[j]); j++)
			if (!first || s->v[j].line < first->line)
				first = &s->v[j];
		for (k = i; k < j; k++)
			if (s->v[k].expires_at != first->expires_at && (!other || s->v[k].line < other->line))
				other = &s->v[k];
		if (!other)
			continue;
		if (warned++ < XDPFWD_LISTFILE_WARN_MAX) {
			xdpfwd_prefix_format(first, buf, sizeof(buf));
			fprintf(stderr, "xdpfwd: %s:%u: warning: %s is also on line %u with another expiry; "
				"the longer one applies\n", name, other->line, buf, first->line);
		}
	}
	if (warned > XDPFWD_LISTFILE_WARN_MAX)
		fprintf(stderr, "xdpfwd: %s: warning: %zu more entries repeated with another expiry\n", name,
			warned - XDPFWD_LISTFILE_WARN_MAX);
	keep_longest(s);
}

/* Adds the file's resolved entries to out, which may hold entries already. */
static int add_to(struct xdpfwd_prefix_set *out, struct xdpfwd_prefix_set *file)
{
	struct xdpfwd_prefix *v;
	size_t need = out->n + file->n;

	if (!out->n) {
		xdpfwd_prefix_set_free(out);
		*out = *file;
		*file = (struct xdpfwd_prefix_set){};
		return 0;
	}
	/* Merging into entries the caller had: rare and small, so the plain way. */
	if (need > out->cap) {
		v = reallocarray(out->v, need, sizeof(*v));
		if (!v)
			return -ENOMEM;
		out->v = v;
		out->cap = need;
	}
	memcpy(out->v + out->n, file->v, file->n * sizeof(*v));
	out->n = need;
	xdpfwd_prefix_set_sort_unique(out);
	return 0;
}

int xdpfwd_listfile_parse_buf(const char *name, const char *buf, size_t len,
			      struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	struct part pt[2] = { { .buf = buf, .len = len }, { .buf = buf + len } };
	struct xdpfwd_prefix_set file = {};
	const char *cut;
	size_t k;
	int i, ret = 0;

	if (err && errlen)
		err[0] = '\0';
	pt[0].now = pt[1].now = time(NULL);
	cut = len >= SPLIT_MIN_BYTES ? memchr(buf + len / 2, '\n', len - len / 2) : NULL;
	if (cut) {
		pt[0].len = cut + 1 - buf;
		pt[1].buf = cut + 1;
		pt[1].len = len - pt[0].len;
		pt[1].started = !pthread_create(&pt[1].thread, NULL, parse_part, &pt[1]);
	}
	parse_part(&pt[0]);
	if (cut && pt[1].started)
		pthread_join(pt[1].thread, NULL);
	else if (cut)
		parse_part(&pt[1]);
	/* The first bad line of the file: the second part numbers its lines from its own start. */
	for (i = 0; i < 2 && !ret; i++) {
		ret = pt[i].ret;
		if (ret && pt[i].lines)
			fail(ret, err, errlen, "%s:%zu: %s", name, pt[i].lines + (i ? pt[0].lines : 0), pt[i].why);
		else if (ret)
			fail(ret, err, errlen, "%s: %s", name, pt[i].why);
	}
	if (!ret) {
		for (k = 0; k < pt[1].set.n; k++)
			pt[1].set.v[k].line += pt[0].lines;
		ret = merge_parts(&file, &pt[0], &pt[1]);
		if (!ret) {
			resolve_repeats(name, &file);
			ret = add_to(out, &file);
		}
		if (ret)
			fail(ret, err, errlen, "%s: out of memory", name);
	}
	xdpfwd_prefix_set_free(&file);
	xdpfwd_prefix_set_free(&pt[0].set);
	xdpfwd_prefix_set_free(&pt[1].set);
	return ret;
}

/* "FILE:LINE: NUL byte in line" for the NUL at buf[at]. */
static int nul_at(const char *path, const char *buf, size_t at, char *err, size_t errlen)
{
	size_t line = 1;
	const char *p = buf, *nl;

	while ((nl = memchr(p, '\n', buf + at - p))) {
		line++;
		p = nl + 1;
	}
	return fail(-EINVAL, err, errlen, "%s:%zu: NUL byte in line (not a text file?)", path, line);
}

int xdpfwd_listfile_read(const char *path, struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *tmp, *nul;
	ssize_t r;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return fail(ret, err, errlen, "%s: %s", path, strerror(-ret));
	}
	/*
	 * Read to EOF rather than trusting st_size, so pipes and /dev/stdin work
	 * too, but never more than the limit (`yes |` never ends), and stop at
	 * the first NUL (`</dev/zero` neither).
	 */
	for (;;) {
		if (len == cap) {
			if (cap > XDPFWD_LISTFILE_BYTES_MAX) {
				ret = fail(-EFBIG, err, errlen,
					   "%s: larger than %u MiB, the most a list file may be; split it or remove "
					   "comments", path, XDPFWD_LISTFILE_BYTES_MAX >> 20);
				goto out;
			}
			/* One byte beyond the limit tells a file of exactly the limit from a longer one. */
			cap = cap ? cap * 2 : 65536;
			if (cap > XDPFWD_LISTFILE_BYTES_MAX)
				cap = XDPFWD_LISTFILE_BYTES_MAX + 1;
			tmp = realloc(buf, cap);
			if (!tmp) {
				ret = fail(-ENOMEM, err, errlen, "%s: out of memory", path);
				goto out;
			}
			buf = tmp;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			fail(ret, err, errlen, "%s: %s", path, strerror(-ret));
			goto out;
		}
		if (!r)
			break;
		nul = memchr(buf + len, '\0', r);
		if (nul) {
			ret = nul_at(path, buf, nul - buf, err, errlen);
			goto out;
		}
		len += r;
	}
	ret = xdpfwd_listfile_parse_buf(path, buf, len, out, err, errlen);
out:
	free(buf);
	close(fd);
	return ret;
}
