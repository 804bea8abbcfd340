// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
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

int xdpfwd_listfile_parse_buf(const char *name, const char *buf, size_t len,
			      struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	char line[XDPFWD_LISTFILE_LINE_MAX + 1], why[256];
	size_t old_n = out->n, pos = 0, lineno = 0, n;
	struct xdpfwd_prefix p;
	const char *s, *end;
	char *opts;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	while (pos < len) {
		s = buf + pos;
		end = memchr(s, '\n', len - pos);
		n = end ? (size_t)(end - s) : len - pos;
		pos += n + 1;
		lineno++;

		/* A NUL means a binary or corrupt file, not text with a stray byte to skip. */
		if (memchr(s, '\0', n)) {
			ret = fail(-EINVAL, err, errlen, "%s:%zu: NUL byte in line", name, lineno);
			goto rollback;
		}
		if (n && s[n - 1] == '\r')
			n--;
		if (n > XDPFWD_LISTFILE_LINE_MAX) {
			ret = fail(-EINVAL, err, errlen, "%s:%zu: line is longer than %d bytes",
				   name, lineno, XDPFWD_LISTFILE_LINE_MAX);
			goto rollback;
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
		ret = xdpfwd_prefix_parse(line, &p, why, sizeof(why));
		if (!ret)
			ret = parse_options(opts, &p, why, sizeof(why));
		if (ret) {
			fail(ret, err, errlen, "%s:%zu: %s", name, lineno, why);
			goto rollback;
		}
		/* A persisted entry whose time ran out while nothing was running is simply gone. */
		if (p.expires_at && p.expires_at <= (__u64)time(NULL))
			continue;
		ret = xdpfwd_prefix_set_push(out, &p);
		if (ret) {
			fail(ret, err, errlen, "%s: out of memory", name);
			goto rollback;
		}
	}
	xdpfwd_prefix_set_sort_unique(out);
	return 0;

rollback:
	/* Only appended so far, so the caller's entries are untouched below old_n. */
	out->n = old_n;
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
