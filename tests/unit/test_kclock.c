// SPDX-License-Identifier: GPL-2.0
/* The program's clock: HZ measured through a real BPF program against this kernel's own config. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <unistd.h>

#include "kclock.h"

/* The measurement needs no file; the kernel's config, where this test can read it, says what it must find. */
static void measured_hz_is_config_hz(void **state)
{
	unsigned int config = kclock_config_hz(), hz = 0;

	(void)state;
	if (geteuid())
		skip();
	assert_int_equal(kclock_measure_hz(&hz), 0);
	if (config)
		assert_int_equal(hz, config);
	else
		assert_true(hz == 100 || hz == 250 || hz == 300 || hz == 1000);
}

/* jiffies64 = INITIAL_JIFFIES + CLOCK_MONOTONIC * HZ, to the few ticks jiffies lag from boot on. */
static void jiffies_follow_monotonic(void **state)
{
	struct xdpfwd_clock c;
	unsigned int hz = 0;
	__u64 formula;
	__s64 lag;

	(void)state;
	if (geteuid())
		skip();
	assert_int_equal(kclock_measure_hz(&hz), 0);
	kclock_from_hz(hz, XDPFWD_CLOCK_MEASURED, &c);
	formula = c.mono_offset_ns;
	assert_int_equal(kclock_measure_offset(&c), 0);
	lag = (__s64)(formula - c.mono_offset_ns);
	assert_true(lag > -100000000LL && lag < 2000000000LL);
}

static void clock_from_hz(void **state)
{
	struct xdpfwd_clock c;

	(void)state;
	kclock_from_hz(250, XDPFWD_CLOCK_MEASURED, &c);
	assert_int_equal(c.kind, XDPFWD_CLOCK_JIFFIES);
	assert_int_equal(c.ns_per_jiffy, 4000000);
	/* INITIAL_JIFFIES at HZ=250: (u32)(-75000) ticks of 4 ms. */
	assert_int_equal(c.mono_offset_ns, 4294892296ULL * 4000000ULL);
	kclock_use(&c);
	assert_int_equal(kclock_to_monotonic(4294892296ULL * 4000000ULL + 7), 7);
	/* No HZ, or one that does not divide a second: the coarse clock, already monotonic. */
	kclock_from_hz(0, XDPFWD_CLOCK_MEASURED, &c);
	assert_int_equal(c.kind, XDPFWD_CLOCK_COARSE);
	assert_int_equal(c.ns_per_jiffy, 0);
	kclock_use(&c);
	assert_int_equal(kclock_to_monotonic(12345), 12345);
	kclock_from_hz(1024, XDPFWD_CLOCK_FROM_CONFIG, &c);
	assert_int_equal(c.kind, XDPFWD_CLOCK_COARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(measured_hz_is_config_hz),
		cmocka_unit_test(jiffies_follow_monotonic),
		cmocka_unit_test(clock_from_hz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
