// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "list_parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A literal and its length, which strlen would get wrong for the ones holding a NUL. */
#define BUF(s) s, sizeof(s) - 1

/*
 * want: on success the set formatted and space-separated (it comes back
 * sorted by family, address, length); on failure a substring of the error.
 */
struct list_case {
	const char *buf;
	size_t len;
	int ret;
	const char *want;
};

static const struct list_case list_cases[] = {
	{ BUF(""), 0, "" },
	{ BUF("\n\n\n"), 0, "" },
	{ BUF("# only a comment\n#\n   # indented\n\t\n"), 0, "" },
	{ BUF("10.0.0.1\n"), 0, "10.0.0.1" },
	{ BUF("10.0.0.1"), 0, "10.0.0.1" },
	{ BUF("  10.0.0.1  # a host\n\t\n# comment\n192.0.2.0/24#no space\n"), 0,
	  "10.0.0.1 192.0.2.0/24" },
	{ BUF("\t2001:db8::/32\t\v\f\n"), 0, "2001:db8::/32" },
	{ BUF("10.0.0.1\r\n192.0.2.0/24 # c\r\n\r\n"), 0, "10.0.0.1 192.0.2.0/24" },
	{ BUF("10.0.0.1\r"), 0, "10.0.0.1" },
	{ BUF("10.0.0.1\n10.0.0.1\n10.0.0.1/32\n 10.0.0.1 # again\n"), 0, "10.0.0.1" },
	{ BUF("2001:db8::1\n2001:DB8:0::1\n2001:0db8::0001/128\n"), 0, "2001:db8::1" },
	{ BUF("10.0.0.0/8\n10.0.0.0/16\n10.0.0.0\n"), 0, "10.0.0.0/8 10.0.0.0/16 10.0.0.0" },
	{ BUF("2001:db8::/32\n198.18.0.0/15\n::/0\n0.0.0.0/0\n"), 0,
	  "0.0.0.0/0 198.18.0.0/15 ::/0 2001:db8::/32" },
	/* Options after the address; an entry whose deadline passed is dropped, not an error. */
	{ BUF("10.0.0.1 timeout=10m\n10.0.0.2\ttimeout=2h # c\n"), 0, "10.0.0.1 10.0.0.2" },
	{ BUF("10.0.0.1 until=1\n10.0.0.2 until=99999999999\n"), 0, "10.0.0.2" },
	/* ';' comments, as Spamhaus writes them: at the start of a line or after a blank. */
	{ BUF("; Spamhaus DROP List\n;\n  ; indented\n198.18.0.0/15 ; SBL1\n192.0.2.0/24\t;SBL2\r\n"), 0,
	  "192.0.2.0/24 198.18.0.0/15" },
	{ BUF("10.0.0.1 timeout=10m ; a note\n10.0.0.2 # a; b\n10.0.0.3 ;#\n"), 0, "10.0.0.1 10.0.0.2 10.0.0.3" },
	{ BUF("10.0.0.1;10.0.0.2\n"), -EINVAL, "t.list:1: '10.0.0.1;10.0.0.2' is not an IPv4 or IPv6 address" },
	{ BUF("10.0.0.1 timeout=1h;x\n"), -EINVAL, "t.list:1: " },
	/* A count is ipsum's, never plain's: plain stays strict. */
	{ BUF("198.51.100.1\t3\n"), -EINVAL, "t.list:1: unexpected '3' after the address" },

	{ BUF("10.0.0.1\n\n# c\n10.0.0.300\n"), -EINVAL,
	  "t.list:4: '10.0.0.300' is not an IPv4 or IPv6 address" },
	{ BUF("10.0.0.1\r\n\r\n10.0.0.1/24\r\n"), -EINVAL,
	  "t.list:3: '10.0.0.1/24' has host bits set; did you mean 10.0.0.0/24?" },
	{ BUF("10.0.0.1\n10.0.0.0/33"), -ERANGE, "t.list:2: prefix length 33 is out of range" },
	{ BUF("bogus\n10.0.0.1\n"), -EINVAL, "t.list:1: 'bogus' is not" },
	{ BUF("10.0.0.0 /24\n"), -EINVAL, "t.list:1: unexpected '/24' after the address" },
	{ BUF("10.0.0.1 10.0.0.2\n"), -EINVAL, "t.list:1: unexpected '10.0.0.2' after the address" },
	{ BUF("10.0.0.1 timeout=\n"), -EINVAL, "t.list:1: " },
	{ BUF("10.0.0.1 timeout=5x\n"), -EINVAL, "t.list:1: " },
	{ BUF("10.0.0.1 until=abc\n"), -EINVAL, "t.list:1: 'until=abc' is not a valid deadline" },
	{ BUF("10.0.0.1 until=0\n"), -EINVAL, "t.list:1: 'until=0' is not a valid deadline" },
	{ BUF("10.0.0.1 until=-1\n"), -EINVAL, "t.list:1: 'until=-1' is not a valid deadline" },
	{ BUF("10.0.0.1 until=1x\n"), -EINVAL, "t.list:1: 'until=1x' is not a valid deadline" },
	{ BUF("10.0.0.1\n10.0.0.2 timeout=3651d\n"), -EINVAL,
	  "t.list:2: duration '3651d' is too long (at most 3650d = 315360000 seconds" },
	{ BUF("10.0.0.1 timeout=18446744073\n"), -EINVAL, "t.list:1: duration '18446744073' is too long" },
	{ BUF("10.0.0.1\r5\n"), -EINVAL, "t.list:1: address contains whitespace" },
	{ BUF("::ffff:1.2.3.4\n"), -EINVAL, "t.list:1: '::ffff:1.2.3.4' is an IPv4-mapped" },
	{ BUF("fe80::1%eth0\n"), -EINVAL, "t.list:1: 'fe80::1%eth0' has a zone id" },
	{ BUF("10.0.0.1\n1\0.2\n"), -EINVAL, "t.list:2: NUL byte" },
	{ BUF("10.0.0.1 # \0\n"), -EINVAL, "t.list:1: NUL byte" },
	{ BUF("10.0.0.1\n\n\0"), -EINVAL, "t.list:3: NUL byte" },
};

static void format_set(const struct xdpfwd_prefix_set *s, char *buf, size_t len)
{
	char one[XDPFWD_PREFIX_STRLEN];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < s->n; i++) {
		assert_int_equal(xdpfwd_prefix_format(&s->v[i], one, sizeof(one)), 0);
		if (i)
			strncat(buf, " ", len - strlen(buf) - 1);
		strncat(buf, one, len - strlen(buf) - 1);
	}
}

