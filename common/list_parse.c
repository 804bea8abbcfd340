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

static const char *const format_names[] = {
	[XDPFWD_LIST_AUTO] = "auto",
	[XDPFWD_LIST_PLAIN] = "plain",
	[XDPFWD_LIST_NETSET] = "netset",
	[XDPFWD_LIST_SPAMHAUS] = "spamhaus",
	[XDPFWD_LIST_IPSUM] = "ipsum",
};

const char *xdpfwd_list_format_name(enum xdpfwd_list_format f)
{
	return (unsigned int)f < sizeof(format_names) / sizeof(format_names[0]) ? format_names[f] : NULL;
}

int xdpfwd_list_format_parse(const char *name, enum xdpfwd_list_format *f, char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcmp(name, format_names[i])) {
			*f = i;
			return 0;
		}
	}
	return fail(-EINVAL, err, errlen, "'%s' is not a list format (auto, plain, netset, spamhaus or ipsum)",
		    name);
}

/*
 * The line s[0..n) without its comment: '#' anywhere, ';' at the start or
 * after a blank (list_parse.h says why). *semi tells whether a ';' cut it.
 */
static size_t cut_comment(const char *s, size_t n, int *semi)
{
	const char *hash = memchr(s, '#', n), *p;

	*semi = 0;
	if (hash)
		n = hash - s;
	for (p = s; (p = memchr(p, ';', n - (p - s))); p++) {
		if (p == s || isspace((unsigned char)p[-1])) {
			*semi = 1;
			return p - s;
		}
	}
	return n;
}

/* s[0..n) without the blanks around it, as a string in line (n <= XDPFWD_LISTFILE_LINE_MAX). */
static size_t trimmed(const char *s, size_t n, char *line)
{
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	memcpy(line, s, n);
	line[n] = '\0';
	return n;
}

/* Splits "ADDR REST" at the first blank: line becomes ADDR, the return value REST (blanks skipped). */
static char *split_addr(char *line)
{
	char *rest = line + strcspn(line, " \t");

	if (*rest)
		*rest++ = '\0';
	/* Most lines have no blank here or one: a loop, not strspn's table (2% of a million-line load). */
	while (*rest == ' ' || *rest == '\t')
		rest++;
	return rest;
}

static int all_digits(const char *s)
{
	return *s && s[strspn(s, "0123456789")] == '\0';
}

/*
 * auto: the first line that is a ';' comment or starts with an address
 * decides (list_parse.h). Blank lines, '#' comments and lines that start
 * with something else do not, so a junk line first still finds the format.
 */
static enum xdpfwd_list_format detect(const char *buf, size_t len)
{
	char line[XDPFWD_LISTFILE_LINE_MAX + 1], *rest, *tok;
	struct xdpfwd_prefix p;
	size_t pos = 0, n;
	const char *s, *end;
	int semi;

	while (pos < len) {
		s = buf + pos;
		end = memchr(s, '\n', len - pos);
		n = end ? (size_t)(end - s) : len - pos;
		pos += n + 1;
		if (n > XDPFWD_LISTFILE_LINE_MAX || memchr(s, '\0', n))
			continue;
		n = cut_comment(s, n, &semi);
		if (!trimmed(s, n, line)) {
			if (semi)
				return XDPFWD_LIST_SPAMHAUS;
			continue;
		}
		rest = split_addr(line);
		if (xdpfwd_prefix_parse(line, &p, NULL, 0))
			continue;
		tok = rest;
		tok[strcspn(tok, " \t")] = '\0';
		if (all_digits(tok))
			return XDPFWD_LIST_IPSUM;
		return semi ? XDPFWD_LIST_SPAMHAUS : XDPFWD_LIST_PLAIN;
	}
	return XDPFWD_LIST_PLAIN;
}

/* An ipsum line's "COUNT" (the blanks after the address skipped): the number of lists that name it. */
static int parse_count(char *rest, unsigned int *count, char *why, size_t whylen)
{
	char *more = split_addr(rest);
	const char *c;

	if (!*rest)
		return fail(-EINVAL, why, whylen, "no count after the address (ipsum lines are ADDR<TAB>COUNT)");
	/* Nine digits: far more lists than exist, and no overflow to think about. */
	if (!all_digits(rest) || strlen(rest) > 9)
		return fail(-EINVAL, why, whylen, "'%s' is not a count (ipsum lines are ADDR<TAB>COUNT)", rest);
	if (*more)
		return fail(-EINVAL, why, whylen, "unexpected '%s' after the count (ipsum lines are ADDR<TAB>COUNT)",
			    more);
	*count = 0;
	for (c = rest; *c; c++)
		*count = *count * 10 + (*c - '0');
	return 0;
}

