// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "addr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* want: the formatted result on success, a substring of the message on failure. */
struct parse_case {
	const char *in;
	int ret;
	const char *want;
};

static const struct parse_case parse_cases[] = {
	{ "0.0.0.0/0", 0, "0.0.0.0/0" },
	{ "198.18.0.0/15", 0, "198.18.0.0/15" },
	{ "198.18.0.2", 0, "198.18.0.2" },
	{ "198.18.0.2/32", 0, "198.18.0.2" },
	{ "255.255.255.255", 0, "255.255.255.255" },
	{ "0.0.0.0", 0, "0.0.0.0" },
	{ "10.0.0.0/8", 0, "10.0.0.0/8" },
	{ "192.0.2.4/31", 0, "192.0.2.4/31" },
	{ "2001:2::/48", 0, "2001:2::/48" },
	{ "2001:2::1", 0, "2001:2::1" },
	{ "2001:2::1/128", 0, "2001:2::1" },
	{ "::/0", 0, "::/0" },
	{ "::1/128", 0, "::1" },
	{ "::", 0, "::" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", 0, "2001:db8::1" },
	{ "2001:DB8::ABCD", 0, "2001:db8::abcd" },
	{ "2001:db8:0:0:1:0:0:1", 0, "2001:db8::1:0:0:1" },
	{ "fe80::/10", 0, "fe80::/10" },
	{ "2001:db8::/127", 0, "2001:db8::/127" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", 0, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127" },
	/* IPv4-compatible (deprecated), not mapped: a real IPv6 address. */
	{ "::1.2.3.4", 0, "::1.2.3.4" },

	{ "", -EINVAL, "empty address" },
	{ " 10.0.0.1", -EINVAL, "whitespace or a non-printable character at offset 0" },
	{ "10.0.0.1 ", -EINVAL, "at offset 8" },
	{ "10.0.0.1\t", -EINVAL, "whitespace" },
	{ "10.0.0.1\n", -EINVAL, "whitespace" },
	{ "10.0.0.0 /24", -EINVAL, "whitespace" },
	{ "10.0.0.0/ 24", -EINVAL, "whitespace" },
	{ "10.0.0.\x7f", -EINVAL, "non-printable" },
	{ "10.0.0.1\xc2\xa0", -EINVAL, "non-printable" },

	{ "256.1.1.1", -EINVAL, "'256.1.1.1' is not an IPv4 or IPv6 address" },
	{ "256.1.1.0/24", -EINVAL, "'256.1.1.0' is not an IPv4 or IPv6 address" },
	{ "1.2.3", -EINVAL, "'1.2.3' is not" },
	{ "1.2.3.4.5", -EINVAL, "is not" },
	{ "01.2.3.4", -EINVAL, "is not" },
	{ "1.2.3.04", -EINVAL, "is not" },
	{ "010.0.0.1", -EINVAL, "is not" },
	{ "0x7f.0.0.1", -EINVAL, "is not" },
	{ "127.1", -EINVAL, "is not" },
	{ "2130706433", -EINVAL, "is not" },
	{ "1.2.3.4.", -EINVAL, "is not" },
	{ ".1.2.3.4", -EINVAL, "is not" },
	{ "1..2.3", -EINVAL, "is not" },
	{ "+1.2.3.4", -EINVAL, "is not" },
	{ "-1.2.3.4", -EINVAL, "is not" },
	{ "example.com", -EINVAL, "is not" },
	{ "2001:db8::1::1", -EINVAL, "is not" },
	{ "2001:db8:::1", -EINVAL, "is not" },
	{ "12345::1", -EINVAL, "is not" },
	{ "1:2:3:4:5:6:7:8:9", -EINVAL, "is not" },
	{ "g::1", -EINVAL, "is not" },
	{ ":1", -EINVAL, "is not" },
	{ "::1.2.3", -EINVAL, "is not" },
	{ "[::1]", -EINVAL, "is not" },
	{ "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000", -EINVAL, "is not" },
	{ "/24", -EINVAL, "no address before '/'" },

	{ "fe80::1%eth0", -EINVAL, "'fe80::1%eth0' has a zone id" },
	{ "fe80::%2/64", -EINVAL, "zone id" },

	{ "::ffff:1.2.3.4", -EINVAL, "IPv4-mapped IPv6 address; use the plain IPv4 form 1.2.3.4" },
	{ "::FFFF:102:304", -EINVAL, "plain IPv4 form 1.2.3.4" },
	{ "::ffff:1.2.3.0/120", -EINVAL, "plain IPv4 form 1.2.3.0/24" },
	{ "::ffff:0:0/96", -EINVAL, "plain IPv4 form 0.0.0.0/0" },

	{ "10.0.0.0/", -EINVAL, "'10.0.0.0/' has no prefix length after '/'" },
	{ "10.0.0.0/24x", -EINVAL, "invalid prefix length (expected 0-32" },
	{ "10.0.0.0/-1", -EINVAL, "invalid prefix length" },
	{ "10.0.0.0/+24", -EINVAL, "invalid prefix length" },
	{ "10.0.0.0/024", -EINVAL, "no leading zeros" },
	{ "0.0.0.0/00", -EINVAL, "invalid prefix length" },
	{ "10.0.0.0/0x18", -EINVAL, "invalid prefix length" },
	{ "10.0.0.0/24/8", -EINVAL, "invalid prefix length" },
	{ "2001:db8::/1e2", -EINVAL, "(expected 0-128" },
	{ "10.0.0.0/33", -ERANGE, "prefix length 33 is out of range for IPv4 (0-32)" },
	{ "::/129", -ERANGE, "prefix length 129 is out of range for IPv6 (0-128)" },
	{ "::/999", -ERANGE, "out of range for IPv6" },
	{ "10.0.0.0/4294967320", -ERANGE, "prefix length 4294967320 is out of range" },
	{ "::/99999999999999999999999999999999", -ERANGE, "out of range" },

	{ "10.0.0.1/24", -EINVAL, "'10.0.0.1/24' has host bits set; did you mean 10.0.0.0/24?" },
	{ "198.18.0.0/14", -EINVAL, "did you mean 198.16.0.0/14?" },
	{ "192.0.2.5/31", -EINVAL, "did you mean 192.0.2.4/31?" },
	{ "10.0.0.0/0", -EINVAL, "did you mean 0.0.0.0/0?" },
	{ "2001:db8::1/64", -EINVAL, "did you mean 2001:db8::/64?" },
	{ "::1/0", -EINVAL, "did you mean ::/0?" },
	{ "2001:db8::1/127", -EINVAL, "did you mean 2001:db8::/127?" },
};

static void test_prefix_parse(void **state)
{
	const struct parse_case *c;
	struct xdpfwd_prefix p, again;
	char err[256], out[XDPFWD_PREFIX_STRLEN];
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		c = &parse_cases[i];
		memset(&p, 0xaa, sizeof(p));
		ret = xdpfwd_prefix_parse(c->in, &p, err, sizeof(err));
		if (ret != c->ret)
			fail_msg("'%s': returned %d, want %d (%s)", c->in, ret, c->ret, err);
		if (ret) {
			if (!strstr(err, c->want))
				fail_msg("'%s': error \"%s\" lacks \"%s\"", c->in, err, c->want);
			if (p.family != 0xaa)
				fail_msg("'%s': output written on failure", c->in);
			continue;
		}
		if (err[0])
			fail_msg("'%s': error text \"%s\" on success", c->in, err);
		assert_int_equal(xdpfwd_prefix_format(&p, out, sizeof(out)), 0);
		if (strcmp(out, c->want))
			fail_msg("'%s': formatted as \"%s\", want \"%s\"", c->in, out, c->want);
		/* Round trip: what we print must parse back to the same entry. */
		assert_int_equal(xdpfwd_prefix_parse(out, &again, err, sizeof(err)), 0);
		assert_memory_equal(&p, &again, sizeof(p));
	}
}

