// SPDX-License-Identifier: GPL-2.0
/*
 * What readers show as a set's packets and bytes (include/xdpfwd.h,
 * xdpfwd_set_packets()): set manual's derived from the kind's total, the
 * other sets' read, and the counters a deleted set leaves in the retired
 * slot, without a kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "xdpfwd.h"

enum { F2B = 4, FEED = 7, BLOCK = XDPFWD_KIND_BLOCK, ALLOW = XDPFWD_KIND_ALLOW };

/* What the program counts for one decided packet of len bytes, counted under set `set`. */
static void decide(struct xdpfwd_stats *s, int kind, int action, int set, __u64 len)
{
	int reason = kind == BLOCK ? XDPFWD_R_BLOCKLIST : XDPFWD_R_ALLOWLIST;

	s->packets[action][reason]++;
	s->bytes[action][reason] += len;
	if (set == XDPFWD_SET_MANUAL)
		return;
	s->set_packets[kind][set]++;
	s->set_bytes[kind][set] += len;
}

/* Manual: every decided packet of the kind (drops and audits for block) no other set counted. */
static void manual_is_derived(void **state)
{
	struct xdpfwd_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	decide(&s, BLOCK, XDPFWD_ACT_DROP, XDPFWD_SET_MANUAL, 100);
	decide(&s, BLOCK, XDPFWD_ACT_DROP, XDPFWD_SET_MANUAL, 60);
	decide(&s, BLOCK, XDPFWD_ACT_AUDIT, XDPFWD_SET_MANUAL, 10);
	decide(&s, BLOCK, XDPFWD_ACT_DROP, F2B, 1000);
	decide(&s, BLOCK, XDPFWD_ACT_AUDIT, FEED, 7);
	decide(&s, ALLOW, XDPFWD_ACT_PASS, XDPFWD_SET_MANUAL, 5);
	decide(&s, ALLOW, XDPFWD_ACT_PASS, F2B, 50);
	/* Verdicts no entry decided are no set's. */
	s.packets[XDPFWD_ACT_PASS][XDPFWD_R_NO_MATCH] += 9;
	s.packets[XDPFWD_ACT_DROP][XDPFWD_R_MALFORMED] += 9;
	assert_int_equal(xdpfwd_set_packets(&s, BLOCK, XDPFWD_SET_MANUAL), 3);
	assert_int_equal(xdpfwd_set_bytes(&s, BLOCK, XDPFWD_SET_MANUAL), 170);
	assert_int_equal(xdpfwd_set_packets(&s, BLOCK, F2B), 1);
	assert_int_equal(xdpfwd_set_bytes(&s, BLOCK, F2B), 1000);
	assert_int_equal(xdpfwd_set_packets(&s, BLOCK, FEED), 1);
	assert_int_equal(xdpfwd_set_packets(&s, ALLOW, XDPFWD_SET_MANUAL), 1);
	assert_int_equal(xdpfwd_set_bytes(&s, ALLOW, XDPFWD_SET_MANUAL), 5);
	assert_int_equal(xdpfwd_set_packets(&s, ALLOW, F2B), 1);
	assert_int_equal(xdpfwd_set_packets(&s, ALLOW, FEED), 0);
}

/*
 * A deleted set's counters, moved into id 0 and out of the id in the retired
 * slot's copy (modulo 2^64): the slots summed show the id at 0 and manual
 * unchanged; the id's new set counts from there.
 */
static void retired_set(void **state)
{
	struct xdpfwd_stats live, retired, sum;
	__u64 *a = (__u64 *)&live, *b = (__u64 *)&retired, *out = (__u64 *)&sum;
	size_t i;

	(void)state;
	memset(&live, 0, sizeof(live));
	memset(&retired, 0, sizeof(retired));
	decide(&live, BLOCK, XDPFWD_ACT_DROP, XDPFWD_SET_MANUAL, 100);
	decide(&live, BLOCK, XDPFWD_ACT_DROP, F2B, 60);
	decide(&live, BLOCK, XDPFWD_ACT_DROP, F2B, 60);
	/* What stats_retire_set() writes for block set F2B. */
	retired.set_packets[BLOCK][XDPFWD_SET_MANUAL] += 2;
	retired.set_bytes[BLOCK][XDPFWD_SET_MANUAL] += 120;
	retired.set_packets[BLOCK][F2B] -= 2;
	retired.set_bytes[BLOCK][F2B] -= 120;
	decide(&live, BLOCK, XDPFWD_ACT_DROP, F2B, 30);
	for (i = 0; i < sizeof(sum) / sizeof(__u64); i++)
		out[i] = a[i] + b[i];
	assert_int_equal(xdpfwd_set_packets(&sum, BLOCK, F2B), 1);
	assert_int_equal(xdpfwd_set_bytes(&sum, BLOCK, F2B), 30);
	assert_int_equal(xdpfwd_set_packets(&sum, BLOCK, XDPFWD_SET_MANUAL), 1);
	assert_int_equal(xdpfwd_set_bytes(&sum, BLOCK, XDPFWD_SET_MANUAL), 100);
}

/* A copy taken while the program counts may hold a set's packet but not yet the total: 0, not 2^64 - 1. */
static void never_below_zero(void **state)
{
	struct xdpfwd_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.set_packets[BLOCK][F2B] = 1;
	s.set_bytes[BLOCK][F2B] = 64;
	assert_int_equal(xdpfwd_set_packets(&s, BLOCK, XDPFWD_SET_MANUAL), 0);
	assert_int_equal(xdpfwd_set_bytes(&s, BLOCK, XDPFWD_SET_MANUAL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(manual_is_derived),
		cmocka_unit_test(retired_set),
		cmocka_unit_test(never_below_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
