// SPDX-License-Identifier: GPL-2.0
/* --metrics-listen ADDR:PORT: what parses, what is loopback, and the messages for what does not. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "listen_addr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* want: the formatted address on success, a substring of the message on failure. */
struct addr_case {
	const char *in;
	int ret;
	int loopback;
	const char *want;
};

static const struct addr_case cases[] = {
	{ "127.0.0.1:9740", 0, 1, "127.0.0.1:9740" },
	{ "127.1.2.3:1", 0, 1, "127.1.2.3:1" },
	{ "localhost:65535", 0, 1, "127.0.0.1:65535" },
	{ "[::1]:9740", 0, 1, "[::1]:9740" },
	{ "[::ffff:127.0.0.1]:80", 0, 1, "[::ffff:127.0.0.1]:80" },
	{ "0.0.0.0:9740", 0, 0, "0.0.0.0:9740" },
	{ "198.18.0.1:9740", 0, 0, "198.18.0.1:9740" },
	{ "[::]:9740", 0, 0, "[::]:9740" },
	{ "[2001:2::1]:9740", 0, 0, "[2001:2::1]:9740" },
	{ "128.0.0.1:9740", 0, 0, "128.0.0.1:9740" },

	{ "9740", -EINVAL, 0, "expected ADDR:PORT" },
	{ ":9740", -EINVAL, 0, "give the address too" },
	{ "::1:9740", -EINVAL, 0, "[ADDR]:PORT" },
	{ "[::1:9740", -EINVAL, 0, "[ADDR]:PORT" },
	{ "[127.0.0.1]:9740", -EINVAL, 0, "not a numeric" },
	{ "[localhost]:9740", -EINVAL, 0, "not a numeric" },
	{ "example.org:9740", -EINVAL, 0, "not a numeric" },
	{ "127.0.0.1:", -EINVAL, 0, "must be a number" },
	{ "127.0.0.1:http", -EINVAL, 0, "must be a number" },
	{ "127.0.0.1:-1", -EINVAL, 0, "must be a number" },
	{ "127.0.0.1:0", -ERANGE, 0, "1..65535" },
	{ "127.0.0.1:65536", -ERANGE, 0, "1..65535" },
	{ "127.0.0.1:80x", -EINVAL, 0, "must be a number" },
	{ "127.0.0.1:99999999999999999999", -ERANGE, 0, "1..65535" },
	{ "127.0.0.01:80", -EINVAL, 0, "not a numeric" },
	{ " 127.0.0.1:80", -EINVAL, 0, "not a numeric" },
	{ "[fe80::1%lo]:80", -EINVAL, 0, "not a numeric" },
};

static void test_cases(void **state)
{
	struct listen_addr a;
	char buf[128], err[160];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct addr_case *c = &cases[i];
		int r;

		memset(&a, 0xaa, sizeof(a));
		err[0] = '\0';
		r = listen_addr_parse(c->in, &a, err, sizeof(err));
		if (r != c->ret)
			fail_msg("'%s': returned %d, want %d (%s)", c->in, r, c->ret, err);
		if (r) {
			if (!strstr(err, c->want) || !strstr(err, c->in))
				fail_msg("'%s': message '%s' lacks '%s'", c->in, err, c->want);
			assert_int_equal(a.len, (socklen_t)0xaaaaaaaa);	/* untouched on failure */
			continue;
		}
		listen_addr_format(&a, buf, sizeof(buf));
		assert_string_equal(buf, c->want);
		assert_int_equal(a.loopback, c->loopback);
		assert_int_equal(a.len, a.ss.ss_family == AF_INET ? 16 : 28);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
