// SPDX-License-Identifier: GPL-2.0
/* The exposition-format writers: escaping, label lists, UTF-8 repair. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom_text.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What fn wrote into a memory stream, NUL-terminated; the caller frees it. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void cap_open(struct capture *c)
{
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static void cap_expect(struct capture *c, const char *want)
{
	assert_int_equal(fclose(c->f), 0);
	assert_string_equal(c->buf, want);
	free(c->buf);
}

struct escape_case {
	const char *in, *want;
};

static const struct escape_case label_cases[] = {
	{ "eth0", "eth0" },
	{ "", "" },
	{ "a\"b", "a\\\"b" },
	{ "a\\b", "a\\\\b" },
	{ "a\nb", "a\\nb" },
	{ "\\\"\n", "\\\\\\\"\\n" },
	{ "tab\there", "tab\there" },		/* only the three are special */
	{ "br\xc3\xbc" "cke", "br\xc3\xbc" "cke" },	/* valid UTF-8 kept */
	{ "\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac\xf0\x9f\x98\x80" },
	{ "a\xff" "b", "a\xef\xbf\xbd" "b" },	/* invalid byte replaced */
	{ "\xc3", "\xef\xbf\xbd" },		/* truncated sequence at the end */
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong '/' */
	{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },	/* surrogate */
	{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },	/* > U+10FFFF */
	{ "\x80x", "\xef\xbf\xbdx" },		/* stray continuation byte */
};

static void test_label_escaping(void **state)
{
	struct capture c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(label_cases); i++) {
		cap_open(&c);
		prom_write_label_value(c.f, label_cases[i].in);
		cap_expect(&c, label_cases[i].want);
	}
}

static void test_family_help_escaping(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c);
	prom_family(c.f, "x_total", "counter", "Back\\slash, \"quotes\" stay,\nnewline escaped.");
	cap_expect(&c, "# HELP x_total Back\\\\slash, \"quotes\" stay,\\nnewline escaped.\n"
		       "# TYPE x_total counter\n");
}

static void test_samples(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c);
	prom_sample(c.f, "up", NULL, 1);
	prom_sample(c.f, "up", (const char *[]){ NULL }, 0);
	prom_sample(c.f, "x_total", (const char *[]){ "action", "drop", "reason", "blocklist", NULL },
		    18446744073709551615ULL);
	prom_sample(c.f, "y", (const char *[]){ "interface", "we\"ird\\", NULL }, 3);
	cap_expect(&c, "up 1\nup 0\n"
		       "x_total{action=\"drop\",reason=\"blocklist\"} 18446744073709551615\n"
		       "y{interface=\"we\\\"ird\\\\\"} 3\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_family_help_escaping),
		cmocka_unit_test(test_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
