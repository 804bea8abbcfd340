/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The blocklist and allowlist as sets of prefixes, over their maps: exact
 * blocked addresses go to the block_v*_addr hashes (one inlined lookup per
 * packet), shorter block prefixes to the block_v*_net tries, and every allow
 * entry to the allow_v* tries. Every trie has a twin (NAME_b) used only while
 * a whole set is being replaced; see struct xdpfwd_meta. A /32 or /128 that
 * bpftool wrote into a blocklist trie is found there too: listed, counted,
 * deleted and replaced like any other entry.
 *
 * Every edit keeps the list's counts in the "books" map (struct
 * xdpfwd_books), so that an edit only touches what it changes and counting
 * never walks a map. Callers hold the pin dir lock for anything that writes.
 */
#ifndef XDPFWD_LISTS_H
#define XDPFWD_LISTS_H

#include <stddef.h>
#include "addr.h"
#include "list_parse.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;

enum list_kind {
	LIST_BLOCK,
	LIST_ALLOW,
};

/* "block" or "allow", as in "the blocklist". */
const char *list_kind_name(enum list_kind kind);

struct list_maps {
	enum list_kind kind;
	int v4_addr, v6_addr;		/* -1 for the allowlist */
	int v4_net, v6_net;
	int v4_net_b, v6_net_b;		/* the twins */
	int meta;
	int books;			/* -1: an instance made by an older build (see list_count) */
};

struct list_item {
	struct xdpfwd_prefix prefix;
	struct xdpfwd_entry entry;
	int in_trie;			/* where it lives; only a blocked /32 or /128 may be in either */
};

/* Entries as `list` shows them: exact addresses (/32, /128) and shorter prefixes. */
struct list_counts {
	long addrs, prefixes;
};

void list_maps_get(struct xdpfwd_bpf *skel, enum list_kind kind, struct list_maps *m);

/*
 * All or nothing: on any failure the entries this call added are removed
 * again. expires_ns (CLOCK_BOOTTIME, 0: never) is set on new entries and
 * replaces the expiry of existing ones, whose counters are kept.
 */
int list_add(const struct list_maps *m, const struct xdpfwd_prefix_set *set, __u64 expires_ns,
	     size_t *added);

/* Removes what is present; *missing counts the prefixes that were not in the list. */
int list_del(const struct list_maps *m, const struct xdpfwd_prefix_set *set, size_t *removed, size_t *missing);

/*
 * Makes the list exactly `set` in one step as the program sees it: never the
 * union of old and new, never empty in between. Entries in both keep their
 * counters. A process killed halfway leaves the old set (or, past the flip,
 * the complete new set) in force; the next writer finishes the job.
 */
int list_replace(const struct list_maps *m, const struct xdpfwd_prefix_set *set);

/* Every entry of the live set, sorted by xdpfwd_prefix_cmp; caller frees *items. */
int list_read(const struct list_maps *m, struct list_item **items, size_t *n);

int list_flush(const struct list_maps *m, size_t *removed);

/*
 * Deletes entries whose expiry has passed; *removed counts them. Walks the
 * maps only when the books say a deadline has passed (or cannot say).
 */
int list_expire(const struct list_maps *m, size_t *removed);

/* Completes a replace that a killed process left half done (a no-op at rest). */
int list_repair(const struct list_maps *m);

/*
 * list_repair, then counts every entry into the books: for the daemon's start
 * and `status --recount`, after edits made behind xdpfwd's back (bpftool).
 */
int list_recount(const struct list_maps *m);

/*
 * From the books: one lookup. While an edit runs, after one was killed, and
 * on an instance without the books map (made by an older build, until its
 * daemon restarts), by walking the maps the way list_read does.
 */
int list_count(const struct list_maps *m, struct list_counts *c);

/* CLOCK_BOOTTIME now, the clock entry expiry is measured on. */
__u64 list_boottime_ns(void);

#endif
