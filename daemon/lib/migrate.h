/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving a running instance to a build whose maps have another layout
 * (xdpfwd --migrate). Old maps are never reused with a new meaning: the new
 * build gets fresh maps, the old lists' entries are copied into them before
 * its program replaces the old one (one atomic swap, so nothing leaks), and
 * only then do the pins move to the new maps. Entries keep their addresses
 * and prefixes, and the entries the old program enforced are the ones
 * copied. From layout 2 (one list per kind) every entry lands in set
 * "manual" with its counters and deadline (same clocks); the twin tries and
 * entries a replace had staged are not copied. From this layout (a build
 * with other capacities) values, sets and generations are copied as they
 * are. From anything else the values start afresh: set manual, counters
 * zero, no deadline.
 */
#ifndef XDPFWD_MIGRATE_H
#define XDPFWD_MIGRATE_H

#include "capacity.h"

#include <stddef.h>
#include <linux/types.h>

struct xdpfwd_bpf;

#define MIGRATE_MAX_MAPS 32

struct migration {
	int n;
	int fd[MIGRATE_MAX_MAPS];
	char path[MIGRATE_MAX_MAPS][4096];
	char name[MIGRATE_MAX_MAPS][16];
	__u32 old_stats_id;		/* tells the old program, still attached, as ours */
};

/* Opens every pin of the old instance under dir (maps named like ours, and the program). */
int migrate_open_old(const char *dir, struct migration *m);

/* Copies the old lists' entries into the new build's maps (already created by load); lib_error on failure. */
int migrate_copy_entries(const struct migration *m, struct xdpfwd_bpf *skel, size_t *copied);

/* The old instance's block maps' sizes (index CAP_*; 0: none): the new ones are made at least as big, so the entries fit. */
void migrate_old_capacity(const struct migration *m, __u32 max[CAP_MAPS]);

/* After the swap: removes the old pins, so the new maps can be pinned in their place. */
void migrate_unpin_old(const struct migration *m);

void migrate_close(struct migration *m);

#endif
