// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "netns.h"
#include "stats.h"
#include "rate_limits.h"
#include "iface_slots.h"

static int slot_valid(__u32 slot)
{
	return slot >= XDPFWD_STATS_SLOT_FIRST && slot < XDPFWD_STATS_SLOTS;
}

/* The recorded interfaces' names and slots (ifaces_fd < 0: a fresh map, nothing recorded). */
static int read_records(int ifaces_fd, struct xdpfwd_iface *recs, int max)
{
	__u32 key, next, *prev = NULL;
	int n = 0;

	while (ifaces_fd >= 0 && n < max && !bpf_map_get_next_key(ifaces_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(ifaces_fd, &key, &recs[n]) && slot_valid(recs[n].stats_slot))
			n++;
	}
	return n;
}

int iface_slots_assign(struct xdpfwd_bpf *skel, const char (*names)[IF_NAMESIZE], int n, __u32 *slots)
{
	int stats_fd = bpf_map__fd(skel->maps.stats);
	int limit_stats_fd = bpf_map__fd(skel->maps.limit_stats);
	unsigned char held[XDPFWD_STATS_SLOTS] = {}, taken[XDPFWD_STATS_SLOTS] = {};
	struct xdpfwd_iface recs[XDPFWD_MAX_IFACES];
	__u64 netns = netns_current();
	int nrec = read_records(bpf_map__fd(skel->maps.ifaces), recs, XDPFWD_MAX_IFACES), i, r, err;
	__u32 s;

	for (r = 0; r < nrec; r++)
		held[recs[r].stats_slot] = 1;
	/*
	 * First every interface that has a slot keeps it, so that no other takes
	 * it. An interface is its name in this network namespace: eth0 of another
	 * namespace sharing the pin dir is another interface.
	 */
	for (i = 0; i < n; i++) {
		slots[i] = 0;
		for (r = 0; r < nrec && !slots[i]; r++)
			if (!strncmp(recs[r].name, names[i], sizeof(recs[r].name)) && recs[r].netns_ino == netns &&
			    !taken[recs[r].stats_slot])
				slots[i] = recs[r].stats_slot;
		taken[slots[i]] = 1;
	}
	for (i = 0; i < n; i++) {
		if (slots[i])
			continue;
		for (s = XDPFWD_STATS_SLOT_FIRST; s < XDPFWD_STATS_SLOTS && (held[s] || taken[s]); s++)
			;
		if (s == XDPFWD_STATS_SLOTS) {
			return lib_error_set(-ENOSPC, "no free counter slot for %s: %d interfaces are recorded; "
					     "detach some (xdpfwd detach IFACE) or use another --pin-dir", names[i],
					     XDPFWD_MAX_IFACES);
		}
		if (stats_fd >= 0) {
			err = stats_retire_slot(stats_fd, s);
			if (err)
				return lib_error_set(err, "emptying counter slot %u for %s failed: %s", s, names[i],
						     strerror(-err));
		}
		/* The flood defense's counters of the slot go the same way (its map may be new: none yet). */
		if (limit_stats_fd >= 0) {
			err = limit_stats_retire_slot(limit_stats_fd, s);
			if (err)
				return lib_error_set(err, "emptying flood defense counter slot %u for %s failed: %s", s,
						     names[i], strerror(-err));
		}
		slots[i] = s;
		taken[s] = 1;
	}
	return 0;
}

void iface_slots_preload(struct xdpfwd_bpf *skel, const int *ifindex, const __u32 *slots, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		skel->bss->iface_slots.map[i].slot = slots[i];
		skel->bss->iface_slots.map[i].ifindex = ifindex[i];
	}
	skel->bss->iface_slots.n = n;
}

int iface_slots_update(struct xdpfwd_bpf *skel, int i, int ifindex)
{
	/*
	 * libxdp may have loaded the object itself, and then the skeleton's bss
	 * pointer is not the kernel's memory: go through the map. The whole value
	 * is rewritten; the only other field the program writes is the event
	 * budget's arrival time, which at worst allows a few extra events.
	 */
	int fd = bpf_map__fd(skel->maps.bss);
	size_t size = bpf_map__value_size(skel->maps.bss);
	struct xdpfwd_bpf__bss *bss;
	__u32 zero = 0;
	int err = 0;

	if (i < 0 || i >= XDPFWD_MAX_IFACES)
		return -EINVAL;
	bss = calloc(1, size);
	if (!bss)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, bss) == 0) {
		bss->iface_slots.map[i].ifindex = ifindex;
		if (bpf_map_update_elem(fd, &zero, bss, BPF_ANY))
			err = -errno;
	} else {
		err = -errno;
	}
	free(bss);
	return err;
}
