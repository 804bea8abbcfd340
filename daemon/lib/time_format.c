// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>
#include "kclock.h"
#include "time_format.h"

static __s64 ts_ns(const struct timespec *t)
{
	return (__s64)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static __s64 real_minus_mono_ns(void)
{
	struct timespec m1, real, m2;
	__s64 best = 0, gap, best_gap = -1;
	int i;

	for (i = 0; i < 5; i++) {
		clock_gettime(CLOCK_MONOTONIC, &m1);
		clock_gettime(CLOCK_REALTIME, &real);
		clock_gettime(CLOCK_MONOTONIC, &m2);
		gap = ts_ns(&m2) - ts_ns(&m1);
		if (best_gap < 0 || gap < best_gap) {
			best_gap = gap;
			best = ts_ns(&real) - (ts_ns(&m1) + gap / 2);
		}
		if (gap < 20000)	/* 20 us: no preemption in between */
			break;
	}
	return best;
}

void time_format_mono(__u64 t, char *buf, unsigned long len)
{
	__u64 mono_ns = kclock_to_monotonic(t);
	__s64 real_ns;
	time_t secs;
	struct tm tm;

	/*
	 * The offset is taken per call, so a clock step (NTP) shows up at once;
	 * of a few tries, the one whose REALTIME read sits between the closest
	 * MONOTONIC reads, so that being preempted between the reads (a loaded
	 * machine: milliseconds) does not move the time shown.
	 */
	real_ns = real_minus_mono_ns() + (__s64)mono_ns;
	secs = real_ns / 1000000000LL;
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(real_ns % 1000000000LL / 1000000));
}
