/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bans the program makes itself (action ban: block set "auto"), as
 * status, `sets` and the metrics count them without walking the blocklist.
 * The program writes a ban entry without telling the books (struct
 * xdpfwd_books), so the books lack the bans made since they were last
 * counted; struct xdpfwd_ban_books records when that was and how many bans
 * had been made then. The daemon's tick (bans_catch_up) counts again when
 * bans were made since, at most once per XDPFWD_BAN_RECOUNT_S: one walk
 * that also removes the expired bans, whatever the flood's rate.
 */
#ifndef XDPFWD_BANS_H
#define XDPFWD_BANS_H

#include <stddef.h>
#include "xdpfwd.h"

struct xdpfwd_bpf;

struct ban_counts {
	struct xdpfwd_limit_stats stats;	/* summed over CPUs and slots: over-limit packets, bans, failures */
	long live;		/* entries the books count in set auto; -1: no set auto (never banned) */
	__u64 unbooked;		/* bans made since the books counted: live is short of the truth by at most this */
	__u64 counted_ns;	/* CLOCK_BOOTTIME of that count; 0: never */
	int auto_set;		/* its id, -1: none */
};

/* -ENOENT + lib_error on an instance without the flood defense's maps. */
int bans_read(struct xdpfwd_bpf *skel, struct ban_counts *c);

/*
 * Pin dir lock held. If bans were made since the books counted and the last
 * count is XDPFWD_BAN_RECOUNT_S old (or `now_anyway`), sweeps the blocklist
 * (list_sweep: expired entries out, every count afresh) and records it.
 * *swept says whether it walked, *removed what the walk deleted.
 */
int bans_catch_up(struct xdpfwd_bpf *skel, int now_anyway, int *swept, size_t *removed);

/* Records that the books were just counted afresh (list_recount), every ban made so far with them. */
int bans_counted(struct xdpfwd_bpf *skel);

#endif
