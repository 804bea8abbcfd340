/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `xdpfwd top` shows, gathered from an instance's pins: rates between
 * two samples of the counters, the interfaces, how full the lists and sets
 * are, a history of drops/s, and the busiest blocklist entries. Read-only:
 * works whether a daemon runs or not. Nothing here prints.
 *
 * The busiest entries without walking every map every second: the program
 * records per entry packets, bytes and last_hit_ns. A bounded scan reads a
 * slice of the block maps per sample (batch lookups, a cursor that resumes
 * where the last slice ended) and admits the entries hit recently into a
 * table of candidates (at most TOP_CANDIDATES); each sample re-reads only
 * the candidates, one lookup each, and their counters' deltas are the rates.
 * The slice grows while the blocklist's drop counter rises faster than the
 * candidates' counters explain (to TOP_SCAN_MAX at once when they explain
 * less than half), and shrinks back to TOP_SCAN_MIN once they do: a new
 * flooding source is found within a pass at the largest slice (1M entries:
 * ~6 samples), and a steady flood costs a small slice plus the candidates.
 * The first sample reads every entry once (full), so the first frame knows
 * every active entry.
 */
#ifndef XDPFWD_TOP_H
#define XDPFWD_TOP_H

#include <net/if.h>
#include <linux/types.h>
#include "addr.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;
struct top;

#define TOP_CANDIDATES	4096	/* entries whose counters are re-read every sample */
#define TOP_SCAN_MIN	16384	/* entries scanned per sample when the candidates explain the drops */
#define TOP_SCAN_MAX	262144	/* ... and at most, while they do not */
#define TOP_ROWS	64	/* rows a view holds */
#define TOP_HISTORY	60	/* samples of drops/s kept */
#define TOP_SET_NAME	(XDPFWD_SET_NAME_MAX + 1)

enum top_sort {
	TOP_SORT_RATE,		/* packets/s over the last interval */
	TOP_SORT_TOTAL,		/* packets since the entry was made */
	TOP_SORT_LAST_HIT,	/* most recent first */
	TOP_SORTS,
};

/* Per second over the last interval; 0 before the second sample. */
struct top_rates {
	double in_pps, in_bps;		/* every frame the program saw (bits/s of whole frames) */
	double drop_pps, drop_bps;	/* dropped */
	double audit_pps;		/* audited (an audit-mode block set's match, or an audited rate limit) */
	double limited_pps;		/* over a flood defense limit (dropped or audited), among the above */
};

struct top_iface {
	char name[IF_NAMESIZE];
	__u32 ifindex;
	const char *mode;		/* "native" or "skb" */
	const char *state;		/* iface_status_state(): "attached", "detached", ... */
	__u32 prog_id;			/* the program there now, else the one last recorded */
	int has_stats;
	struct top_rates r;
};

/* One list map: how full it is (from the books, never by walking). */
struct top_fill {
	const char *list;		/* "block", "allow" */
	const char *map;		/* "block_v4_addr", ... */
	long entries;			/* -1: not known */
	long max;
};

struct top_set {
	const char *kind;		/* "block", "allow" */
	char name[TOP_SET_NAME];
	long entries;			/* -1: not known */
	double pps;			/* packets its entries decided per second */
};

struct top_row {
	struct xdpfwd_prefix prefix;
	char set[TOP_SET_NAME];		/* the set its hits count under */
	double pps, bytes_ps;
	__u64 packets, bytes;		/* since the entry was made */
	double last_hit_ago_s;		/* -1: never hit */
	double expires_in_s;		/* -1: no deadline */
};

/* The scan's own figures, for the header: what it costs and how far it sees. */
struct top_scan_info {
	long entries_per_sample;	/* the current slice */
	long candidates;
	long scanned_total;		/* entries read by the scan since the start */
	double pass_s;			/* seconds the last complete pass over the maps took; 0: none yet */
	double unexplained_pps;		/* blocklist drops/s no candidate accounts for */
};

struct top_view {
	int rates_valid;		/* two samples taken: the rates mean something */
	double interval_s;		/* between the last two samples */
	double uptime_s;		/* since the instance's pins were made; -1: not known */
	struct top_iface ifaces[XDPFWD_MAX_IFACES];
	int n_ifaces;
	struct top_rates total;		/* every interface, and frames of interfaces no daemon recorded */
	double ev_sent_ps, ev_suppressed_ps, ev_lost_ps;
	struct top_fill fills[6];
	int n_fills;
	struct top_set sets[XDPFWD_KINDS * XDPFWD_MAX_SETS];
	int n_sets;
	struct top_row rows[TOP_ROWS];
	int n_rows;
	double history[TOP_HISTORY];	/* drops/s, oldest first */
	int n_history;
	struct top_scan_info scan;
};

/* For the instance open in skel at pin_dir; the times are converted with the instance's clock. */
int top_open(struct xdpfwd_bpf *skel, const char *pin_dir, struct top **t);
void top_close(struct top *t);

/* Reads the counters, interfaces, fills and entries now; full: scan every entry, not a slice. */
int top_sample(struct top *t, int full);

/* What the samples so far say, the rows in the order of `sort`. */
void top_view(struct top *t, enum top_sort sort, struct top_view *v);

const char *top_sort_name(enum top_sort sort);	/* "rate", "total", "last hit" */

#endif
