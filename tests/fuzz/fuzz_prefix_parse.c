// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for xdpfwd_prefix_parse() and xdpfwd_prefix_format().
 *
 * Beyond "no sanitizer finding", the properties a list entry relies on:
 *  - a failure returns -EINVAL or -ERANGE, says why, and leaves *out alone;
 *  - a success is a valid prefix: family 4 or 6, length in range, no host
 *    bits, nothing after an IPv4 address, never IPv4-mapped IPv6;
 *  - it prints, the text parses back to the same prefix and prints the same
 *    again (what `block list` shows can be fed to `block add`);
 *  - IPv4 input is only accepted in canonical form, so it prints as typed
 *    (a redundant "/32" aside);
 *  - short buffers truncate (err, format) and never overrun.
 */
#include <errno.h>

#include "addr.h"
#include "fuzz.h"

static void check_valid(const struct xdpfwd_prefix *p)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned int max = p->family == 4 ? 32 : 128, i;

	CHECK(p->family == 4 || p->family == 6);
	CHECK(p->prefixlen <= max);
	for (i = p->prefixlen; i < 128; i++)
		CHECK(!(p->addr[i / 8] & (0x80 >> (i % 8))));
	CHECK(p->family == 4 || memcmp(p->addr, mapped, sizeof(mapped)));
}

/* The formatters on buffers of every length up to the one that fits, each its own allocation. */
static void check_short_buffers(const struct xdpfwd_prefix *p, const char *full)
{
	size_t need = strlen(full) + 1, len;
	__u8 a16[16] = { [10] = 0xff, [11] = 0xff };
	char *buf;

	for (len = 1; len < need; len++) {
		buf = malloc(len);
		CHECK(buf);
		CHECK(xdpfwd_prefix_format(p, buf, len) == -ENOSPC);
		CHECK(strlen(buf) == len - 1 && !strncmp(buf, full, len - 1));
		free(buf);
	}
	/* The event formatter prints the address alone: full-length prefixes only. */
	if (p->prefixlen != (p->family == 4 ? 32 : 128))
		return;
	if (p->family == 4)
		memcpy(a16 + 12, p->addr, 4);
	else
		memcpy(a16, p->addr, 16);
	for (len = 1; len <= need; len++) {
		buf = malloc(len);
		CHECK(buf);
		xdpfwd_addr16_format(a16, buf, len);
		CHECK(!strncmp(buf, full, len - 1) && strlen(buf) == len - 1);
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpfwd_prefix p, q, untouched;
	char err[256], text2[XDPFWD_PREFIX_STRLEN], text3[XDPFWD_PREFIX_STRLEN];
	char *text = fuzz_cstr(data, size), *tiny;
	size_t n;
	int ret;

	memset(&p, 0xa5, sizeof(p));
	untouched = p;
	ret = xdpfwd_prefix_parse(text, &p, err, sizeof(err));
	CHECK(memchr(err, '\0', sizeof(err)));

	/* The verdict does not depend on the error buffer, which only ever truncates. */
	CHECK(xdpfwd_prefix_parse(text, &q, NULL, 0) == ret);
	tiny = malloc(5);
	CHECK(tiny);
	CHECK(xdpfwd_prefix_parse(text, &q, tiny, 5) == ret);
	CHECK(strlen(tiny) < 5 && !strncmp(tiny, err, strlen(tiny)));
	free(tiny);

	if (ret) {
		CHECK(ret == -EINVAL || ret == -ERANGE);
		CHECK(err[0]);
		CHECK(!memcmp(&p, &untouched, sizeof(p)));
		goto out;
	}
	CHECK(!err[0]);
	check_valid(&p);

	CHECK(xdpfwd_prefix_format(&p, text2, sizeof(text2)) == 0);
	memset(&q, 0x5a, sizeof(q));
	CHECK(xdpfwd_prefix_parse(text2, &q, err, sizeof(err)) == 0);
	CHECK(!memcmp(&p, &q, sizeof(p)));
	CHECK(xdpfwd_prefix_format(&q, text3, sizeof(text3)) == 0);
	CHECK(!strcmp(text2, text3));

	if (p.family == 4) {
		n = strlen(text2);
		CHECK(!strcmp(text, text2) || (!strncmp(text, text2, n) && !strcmp(text + n, "/32")));
	}
	check_short_buffers(&p, text2);
out:
	free(text);
	return 0;
}