/* timeout= lands about now + DURATION, until= exactly; lines without either never expire. */
static void check_expiry(size_t i, const char *buf, const struct xdpfwd_prefix *p)
{
	__u64 now = (__u64)time(NULL);

	if (strstr(buf, "timeout=10m") && p->addr[3] == 1 && (p->expires_at < now + 590 || p->expires_at > now + 610))
		fail_msg("case %zu: timeout=10m gave expires_at %llu at %llu", i, (unsigned long long)p->expires_at,
			 (unsigned long long)now);
	/* Year 5138: further than XDPFWD_DURATION_MAX, so held to now + that. */
	if (strstr(buf, "until=99999999999") && (p->expires_at < now - 1 + XDPFWD_DURATION_MAX ||
						 p->expires_at > now + XDPFWD_DURATION_MAX))
		fail_msg("case %zu: until= gave %llu at %llu", i, (unsigned long long)p->expires_at,
			 (unsigned long long)now);
	if (!strstr(buf, "timeout=") && !strstr(buf, "until=") && p->expires_at)
		fail_msg("case %zu: a plain line got an expiry", i);
}

static void test_parse_buf(void **state)
{
	struct xdpfwd_prefix_set s = {};
	const struct list_case *c;
	char err[256], got[512];
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(list_cases); i++) {
		c = &list_cases[i];
		ret = xdpfwd_listfile_parse_buf("t.list", c->buf, c->len, &s, err, sizeof(err));
		if (ret != c->ret)
			fail_msg("case %zu: returned %d, want %d (%s)", i, ret, c->ret, err);
		if (ret) {
			if (!strstr(err, c->want))
				fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, c->want);
			assert_int_equal(s.n, 0);
		} else {
			format_set(&s, got, sizeof(got));
			if (strcmp(got, c->want))
				fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, c->want);
			for (size_t j = 0; j < s.n; j++)
				check_expiry(i, c->buf, &s.v[j]);
		}
		xdpfwd_prefix_set_free(&s);
	}
}

/* Deadlines as the parser leaves them: never past now + XDPFWD_DURATION_MAX, never wrapped. */
static void test_expiry_limits(void **state)
{
	static const struct {
		const char *line;
		__u64 from_now;		/* expected expires_at - now, give or take a second */
	} cases[] = {
		{ "10.0.0.1 timeout=3650d\n", XDPFWD_DURATION_MAX },
		{ "10.0.0.1 timeout=315360000\n", XDPFWD_DURATION_MAX },
		{ "10.0.0.1 timeout=1\n", 1 },
		{ "10.0.0.1 until=18446744073709551615\n", XDPFWD_DURATION_MAX },
		{ "10.0.0.1 until=9223372036854775808\n", XDPFWD_DURATION_MAX },
		{ "10.0.0.1 until=99999999999999999999999999999\n", XDPFWD_DURATION_MAX },
	};
	struct xdpfwd_prefix_set s = {};
	char err[256];
	__u64 now;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		now = time(NULL);
		if (xdpfwd_listfile_parse_buf("t", cases[i].line, strlen(cases[i].line), &s, err, sizeof(err)))
			fail_msg("'%s': %s", cases[i].line, err);
		assert_int_equal(s.n, 1);
		if (s.v[0].expires_at < now + cases[i].from_now || s.v[0].expires_at > now + 1 + cases[i].from_now)
			fail_msg("'%s': expires_at %llu, now %llu", cases[i].line,
				 (unsigned long long)s.v[0].expires_at, (unsigned long long)now);
		xdpfwd_prefix_set_free(&s);
	}
}

/* Runs parse_buf with stderr going to a file; returns what was written there (caller frees). */
static char *parse_capturing_stderr(const char *buf, size_t len, struct xdpfwd_prefix_set *s)
{
	FILE *f = tmpfile();
	int saved, ret;
	char err[256], *out;
	long n;

	assert_non_null(f);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), 2) >= 0);
	ret = xdpfwd_listfile_parse_buf("t.list", buf, len, s, err, sizeof(err));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (ret)
		fail_msg("parse failed: %s", err);
	n = ftell(f) >= 0 ? lseek(fileno(f), 0, SEEK_END) : 0;
	out = calloc(1, n + 1);
	assert_non_null(out);
	assert_int_equal(pread(fileno(f), out, n, 0), n);
	fclose(f);
	return out;
}

/* An entry on several lines: the longest expiry stays, whatever the order; differing ones are named. */
static void test_repeated_entries(void **state)
{
	static const struct {
		const char *text;
		__u64 from_now;		/* 0: never expires */
		const char *warning;	/* NULL: none */
	} cases[] = {
		{ "10.0.0.1 timeout=1h\n10.0.0.1\n", 0,
		  "xdpfwd: t.list:2: warning: 10.0.0.1 is also on line 1 with another expiry; the longer one applies\n" },
		{ "10.0.0.1\n# c\n10.0.0.1 timeout=1h\n", 0,
		  "xdpfwd: t.list:3: warning: 10.0.0.1 is also on line 1 with another expiry; the longer one applies\n" },
		{ "10.0.0.1 timeout=2h\n10.0.0.1 timeout=1h\n10.0.0.1 timeout=2h\n", 7200,
		  "xdpfwd: t.list:2: warning: 10.0.0.1 is also on line 1 with another expiry; the longer one applies\n" },
		{ "10.0.0.1 timeout=1h\n10.0.0.1 timeout=2h\n", 7200, "t.list:2: warning" },
		/* The same expiry twice, and 60m = 1h: one entry, nothing to say. */
		{ "10.0.0.1 timeout=1h\n10.0.0.1 timeout=60m\n10.0.0.1/32 timeout=3600\n", 3600, NULL },
		{ "10.0.0.1\n10.0.0.1\n", 0, NULL },
	};
	struct xdpfwd_prefix_set s = {};
	__u64 now;
	size_t i;
	char *warn;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		now = time(NULL);
		warn = parse_capturing_stderr(cases[i].text, strlen(cases[i].text), &s);
		assert_int_equal(s.n, 1);
		if (cases[i].from_now ? s.v[0].expires_at < now + cases[i].from_now ||
					s.v[0].expires_at > now + 1 + cases[i].from_now : s.v[0].expires_at != 0)
			fail_msg("case %zu: expires_at %llu at %llu", i, (unsigned long long)s.v[0].expires_at,
				 (unsigned long long)now);
		if (cases[i].warning ? !strstr(warn, cases[i].warning) : warn[0] != '\0')
			fail_msg("case %zu: stderr \"%s\", want \"%s\"", i, warn, cases[i].warning ?: "");
		free(warn);
		xdpfwd_prefix_set_free(&s);
	}
}