static void test_prefix_fields(void **state)
{
	struct xdpfwd_prefix p;
	static const __u8 v4[16] = { 198, 18, 0, 0 };
	static const __u8 v6[16] = { 0x20, 0x01, 0x00, 0x02, [15] = 1 };

	(void)state;
	assert_int_equal(xdpfwd_prefix_parse("198.18.0.0/15", &p, NULL, 0), 0);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.prefixlen, 15);
	assert_memory_equal(p.addr, v4, 16);

	assert_int_equal(xdpfwd_prefix_parse("2001:2::1", &p, NULL, 0), 0);
	assert_int_equal(p.family, 6);
	assert_int_equal(p.prefixlen, 128);
	assert_memory_equal(p.addr, v6, 16);

	assert_int_equal(xdpfwd_prefix_parse(NULL, &p, NULL, 0), -EINVAL);
}

static void test_err_truncation(void **state)
{
	struct xdpfwd_prefix p;
	__u64 secs;
	char err[8];

	(void)state;
	assert_int_equal(xdpfwd_prefix_parse("10.0.0.1/24", &p, NULL, 0), -EINVAL);
	assert_int_equal(xdpfwd_duration_parse("x", &secs, NULL, 0), -EINVAL);

	memset(err, 'X', sizeof(err));
	assert_int_equal(xdpfwd_prefix_parse("10.0.0.1/24", &p, err, 0), -EINVAL);
	assert_int_equal(err[0], 'X');

	assert_int_equal(xdpfwd_prefix_parse("10.0.0.1/24", &p, err, 1), -EINVAL);
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'X');

	memset(err, 'X', sizeof(err));
	assert_int_equal(xdpfwd_prefix_parse("10.0.0.1/24", &p, err, 5), -EINVAL);
	assert_string_equal(err, "'10.");
	assert_int_equal(err[5], 'X');

	memset(err, 'X', sizeof(err));
	assert_int_equal(xdpfwd_duration_parse("", &secs, err, 3), -EINVAL);
	assert_string_equal(err, "em");
	assert_int_equal(err[3], 'X');
}

