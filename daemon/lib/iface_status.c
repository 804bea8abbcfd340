// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <string.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "netns.h"
#include "pinned.h"
#include "stats.h"
#include "iface_status.h"

int iface_status_read(struct xdpfwd_bpf *skel, struct iface_status *out, int max, int *n)
{
	int fd = bpf_map__fd(skel->maps.ifaces);
	__u32 our_map = pinned_map_id(bpf_map__fd(skel->maps.stats));
	__u32 key, next, *prev = NULL;
	char name[IF_NAMESIZE];

	*n = 0;
	while (*n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		struct iface_status *s = &out[*n];

		key = next;
		prev = &key;
		memset(s, 0, sizeof(*s));
		s->ifindex = key;
		if (bpf_map_lookup_elem(fd, &key, &s->rec))
			continue;
		/* Counters are the instance's own, wherever the interface lives. */
		s->has_stats = s->rec.stats_slot >= XDPFWD_STATS_SLOT_FIRST &&
			       s->rec.stats_slot < XDPFWD_STATS_SLOTS &&
			       !stats_read_slot(bpf_map__fd(skel->maps.stats), s->rec.stats_slot, &s->stats);
		/* Another namespace's ifindex names some unrelated interface here: do not look. */
		s->other_netns = s->rec.netns_ino && s->rec.netns_ino != netns_current();
		s->exists = !s->other_netns && if_indextoname(key, name) != NULL;
		if (s->exists && attach_inspect(key, our_map, &s->live)) {
			lib_error_notice();	/* shown as not there; the other interfaces still count */
			s->exists = 0;
		}
		(*n)++;
	}
	return 0;
}

const char *iface_status_state(const struct iface_status *s)
{
	if (s->other_netns)
		return "other-netns";
	if (!s->exists)
		return "gone";
	return s->live.kind == ATTACH_OURS ? "attached" : "detached";
}
