// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for xdpfwd_duration_parse(), checked against a second,
 * deliberately plain reading of its contract (addr.h): decimal digits, then
 * nothing or one of s, m, h, d; the value is greater than zero and
 * value * unit at most XDPFWD_DURATION_MAX seconds. Malformed text is
 * -EINVAL, a well-formed but too long duration -ERANGE; on failure *seconds
 * keeps its value and err says why.
 */
#include <errno.h>

#include "addr.h"
#include "fuzz.h"

static int reference(const char *t, __u64 *seconds)
{
	/* Wide enough that no digit string this side of 10^30 saturates early. */
	unsigned __int128 v = 0, cap = (unsigned __int128)1 << 100;
	__u64 unit = 1;
	size_t i = 0;

	while (t[i] >= '0' && t[i] <= '9') {
		v = v * 10 + (t[i] - '0');
		if (v > cap)
			v = cap;
		i++;
	}
	if (!i)
		return -EINVAL;
	if (t[i]) {
		switch (t[i]) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		default:
			return -EINVAL;
		}
		if (t[i + 1])
			return -EINVAL;
	}
	if (!v)
		return -EINVAL;
	if (v * unit > XDPFWD_DURATION_MAX)
		return -ERANGE;
	*seconds = (__u64)(v * unit);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const __u64 untouched = 0xa5a5a5a5a5a5a5a5ULL;
	__u64 got = untouched, want = untouched, again;
	char *text = fuzz_cstr(data, size), err[256], *tiny;
	int ret, ref;

	ret = xdpfwd_duration_parse(text, &got, err, sizeof(err));
	ref = reference(text, &want);
	if (ret != ref || got != want) {
		fprintf(stderr, "duration \"%s\": got %d, %llu; want %d, %llu\n", text, ret,
			(unsigned long long)got, ref, (unsigned long long)want);
		CHECK(0);
	}
	CHECK(memchr(err, '\0', sizeof(err)));
	if (ret) {
		CHECK(err[0]);
	} else {
		CHECK(!err[0]);
		CHECK(got >= 1 && got <= XDPFWD_DURATION_MAX);
		/* Callers turn it into nanoseconds: that must not wrap. */
		CHECK(got * 1000000000ULL / 1000000000ULL == got);
	}

	CHECK(xdpfwd_duration_parse(text, &again, NULL, 0) == ret);
	tiny = malloc(3);
	CHECK(tiny);
	CHECK(xdpfwd_duration_parse(text, &again, tiny, 3) == ret);
	CHECK(strlen(tiny) < 3);
	free(tiny);
	free(text);
	return 0;
}
