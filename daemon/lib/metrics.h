/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instance's counters as Prometheus metrics: one snapshot read from the
 * pinned maps, then written in the text exposition format. Used by
 * `xdpfwd metrics`, the daemon's HTTP endpoint and its textfile.
 */
#ifndef XDPFWD_METRICS_H
#define XDPFWD_METRICS_H

#include <stdio.h>
#include <net/if.h>
#include "xdpfwd.h"
#include "bans.h"

struct xdpfwd_bpf;

enum {
	METRICS_LIST_BLOCK,
	METRICS_LIST_ALLOW,
	METRICS_LIST_MAX,
};

enum {
	METRICS_KIND_ADDRESS,		/* /32, /128 */
	METRICS_KIND_PREFIX,		/* anything shorter */
	METRICS_KIND_MAX,
};

struct metrics_iface {
	char name[IF_NAMESIZE];
	const char *mode;		/* "native" or "skb" */
	int attached;			/* our program runs there now */
	int has_stats;
	struct xdpfwd_stats stats;	/* this interface's share of the counters */
	struct xdpfwd_limit_stats limit_stats;	/* and of the flood defense's (have_limits) */
};

/* One named set: its entries (from the books) and what its entries decided (per-set counters). */
struct metrics_set {
	char name[XDPFWD_SET_NAME_MAX + 1];	/* "": a free id, not written */
	long entries;				/* -1: could not be counted */
};

/* One list map: how full it is. */
struct metrics_map {
	const char *name;			/* NULL: the list has no such map */
	long entries;				/* -1: could not be counted */
	long max;				/* its capacity */
};

struct metrics_snapshot {
	struct xdpfwd_stats stats;
	long entries[METRICS_LIST_MAX][METRICS_KIND_MAX];	/* -1: could not be counted */
	struct metrics_set sets[METRICS_LIST_MAX][XDPFWD_MAX_SETS];
	struct metrics_map maps[METRICS_LIST_MAX][4];
	struct metrics_iface ifaces[XDPFWD_MAX_IFACES];
	int n_ifaces;
	int have_limits;			/* the instance has the flood defense's maps */
	struct xdpfwd_limits limits;
	struct ban_counts bans;			/* its counters (bans.h: live is the books', unbooked its bound) */
};

/*
 * Reads counters, list sizes and interfaces. Interfaces recorded from another
 * network namespace are left out: their ifindex means nothing here, and the
 * daemon running there reports them. List sizes come from the books map
 * (one lookup per list, see list_count), not from walking the lists; set
 * names from the sets map.
 */
int metrics_collect(struct xdpfwd_bpf *skel, struct metrics_snapshot *s);

/* Writes every metric family; returns 0 or -EIO if the stream failed. */
int metrics_write(FILE *f, const struct metrics_snapshot *s);

#endif
