/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How many entries the blocklist's maps hold. The exact hashes (one per
 * family) preallocate their buckets: their size is what a lookup scatters
 * over, so an instance makes them as small as its list needs and grows
 * them when they fill (issue 16). The block tries allocate per entry: their
 * max_entries is only a ceiling, so they grow the same way at no cost but
 * the swap. The allowlist keeps the build's sizes.
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
struct bpf_map;

/*
 * The blocklist maps an instance sizes, the index of the per-map arrays
 * below: the exact hashes first (v4, v6), as when only they grew, then the
 * block tries.
 */
enum capacity_map { CAP_V4_ADDR, CAP_V6_ADDR, CAP_V4_NET, CAP_V6_NET, CAP_MAPS };

/* "block_v4_addr", ... (the map's name). */
const char *capacity_map_name(enum capacity_map i);
/* The skeleton's map of that index. */
struct bpf_map *capacity_map(const struct xdpfwd_bpf *skel, enum capacity_map i);
/* 1 for a block trie (CAP_V4_NET, CAP_V6_NET). */
static inline int capacity_is_trie(enum capacity_map i)
{
	return i == CAP_V4_NET || i == CAP_V6_NET;
}

/*
 * 64k: the lookup cost did not depend on the size (BENCHMARKS.md "Capacity"),
 * so the default is decided by memory (16 B a slot empty, 1 MiB here against
 * 16 MiB at 1M). Every load grows first (capacity_grow_for): the CLI's, and
 * the daemon's own list files at start and on reload.
 */
#define CAPACITY_EXACT_DEFAULT	65536U
#define CAPACITY_MIN		64U
#define CAPACITY_MAX		(1U << 28)	/* 256M: a hash that size takes tens of GiB */
/* A map past this fill (percent) is grown by the daemon, CAPACITY_GROW_FACTOR times or to fit. */
#define CAPACITY_GROW_PERCENT	75
#define CAPACITY_GROW_FACTOR	4
/*
 * From this size on a growth only doubles: a hash's buckets are 16 B a slot,
 * so a x4 step from 16M would add 768 MiB of them where x2 adds 256 MiB and
 * already leaves it under 40% full (BENCHMARKS.md "Capacity").
 */
#define CAPACITY_GROW_BIG	(1U << 22)

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
 * After a resize by another process: the skeleton's block maps (hashes and
 * tries) become the pinned ones (bpf_map__reuse_fd), so edits through it
 * reach the maps the program uses. Pin dir lock held. 1 if it changed them,
 * 0 if not, -errno.
 */
int capacity_follow(struct xdpfwd_bpf *skel, const char *dir);

/* Capacity and entries of each block map (index CAP_*), from the kernel and the books. */
struct capacity_fill {
	__u32 max[CAP_MAPS];
	long entries[CAP_MAPS];	/* -1: not counted */
};
/* may_walk false: from the books alone (-EAGAIN while an edit runs), for a task that runs every second. */
int capacity_fill_read(struct xdpfwd_bpf *skel, struct capacity_fill *f, bool may_walk);

/*
 * The size a block map holding `need` entries should have: itself while
 * need stays at or below CAPACITY_GROW_PERCENT of cur, else cur times
 * CAPACITY_GROW_FACTOR (2 from CAPACITY_GROW_BIG on), or more, to bring
 * need under the threshold.
 */
__u32 capacity_target(__u32 cur, size_t need);

struct xdpfwd_prefix_set;
struct list_maps;

/*
 * Adds the entries of ps to add[CAP_*], by the block map each would take:
 * /32 and /128 the hashes, shorter prefixes the tries.
 */
void capacity_count(const struct xdpfwd_prefix_set *ps, size_t add[CAP_MAPS]);

/* What a resize did. */
struct capacity_resize_report {
	int resized;			/* 0: the sizes asked for are the sizes already */
	__u32 from[CAP_MAPS], to[CAP_MAPS];	/* per map, index CAP_* */
	size_t entries[CAP_MAPS];	/* copied */
	size_t late;			/* bans the old programs made during the copy, carried over */
	int programs;			/* running programs replaced (0: none ran) */
	__u32 old_prog_id, new_prog_id;	/* the first of them */
	double ms;			/* time taken, all steps */
};

/*
 * Makes each block map want[CAP_*] entries big (0: keeps that map's)
 * without a moment unfiltered: new maps filled with every entry (sets,
 * counters, deadlines kept), each running program of the instance replaced
 * by this build's over the new maps (XDP_FLAGS_REPLACE; one program swap
 * whatever maps change), pins moved last (capacity_resize.c says how). The
 * caller holds the pin dir lock.
 * Refuses, changing nothing, a size the entries would fill past
 * CAPACITY_GROW_PERCENT, a program in libxdp's dispatcher or in another
 * network namespace.
 */
int capacity_resize(const char *dir, const __u32 want[CAP_MAPS], struct capacity_resize_report *r);

/*
 * Before an edit of the blocklist m that adds up to add[CAP_*] entries to
 * each block map (capacity_count): the maps it would fill past
 * CAPACITY_GROW_PERCENT are grown first (capacity_target of their entries
 * plus add, capacity_resize), so a
 * big load neither fails for want of room nor waits for the daemon's round.
 * add is an upper bound: a replace's old and new entries share the hashes
 * until its switch. The caller holds the pin dir lock and, after a growth,
 * opens the pins again (or capacity_follow): m's fds name the old hashes.
 * may_walk as for capacity_fill_read. 1: grown (r says how), 0: no need,
 * -errno: not grown (the edit still fits or fails with "full").
 */
int capacity_grow_for(const char *dir, const struct list_maps *m, const size_t add[CAP_MAPS], bool may_walk,
		      struct capacity_resize_report *r);

#endif
