// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "instance.h"
#include "daemon.h"
#include "watch.h"
#include "set_files.h"
#include "grow.h"

/* The program the ifaces map records for our interfaces (a resize updates the records), or 0. */
static __u32 recorded_prog(const struct watch *w)
{
	struct xdpfwd_iface rec;
	__u32 key;
	int i;

	for (i = 0; i < w->o->n_ifaces; i++) {
		key = w->ifindex[i];
		if (!bpf_map_lookup_elem(bpf_map__fd(w->skel->maps.ifaces), &key, &rec) && rec.prog_id)
			return rec.prog_id;
	}
	return 0;
}

/* The pinned block maps and the recorded program, if a resize made new ones. */
void grow_adopt(struct watch *w, struct xdp_program **xprog)
{
	struct xdp_program *np;
	__u32 id;

	daemon_log_error(capacity_follow(w->skel, w->o->pin_dir));
	id = recorded_prog(w);
	if (!id || id == w->prog_id)
		return;
	np = xdp_program__from_id(id);
	if (libxdp_get_error(np)) {
		pr_warn("taking the resized program %u failed: %s; re-attaching would use program %u\n", id,
			strerror(-libxdp_get_error(np)), w->prog_id);
		return;
	}
	/* The old program (and with it the old maps) is freed once nothing holds it. */
	bpf_program__unload(w->skel->progs.xdpfwd_xdp);
	xdp_program__close(*xprog);
	*xprog = np;
	w->xprog = np;
	pr_info("blocklist: resized (block_v4_addr %u, block_v6_addr %u, block_v4_net %u, block_v6_net %u "
		"entries): this daemon's program is now %u (was %u)\n",
		capacity_map_max(bpf_map__fd(w->skel->maps.block_v4_addr)),
		capacity_map_max(bpf_map__fd(w->skel->maps.block_v6_addr)),
		capacity_map_max(bpf_map__fd(w->skel->maps.block_v4_net)),
		capacity_map_max(bpf_map__fd(w->skel->maps.block_v6_net)), id, w->prog_id);
	w->prog_id = id;
}

/*
 * Only while the limits ban is the program making entries the books do not
 * know of yet (bans made before are booked within 10 s by the books round):
 * one lookup a second instead of reading the ban counters and the sets.
 */
static bool limits_ban(const struct watch *w)
{
	struct xdpfwd_limits l;
	struct limits_maps lm;

	if (limits_maps_get(w->skel, &lm) || limits_read(&lm, &l)) {
		lib_error_clear();
		return false;
	}
	return l.action == XDPFWD_LIMIT_BAN;
}

/* The log line of every growth, per map grown. */
static void say_grown(const struct capacity_resize_report *r, const char *why)
{
	int i;

	for (i = 0; i < CAP_MAPS; i++)
		if (r->from[i] != r->to[i])
			pr_info("blocklist: %s grown from %u to %u entries%s (%zu entries kept, %zu ban%s carried over), "
				"program %u swapped for %u in place, in %.1f ms\n", capacity_map_name(i), r->from[i],
				r->to[i], why, r->entries[i], r->late, r->late == 1 ? "" : "s", r->old_prog_id,
				r->new_prog_id, r->ms);
}

int grow_for_files(struct xdpfwd_bpf *skel, const struct daemon_opts *o, const struct set_files *sf,
		   bool fresh_maps)
{
	struct capacity_resize_report r;
	struct list_maps m;
	size_t add[CAP_MAPS] = {};
	int err;

	if (o->no_grow)
		return 0;
	set_files_count(sf, fresh_maps, add);
	list_maps_get(skel, LIST_BLOCK, &m);
	err = capacity_grow_for(o->pin_dir, &m, add, true, &r);
	if (err <= 0) {
		/* Each file then fits or says "full" for its set alone. */
		daemon_log_error(err);
		return 0;
	}
	say_grown(&r, " to take the list files");
	daemon_log_error(capacity_follow(skel, o->pin_dir));
	return 1;
}

/*
 * A trie grows as a hash does, CAPACITY_GROW_FACTOR times past
 * CAPACITY_GROW_PERCENT: its max_entries is only a ceiling (BPF_F_NO_PREALLOC:
 * memory is per entry, and a lookup walks the prefix bits whatever the
 * ceiling), so a larger one costs nothing but the swap.
 */
static void grow_if_full(struct watch *w)
{
	struct capacity_resize_report r;
	struct capacity_fill fill;
	struct ban_counts bans;
	__u32 want[CAP_MAPS];
	int f, err, any = 0;

	if (capacity_fill_read(w->skel, &fill, false)) {
		lib_error_clear();
		return;
	}
	/*
	 * The books lack the bans made since they last counted (bans.h): if those
	 * could push a map over, count now rather than wait for the books round.
	 */
	if (limits_ban(w) && !bans_read(w->skel, &bans) && bans.unbooked)
		for (f = 0; f < CAP_MAPS; f++)
			if (fill.entries[f] >= 0 &&
			    capacity_target(fill.max[f], fill.entries[f] + bans.unbooked) != fill.max[f]) {
				int swept;
				size_t removed;

				if (!bans_catch_up(w->skel, 1, &swept, &removed) && capacity_fill_read(w->skel, &fill, false))
					for (f = 0; f < CAP_MAPS; f++)
						fill.entries[f] = -1;
				break;
			}
	lib_error_clear();
	for (f = 0; f < CAP_MAPS; f++) {
		want[f] = fill.entries[f] < 0 ? 0 : capacity_target(fill.max[f], fill.entries[f]);
		if (want[f] == fill.max[f])
			want[f] = 0;
		any |= !!want[f];
	}
	if (!any)
		return;
	err = capacity_resize(w->o->pin_dir, want, &r);
	if (err) {
		/* Said once per size: the round comes back every second. */
		static __u32 said[CAP_MAPS];

		if (memcmp(said, want, sizeof(said)))
			daemon_log_error(err);
		lib_error_clear();
		memcpy(said, want, sizeof(said));
		return;
	}
	say_grown(&r, "");
}

void grow_round(struct watch *w, struct xdp_program **xprog)
{
	int lock = pin_dir_trylock(w->o->pin_dir);

	if (lock < 0)
		return;
	grow_adopt(w, xprog);
	if (!w->o->no_grow) {
		grow_if_full(w);
		grow_adopt(w, xprog);
	}
	pin_dir_unlock(lock);
}
