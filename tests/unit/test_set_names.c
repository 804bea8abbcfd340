// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "set_names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_name_valid(void **state)
{
	static const char *const good[] = {
		"manual", "fail2ban", "crowdsec", "a", "0", "_", "-", "spamhaus-drop", "f2b_sshd",
		"abcdefghijklmnopqrstuvwxyz012345",	/* 32: the longest */
	};
	static const char *const bad[] = {
		"", "Manual", "FAIL2BAN", "a b", "a.b", "a/b", "../x", "a@b", "a:b", "é", "a\n", " a", "a,b",
		"abcdefghijklmnopqrstuvwxyz0123456",	/* 33 */
	};
	char err[200];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (!set_name_valid(good[i]) || set_name_check(good[i], err, sizeof(err)))
			fail_msg("'%s' refused", good[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (set_name_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
		err[0] = '\0';
		assert_int_equal(set_name_check(bad[i], err, sizeof(err)), -EINVAL);
		if (!strstr(err, "use 1 to 32 of a-z, 0-9, '_' and '-'") || strchr(err, '\n'))
			fail_msg("'%s': message \"%s\"", bad[i], err);
	}
	assert_false(set_name_valid(NULL));
}

/* want: the formatted scope on success, a substring of the message on failure. */
struct scope_case {
	const char *in;
	int ret;
	const char *want;
};

static const struct scope_case scope_cases[] = {
	{ "tcp:22,443", 0, "tcp:22,443" },
	{ "udp:53", 0, "udp:53" },
	{ "tcp,udp:53", 0, "tcp,udp:53" },
	{ "udp,tcp:53", 0, "tcp,udp:53" },
	{ "tcp", 0, "tcp" },
	{ "tcp,udp", 0, "tcp,udp" },
	{ "tcp:1", 0, "tcp:1" },
	{ "tcp:65535", 0, "tcp:65535" },
	{ "tcp:443,22", 0, "tcp:443,22" },
	{ "tcp:1,2,3,4,5,6,7,8", 0, "tcp:1,2,3,4,5,6,7,8" },

	{ "", -EINVAL, "no protocol" },
	{ ":22", -EINVAL, "no protocol" },
	{ "icmp:1", -EINVAL, "unknown protocol 'icmp'" },
	{ "TCP:22", -EINVAL, "unknown protocol" },
	{ "tcp,", -EINVAL, "empty protocol" },
	{ "tcp,,udp", -EINVAL, "unknown protocol ''" },
	{ "tcp,tcp:22", -EINVAL, "given twice" },
	{ "tcp:", -EINVAL, "no port after ':'" },
	{ "tcp:0", -EINVAL, "'0' is not a port (1..65535)" },
	{ "tcp:65536", -EINVAL, "'65536' is not a port" },
	{ "tcp:-1", -EINVAL, "is not a port" },
	{ "tcp:+22", -EINVAL, "is not a port" },
	{ "tcp:22,", -EINVAL, "is not a port" },
	{ "tcp:22,,23", -EINVAL, "is not a port" },
	{ "tcp:22x", -EINVAL, "is not a port" },
	{ "tcp:22 ", -EINVAL, "is not a port" },
	{ "tcp:99999999999999999999", -EINVAL, "is not a port" },
	{ "tcp:22,22", -EINVAL, "port 22 given twice" },
	{ "tcp:1,2,3,4,5,6,7,8,9", -EINVAL, "more than 8 ports" },
	{ "tcp:22:23", -EINVAL, "is not a port" },
};

static void test_scope_parse(void **state)
{
	__be16 ports[XDPFWD_SCOPE_PORTS];
	char err[300], out[64];
	__u8 protos, nports;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(scope_cases); i++) {
		const struct scope_case *c = &scope_cases[i];

		protos = 0xee;
		nports = 0xee;
		memset(ports, 0xee, sizeof(ports));
		err[0] = '\0';
		ret = set_scope_text_parse(c->in, &protos, &nports, ports, err, sizeof(err));
		if (ret != c->ret)
			fail_msg("'%s': returned %d, want %d (%s)", c->in, ret, c->ret, err);
		if (ret) {
			/* Bad input writes nothing, and says why in one line. */
			if (protos != 0xee || nports != 0xee || !strstr(err, c->want) || strchr(err, '\n'))
				fail_msg("'%s': message \"%s\" lacks \"%s\", or output written", c->in, err, c->want);
			continue;
		}
		set_scope_text_format(protos, nports, ports, out, sizeof(out));
		if (strcmp(out, c->want))
			fail_msg("'%s': formats as '%s', want '%s'", c->in, out, c->want);
	}
	assert_int_equal(set_scope_text_parse("tcp:22,443", &protos, &nports, ports, err, sizeof(err)), 0);
	assert_int_equal(protos, XDPFWD_SCOPE_TCP);
	assert_int_equal(nports, 2);
	assert_int_equal(ports[0], htons(22));
	assert_int_equal(ports[1], htons(443));
	assert_int_equal(ports[2], 0);
	set_scope_text_format(0, 0, ports, out, sizeof(out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_scope_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
