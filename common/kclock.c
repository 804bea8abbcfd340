// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include "kclock.h"

static unsigned int hz_from(const char *path)
{
	unsigned int hz = 0;
	char line[256];
	gzFile f;

	/* gzopen reads plain files as they are, so one reader serves both configs. */
	f = gzopen(path, "r");
	if (!f)
		return 0;
	while (gzgets(f, line, sizeof(line)))
		if (!strncmp(line, "CONFIG_HZ=", 10)) {
			hz = strtoul(line + 10, NULL, 10);
			break;
		}
	gzclose(f);
	return hz;
}

__u64 kclock_ns_per_jiffy(void)
{
	static int done;
	static __u64 ns;
	struct utsname u;
	char path[300];
	unsigned int hz;

	if (done)
		return ns;
	done = 1;
	hz = hz_from("/proc/config.gz");
	if (!hz && !uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		hz = hz_from(path);
	}
	/* Only HZ values that divide a second evenly keep the conversion exact. */
	if (hz && 1000000000U % hz == 0)
		ns = 1000000000ULL / hz;
	return ns;
}

__u64 kclock_to_monotonic(__u64 t)
{
	__u64 nspj = kclock_ns_per_jiffy(), hz;

	if (!nspj)
		return t;
	/* 64-bit kernels start jiffies at INITIAL_JIFFIES, (u32)(-300 * HZ), to catch wrap bugs early. */
	hz = 1000000000ULL / nspj;
	return t - (__u64)(__u32)(-300 * (__s64)hz) * nspj;
}
