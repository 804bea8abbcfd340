// SPDX-License-Identifier: GPL-2.0
/* Small helpers every subcommand uses: clocks, numbers, namespaces, ksoftirqd's CPU time. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include "xfbench.h"

__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void sleep_ns(__u64 ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int parse_u32(const char *s, __u32 *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > UINT_MAX)
		return -ERANGE;
	*out = v;
	return 0;
}

int netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		xfb_err("network namespace %s: %s\n", name, strerror(-err));
		return err;
	}
	/* Per thread: the generator and the controller live in different namespaces. */
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	close(fd);
	return err;
}

static pid_t ksoftirqd_pid(int cpu)
{
	char want[32], path[300], comm[32];
	struct dirent *de;
	pid_t pid = 0;
	DIR *d;
	FILE *f;

	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			pid = atoi(de->d_name);
		fclose(f);
	}
	closedir(d);
	return pid;
}

/* schedstat's first field is the task's CPU time in ns; the pid is looked up once. */
__u64 ksoftirqd_ns(int cpu)
{
	static int cached_cpu = -1;
	static pid_t pid;
	unsigned long long ns = 0;
	char path[64];
	FILE *f;

	if (cached_cpu != cpu) {
		pid = ksoftirqd_pid(cpu);
		cached_cpu = cpu;
	}
	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}
