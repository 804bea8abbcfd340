// SPDX-License-Identifier: GPL-2.0
/*
 * Names in outputs: JSON strings (json_str.h) and text fields (utf8.h), for
 * every byte string the kernel takes as an interface name. The expected
 * U+FFFD substitutions are Python's bytes.decode("utf-8", "replace"): the
 * drop-log tests read the log with Python and compare against it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_str.h"
#include "utf8.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD "\xef\xbf\xbd"

struct name_case {
	const char *in, *json, *text;
};

static const struct name_case cases[] = {
	{ "eth0", "\"eth0\"", "eth0" },
	{ "", "\"\"", "" },
	/* What the kernel allows in a name: quotes, backslashes, control bytes, any non-ASCII byte. */
	{ "x\"q\\1", "\"x\\\"q\\\\1\"", "x\"q\\\\1" },
	{ "a\x01" "b\x1f\x7f", "\"a\\u0001b\\u001f\\u007f\"", "a\\x01b\\x1f\\x7f" },
	{ "\x1b[31m", "\"\\u001b[31m\"", "\\x1b[31m" },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"", "caf\xc3\xa9" },
	{ "\xc3\xa9t\xff", "\"\xc3\xa9t" FFFD "\"", "\xc3\xa9t\\xff" },
	{ "\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xe2\x82\xac\xf0\x9f\x98\x80\"", "\xe2\x82\xac\xf0\x9f\x98\x80" },
	/* C1 controls are valid UTF-8, kept in JSON, escaped in text (a terminal obeys U+009B). */
	{ "a\xc2\x9b" "b", "\"a\xc2\x9b" "b\"", "a\\xc2\\x9bb" },
	{ "\xc2\xa0x", "\"\xc2\xa0x\"", "\xc2\xa0x" },
	/* One U+FFFD per maximal subpart: a truncated sequence is one, each stray byte one. */
	{ "\xf0\x9f\x98" "a", "\"" FFFD "a\"", "\\xf0\\x9f\\x98a" },
	{ "\xe2\x82", "\"" FFFD "\"", "\\xe2\\x82" },
	{ "\xc3", "\"" FFFD "\"", "\\xc3" },
	{ "\xc0\xaf", "\"" FFFD FFFD "\"", "\\xc0\\xaf" },
	{ "\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"", "\\xe0\\x80\\xaf" },
	{ "\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"", "\\xed\\xa0\\x80" },
	{ "\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"", "\\xf4\\x90\\x80\\x80" },
	{ "\xf5\x80", "\"" FFFD FFFD "\"", "\\xf5\\x80" },
	{ "\x80x", "\"" FFFD "x\"", "\\x80x" },
	{ "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	  "\"" FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD "\"",
	  "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff" },
};

static void test_json_string(void **state)
{
	char buf[JSON_STR_MAX(16)], *mem;
	size_t i, len;
	FILE *f;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(json_format_string(buf, sizeof(buf), cases[i].in), strlen(cases[i].json));
		assert_string_equal(buf, cases[i].json);
		f = open_memstream(&mem, &len);
		assert_non_null(f);
		json_put_string(f, cases[i].in);
		assert_int_equal(fclose(f), 0);
		assert_string_equal(mem, cases[i].json);
		free(mem);
	}
}

static void test_text_name(void **state)
{
	char buf[TEXT_NAME_MAX(16)];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(text_format_name(buf, sizeof(buf), cases[i].in), strlen(cases[i].text));
		assert_string_equal(buf, cases[i].text);
	}
}

/* The sizes the callers reserve hold the worst 15-byte name (IFNAMSIZ - 1). */
static void test_worst_case_fits(void **state)
{
	const char *worst_json = "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01";
	char buf[JSON_STR_MAX(15) + 1];

	(void)state;
	assert_int_equal(json_format_string(buf, sizeof(buf), worst_json), JSON_STR_MAX(15));
	assert_int_equal(text_format_name(buf, TEXT_NAME_MAX(15), worst_json), TEXT_NAME_MAX(15) - 1);
}

/* Short buffers: snprintf's contract, cut only between whole characters or escapes. */
static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(json_format_string(buf, 5, "ab\"c"), 7);
	assert_string_equal(buf, "\"ab");
	assert_int_equal(json_format_string(buf, 1, "x"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(json_format_string(NULL, 0, "x"), 3);
	assert_int_equal(json_format_string(buf, 3, "\xc3\xa9x"), 5);
	assert_string_equal(buf, "\"");
	assert_int_equal(text_format_name(buf, 5, "a\x01" "b"), 6);
	assert_string_equal(buf, "a");
	assert_int_equal(text_format_name(buf, 7, "a\x01" "b"), 6);
	assert_string_equal(buf, "a\\x01b");
	assert_int_equal(text_format_name(NULL, 0, "\\"), 2);
}

/* Every single byte and every byte pair: the outputs stay valid and never read past the NUL. */
static void test_all_short_strings(void **state)
{
	char in[3] = {}, buf[JSON_STR_MAX(2) + 1];
	size_t n, bad;
	int a, b;

	(void)state;
	for (a = 1; a < 256; a++)
		for (b = 0; b < 256; b++) {
			in[0] = a;
			in[1] = b;
			n = utf8_seq_len(in, &bad);
			assert_true(n ? n <= strlen(in) : bad >= 1 && bad <= strlen(in));
			assert_true(json_format_string(buf, sizeof(buf), in) < sizeof(buf));
			assert_true(text_format_name(buf, sizeof(buf), in) < sizeof(buf));
			assert_null(strchr(buf, '\n'));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_text_name),
		cmocka_unit_test(test_worst_case_fits),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_all_short_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