/* Many repeats: XDPFWD_LISTFILE_WARN_MAX lines, then a count; lines counted across the two-thread cut. */
static void test_repeated_entries_big(void **state)
{
	const unsigned int count = 120000;	/* > 1 MiB: two parts */
	struct xdpfwd_prefix_set s = {};
	char *buf, *w, *warn, want[160];
	unsigned int i, lines = 0;

	(void)state;
	buf = malloc(2 * count * 32);
	assert_non_null(buf);
	w = buf;
	for (i = 0; i < count; i++, lines++)
		w += sprintf(w, "10.%u.%u.%u\n", i >> 16, (i >> 8) & 0xff, i & 0xff);
	for (i = 0; i < 12; i++, lines++)
		w += sprintf(w, "10.%u.%u.%u timeout=1h\n", i >> 16, (i >> 8) & 0xff, i & 0xff);
	assert_true(w - buf >= 1 << 20);
	warn = parse_capturing_stderr(buf, w - buf, &s);
	assert_int_equal(s.n, count);
	for (i = 0; i < s.n; i++)
		assert_int_equal(s.v[i].expires_at, 0);
	snprintf(want, sizeof(want), "xdpfwd: t.list:%u: warning: 10.0.0.0 is also on line 1 with another expiry",
		 count + 1);
	if (!strstr(warn, want))
		fail_msg("stderr \"%s\" lacks \"%s\"", warn, want);
	assert_non_null(strstr(warn, "xdpfwd: t.list: warning: 2 more entries repeated with another expiry\n"));
	free(warn);
	xdpfwd_prefix_set_free(&s);
	free(buf);
}

/* "10.0.0.1\n" then a line of exactly len bytes: an address, padding and a comment. */
static char *long_line_file(size_t len, const char *eol)
{
	static const char head[] = "10.0.0.1\n192.0.2.1", tail[] = "#comment";
	size_t pad = len - strlen("192.0.2.1") - strlen(tail);
	char *buf = malloc(strlen(head) + pad + strlen(tail) + strlen(eol) + 1);

	assert_non_null(buf);
	strcpy(buf, head);
	memset(buf + strlen(head), ' ', pad);
	strcpy(buf + strlen(head) + pad, tail);
	strcat(buf, eol);
	return buf;
}

static void test_line_length(void **state)
{
	static const struct {
		size_t len;
		const char *eol;
		int ret;
	} cases[] = {
		{ 4096, "", 0 },
		{ 4096, "\n", 0 },
		{ 4096, "\r\n", 0 },
		{ 4097, "", -EINVAL },
		{ 4097, "\r\n", -EINVAL },
		{ 100000, "\n", -EINVAL },
	};
	struct xdpfwd_prefix_set s = {};
	char err[128], *buf;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		buf = long_line_file(cases[i].len, cases[i].eol);
		assert_int_equal(strlen(buf), strlen("10.0.0.1\n") + cases[i].len + strlen(cases[i].eol));
		assert_int_equal(xdpfwd_listfile_parse_buf("big", buf, strlen(buf), &s, err, sizeof(err)),
				 cases[i].ret);
		if (cases[i].ret)
			assert_string_equal(err, "big:2: line is longer than 4096 bytes");
		else
			assert_int_equal(s.n, 2);
		xdpfwd_prefix_set_free(&s);
		free(buf);
	}
}

static void test_failure_keeps_set(void **state)
{
	struct xdpfwd_prefix_set s = {};
	struct xdpfwd_prefix p;
	char err[128], got[256];

	(void)state;
	assert_int_equal(xdpfwd_prefix_parse("192.0.2.1", &p, NULL, 0), 0);
	assert_int_equal(xdpfwd_prefix_set_add(&s, &p), 0);
	assert_int_equal(xdpfwd_listfile_parse_buf("a", BUF("10.0.0.1\n10.0.0.2\nx\n"), &s, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "a:3: 'x' is not an IPv4 or IPv6 address");
	format_set(&s, got, sizeof(got));
	assert_string_equal(got, "192.0.2.1");

	/* Loading another file merges into the set, without duplicates. */
	assert_int_equal(xdpfwd_listfile_parse_buf("b", BUF("10.0.0.1\n192.0.2.1\n"), &s, err, sizeof(err)), 0);
	format_set(&s, got, sizeof(got));
	assert_string_equal(got, "10.0.0.1 192.0.2.1");
	xdpfwd_prefix_set_free(&s);
	assert_null(s.v);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.cap, 0);
	xdpfwd_prefix_set_free(&s);
}

static void test_set_add(void **state)
{
	struct xdpfwd_prefix_set s = {};
	struct xdpfwd_prefix p = { .family = 4, .prefixlen = 32 };
	unsigned int i;

	(void)state;
	/* Past the first allocation, twice over, to exercise growth and de-duplication. */
	for (i = 0; i < 2 * 300; i++) {
		p.addr[2] = (i % 300) >> 8;
		p.addr[3] = (i % 300) & 0xff;
		assert_int_equal(xdpfwd_prefix_set_add(&s, &p), 0);
	}
	assert_int_equal(s.n, 300);
	p.prefixlen = 31;
	assert_int_equal(xdpfwd_prefix_set_add(&s, &p), 0);
	assert_int_equal(s.n, 301);
	xdpfwd_prefix_set_free(&s);
}