static void test_prefix_format(void **state)
{
	struct xdpfwd_prefix p = { .family = 4, .prefixlen = 32, .addr = { 1, 2, 3, 4 } };
	struct xdpfwd_prefix big = { .family = 6, .prefixlen = 127 };
	char buf[XDPFWD_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(xdpfwd_prefix_format(&p, buf, 8), 0);
	assert_string_equal(buf, "1.2.3.4");

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(xdpfwd_prefix_format(&p, buf, 7), -ENOSPC);
	assert_string_equal(buf, "1.2.3.");
	assert_int_equal(buf[7], 'X');
	assert_int_equal(xdpfwd_prefix_format(&p, NULL, 0), -ENOSPC);

	memset(big.addr, 0xff, sizeof(big.addr));
	big.addr[15] = 0xfe;
	assert_int_equal(xdpfwd_prefix_format(&big, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");

	p.family = 0;
	assert_int_equal(xdpfwd_prefix_format(&p, buf, sizeof(buf)), -EINVAL);
	p.family = 5;
	assert_int_equal(xdpfwd_prefix_format(&p, buf, sizeof(buf)), -EINVAL);
	p.family = 4;
	p.prefixlen = 33;
	assert_int_equal(xdpfwd_prefix_format(&p, buf, sizeof(buf)), -EINVAL);
	big.prefixlen = 129;
	assert_int_equal(xdpfwd_prefix_format(&big, buf, sizeof(buf)), -EINVAL);
}

static void test_addr16_format(void **state)
{
	static const struct {
		__u8 addr[16];
		const char *want;
	} cases[] = {
		{ { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 }, "192.0.2.1" },
		{ { [10] = 0xff, [11] = 0xff }, "0.0.0.0" },
		{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, "2001:db8::1" },
		{ { [15] = 1 }, "::1" },
		{ {}, "::" },
		/* Only ::ffff:0:0/96 is IPv4; a near miss stays IPv6. */
		{ { [10] = 0xff, [11] = 0xfe, 1, 2, 3, 4 }, "::fffe:102:304" },
	};
	static const __u8 mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 };
	char buf[XDPFWD_PREFIX_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		xdpfwd_addr16_format(cases[i].addr, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
	memset(buf, 'X', sizeof(buf));
	xdpfwd_addr16_format(mapped, buf, 4);
	assert_string_equal(buf, "192");
	assert_int_equal(buf[4], 'X');
	xdpfwd_addr16_format(mapped, buf, 0);
	assert_int_equal(buf[0], '1');
	xdpfwd_addr16_format(mapped, NULL, 0);
}

struct duration_case {
	const char *in;
	int ret;
	__u64 secs;
	const char *want;	/* error substring */
};

static const struct duration_case duration_cases[] = {
	{ "90", 0, 90, NULL },
	{ "90s", 0, 90, NULL },
	{ "10m", 0, 600, NULL },
	{ "2h", 0, 7200, NULL },
	{ "7d", 0, 604800, NULL },
	{ "1", 0, 1, NULL },
	{ "007", 0, 7, NULL },
	/* The maximum the error names, in each unit: ten years. */
	{ "315360000", 0, 315360000ULL, NULL },
	{ "315360000s", 0, 315360000ULL, NULL },
	{ "5256000m", 0, 315360000ULL, NULL },
	{ "87600h", 0, 315360000ULL, NULL },
	{ "3650d", 0, 315360000ULL, NULL },
	{ "", -EINVAL, 0, "empty duration" },
	{ "0", -EINVAL, 0, "duration '0' must be greater than zero" },
	{ "0s", -EINVAL, 0, "greater than zero" },
	{ "000d", -EINVAL, 0, "greater than zero" },
	{ " 90", -EINVAL, 0, "is not a duration" },
	{ "90 ", -EINVAL, 0, "is not a duration" },
	{ "9 0", -EINVAL, 0, "is not a duration" },
	{ "-5", -EINVAL, 0, "is not a duration" },
	{ "+5", -EINVAL, 0, "is not a duration" },
	{ "5x", -EINVAL, 0, "'5x' is not a duration (expected N, Ns, Nm, Nh or Nd)" },
	{ "5ms", -EINVAL, 0, "is not a duration" },
	{ "5M", -EINVAL, 0, "is not a duration" },
	{ "s", -EINVAL, 0, "is not a duration" },
	{ "1.5h", -EINVAL, 0, "is not a duration" },
	{ "0x10", -EINVAL, 0, "is not a duration" },
	{ "315360001", -ERANGE, 0, "is too long (at most 3650d = 315360000 seconds; no timeout: never expires)" },
	{ "3651d", -ERANGE, 0, "too long" },
	{ "87601h", -ERANGE, 0, "too long" },
	{ "5256001m", -ERANGE, 0, "too long" },
	/* Used to be accepted, then wrapped in seconds * 1e9 + now: expired at once or within a day. */
	{ "18446744073", -ERANGE, 0, "too long" },
	{ "213503d", -ERANGE, 0, "too long" },
	{ "307445735m", -ERANGE, 0, "too long" },
	{ "18446744073709551616", -ERANGE, 0, "too long" },
	{ "99999999999999999999999999999999999999d", -ERANGE, 0, "too long" },
	{ "99999999999999999999999999999999999999x", -EINVAL, 0, "is not a duration" },
};

static void test_duration_parse(void **state)
{
	const struct duration_case *c;
	char err[128];
	__u64 secs;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(duration_cases); i++) {
		c = &duration_cases[i];
		secs = 12345;
		ret = xdpfwd_duration_parse(c->in, &secs, err, sizeof(err));
		if (ret != c->ret)
			fail_msg("'%s': returned %d, want %d (%s)", c->in, ret, c->ret, err);
		if (!ret && secs != c->secs)
			fail_msg("'%s': %llu seconds, want %llu", c->in,
				 (unsigned long long)secs, (unsigned long long)c->secs);
		if (ret && (secs != 12345 || !strstr(err, c->want)))
			fail_msg("'%s': error \"%s\" lacks \"%s\" or output written", c->in, err, c->want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_fields),
		cmocka_unit_test(test_err_truncation),
		cmocka_unit_test(test_prefix_format),
		cmocka_unit_test(test_addr16_format),
		cmocka_unit_test(test_duration_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
