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

/*
 * A deleted set's counters (id not manual; no entry counts under it any
 * more): into what id 0 keeps for deleted sets, and out of the id, so that
 * set manual's derived figure stays and a set that reuses the id starts
 * from zero (see xdpfwd_set_figure()). Writes only XDPFWD_STATS_SLOT_RETIRED;
 * pin dir lock held. Idempotent: a retired id sums to 0.
 */
int stats_retire_set(int stats_fd, int kind, int set);

/*
 * The packets and bytes entries of set `set` of a kind decided, from summed
 * counters (xdpfwd_set_packets(): manual's derived), 0 out of range.
 */
__u64 stats_set_packets(const struct xdpfwd_stats *s, int kind, int set);
__u64 stats_set_bytes(const struct xdpfwd_stats *s, int kind, int set);

/* One line: "stats pass=N drop=N audit=N blocklist=N ... events sent=N suppressed=N lost=N". */
void stats_format_line(const struct xdpfwd_stats *s, char *buf, unsigned long len);
/*
 * The same line in another syntax: printf formats for the totals (pass, drop, audit:
 * %llu each), each non-zero counter (action, reason: %s; count: %llu) and the
 * event counts (sent, suppressed, lost: %llu each).
 */
struct stats_style {
	const char *totals, *counter, *events;
};
extern const struct stats_style stats_style_text;
void stats_format(const struct xdpfwd_stats *s, const struct stats_style *style, char *buf, unsigned long len);

#endif
