/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The blocklist and allowlist as named sets of prefixes, over their maps:
 * exact blocked addresses go to the block_v*_addr hashes (one inlined lookup
 * per packet), shorter block prefixes to the block_v*_net tries, and every
 * allow entry to the allow_v* tries. One entry per prefix whatever the sets
 * holding it: its value says which (struct xdpfwd_entry's sets[2], per-set
 * generations, so one set is replaced alone and atomically; see
 * struct xdpfwd_meta). A /32 or /128 that bpftool wrote into a blocklist trie
 * is found there too: listed, counted, deleted and replaced like any other
 * entry, in set "manual" (an all-zero value).
 *
 * `set` arguments are set ids (0..XDPFWD_MAX_SETS-1) the caller resolved with
 * sets.h; set masks have bit i for set i. Every edit keeps the list's counts
 * (whole list and per set) in the "books" map (struct xdpfwd_books), so that
 * an edit only touches what it changes and counting never walks a map, and
 * stamps the edited sets' updated_s in the "sets" map. Callers hold the pin
 * dir lock for anything that writes.
 *
 * The library never prints: a failing call returns -errno and leaves one line
 * in lib_error() (lib_error.h); a prefix list_del did not find is reported
 * with lib_notice().
 */
#ifndef XDPFWD_LISTS_H
#define XDPFWD_LISTS_H

#include <stddef.h>
#include "addr.h"
#include "list_parse.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;

enum list_kind {
	LIST_BLOCK = XDPFWD_KIND_BLOCK,
	LIST_ALLOW = XDPFWD_KIND_ALLOW,
};

/* The maps of a list, in the order the library walks them. */
enum {
	LIST_MAP_V4_ADDR,	/* block_v4_addr; none for the allowlist */
	LIST_MAP_V4_NET,	/* block_v4_net, allow_v4 */
	LIST_MAP_V6_ADDR,
	LIST_MAP_V6_NET,
	LIST_MAPS,
};

/* The map's name ("block_v4_addr", "allow_v6", ...); NULL for the allowlist's hashes, which do not exist. */
const char *list_map_name(enum list_kind kind, int map);

/* "block" or "allow", as in "the blocklist". */
const char *list_kind_name(enum list_kind kind);

struct list_maps {
	enum list_kind kind;
	int v4_addr, v6_addr;		/* -1 for the allowlist */
	int v4_net, v6_net;		/* no twins any more */
	int meta;
	int books;			/* -1: no books map (see list_count) */
	int sets;			/* the "sets" map; -1: none (updated_s not stamped) */
	int stats;			/* the "stats" map: a deleted set's counters are retired there */
};

struct list_item {
	struct xdpfwd_prefix prefix;
	struct xdpfwd_entry entry;	/* as stored (sets[] XORed; see struct xdpfwd_entry) */
	int in_trie;			/* where it lives; only a blocked /32 or /128 may be in either */
	__u32 members;			/* live member sets, real bits (XOR undone, expired timed sets removed) */
};

/* Entries as `list` shows them: exact addresses (/32, /128) and shorter prefixes. */
struct list_counts {
	long addrs, prefixes;				/* whole list, as before sets */
	long set_entries[XDPFWD_MAX_SETS];		/* entries (exact and prefixes) per set */
	/* Entries in each map, to tell how full it is: index LIST_MAP_* (the allowlist has no hashes: 0). */
	long map_entries[LIST_MAPS];
};

void list_maps_get(struct xdpfwd_bpf *skel, enum list_kind kind, struct list_maps *m);

/*
 * Adds the prefixes to set `set`. All or nothing: on any failure the
 * entries this call created are removed and the ones it changed restored.
 * expires_ns (CLOCK_BOOTTIME, 0: for good) is the set's membership deadline
 * for prefixes without their own (a list file's timeout=/until=); it
 * replaces the set's earlier deadline of an entry already in it (a refreshed
 * ban, or made permanent). An entry other sets hold keeps them and its
 * counters. *added counts the prefixes that were not in `set` before.
 */
int list_add(const struct list_maps *m, int set, const struct xdpfwd_prefix_set *ps, __u64 expires_ns,
	     size_t *added);

/*
 * Removes the prefixes from set `set` only: an entry stays while another set
 * holds it. *removed counts the prefixes that were in the set, *missing the
 * others (each also reported with lib_notice).
 */
int list_del(const struct list_maps *m, int set, const struct xdpfwd_prefix_set *ps, size_t *removed,
	     size_t *missing);

/*
 * Makes set `set` exactly `ps` in one step as the program sees it: never the
 * union of old and new, never empty in between; every other set untouched.
 * Entries in both keep their counters. A process killed halfway leaves the
 * old set (or, past the flip, the complete new set) in force; the next
 * writer finishes the job (list_repair), except the new deadlines of the
 * entries in both sets, written after the flip (the old ones stay: see
 * docs/RELIABILITY.md).
 */
int list_replace(const struct list_maps *m, int set, const struct xdpfwd_prefix_set *ps);

/* Removes every entry from the sets in set_mask (entries other sets hold stay); *removed: memberships removed. */
int list_flush(const struct list_maps *m, __u32 set_mask, size_t *removed);

/*
 * The entries with a live member in set_mask (~0U: every entry), sorted by
 * xdpfwd_prefix_cmp, one per prefix; caller frees *items.
 */
int list_read(const struct list_maps *m, __u32 set_mask, struct list_item **items, size_t *n);

/*
 * Removes the timed memberships whose deadline has passed, and entries no
 * set holds then (an entry also held by an untimed set stays); *removed
 * counts the entries deleted. Walks the maps only when the books say a
 * deadline has passed (or cannot say).
 */
int list_expire(const struct list_maps *m, size_t *removed);

/*
 * list_expire's walk whatever the books say, and the count afresh after
 * it: for entries the books never saw (bans the program made, see
 * struct xdpfwd_ban_books).
 */
int list_sweep(const struct list_maps *m, size_t *removed);

/*
 * Completes a per-set replace that a killed process left half done (a no-op
 * at rest): back to the old set before its flip, forward to the new one
 * after it. Walks the maps only when meta's `replacing` is set.
 */
int list_repair(const struct list_maps *m);

/*
 * After the enforcing sets changed (a block set's mode, sets_define): every
 * entry with a (rest) member in `changed` whose count_set the rule
 * (entry_count_set: its lowest enforcing set, else its lowest set) now puts
 * elsewhere gets it rewritten, one entry at a time (BPF_EXIST), nothing else
 * of it changed. *moved counts them. Walks the maps once.
 */
int list_resettle(const struct list_maps *m, __u32 changed, size_t *moved);

/*
 * list_repair, then counts every entry into the books: for the daemon's start
 * and `status --recount`, after edits made behind xdpfwd's back (bpftool).
 */
int list_recount(const struct list_maps *m);

/*
 * From the books: one lookup. While an edit runs, after one was killed, and
 * on an instance without the books map, by walking the maps the way
 * list_read does.
 */
int list_count(const struct list_maps *m, struct list_counts *c);
/* The same from the books alone: -EAGAIN, nothing walked, while they are not exact (an edit runs). */
int list_count_booked(const struct list_maps *m, struct list_counts *c);

/* CLOCK_BOOTTIME now, the clock entry expiry is measured on. */
__u64 list_boottime_ns(void);

/* The live member sets of a stored entry (real bits), with generation mask gen at boottime now. */
__u32 list_entry_members(const struct xdpfwd_entry *e, __u32 gen, __u64 now);

#endif
