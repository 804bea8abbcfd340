// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for xdpfwd_listfile_parse_buf(). The first input byte
 * picks the setup (a set that already holds entries or not, the size of the
 * error buffer); the rest is the file, in a heap block of exactly its size.
 *
 * Properties (common/list_parse.h): a file is all or nothing, so a failure returns
 * -EINVAL, -ERANGE or -ENOMEM, names the file and line, and leaves the set
 * exactly as it was; a success leaves it sorted without duplicates, holding
 * the old entries and only valid prefixes, and printing the set and parsing
 * that text gives the same set back.
 */
#include <errno.h>
#include <time.h>

#include "list_parse.h"
#include "fuzz.h"

#define NAME "fuzz.list"

static const char *const preset[] = { "198.18.4.0/24", "2001:2::1", "0.0.0.0/0" };

static void check_valid(const struct xdpfwd_prefix *p)
{
	unsigned int max = p->family == 4 ? 32 : 128, i;

	CHECK(p->family == 4 || p->family == 6);
	CHECK(p->prefixlen <= max);
	for (i = p->prefixlen; i < 128; i++)
		CHECK(!(p->addr[i / 8] & (0x80 >> (i % 8))));
}

/* The set printed one entry a line, parsed again into a fresh set: must match. */
static void check_round_trip(const struct xdpfwd_prefix_set *s)
{
	struct xdpfwd_prefix_set back = {};
	size_t i, len = 0, cap = s->n * XDPFWD_PREFIX_STRLEN + 1;
	char *text = malloc(cap), err[256];

	CHECK(text);
	for (i = 0; i < s->n; i++) {
		CHECK(xdpfwd_prefix_format(&s->v[i], text + len, cap - len) == 0);
		len += strlen(text + len);
		text[len++] = '\n';
	}
	CHECK(xdpfwd_listfile_parse_buf("round-trip", text, len, &back, err, sizeof(err)) == 0);
	CHECK(back.n == s->n);
	/* The prefixes, not the file lines they came from nor their expiry, which the text leaves out. */
	for (i = 0; i < s->n; i++)
		CHECK(!xdpfwd_prefix_cmp(&back.v[i], &s->v[i]) && back.v[i].line == i + 1 && !back.v[i].expires_at);
	xdpfwd_prefix_set_free(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t errlens[] = { 256, 1, 12, 0 };
	struct xdpfwd_prefix_set set = {}, before = {};
	struct xdpfwd_prefix p;
	size_t errlen, i, lines = 1;
	char *buf, *err;
	int ret;

	if (!size)
		return 0;
	errlen = errlens[(data[0] >> 1) % 4];
	if (data[0] & 1) {
		for (i = 0; i < sizeof(preset) / sizeof(preset[0]); i++) {
			CHECK(xdpfwd_prefix_parse(preset[i], &p, NULL, 0) == 0);
			CHECK(xdpfwd_prefix_set_add(&set, &p) == 0);
			CHECK(xdpfwd_prefix_set_add(&before, &p) == 0);
		}
	}
	data++;
	size--;
	buf = malloc(size ? size : 1);
	err = errlen ? malloc(errlen) : NULL;
	CHECK(buf && (err || !errlen));
	memcpy(buf, data, size);
	for (i = 0; i < size; i++)
		lines += buf[i] == '\n';

	ret = xdpfwd_listfile_parse_buf(NAME, buf, size, &set, err, errlen);
	if (errlen)
		CHECK(memchr(err, '\0', errlen));
	if (ret) {
		CHECK(ret == -EINVAL || ret == -ERANGE || ret == -ENOMEM);
		CHECK(set.n == before.n);
		CHECK(!set.n || !memcmp(set.v, before.v, set.n * sizeof(*set.v)));
		/* "fuzz.list:LINE: why", as far as the buffer holds it. */
		if (errlen > sizeof(NAME))
			CHECK(!strncmp(err, NAME ":", sizeof(NAME)));
		goto out;
	}
	if (errlen)
		CHECK(!err[0]);
	CHECK(set.n <= before.n + lines);
	for (i = 0; i < set.n; i++) {
		check_valid(&set.v[i]);
		/* From the file (a line of it) or one of the preset entries (line 0); deadlines never wrap. */
		CHECK(set.v[i].line <= lines);
		CHECK(set.v[i].expires_at <= (__u64)time(NULL) + XDPFWD_DURATION_MAX);
		if (i)
			CHECK(xdpfwd_prefix_cmp(&set.v[i - 1], &set.v[i]) < 0);
	}
	for (i = 0; i < before.n; i++)
		CHECK(bsearch(&before.v[i], set.v, set.n, sizeof(*set.v), xdpfwd_prefix_cmp));
	check_round_trip(&set);
out:
	xdpfwd_prefix_set_free(&set);
	xdpfwd_prefix_set_free(&before);
	free(buf);
	free(err);
	return 0;
}
