// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "enum_names.h"
#include "stats.h"

/* Adds n per-CPU copies of struct xdpfwd_stats to *sum (the struct is all __u64). */
static void add_copies(struct xdpfwd_stats *sum, const struct xdpfwd_stats *per, int n)
{
	__u64 *out = (__u64 *)sum;
	const __u64 *in;
	size_t i;
	int c;

	_Static_assert(sizeof(*sum) % sizeof(__u64) == 0, "struct xdpfwd_stats must be all __u64");
	for (c = 0; c < n; c++) {
		in = (const __u64 *)&per[c];
		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			out[i] += in[i];
	}
}

/* Every CPU's copy of one slot; the caller frees *per and gets the CPU count back. */
static int read_copies(int stats_fd, __u32 slot, struct xdpfwd_stats **per)
{
	int ncpu = libbpf_num_possible_cpus(), err;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	*per = calloc(ncpu, sizeof(**per));
	if (!*per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(stats_fd, &slot, *per)) {
		err = -errno;
		free(*per);
		*per = NULL;
		return err;
	}
	return ncpu;
}

int stats_read_slot(int stats_fd, __u32 slot, struct xdpfwd_stats *sum)
{
	struct xdpfwd_stats *per;
	int n = read_copies(stats_fd, slot, &per);

	memset(sum, 0, sizeof(*sum));
	if (n < 0)
		return n;
	add_copies(sum, per, n);
	free(per);
	return 0;
}

int stats_read(int stats_fd, struct xdpfwd_stats *sum)
{
	struct xdpfwd_stats one;
	__u32 slot;
	int err;

	memset(sum, 0, sizeof(*sum));
	for (slot = 0; slot < XDPFWD_STATS_SLOTS; slot++) {
		err = stats_read_slot(stats_fd, slot, &one);
		if (err)
			return err;
		add_copies(sum, &one, 1);
	}
	return 0;
}

int stats_retire_slot(int stats_fd, __u32 slot)
{
	struct xdpfwd_stats *from = NULL, *retired = NULL, zero = {};
	__u32 key = XDPFWD_STATS_SLOT_RETIRED;
	int n, m, c, err = 0;

	n = read_copies(stats_fd, slot, &from);
	if (n < 0)
		return n;
	for (c = 0; c < n && !memcmp(&from[c], &zero, sizeof(zero)); c++)
		;
	if (c == n)
		goto out;	/* empty already */
	m = read_copies(stats_fd, key, &retired);
	if (m < 0) {
		err = m;
		goto out;
	}
	/* CPU by CPU, so each copy stays one CPU's: the sums are all anyone reads. */
	for (c = 0; c < n; c++)
		add_copies(&retired[c], &from[c], 1);
	if (bpf_map_update_elem(stats_fd, &key, retired, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	memset(from, 0, n * sizeof(*from));
	if (bpf_map_update_elem(stats_fd, &slot, from, BPF_ANY))
		err = -errno;
out:
	free(from);
	free(retired);
	return err;
}

int stats_retire_set(int stats_fd, int kind, int set)
{
	struct xdpfwd_stats sum, *retired = NULL;
	__u32 key = XDPFWD_STATS_SLOT_RETIRED;
	__u64 packets, bytes;
	int n, err;

	if (kind < 0 || kind >= XDPFWD_KINDS || set <= XDPFWD_SET_MANUAL || set >= XDPFWD_MAX_SETS)
		return -EINVAL;
	err = stats_read(stats_fd, &sum);
	if (err)
		return err;
	packets = sum.set_packets[kind][set];
	bytes = sum.set_bytes[kind][set];
	if (!packets && !bytes)
		return 0;	/* never counted, or retired already */
	n = read_copies(stats_fd, key, &retired);
	if (n < 0)
		return n;
	/*
	 * One CPU's copy of the slot the program never writes, in one update:
	 * the sums over slots and CPUs are all anyone reads (modulo 2^64, so
	 * the id's sum becomes exactly 0), and a crash leaves it done or not.
	 */
	retired[0].set_packets[kind][XDPFWD_SET_MANUAL] += packets;
	retired[0].set_bytes[kind][XDPFWD_SET_MANUAL] += bytes;
	retired[0].set_packets[kind][set] -= packets;
	retired[0].set_bytes[kind][set] -= bytes;
	if (bpf_map_update_elem(stats_fd, &key, retired, BPF_ANY))
		err = -errno;
	free(retired);
	return err;
}

__u64 stats_set_packets(const struct xdpfwd_stats *s, int kind, int set)
{
	return kind >= 0 && kind < XDPFWD_KINDS && set >= 0 && set < XDPFWD_MAX_SETS ?
		xdpfwd_set_packets(s, kind, set) : 0;
}

__u64 stats_set_bytes(const struct xdpfwd_stats *s, int kind, int set)
{
	return kind >= 0 && kind < XDPFWD_KINDS && set >= 0 && set < XDPFWD_MAX_SETS ?
		xdpfwd_set_bytes(s, kind, set) : 0;
}

const struct stats_style stats_style_text = {
	.totals = "stats pass=%llu drop=%llu audit=%llu",
	.counter = " %s_%s=%llu",
	.events = " events_sent=%llu events_suppressed=%llu events_lost=%llu",
};

void stats_format(const struct xdpfwd_stats *s, const struct stats_style *style, char *buf, unsigned long len)
{
	unsigned long used;
	__u64 total[XDPFWD_ACT_MAX] = {};
	int a, r, n;

	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++)
			total[a] += s->packets[a][r];
	n = snprintf(buf, len, style->totals, (unsigned long long)total[XDPFWD_ACT_PASS],
		     (unsigned long long)total[XDPFWD_ACT_DROP],
		     (unsigned long long)total[XDPFWD_ACT_AUDIT]);
	used = n > 0 ? (unsigned long)n : 0;
	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++) {
			if (!s->packets[a][r] || used >= len)
				continue;
			n = snprintf(buf + used, len - used, style->counter, action_name(a), reason_name(r),
				     (unsigned long long)s->packets[a][r]);
			used += n > 0 ? (unsigned long)n : 0;
		}
	if (used < len)
		snprintf(buf + used, len - used, style->events, (unsigned long long)s->ev_sent,
			 (unsigned long long)(s->ev_suppressed_source + s->ev_suppressed_global),
			 (unsigned long long)s->ev_lost);
}

void stats_format_line(const struct xdpfwd_stats *s, char *buf, unsigned long len)
{
	stats_format(s, &stats_style_text, buf, len);
}
