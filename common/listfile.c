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

#include "listfile.h"

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

/* Bulk loads append blindly and de-duplicate once: a scan per line would be quadratic on big lists. */
void xdpfwd_prefix_set_sort_unique(struct xdpfwd_prefix_set *s)
{
	size_t i, last = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), xdpfwd_prefix_cmp);
	for (i = 1; i < s->n; i++)
		if (xdpfwd_prefix_cmp(&s->v[last], &s->v[i]))
			s->v[++last] = s->v[i];
	s->n = last + 1;
}

/*
 * What may follow the address on a line: timeout=DURATION (from now) or
 * until=SECONDS (a CLOCK_REALTIME deadline, as --persist writes it).
 */
static int parse_options(char *opts, struct xdpfwd_prefix *p, char *why, size_t whylen)
{
	char *tok, *save = NULL, *end;
	unsigned long long v;
	__u64 secs;

	for (tok = strtok_r(opts, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(tok, "timeout=", 8)) {
			if (xdpfwd_duration_parse(tok + 8, &secs, why, whylen))
				return -EINVAL;
			p->expires_at = (__u64)time(NULL) + secs;
		} else if (!strncmp(tok, "until=", 6)) {
			errno = 0;
			v = strtoull(tok + 6, &end, 10);
			if (tok[6] < '0' || tok[6] > '9' || errno || *end || !v)
				return fail(-EINVAL, why, whylen, "'%s' is not a valid deadline", tok);
			p->expires_at = v;
		} else {
			return fail(-EINVAL, why, whylen, "unexpected '%s' after the address (only timeout=DURATION)",
				    tok);
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
	struct xdpfwd_prefix_set set;	/* sorted, without duplicates */
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
			ret = parse_options(opts, &p, pt->why, sizeof(pt->why));
		if (ret) {
			pt->ret = ret;
			return NULL;
		}
		/* A persisted entry whose time ran out while nothing was running is simply gone. */
		if (p.expires_at && p.expires_at <= (__u64)time(NULL))
			continue;
		if (xdpfwd_prefix_set_push(&pt->set, &p)) {
			pt->lines = 0;
			pt->ret = fail(-ENOMEM, pt->why, sizeof(pt->why), "out of memory");
			return NULL;
		}
	}
	xdpfwd_prefix_set_sort_unique(&pt->set);
	return NULL;
}

/* Moves both sorted parts into out, which ends up sorted and without duplicates. */
static int merge_parts(struct xdpfwd_prefix_set *out, struct part *a, struct part *b)
{
	size_t need = out->n + a->set.n + b->set.n, i = 0, j = 0;
	struct xdpfwd_prefix *v;
	int c;

	if (need > out->cap) {
		v = reallocarray(out->v, need, sizeof(*v));
		if (!v)
			return -ENOMEM;
		out->v = v;
		out->cap = need;
	}
	if (out->n) {
		/* Merging into entries the caller had: rare and small, so the plain way. */
		for (i = 0; i < a->set.n; i++)
			out->v[out->n++] = a->set.v[i];
		for (j = 0; j < b->set.n; j++)
			out->v[out->n++] = b->set.v[j];
		xdpfwd_prefix_set_sort_unique(out);
		return 0;
	}
	while (i < a->set.n || j < b->set.n) {
		c = i == a->set.n ? 1 : j == b->set.n ? -1 : xdpfwd_prefix_cmp(&a->set.v[i], &b->set.v[j]);
		out->v[out->n++] = c <= 0 ? a->set.v[i] : b->set.v[j];
		i += c <= 0;
		j += c >= 0;
	}
	return 0;
}

int xdpfwd_listfile_parse_buf(const char *name, const char *buf, size_t len,
			      struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	struct part pt[2] = { { .buf = buf, .len = len }, { .buf = buf + len } };
	const char *cut;
	int i, ret = 0;

	if (err && errlen)
		err[0] = '\0';
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
		ret = merge_parts(out, &pt[0], &pt[1]);
		if (ret)
			fail(ret, err, errlen, "%s: out of memory", name);
	}
	xdpfwd_prefix_set_free(&pt[0].set);
	xdpfwd_prefix_set_free(&pt[1].set);
	return ret;
}

int xdpfwd_listfile_read(const char *path, struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *tmp;
	ssize_t r;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return fail(ret, err, errlen, "%s: %s", path, strerror(-ret));
	}
	/* Read to EOF rather than trusting st_size, so pipes and /dev/stdin work too. */
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
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
		len += r;
	}
	ret = xdpfwd_listfile_parse_buf(path, buf, len, out, err, errlen);
out:
	free(buf);
	close(fd);
	return ret;
}