/* How a file's lines are read, the format decided: the same for both parts. */
struct rules {
	int ipsum;			/* ADDR COUNT, else ADDR [OPTION]... (plain, netset, spamhaus) */
	unsigned int min_score;
	int skip_invalid;
};

/* A bad line skipped, kept for the caller's report. */
struct bad_line {
	size_t line;			/* within the part, like part.lines */
	char why[320];
};

/*
 * One stretch of a list file, parsed into a set of its own: a big file is
 * cut in two at a line boundary and the halves are parsed (and sorted) on
 * two threads, which halves the wait for a million-line list.
 */
struct part {
	const char *buf;
	size_t len;
	__u64 now;			/* one time for the whole file: equal timeouts, equal deadlines */
	const struct rules *r;
	struct xdpfwd_prefix_set set;	/* sorted; duplicates are resolved after the merge */
	size_t lines;			/* lines read; on failure the bad one, counted within the part */
	size_t entries, below, skipped;	/* good entry lines, ipsum ones under min_score, bad ones skipped */
	size_t nbad;
	struct bad_line bad[XDPFWD_LISTFILE_WARN_MAX];
	int ret;			/* 0, or the failure, with lines (0: no line) and why */
	int started;
	char why[320];
	pthread_t thread;
};

#define SPLIT_MIN_BYTES (1 << 20)

/* One line that holds more than a comment: 0 with the entry in *p, 1 for an ipsum entry under min_score. */
static int parse_entry(const struct part *pt, char *line, struct xdpfwd_prefix *p, char *why, size_t whylen)
{
	unsigned int count = 0;
	char *rest;
	int ret;

	rest = split_addr(line);
	ret = xdpfwd_prefix_parse(line, p, why, whylen);
	if (ret)
		return ret;
	if (!pt->r->ipsum)
		return parse_options(rest, pt->now, p, why, whylen);
	ret = parse_count(rest, &count, why, whylen);
	if (ret)
		return ret;
	return count < pt->r->min_score;
}

/* A bad line: the end of the file's parse, or with skip_invalid a line counted and maybe kept. */
static int bad_line(struct part *pt, int ret, const char *why)
{
	if (!pt->r->skip_invalid) {
		pt->ret = ret;
		snprintf(pt->why, sizeof(pt->why), "%s", why);
		return ret;
	}
	if (pt->nbad < XDPFWD_LISTFILE_WARN_MAX) {
		pt->bad[pt->nbad].line = pt->lines;
		snprintf(pt->bad[pt->nbad].why, sizeof(pt->bad[0].why), "%s", why);
		pt->nbad++;
	}
	pt->skipped++;
	return 0;
}

