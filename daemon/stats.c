// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "names.h"
#include "stats.h"

int stats_read(int stats_fd, struct xdpfwd_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus(), c, a, r;
	struct xdpfwd_stats *per;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(stats_fd, &zero, per)) {
		r = -errno;
		free(per);
		return r;
	}
	memset(sum, 0, sizeof(*sum));
	for (c = 0; c < ncpu; c++) {
		for (a = 0; a < XDPFWD_ACT_MAX; a++)
			for (r = 0; r < XDPFWD_R_MAX; r++) {
				sum->packets[a][r] += per[c].packets[a][r];
				sum->bytes[a][r] += per[c].bytes[a][r];
			}
		sum->ev_eligible += per[c].ev_eligible;
		sum->ev_sent += per[c].ev_sent;
		sum->ev_suppressed_source += per[c].ev_suppressed_source;
		sum->ev_suppressed_global += per[c].ev_suppressed_global;
		sum->ev_lost += per[c].ev_lost;
	}
	free(per);
	return 0;
}

void stats_format_line(const struct xdpfwd_stats *s, char *buf, unsigned long len)
{
	unsigned long used;
	__u64 total[XDPFWD_ACT_MAX] = {};
	int a, r, n;

	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++)
			total[a] += s->packets[a][r];
	n = snprintf(buf, len, "stats pass=%llu drop=%llu", (unsigned long long)total[XDPFWD_ACT_PASS],
		     (unsigned long long)total[XDPFWD_ACT_DROP]);
	used = n > 0 ? (unsigned long)n : 0;
	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++) {
			if (!s->packets[a][r] || used >= len)
				continue;
			n = snprintf(buf + used, len - used, " %s_%s=%llu", action_name(a), reason_name(r),
				     (unsigned long long)s->packets[a][r]);
			used += n > 0 ? (unsigned long)n : 0;
		}
	if (used < len)
		snprintf(buf + used, len - used, " events_sent=%llu events_suppressed=%llu events_lost=%llu",
			 (unsigned long long)s->ev_sent,
			 (unsigned long long)(s->ev_suppressed_source + s->ev_suppressed_global),
			 (unsigned long long)s->ev_lost);
}
