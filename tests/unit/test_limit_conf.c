// SPDX-License-Identifier: GPL-2.0
/* common/limit_conf.c: the one parser of the flood defense's settings (options, files, `limit set`). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limit_conf.h"
#include "xdpfwd.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_rates(void **state)
{
	static const struct {
		const char *in;
		__u64 want;
	} good[] = {
		{ "0", 0 }, { "1", 1 }, { "10k", 10000 }, { "10K", 10000 }, { "2M", 2000000 }, { "1G", 1000000000 },
		{ "1000000000", 1000000000 },
	};
	static const char *const bad[] = {
		"", "k", "-1", "+1", " 1", "1 ", "1.5k", "10x", "10kk", "1m", "1g", "2G", "1000000001", "0x10",
		"99999999999999999999999",
	};
	__u64 v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		v = 7;
		if (limit_rate_parse(good[i].in, LIMIT_PPS_MAX, &v) || v != good[i].want)
			fail_msg("'%s': got %llu", good[i].in, (unsigned long long)v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 7;
		if (!limit_rate_parse(bad[i], LIMIT_PPS_MAX, &v) || v != 7)
			fail_msg("'%s' accepted (or changed the value)", bad[i]);
	}
	assert_int_equal(limit_rate_parse("1000G", LIMIT_BPS_MAX, &v), 0);
	assert_true(v == 1000000000000ULL);
	assert_int_equal(limit_rate_parse("1001G", LIMIT_BPS_MAX, &v), -ERANGE);
	/* max / mult: no overflow past 2^64 sneaks under the max. */
	assert_int_equal(limit_rate_parse("18446744073709552G", LIMIT_BPS_MAX, &v), -ERANGE);
}

static void test_keys(void **state)
{
	static const char *const bad[] = {
		"", "/24", "24", "/24,", ",/64", "/0,/64", "/24,/0", "/33,/64", "/24,/129", "/24,/64,/8", "/2a,/64",
		"/24 ,/64", "/0024,/64", "//24,/64",
	};
	__u8 p4 = 9, p6 = 9;
	size_t i;

	(void)state;
	assert_int_equal(limit_key_parse("/24,/64", &p4, &p6), 0);
	assert_int_equal(p4, 24);
	assert_int_equal(p6, 64);
	assert_int_equal(limit_key_parse("32,128", &p4, &p6), 0);
	assert_int_equal(p4, 32);
	assert_int_equal(p6, 128);
	assert_int_equal(limit_key_parse("/1,/1", &p4, &p6), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p4 = p6 = 9;
		if (!limit_key_parse(bad[i], &p4, &p6) || p4 != 9 || p6 != 9)
			fail_msg("'%s' accepted (or changed the lengths)", bad[i]);
	}
}

static void test_set_and_merge(void **state)
{
	struct limit_conf c, o, before;
	char err[300];

	(void)state;
	limit_conf_init(&c);
	assert_int_equal(c.action, XDPFWD_LIMIT_BAN);
	assert_int_equal(c.plen4, 32);
	assert_int_equal(c.plen6, 128);
	assert_int_equal(c.ban_s, 600);
	assert_int_equal(c.given, 0);
	assert_int_equal(limit_conf_set(&c, "limit-pps", "10k", err, sizeof(err)), 0);
	assert_int_equal(limit_conf_set(&c, "limit-ban", "2h", err, sizeof(err)), 0);
	assert_int_equal(limit_conf_set(&c, "limit-action", "audit", err, sizeof(err)), 0);
	assert_true(c.pps == 10000 && c.ban_s == 7200 && c.action == XDPFWD_LIMIT_AUDIT);
	assert_int_equal(c.given, LIMIT_GIVEN_PPS | LIMIT_GIVEN_BAN | LIMIT_GIVEN_ACTION);
	/* A bad value: an error naming the key, c untouched. */
	before = c;
	assert_int_equal(limit_conf_set(&c, "limit-burst", "0", err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "limit-burst '0'"));
	assert_int_equal(limit_conf_set(&c, "limit-key", "/24", err, sizeof(err)), -ERANGE);
	assert_int_equal(limit_conf_set(&c, "limit-ban", "0", err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "limit-ban: "));
	assert_int_equal(limit_conf_set(&c, "limit-speed", "1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown setting 'limit-speed'"));
	assert_memory_equal(&c, &before, sizeof(c));
	/* Merge: only the keys the other was given. */
	limit_conf_init(&o);
	o.given = 0;
	assert_int_equal(limit_conf_set(&o, "limit-key", "/24,/64", err, sizeof(err)), 0);
	limit_conf_merge(&c, &o);
	assert_true(c.pps == 10000 && c.plen4 == 24 && c.plen6 == 64 && c.action == XDPFWD_LIMIT_AUDIT);
	assert_true(c.given & LIMIT_GIVEN_KEY);
}

static void test_file(void **state)
{
	char path[] = "/tmp/xdpfwd-limit-conf.XXXXXX", err[600];
	struct limit_conf c, before;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# flood defense\n  limit-pps = 5k # per source\n\nlimit-action=drop\n", f);
	fclose(f);
	limit_conf_init(&c);
	c.given = 0;
	assert_int_equal(limit_conf_read_file(path, &c, err, sizeof(err)), 0);
	assert_true(c.pps == 5000 && c.action == XDPFWD_LIMIT_DROP);
	assert_int_equal(c.given, LIMIT_GIVEN_PPS | LIMIT_GIVEN_ACTION);
	/* One bad line: nothing of the file is taken. */
	f = fopen(path, "w");
	fputs("limit-pps=9\nlimit-bps=fast\n", f);
	fclose(f);
	before = c;
	assert_int_equal(limit_conf_read_file(path, &c, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, ":2: limit-bps 'fast'"));
	assert_memory_equal(&c, &before, sizeof(c));
	f = fopen(path, "w");
	fputs("limit-pps 9\n", f);
	fclose(f);
	assert_int_equal(limit_conf_read_file(path, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":1: 'limit-pps 9' is not KEY=VALUE"));
	unlink(path);
	assert_int_equal(limit_conf_read_file(path, &c, err, sizeof(err)), -ENOENT);
	assert_memory_equal(&c, &before, sizeof(c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_set_and_merge),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