static void *parse_part(void *arg)
{
	char line[XDPFWD_LISTFILE_LINE_MAX + 1], why[sizeof(((struct part *)0)->why)];
	struct part *pt = arg;
	size_t pos = 0, n;
	struct xdpfwd_prefix p;
	const char *s, *end;
	int ret, semi;

	while (pos < pt->len) {
		s = pt->buf + pos;
		end = memchr(s, '\n', pt->len - pos);
		n = end ? (size_t)(end - s) : pt->len - pos;
		pos += n + 1;
		pt->lines++;

		/* A NUL means a binary or corrupt file, not text with a stray byte to skip: never skipped. */
		if (memchr(s, '\0', n)) {
			pt->ret = fail(-EINVAL, pt->why, sizeof(pt->why), "NUL byte in line");
			return NULL;
		}
		if (n && s[n - 1] == '\r')
			n--;
		if (n > XDPFWD_LISTFILE_LINE_MAX) {
			fail(-EINVAL, why, sizeof(why), "line is longer than %d bytes", XDPFWD_LISTFILE_LINE_MAX);
			if (bad_line(pt, -EINVAL, why))
				return NULL;
			continue;
		}
		n = cut_comment(s, n, &semi);
		if (!trimmed(s, n, line))
			continue;

		ret = parse_entry(pt, line, &p, why, sizeof(why));
		if (ret < 0) {
			if (bad_line(pt, ret, why))
				return NULL;
			continue;
		}
		pt->entries++;
		if (ret) {
			pt->below++;
			continue;
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

/* The skipped lines' counts and first messages, in file order, into o. */
static void report_skipped(const char *name, const struct part pt[2], struct xdpfwd_listfile_opts *o)
{
	size_t i, k;

	o->entries = pt[0].entries + pt[1].entries;
	o->below_score = pt[0].below + pt[1].below;
	o->skipped = pt[0].skipped + pt[1].skipped;
	for (i = 0; i < 2; i++)
		for (k = 0; k < pt[i].nbad && o->nmsgs < XDPFWD_LISTFILE_WARN_MAX; k++)
			snprintf(o->msgs[o->nmsgs++], sizeof(o->msgs[0]), "%s:%zu: %s", name,
				 pt[i].bad[k].line + (i ? pt[0].lines : 0), pt[i].bad[k].why);
}

static void opts_reset(struct xdpfwd_listfile_opts *o)
{
	o->format_used = o->format;
	o->entries = o->below_score = o->skipped = o->nmsgs = 0;
}

int xdpfwd_listfile_parse_buf_opts(const char *name, const char *buf, size_t len, struct xdpfwd_prefix_set *out,
				   struct xdpfwd_listfile_opts *o, char *err, size_t errlen)
{
	struct xdpfwd_listfile_opts defaults = {};
	struct part pt[2] = { { .buf = buf, .len = len }, { .buf = buf + len } };
	struct xdpfwd_prefix_set file = {};
	struct rules r = {};
	const char *cut;
	size_t k;
	int i, ret = 0;

	if (!o)
		o = &defaults;
	opts_reset(o);
	if (err && errlen)
		err[0] = '\0';
	if (!xdpfwd_list_format_name(o->format))
		return fail(-EINVAL, err, errlen, "%s: list format %d is not one xdpfwd knows", name, o->format);
	if (o->format == XDPFWD_LIST_AUTO)
		o->format_used = detect(buf, len);
	r.ipsum = o->format_used == XDPFWD_LIST_IPSUM;
	r.min_score = o->min_score ? o->min_score : 1;
	r.skip_invalid = o->skip_invalid;
	pt[0].r = pt[1].r = &r;
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
	report_skipped(name, pt, o);
	/* Every line bad is not a feed that shrank to nothing: an error page, the wrong file or format. */
	if (!ret && o->skipped && !o->entries) {
		i = !pt[0].nbad;	/* the part holding the first bad line */
		ret = fail(-EINVAL, err, errlen,
			   "%s: none of its %zu entry lines is valid (line %zu: %s); is it a %s list?", name,
			   o->skipped, pt[i].bad[0].line + (i ? pt[0].lines : 0), pt[i].bad[0].why,
			   xdpfwd_list_format_name(o->format_used));
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

int xdpfwd_listfile_parse_buf(const char *name, const char *buf, size_t len,
			      struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	struct xdpfwd_listfile_opts o = { .format = XDPFWD_LIST_PLAIN };

	return xdpfwd_listfile_parse_buf_opts(name, buf, len, out, &o, err, errlen);
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

int xdpfwd_listfile_read_opts(const char *path, struct xdpfwd_prefix_set *out, struct xdpfwd_listfile_opts *o,
			      char *err, size_t errlen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *tmp, *nul;
	ssize_t r;
	int fd, ret;

	if (o)
		opts_reset(o);
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
	ret = xdpfwd_listfile_parse_buf_opts(path, buf, len, out, o, err, errlen);
out:
	free(buf);
	close(fd);
	return ret;
}

int xdpfwd_listfile_read(const char *path, struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	struct xdpfwd_listfile_opts o = { .format = XDPFWD_LIST_PLAIN };

	return xdpfwd_listfile_read_opts(path, out, &o, err, errlen);
}

int xdpfwd_listfile_write(FILE *f, const struct xdpfwd_prefix_set *s, const char *comment)
{
	char buf[XDPFWD_PREFIX_STRLEN];
	const char *c, *nl;
	size_t i, n;

	errno = 0;	/* what a failed write left is the reason: it may fail before the flush */
	/* A comment line the reader would refuse (too long) is refused here, before anything is written. */
	for (c = comment; c && *c; c += n + !!nl) {
		nl = strchr(c, '\n');
		n = nl ? (size_t)(nl - c) : strlen(c);
		if (n + 2 > XDPFWD_LISTFILE_LINE_MAX)
			return -EINVAL;
	}
	for (c = comment; c && *c; c += n + !!nl) {
		nl = strchr(c, '\n');
		n = nl ? (size_t)(nl - c) : strlen(c);
		fprintf(f, n ? "# %.*s\n" : "#\n", (int)n, c);
	}
	for (i = 0; i < s->n; i++) {
		if (xdpfwd_prefix_format(&s->v[i], buf, sizeof(buf)))
			return -EINVAL;
		fputs(buf, f);
		if (s->v[i].expires_at)
			fprintf(f, " until=%llu", (unsigned long long)s->v[i].expires_at);
		fputs(s->v[i].prefixlen ? "\n" : " # --force\n", f);
	}
	if (fflush(f) || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}
