/* SPDX-License-Identifier: GPL-2.0 */
/*
 * top.h's entry finder: the candidates and the bounded scan that feeds them
 * (top.h says why). Inside the library only; top_sample.c is its user.
 */
#ifndef XDPFWD_TOP_SCAN_H
#define XDPFWD_TOP_SCAN_H

#include <linux/types.h>
#include "addr.h"
#include "top.h"
#include "xdpfwd.h"

/* The block maps, in scan order. */
enum {
	TOP_MAP_V4_ADDR,
	TOP_MAP_V6_ADDR,
	TOP_MAP_V4_NET,
	TOP_MAP_V6_NET,
	TOP_MAPS,
};

#define TOP_KEY_MAX 20	/* struct xdpfwd_lpm_v6_key */
#define TOP_CANDIDATE_BUCKETS (2 * TOP_CANDIDATES)

struct top_cand {
	__u8 map;			/* TOP_MAP_* */
	__u8 key[TOP_KEY_MAX];		/* as the map stores it */
	int used;
	int next;			/* hash chain; -1 ends it */
	int fresh;			/* admitted by this sample's scan: no delta yet */
	struct xdpfwd_entry e;		/* as read by the last sample */
	__u64 d_packets, d_bytes;	/* over the last interval */
};

struct top_scan {
	int fds[TOP_MAPS];
	struct top_cand cand[TOP_CANDIDATES];
	int heads[TOP_CANDIDATE_BUCKETS];
	int free_head;			/* chain of unused slots through next */
	long n_cand;
	int victim;			/* where the next eviction looks */
	/* The cursor: map, and the batch token (hashes) or last key (tries) to go on from. */
	int map;
	int started;
	__u32 token;
	__u8 last_key[TOP_KEY_MAX];
	long budget;			/* entries per sample */
	long scanned_total;
	__u64 pass_start_ns;		/* CLOCK_MONOTONIC when the current pass began */
	double pass_s;
	void *keys, *values;		/* batch buffers */
};

int top_scan_init(struct top_scan *s, const int fds[TOP_MAPS]);
void top_scan_free(struct top_scan *s);

/* The maps, resized (capacity.h): the pass starts again on them; the candidates stay (keys and counters were copied). */
void top_scan_maps(struct top_scan *s, const int fds[TOP_MAPS]);

/* Re-reads every candidate (deltas since the last read; gone entries leave). */
void top_scan_reread(struct top_scan *s);

/* Reads the next slice (full: everything) and admits entries hit at or after recent_mono_ns. */
int top_scan_slice(struct top_scan *s, int full, __u64 recent_mono_ns);

/* Drops candidates idle since before idle_mono_ns. */
void top_scan_forget(struct top_scan *s, __u64 idle_mono_ns);

/* The entry's prefix from its map and key. */
void top_scan_prefix(const struct top_cand *c, struct xdpfwd_prefix *p);

#endif
