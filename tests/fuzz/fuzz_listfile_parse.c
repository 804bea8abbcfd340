// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for xdpfwd_listfile_parse_buf_opts(). The first input
 * byte picks the setup: bit 0 a set that already holds entries, bits 1-2 the
 * size of the error buffer, bits 3-5 the format (0 plain, as the corpus from
 * before the formats meant, 1 netset, 2 spamhaus, 3 ipsum, 4-7 auto), bit 6
 * skip_invalid, bit 7 min_score 3 instead of the default. The rest is the
 * file, in a heap block of exactly its size.
 *
 * Properties (common/list_parse.h): a failure returns -EINVAL, -ERANGE or
 * -ENOMEM, names the file (and line), and leaves the set exactly as it was;
 * a success leaves it sorted without duplicates, holding the old entries and
 * only valid prefixes, at most one new entry per good line; skip_invalid
 * counts what it skipped and keeps the first messages, each naming the file;
 * auto resolves to plain, spamhaus or ipsum. Writing the set with
 * xdpfwd_listfile_write and reading that text gives the same set back,
 * deadlines included.
 */
#include <errno.h>
#include <stdio.h>
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

/* The set written as a plain file, read again into a fresh set (auto and plain): must match. */
static void check_round_trip(const struct xdpfwd_prefix_set *s)
{
	struct xdpfwd_listfile_opts o = {};
	struct xdpfwd_prefix_set back = {};
	size_t i, j, len = 0;
	char *text = NULL, err[256];
	__u64 now;
	FILE *f;

	f = open_memstream(&text, &len);
	CHECK(f);
	CHECK(xdpfwd_listfile_write(f, s, "fuzz\nround trip") == 0);
	CHECK(fclose(f) == 0);
	CHECK(xdpfwd_listfile_parse_buf_opts("round-trip", text, len, &back, &o, err, sizeof(err)) == 0);
	CHECK(o.format_used == XDPFWD_LIST_PLAIN && !o.skipped);
	now = time(NULL);
	/* The prefixes and deadlines, not the lines they came from; a deadline that passed meanwhile is gone. */
	for (i = j = 0; i < s->n; i++) {
		if (s->v[i].expires_at && s->v[i].expires_at <= now &&
		    (j == back.n || xdpfwd_prefix_cmp(&back.v[j], &s->v[i])))
			continue;
		CHECK(j < back.n);
		CHECK(!xdpfwd_prefix_cmp(&back.v[j], &s->v[i]) && back.v[j].expires_at == s->v[i].expires_at);
		j++;
	}
	CHECK(j == back.n);
	xdpfwd_prefix_set_free(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t errlens[] = { 256, 1, 12, 0 };
	static const enum xdpfwd_list_format formats[] = {
		XDPFWD_LIST_PLAIN, XDPFWD_LIST_NETSET, XDPFWD_LIST_SPAMHAUS, XDPFWD_LIST_IPSUM,
		XDPFWD_LIST_AUTO, XDPFWD_LIST_AUTO, XDPFWD_LIST_AUTO, XDPFWD_LIST_AUTO,
	};
	struct xdpfwd_listfile_opts o = {};
	struct xdpfwd_prefix_set set = {}, before = {};
	struct xdpfwd_prefix p;
	size_t errlen, i, lines = 1;
	char *buf, *err;
	int ret;

	if (!size)
		return 0;
	errlen = errlens[(data[0] >> 1) % 4];
	o.format = formats[(data[0] >> 3) & 7];
	o.skip_invalid = !!(data[0] & 0x40);
	o.min_score = data[0] & 0x80 ? 3 : 0;
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

	ret = xdpfwd_listfile_parse_buf_opts(NAME, buf, size, &set, &o, err, errlen);
	if (errlen)
		CHECK(memchr(err, '\0', errlen));
	if (o.format == XDPFWD_LIST_AUTO)
		CHECK(o.format_used == XDPFWD_LIST_PLAIN || o.format_used == XDPFWD_LIST_SPAMHAUS ||
		      o.format_used == XDPFWD_LIST_IPSUM);
	else
		CHECK(o.format_used == o.format);
	CHECK(o.skipped <= lines && o.entries + o.skipped <= lines && o.below_score <= o.entries);
	CHECK(o.nmsgs == (o.skipped < XDPFWD_LISTFILE_WARN_MAX ? o.skipped : XDPFWD_LISTFILE_WARN_MAX));
	CHECK(o.skip_invalid || !o.skipped);
	for (i = 0; i < o.nmsgs; i++) {
		CHECK(memchr(o.msgs[i], '\0', sizeof(o.msgs[i])));
		CHECK(!strncmp(o.msgs[i], NAME ":", sizeof(NAME)));
	}
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
	CHECK(set.n <= before.n + o.entries - o.below_score);
	/* skip_invalid refuses a file whose every entry line is bad. */
	CHECK(!o.skipped || o.entries);
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
