/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XDPFWD_STATS_H
#define XDPFWD_STATS_H

#include "xdpfwd.h"

/*
 * The global counters: the sum over every CPU and every slot (see
 * XDPFWD_STATS_SLOT_*), the per-set ones (set_packets, set_bytes) included.
 */
int stats_read(int stats_fd, struct xdpfwd_stats *sum);

/* One slot's counters (one interface's), summed over the CPUs. */
int stats_read_slot(int stats_fd, __u32 slot, struct xdpfwd_stats *sum);

/*
 * Moves a slot's counters into XDPFWD_STATS_SLOT_RETIRED and zeroes it, so it
 * can be given to another interface without the global sums going backwards.
 * Only for a slot no program counts in (no record holds it); pin dir lock held.
 */
int stats_retire_slot(int stats_fd, __u32 slot);

/* The packets and bytes entries of set `set` of a kind decided (struct xdpfwd_stats), 0 out of range. */
__u64 stats_set_packets(const struct xdpfwd_stats *s, int kind, int set);
__u64 stats_set_bytes(const struct xdpfwd_stats *s, int kind, int set);

/* One line: "stats pass=N drop=N audit=N blocklist=N ... events sent=N suppressed=N lost=N". */
void stats_format_line(const struct xdpfwd_stats *s, char *buf, unsigned long len);

#endif
