/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The blocklist and allowlist as sets of prefixes, over their maps: exact
 * blocked addresses go to the block_v*_addr hashes (one lookup per packet),
 * shorter block prefixes to the block_v*_net tries, and every allow entry to
 * the allow_v* tries.
 */
#ifndef XDPFWD_LISTS_H
#define XDPFWD_LISTS_H

#include <stddef.h>
#include "addr.h"
#include "listfile.h"
#include "cli_options.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;

struct list_maps {
	enum list_kind kind;
	int v4_addr, v6_addr;	/* -1 for the allowlist */
	int v4_net, v6_net;
};

struct list_item {
	struct xdpfwd_prefix prefix;
	struct xdpfwd_entry entry;
};

void list_maps_get(struct xdpfwd_bpf *skel, enum list_kind kind, struct list_maps *m);

/* All or nothing: on any failure the entries this call added are removed again. *added counts new ones. */
int list_add(const struct list_maps *m, const struct xdpfwd_prefix_set *set, size_t *added);

/* Removes what is present; *missing counts the prefixes that were not in the list. */
int list_del(const struct list_maps *m, const struct xdpfwd_prefix_set *set, size_t *removed, size_t *missing);

/* Every entry, sorted by family, address and length; caller frees *items. */
int list_read(const struct list_maps *m, struct list_item **items, size_t *n);

int list_flush(const struct list_maps *m, size_t *removed);

/* Entries per map, for status. */
long list_map_count(int fd);

#endif
