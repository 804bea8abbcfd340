// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>
#include "kclock.h"
#include "time_format.h"

void time_format_mono(__u64 t, char *buf, unsigned long len)
{
	__u64 mono_ns = kclock_to_monotonic(t);
	struct timespec mono, real;
	__s64 real_ns;
	time_t secs;
	struct tm tm;

	/* The offset is taken per call, so a clock step (NTP) shows up at once. */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	real_ns = (__s64)real.tv_sec * 1000000000LL + real.tv_nsec -
		  ((__s64)mono.tv_sec * 1000000000LL + mono.tv_nsec - (__s64)mono_ns);
	secs = real_ns / 1000000000LL;
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(real_ns % 1000000000LL / 1000000));
}