static void test_big_buffer(void **state)
{
	const unsigned int count = 50000;
	struct xdpfwd_prefix_set s = {};
	char *buf, *w, err[128], want[128];
	unsigned int i;

	(void)state;
	buf = malloc(2 * count * 20);
	assert_non_null(buf);
	w = buf;
	for (i = 0; i < 2 * count; i++)
		w += sprintf(w, "10.%u.%u.%u\n", (i % count) >> 16, ((i % count) >> 8) & 0xff,
			     (i % count) & 0xff);
	/* Over 1 MiB: parsed in two halves on two threads, with duplicates across the cut. */
	assert_true(w - buf >= 1 << 20);
	assert_int_equal(xdpfwd_listfile_parse_buf("big", buf, w - buf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, count);
	for (i = 1; i < s.n; i++)
		assert_true(memcmp(s.v[i - 1].addr, s.v[i].addr, 4) < 0);
	xdpfwd_prefix_set_free(&s);

	/* A bad line in the second half is reported with its line number in the whole file... */
	w[-2] = 'x';	/* the last line, "10.0.195.79" */
	assert_int_equal(xdpfwd_listfile_parse_buf("big", buf, w - buf, &s, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "big:%u: '10.0.195.7x' is not an IPv4 or IPv6 address", 2 * count);
	assert_string_equal(err, want);
	/* ...and one in the first half wins over it. */
	buf[16] = 'y';	/* line 2, "10.0.0.1" */
	assert_int_equal(xdpfwd_listfile_parse_buf("big", buf, w - buf, &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "big:2: '10.0.0.y' is not an IPv4 or IPv6 address");
	assert_int_equal(s.n, 0);
	free(buf);
}

static void test_err_truncation(void **state)
{
	struct xdpfwd_prefix_set s = {};
	char err[8];

	(void)state;
	assert_int_equal(xdpfwd_listfile_parse_buf("t", BUF("x\n"), &s, NULL, 0), -EINVAL);
	memset(err, 'X', sizeof(err));
	assert_int_equal(xdpfwd_listfile_parse_buf("t", BUF("x\n"), &s, err, 1), -EINVAL);
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'X');
	memset(err, 'X', sizeof(err));
	assert_int_equal(xdpfwd_listfile_read("/nonexistent/x", &s, err, 4), -ENOENT);
	assert_string_equal(err, "/no");
	assert_int_equal(err[4], 'X');
	assert_int_equal(xdpfwd_listfile_read("/nonexistent/x", &s, NULL, 0), -ENOENT);
	assert_int_equal(s.n, 0);
	xdpfwd_prefix_set_free(&s);
}

/* The file lives in setup/teardown so a failing assertion still removes it. */
static char tmp_path[] = "/tmp/xdpfwd-test-listfile-XXXXXX";

static int tmp_file_setup(void **state)
{
	int fd = mkstemp(tmp_path);

	if (fd < 0)
		return -1;
	*state = (void *)(intptr_t)fd;
	return 0;
}

static int tmp_file_teardown(void **state)
{
	close((int)(intptr_t)*state);
	return unlink(tmp_path);
}

static void test_read_file(void **state)
{
	static const char text[] = "# blocklist\r\n198.18.0.0/15\r\n2001:2::/48  # bench\r\n198.18.0.0/15\r\n";
	struct xdpfwd_prefix_set s = {};
	int fd = (int)(intptr_t)*state;
	char err[256], got[128], want[300];

	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	assert_int_equal(xdpfwd_listfile_read(tmp_path, &s, err, sizeof(err)), 0);
	format_set(&s, got, sizeof(got));
	assert_string_equal(got, "198.18.0.0/15 2001:2::/48");

	assert_int_equal(write(fd, "198.18.0.1/15\n", 14), 14);
	assert_int_equal(xdpfwd_listfile_read(tmp_path, &s, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:5: '198.18.0.1/15' has host bits set", tmp_path);
	assert_non_null(strstr(err, want));
	assert_int_equal(s.n, 2);

	/* A NUL stops the read where it is, with its line. */
	assert_int_equal(write(fd, "10.0.0.1\n\0\n", 11), 11);
	assert_int_equal(xdpfwd_listfile_read(tmp_path, &s, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:7: NUL byte in line", tmp_path);
	assert_non_null(strstr(err, want));
	assert_int_equal(s.n, 2);
	xdpfwd_prefix_set_free(&s);
}

static void test_read_errors(void **state)
{
	static const struct {
		const char *path;
		int ret;
	} cases[] = {
		{ "/nonexistent/xdpfwd/blocklist.txt", -ENOENT },
		{ "/", -EISDIR },
	};
	struct xdpfwd_prefix_set s = {};
	char err[256], want[300];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(xdpfwd_listfile_read(cases[i].path, &s, err, sizeof(err)), cases[i].ret);
		snprintf(want, sizeof(want), "%s: %s", cases[i].path, strerror(-cases[i].ret));
		assert_string_equal(err, want);
		assert_int_equal(s.n, 0);
	}
	xdpfwd_prefix_set_free(&s);
}

/* Where `make check-unit` runs the tests from: the top of the tree. */
#define FEEDS "tests/fixtures/feeds/"

/*
 * The feed formats on buffers: format given or detected, min_score, and
 * what the reader reports back. want as in list_case.
 */
struct format_case {
	enum xdpfwd_list_format format;
	unsigned int min_score;
	const char *text;
	int ret;
	const char *want;
	enum xdpfwd_list_format used;
	size_t entries, below;		/* checked on success */
};

static const struct format_case format_cases[] = {
	/* auto: the first ';' line or line starting with an address decides. */
	{ XDPFWD_LIST_AUTO, 0, "", 0, "", XDPFWD_LIST_PLAIN, 0, 0 },
	{ XDPFWD_LIST_AUTO, 0, "# only\n\n", 0, "", XDPFWD_LIST_PLAIN, 0, 0 },
	{ XDPFWD_LIST_AUTO, 0, "; Spamhaus DROP List\n", 0, "", XDPFWD_LIST_SPAMHAUS, 0, 0 },
	{ XDPFWD_LIST_AUTO, 0, "# c\n198.18.0.0/15 ; SBL1\n192.0.2.0/24 ; SBL2\n", 0, "192.0.2.0/24 198.18.0.0/15",
	  XDPFWD_LIST_SPAMHAUS, 2, 0 },
	{ XDPFWD_LIST_AUTO, 0, "# c\n192.0.2.1\t3\n192.0.2.2 1\n192.0.2.3\t0\n", 0, "192.0.2.1 192.0.2.2",
	  XDPFWD_LIST_IPSUM, 3, 1 },
	{ XDPFWD_LIST_AUTO, 0, "192.0.2.1\n192.0.2.2 timeout=1h\n", 0, "192.0.2.1 192.0.2.2", XDPFWD_LIST_PLAIN, 2, 0 },
	{ XDPFWD_LIST_AUTO, 0, "#\n198.18.0.0/15\n2001:db8::/32\n", 0, "198.18.0.0/15 2001:db8::/32",
	  XDPFWD_LIST_PLAIN, 2, 0 },
	/* Junk before the first address does not decide (it is still an error when strict). */
	{ XDPFWD_LIST_AUTO, 0, "<html>\n192.0.2.1\t5\n", -EINVAL, "t.feed:1: '<html>' is not an IPv4 or IPv6 address",
	  XDPFWD_LIST_IPSUM, 0, 0 },
	/* Decided by the first entry: a later line of another shape is an error of that format. */
	{ XDPFWD_LIST_AUTO, 0, "192.0.2.1 4\n192.0.2.2\n", -EINVAL, "t.feed:2: no count after the address",
	  XDPFWD_LIST_IPSUM, 0, 0 },
	{ XDPFWD_LIST_AUTO, 0, "192.0.2.1\n192.0.2.2 4\n", -EINVAL, "t.feed:2: unexpected '4' after the address",
	  XDPFWD_LIST_PLAIN, 0, 0 },
	/* Explicit formats; netset and spamhaus read as plain does. */
	{ XDPFWD_LIST_NETSET, 0, "# netset\n192.0.2.0/24\n198.51.100.7\n", 0, "192.0.2.0/24 198.51.100.7",
	  XDPFWD_LIST_NETSET, 2, 0 },
	{ XDPFWD_LIST_SPAMHAUS, 0, "; DROP\n2001:db8::/40 ; SBL1\n", 0, "2001:db8::/40", XDPFWD_LIST_SPAMHAUS, 1, 0 },
	{ XDPFWD_LIST_PLAIN, 0, "; x\n192.0.2.1 ; y\n", 0, "192.0.2.1", XDPFWD_LIST_PLAIN, 1, 0 },
	/* ipsum's min_score: 0 is the default, 1; COUNT below it leaves the entry out. */
	{ XDPFWD_LIST_IPSUM, 0, "192.0.2.1\t1\n192.0.2.2\t0\n", 0, "192.0.2.1", XDPFWD_LIST_IPSUM, 2, 1 },
	{ XDPFWD_LIST_IPSUM, 1, "192.0.2.1\t1\n192.0.2.2\t0\n", 0, "192.0.2.1", XDPFWD_LIST_IPSUM, 2, 1 },
	{ XDPFWD_LIST_IPSUM, 3, "192.0.2.1\t2\n192.0.2.2\t3\n192.0.2.3\t10\n192.0.2.4\t003\n", 0,
	  "192.0.2.2 192.0.2.3 192.0.2.4", XDPFWD_LIST_IPSUM, 4, 1 },
	{ XDPFWD_LIST_IPSUM, 11, "192.0.2.1\t10\n", 0, "", XDPFWD_LIST_IPSUM, 1, 1 },
	{ XDPFWD_LIST_IPSUM, 0, "  192.0.2.1 \t 7 \t# c\r\n2001:db8::1\t2 ; c\n", 0, "192.0.2.1 2001:db8::1",
	  XDPFWD_LIST_IPSUM, 2, 0 },
	/* A listed address twice: one entry, as in any format. */
	{ XDPFWD_LIST_IPSUM, 2, "192.0.2.1\t1\n192.0.2.1\t4\n", 0, "192.0.2.1", XDPFWD_LIST_IPSUM, 2, 1 },
	{ XDPFWD_LIST_IPSUM, 0, "192.0.2.1\n", -EINVAL, "t.feed:1: no count after the address (ipsum lines are",
	  XDPFWD_LIST_IPSUM, 0, 0 },
	{ XDPFWD_LIST_IPSUM, 0, "192.0.2.1\tx\n", -EINVAL, "t.feed:1: 'x' is not a count", XDPFWD_LIST_IPSUM, 0, 0 },
	{ XDPFWD_LIST_IPSUM, 0, "192.0.2.1\t-1\n", -EINVAL, "t.feed:1: '-1' is not a count", XDPFWD_LIST_IPSUM, 0, 0 },
	{ XDPFWD_LIST_IPSUM, 0, "192.0.2.1\t1234567890\n", -EINVAL, "t.feed:1: '1234567890' is not a count",
	  XDPFWD_LIST_IPSUM, 0, 0 },
	{ XDPFWD_LIST_IPSUM, 0, "192.0.2.1\t3 4\n", -EINVAL, "t.feed:1: unexpected '4' after the count",
	  XDPFWD_LIST_IPSUM, 0, 0 },
	{ XDPFWD_LIST_IPSUM, 0, "192.0.2.1 timeout=1h\n", -EINVAL, "t.feed:1: 'timeout=1h' is not a count",
	  XDPFWD_LIST_IPSUM, 0, 0 },
	/* Host bits stay an error in every format. */
	{ XDPFWD_LIST_IPSUM, 0, "10.0.0.1/8\t3\n", -EINVAL, "t.feed:1: '10.0.0.1/8' has host bits set",
	  XDPFWD_LIST_IPSUM, 0, 0 },
	{ XDPFWD_LIST_SPAMHAUS, 0, "10.0.0.1/8 ; SBL1\n", -EINVAL, "t.feed:1: '10.0.0.1/8' has host bits set",
	  XDPFWD_LIST_SPAMHAUS, 0, 0 },
	{ XDPFWD_LIST_AUTO, 0, "; DROP\n10.0.0.1/8 ; SBL1\n", -EINVAL, "t.feed:2: '10.0.0.1/8' has host bits set",
	  XDPFWD_LIST_SPAMHAUS, 0, 0 },
	{ XDPFWD_LIST_NETSET, 0, "10.0.0.1/8\n", -EINVAL, "t.feed:1: '10.0.0.1/8' has host bits set",
	  XDPFWD_LIST_NETSET, 0, 0 },
	{ (enum xdpfwd_list_format)9, 0, "192.0.2.1\n", -EINVAL, "t.feed: list format 9 is not one xdpfwd knows",
	  (enum xdpfwd_list_format)9, 0, 0 },
};

static void test_formats(void **state)
{
	struct xdpfwd_prefix_set s = {};
	struct xdpfwd_listfile_opts o;
	const struct format_case *c;
	char err[256], got[512];
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(format_cases); i++) {
		c = &format_cases[i];
		memset(&o, 0xa5, sizeof(o));	/* every out field must be written */
		o.format = c->format;
		o.min_score = c->min_score;
		o.skip_invalid = 0;
		ret = xdpfwd_listfile_parse_buf_opts("t.feed", c->text, strlen(c->text), &s, &o, err, sizeof(err));
		if (ret != c->ret)
			fail_msg("case %zu: returned %d, want %d (%s)", i, ret, c->ret, err);
		if (o.format_used != c->used)
			fail_msg("case %zu: read as %d, want %d", i, o.format_used, c->used);
		assert_int_equal(o.skipped, 0);
		assert_int_equal(o.nmsgs, 0);
		if (ret) {
			if (!strstr(err, c->want))
				fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, c->want);
			assert_int_equal(s.n, 0);
		} else {
			format_set(&s, got, sizeof(got));
			if (strcmp(got, c->want))
				fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, c->want);
			if (o.entries != c->entries || o.below_score != c->below)
				fail_msg("case %zu: %zu entries, %zu below score; want %zu, %zu", i, o.entries,
					 o.below_score, c->entries, c->below);
		}
		xdpfwd_prefix_set_free(&s);
	}
}

static void test_format_names(void **state)
{
	static const char *const names[] = { "auto", "plain", "netset", "spamhaus", "ipsum" };
	enum xdpfwd_list_format f;
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(xdpfwd_list_format_parse(names[i], &f, err, sizeof(err)), 0);
		assert_int_equal(f, i);
		assert_string_equal(xdpfwd_list_format_name(f), names[i]);
	}
	f = XDPFWD_LIST_IPSUM;
	assert_int_equal(xdpfwd_list_format_parse("drop", &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'drop' is not a list format (auto, plain, netset, spamhaus or ipsum)");
	assert_int_equal(xdpfwd_list_format_parse("", &f, NULL, 0), -EINVAL);
	assert_int_equal(f, XDPFWD_LIST_IPSUM);
	assert_null(xdpfwd_list_format_name((enum xdpfwd_list_format)5));
	assert_null(xdpfwd_list_format_name((enum xdpfwd_list_format)-1));
}

/* The hand-made samples of each feed, read from their files as `load` reads them. */
static void test_feed_fixtures(void **state)
{
	static const struct {
		const char *file;
		enum xdpfwd_list_format format;
		unsigned int min_score;
		enum xdpfwd_list_format used;
		size_t entries, below;
		const char *want;
	} cases[] = {
		{ "spamhaus_drop.txt", XDPFWD_LIST_AUTO, 0, XDPFWD_LIST_SPAMHAUS, 6, 0,
		  "192.0.2.0/25 198.18.0.0/20 198.18.64.0/18 198.19.0.0/16 198.51.100.0/24 203.0.113.128/25" },
		{ "spamhaus_drop.txt", XDPFWD_LIST_SPAMHAUS, 0, XDPFWD_LIST_SPAMHAUS, 6, 0,
		  "192.0.2.0/25 198.18.0.0/20 198.18.64.0/18 198.19.0.0/16 198.51.100.0/24 203.0.113.128/25" },
		{ "spamhaus_dropv6.txt", XDPFWD_LIST_AUTO, 0, XDPFWD_LIST_SPAMHAUS, 4, 0,
		  "2001:2::/48 2001:db8::/40 2001:db8:100::/40 2001:db8:ff00::/40" },
		{ "firehol_level1.netset", XDPFWD_LIST_AUTO, 0, XDPFWD_LIST_PLAIN, 6, 0,
		  "192.0.2.0/24 198.18.0.0/15 198.51.100.7 198.51.100.64/26 203.0.113.0/26 203.0.113.64/27" },
		{ "firehol_level1.netset", XDPFWD_LIST_NETSET, 0, XDPFWD_LIST_NETSET, 6, 0,
		  "192.0.2.0/24 198.18.0.0/15 198.51.100.7 198.51.100.64/26 203.0.113.0/26 203.0.113.64/27" },
		{ "ipsum.txt", XDPFWD_LIST_AUTO, 0, XDPFWD_LIST_IPSUM, 12, 0,
		  "192.0.2.9 192.0.2.44 198.18.0.77 198.18.7.1 198.18.200.14 198.19.1.1 198.51.100.3 198.51.100.23 "
		  "198.51.100.200 203.0.113.9 203.0.113.77 203.0.113.250" },
		{ "ipsum.txt", XDPFWD_LIST_IPSUM, 3, XDPFWD_LIST_IPSUM, 12, 3,
		  "192.0.2.44 198.18.7.1 198.18.200.14 198.51.100.3 198.51.100.23 198.51.100.200 203.0.113.9 "
		  "203.0.113.77 203.0.113.250" },
		{ "ipsum.txt", XDPFWD_LIST_AUTO, 8, XDPFWD_LIST_IPSUM, 12, 9, "198.18.7.1 198.51.100.23 203.0.113.9" },
		{ "ipsum.txt", XDPFWD_LIST_IPSUM, 10, XDPFWD_LIST_IPSUM, 12, 11, "198.51.100.23" },
	};
	struct xdpfwd_listfile_opts o;
	struct xdpfwd_prefix_set s = {};
	char err[512], got[1024];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char path[256];

		snprintf(path, sizeof(path), FEEDS "%s", cases[i].file);
		o = (struct xdpfwd_listfile_opts){ .format = cases[i].format, .min_score = cases[i].min_score };
		if (xdpfwd_listfile_read_opts(path, &s, &o, err, sizeof(err)))
			fail_msg("case %zu: %s", i, err);
		format_set(&s, got, sizeof(got));
		if (strcmp(got, cases[i].want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
		if (o.format_used != cases[i].used || o.entries != cases[i].entries || o.below_score != cases[i].below)
			fail_msg("case %zu: read as %d, %zu entries, %zu below score", i, o.format_used, o.entries,
				 o.below_score);
		assert_int_equal(o.skipped, 0);
		for (size_t j = 0; j < s.n; j++)
			assert_int_equal(s.v[j].expires_at, 0);
		xdpfwd_prefix_set_free(&s);
	}
}

/* The junk sample: 6 good lines among 12 bad ones, the first two an HTML error page. */
static void test_skip_invalid(void **state)
{
	static const char *const kept[] = {
		"1: '<!DOCTYPE' is not an IPv4 or IPv6 address",
		"2: '<html><head><title>502' is not an IPv4 or IPv6 address",
		"5: '198.18.0.1/15' has host bits set",
		"7: 'not-an-address' is not",
		"8: '198.18.0.300' is not",
		"9: prefix length 33 is out of range",
		"10: '2001:db8::1%eth0' has a zone id",
		"11: '198.51.100.1;198.51.100.2' is not",
		"12: ",
		"14: '::ffff:192.0.2.1' is an IPv4-mapped",
	};
	struct xdpfwd_listfile_opts o = { .skip_invalid = 1 };
	struct xdpfwd_prefix_set s = {};
	char err[512], got[512], want[300];
	size_t i;

	(void)state;
	/* Without skip_invalid the first bad line rejects the file. */
	assert_int_equal(xdpfwd_listfile_read(FEEDS "junk.txt", &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, FEEDS "junk.txt:1: '<!DOCTYPE' is not an IPv4 or IPv6 address");
	assert_int_equal(s.n, 0);

	assert_int_equal(xdpfwd_listfile_read_opts(FEEDS "junk.txt", &s, &o, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	format_set(&s, got, sizeof(got));
	assert_string_equal(got, "192.0.2.1 198.51.100.0/24 203.0.113.0/24 203.0.113.7 2001:2::/48 2001:db8::/32");
	assert_int_equal(o.format_used, XDPFWD_LIST_PLAIN);
	assert_int_equal(o.entries, 6);
	assert_int_equal(o.skipped, 12);
	assert_int_equal(o.nmsgs, XDPFWD_LISTFILE_WARN_MAX);
	assert_int_equal(ARRAY_SIZE(kept), XDPFWD_LISTFILE_WARN_MAX);
	for (i = 0; i < o.nmsgs; i++) {
		snprintf(want, sizeof(want), FEEDS "junk.txt:%s", kept[i]);
		if (strncmp(o.msgs[i], want, strlen(want)))
			fail_msg("message %zu: \"%s\", want \"%s...\"", i, o.msgs[i], want);
	}
	xdpfwd_prefix_set_free(&s);
}

/* A name longer than a kept message: the messages and the error are cut to fit, never overrun. */
static void test_skip_invalid_long_name(void **state)
{
	struct xdpfwd_listfile_opts o = { .skip_invalid = 1 };
	struct xdpfwd_prefix_set s = {};
	char name[700], err[1024];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(xdpfwd_listfile_parse_buf_opts(name, BUF("x\n192.0.2.1\n"), &s, &o, err, sizeof(err)), 0);
	assert_int_equal(o.nmsgs, 1);
	assert_int_equal(strlen(o.msgs[0]), XDPFWD_LISTFILE_MSG_MAX - 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(xdpfwd_listfile_parse_buf_opts(name, BUF("x\ny\n"), &s, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": none of its 2 entry lines is valid (line 1: 'x' is not an IPv4 or IPv6 address)"));
	assert_int_equal(s.n, 1);
	xdpfwd_prefix_set_free(&s);
}

/* Bad lines on both sides of the two-thread cut: counted and kept in file order, with file line numbers. */
static void test_skip_invalid_big(void **state)
{
	const unsigned int count = 80000;	/* > 1 MiB: two parts */
	struct xdpfwd_listfile_opts o = { .format = XDPFWD_LIST_IPSUM, .min_score = 2, .skip_invalid = 1 };
	struct xdpfwd_prefix_set s = {};
	unsigned int i, bad = 0, below = 0, lines[XDPFWD_LISTFILE_WARN_MAX];
	char *buf, *w, err[256], want[128];

	(void)state;
	buf = malloc(count * 40);
	assert_non_null(buf);
	w = buf;
	for (i = 0; i < count; i++) {
		/* A bad line every 7000 (the seventh is past half the file), every fifth under the score. */
		if (i % 7000 == 3) {
			if (bad < XDPFWD_LISTFILE_WARN_MAX)
				lines[bad] = i + 1;
			bad++;
			w += sprintf(w, "198.18.%u.%u/8\t5\n", (i >> 8) & 0xff, i & 0xff);
			continue;
		}
		below += i % 5 == 0;
		w += sprintf(w, "198.%u.%u.%u\t%u\n", 18 + (i >> 16), (i >> 8) & 0xff, i & 0xff, i % 5 ? 7 : 1);
	}
	assert_true(w - buf >= 1 << 20);
	assert_int_equal(bad, 12);
	assert_int_equal(xdpfwd_listfile_parse_buf_opts("big", buf, w - buf, &s, &o, err, sizeof(err)), 0);
	assert_int_equal(o.skipped, bad);
	assert_int_equal(o.entries, count - bad);
	assert_int_equal(o.below_score, below);
	assert_int_equal(s.n, count - bad - below);
	assert_int_equal(o.nmsgs, XDPFWD_LISTFILE_WARN_MAX);
	for (i = 0; i < o.nmsgs; i++) {
		snprintf(want, sizeof(want), "big:%u: '198.18.", lines[i]);
		if (strncmp(o.msgs[i], want, strlen(want)) || !strstr(o.msgs[i], "' has host bits set"))
			fail_msg("message %u: \"%s\", want \"%s...\"", i, o.msgs[i], want);
	}
	/* The same file strict: the first bad line, nothing loaded. */
	xdpfwd_prefix_set_free(&s);
	o.skip_invalid = 0;
	assert_int_equal(xdpfwd_listfile_parse_buf_opts("big", buf, w - buf, &s, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "big:4: '198.18.0.3/8' has host bits set"));
	assert_int_equal(s.n, 0);
	free(buf);
}

static void expect_set(const struct xdpfwd_prefix_set *s, const struct xdpfwd_prefix_set *want)
{
	size_t i;

	assert_int_equal(s->n, want->n);
	for (i = 0; i < s->n; i++) {
		assert_int_equal(xdpfwd_prefix_cmp(&s->v[i], &want->v[i]), 0);
		assert_int_equal(s->v[i].expires_at, want->v[i].expires_at);
		assert_int_equal(s->v[i].line, want->v[i].line);
	}
}

/* A bad file, strict or with every line bad, leaves a set that held entries exactly as it was. */
static void test_bad_file_keeps_set(void **state)
{
	static const struct {
		enum xdpfwd_list_format format;
		int skip_invalid;
		const char *text;
		const char *want;
	} cases[] = {
		{ XDPFWD_LIST_AUTO, 0, "; DROP\n192.0.2.0/24 ; SBL1\n192.0.2.1/24 ; SBL2\n", "t:3: '192.0.2.1/24' has host" },
		{ XDPFWD_LIST_SPAMHAUS, 0, "192.0.2.0/24 ; SBL1\nx ; SBL2\n", "t:2: 'x' is not" },
		{ XDPFWD_LIST_IPSUM, 0, "192.0.2.7\t3\n192.0.2.8\n", "t:2: no count" },
		{ XDPFWD_LIST_NETSET, 0, "198.51.100.0/24\n198.51.100.0/33\n", "t:2: prefix length 33" },
		{ XDPFWD_LIST_PLAIN, 1, "192.0.2.7 \0\n", "t:1: NUL byte" },
		/* skip_invalid, but not one good entry line: not a feed, an error page. */
		{ XDPFWD_LIST_AUTO, 1, "<html>\n<body>502</body>\n</html>\n",
		  "t: none of its 3 entry lines is valid (line 1: '<html>' is not an IPv4 or IPv6 address); "
		  "is it a plain list?" },
		{ XDPFWD_LIST_IPSUM, 1, "# ipsum\n192.0.2.7\n192.0.2.8\tx\n", "t: none of its 2 entry lines is valid" },
	};
	struct xdpfwd_listfile_opts o;
	struct xdpfwd_prefix_set s = {}, before = {};
	struct xdpfwd_prefix p;
	char err[256];
	size_t i;

	(void)state;
	assert_int_equal(xdpfwd_listfile_parse_buf("old", BUF("192.0.2.7 timeout=1h\n2001:db8::/32\n"), &before, err,
						   sizeof(err)), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (size_t j = 0; j < before.n; j++) {
			p = before.v[j];
			assert_int_equal(xdpfwd_prefix_set_push(&s, &p), 0);
		}
		o = (struct xdpfwd_listfile_opts){ .format = cases[i].format, .skip_invalid = cases[i].skip_invalid };
		/* strlen would stop at the NUL of that case: its length is the text's up to the final newline. */
		assert_true(xdpfwd_listfile_parse_buf_opts("t", cases[i].text, strlen(cases[i].text) + (i == 4 ? 2 : 0),
							   &s, &o, err, sizeof(err)) < 0);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu: error \"%s\", want \"%s...\"", i, err, cases[i].want);
		expect_set(&s, &before);
		xdpfwd_prefix_set_free(&s);
	}
	xdpfwd_prefix_set_free(&before);
}

/* Written with xdpfwd_listfile_write, read back (auto, as `load` would): the same set, deadlines and all. */
static void test_write_round_trip(void **state)
{
	static const char text[] =
		"198.18.0.0/15\n192.0.2.7 until=%llu\n2001:db8::/32 until=%llu\n0.0.0.0/0\n::/0 until=%llu\n"
		"2001:2::1\n203.0.113.0/24 until=%llu\n";
	__u64 now = time(NULL);
	struct xdpfwd_listfile_opts o = {};
	struct xdpfwd_prefix_set s = {}, back = {};
	char in[512], err[256], *out = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	snprintf(in, sizeof(in), text, (unsigned long long)now + 60, (unsigned long long)now + 86400,
		 (unsigned long long)now + XDPFWD_DURATION_MAX - 5, (unsigned long long)now + 3600);
	assert_int_equal(xdpfwd_listfile_parse_buf("in", in, strlen(in), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 7);

	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(xdpfwd_listfile_write(f, &s, "xdpfwd-set: kind=block\n\nsaved by a test"), 0);
	fclose(f);
	assert_non_null(strstr(out, "# xdpfwd-set: kind=block\n#\n# saved by a test\n0.0.0.0/0 # --force\n"));
	snprintf(in, sizeof(in), "\n192.0.2.7 until=%llu\n", (unsigned long long)now + 60);
	assert_non_null(strstr(out, in));
	snprintf(in, sizeof(in), "\n::/0 until=%llu # --force\n", (unsigned long long)now + XDPFWD_DURATION_MAX - 5);
	assert_non_null(strstr(out, in));
	assert_non_null(strstr(out, "\n2001:2::1\n"));

	assert_int_equal(xdpfwd_listfile_parse_buf_opts("back", out, len, &back, &o, err, sizeof(err)), 0);
	assert_int_equal(o.format_used, XDPFWD_LIST_PLAIN);
	assert_int_equal(back.n, s.n);
	for (i = 0; i < s.n; i++) {
		assert_int_equal(xdpfwd_prefix_cmp(&back.v[i], &s.v[i]), 0);
		assert_int_equal(back.v[i].expires_at, s.v[i].expires_at);
	}
	/* The strict reader of old callers reads it the same. */
	xdpfwd_prefix_set_free(&back);
	assert_int_equal(xdpfwd_listfile_parse_buf("back", out, len, &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, s.n);
	free(out);
	xdpfwd_prefix_set_free(&back);

	/* An empty set: only the comment, which reads back as nothing. */
	out = NULL;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(xdpfwd_listfile_write(f, &back, NULL), 0);
	fclose(f);
	assert_int_equal(len, 0);
	free(out);
	xdpfwd_prefix_set_free(&s);
}

/* Every fixture written out and read back gives its set again. */
static void test_fixture_round_trip(void **state)
{
	static const char *const files[] = { "spamhaus_drop.txt", "spamhaus_dropv6.txt", "firehol_level1.netset",
					     "ipsum.txt" };
	struct xdpfwd_prefix_set s = {}, back = {};
	char path[256], err[512], *out = NULL;
	size_t len = 0, i, j;
	FILE *f;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), FEEDS "%s", files[i]);
		assert_int_equal(xdpfwd_listfile_read_opts(path, &s, NULL, err, sizeof(err)), 0);
		assert_true(s.n > 0);
		f = open_memstream(&out, &len);
		assert_non_null(f);
		assert_int_equal(xdpfwd_listfile_write(f, &s, path), 0);
		fclose(f);
		assert_int_equal(xdpfwd_listfile_parse_buf_opts("back", out, len, &back, NULL, err, sizeof(err)), 0);
		assert_int_equal(back.n, s.n);
		for (j = 0; j < s.n; j++)
			assert_int_equal(xdpfwd_prefix_cmp(&back.v[j], &s.v[j]), 0);
		free(out);
		out = NULL;
		xdpfwd_prefix_set_free(&s);
		xdpfwd_prefix_set_free(&back);
	}
}

static void test_write_errors(void **state)
{
	struct xdpfwd_prefix_set s = {};
	struct xdpfwd_prefix p = { .family = 4, .prefixlen = 40 };
	char *big;
	FILE *f;

	(void)state;
	/* A comment line the reader would refuse is refused before anything is written. */
	big = malloc(XDPFWD_LISTFILE_LINE_MAX);
	assert_non_null(big);
	memset(big, 'c', XDPFWD_LISTFILE_LINE_MAX - 1);
	big[XDPFWD_LISTFILE_LINE_MAX - 1] = '\0';
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	assert_int_equal(xdpfwd_listfile_write(f, &s, big), -EINVAL);
	big[XDPFWD_LISTFILE_LINE_MAX - 2] = '\0';	/* "# " and it: exactly a longest line */
	/* A full disk shows up when the data is flushed. */
	assert_int_equal(xdpfwd_listfile_write(f, &s, big), -ENOSPC);
	fclose(f);
	free(big);
	/* A prefix that cannot be written (length 40 for IPv4) is refused, not written wrong. */
	assert_int_equal(xdpfwd_prefix_set_push(&s, &p), 0);
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(xdpfwd_listfile_write(f, &s, NULL), -EINVAL);
	fclose(f);
	xdpfwd_prefix_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_buf),
		cmocka_unit_test(test_expiry_limits),
		cmocka_unit_test(test_repeated_entries),
		cmocka_unit_test(test_repeated_entries_big),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_failure_keeps_set),
		cmocka_unit_test(test_set_add),
		cmocka_unit_test(test_big_buffer),
		cmocka_unit_test(test_err_truncation),
		cmocka_unit_test_setup_teardown(test_read_file, tmp_file_setup, tmp_file_teardown),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_feed_fixtures),
		cmocka_unit_test(test_skip_invalid),
		cmocka_unit_test(test_skip_invalid_long_name),
		cmocka_unit_test(test_skip_invalid_big),
		cmocka_unit_test(test_bad_file_keeps_set),
		cmocka_unit_test(test_write_round_trip),
		cmocka_unit_test(test_fixture_round_trip),
		cmocka_unit_test(test_write_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
