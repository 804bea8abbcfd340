/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How many entries the blocklist's maps hold. The exact hashes (one per
 * family) preallocate their buckets: their size is what a lookup scatters
 * over, so an instance makes them as small as its list needs and grows
 * them when they fill (issue 16). The block tries allocate per entry: their
 * max_entries is only a ceiling. The allowlist keeps the build's sizes.
 *
 * A size is chosen when the maps are made (a fresh instance, or a growth);
 * pins that exist keep theirs (pinned.c reuses list maps of any size).
 */
#ifndef XDPFWD_CAPACITY_H
#define XDPFWD_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct xdpfwd_bpf;

/*
 * 64k: the lookup cost did not depend on the size (BENCHMARKS.md "Capacity"),
 * so the default is decided by memory (16 B a slot empty, 1 MiB here against
 * 16 MiB at 1M). Every load grows first (capacity_grow_for): the CLI's, and
 * the daemon's own list files at start and on reload.
 */
#define CAPACITY_EXACT_DEFAULT	65536U
#define CAPACITY_MIN		64U
#define CAPACITY_MAX		(1U << 28)	/* 256M: a hash that size takes tens of GiB */
/* A hash past this fill (percent) is grown by the daemon, CAPACITY_GROW_FACTOR times or to fit. */
#define CAPACITY_GROW_PERCENT	75
#define CAPACITY_GROW_FACTOR	4

struct capacity {
	__u32 exact;		/* per family, exact hashes; 0: the default */
	__u32 prefix;		/* per family, block tries; 0: the build's */
};

/* Before load: the sizes of the list maps this skeleton will create (not those it reuses). */
int capacity_apply(struct xdpfwd_bpf *skel, const struct capacity *c);

/* max_entries of a map by fd (0 on error). */
__u32 capacity_map_max(int fd);

/* 1 for the maps whose size an instance chooses: pins of any size are reused. */
int capacity_sized_map(const struct xdpfwd_bpf *skel, const void *map);

/*
 * After a resize by another process: the skeleton's exact hashes become the
 * pinned ones (bpf_map__reuse_fd), so edits through it reach the maps the
 * program uses. Pin dir lock held. 1 if it changed them, 0 if not, -errno.
 */
int capacity_follow(struct xdpfwd_bpf *skel, const char *dir);

/* Capacity and entries of an exact hash, by family (0: v4, 1: v6), from the kernel and the books. */
struct capacity_fill {
	__u32 max[2];
	long entries[2];	/* -1: not counted */
};
/* may_walk false: from the books alone (-EAGAIN while an edit runs), for a task that runs every second. */
int capacity_fill_read(struct xdpfwd_bpf *skel, struct capacity_fill *f, bool may_walk);

/*
 * The size an exact hash holding `need` entries should have: itself while
 * need stays at or below CAPACITY_GROW_PERCENT of cur, else cur times
 * CAPACITY_GROW_FACTOR (or more, to bring need under the threshold).
 */
__u32 capacity_target(__u32 cur, size_t need);

struct xdpfwd_prefix_set;
struct list_maps;

/* Adds the exact entries (/32, /128) of ps to add[] by family: what they need of the hashes. */
void capacity_count_exact(const struct xdpfwd_prefix_set *ps, size_t add[2]);

/* What a resize did. */
struct capacity_resize_report {
	int resized;			/* 0: the sizes asked for are the sizes already */
	__u32 from[2], to[2];		/* per family: v4, v6 */
	size_t entries[2];		/* copied */
	size_t late;			/* bans the old programs made during the copy, carried over */
	int programs;			/* running programs replaced (0: none ran) */
	__u32 old_prog_id, new_prog_id;	/* the first of them */
	double ms;			/* time taken, all steps */
};

/*
 * Makes the exact hashes want[family] entries big (0: keeps a family's)
 * without a moment unfiltered: new hashes filled with every entry (sets,
 * counters, deadlines kept), each running program of the instance replaced
 * by this build's over the new hashes (XDP_FLAGS_REPLACE), pins moved last
 * (capacity_resize.c says how). The caller holds the pin dir lock.
 * Refuses, changing nothing, a size the entries would fill past
 * CAPACITY_GROW_PERCENT, a program in libxdp's dispatcher or in another
 * network namespace.
 */
int capacity_resize(const char *dir, const __u32 want[2], struct capacity_resize_report *r);

/*
 * Before an edit of the blocklist m that adds up to add[f] exact entries per
 * family: the hashes it would fill past CAPACITY_GROW_PERCENT are grown
 * first (capacity_target of their entries plus add, capacity_resize), so a
 * big load neither fails for want of room nor waits for the daemon's round.
 * add is an upper bound: a replace's old and new entries share the hashes
 * until its switch. The caller holds the pin dir lock and, after a growth,
 * opens the pins again (or capacity_follow): m's fds name the old hashes.
 * may_walk as for capacity_fill_read. 1: grown (r says how), 0: no need,
 * -errno: not grown (the edit still fits or fails with "full").
 */
int capacity_grow_for(const char *dir, const struct list_maps *m, const size_t add[2], bool may_walk,
		      struct capacity_resize_report *r);

#endif
