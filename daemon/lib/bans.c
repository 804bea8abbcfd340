// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "lists.h"
#include "sets.h"
#include "rate_limits.h"
#include "bans.h"

int bans_read(struct xdpfwd_bpf *skel, struct ban_counts *c)
{
	struct xdpfwd_ban_books bb;
	struct list_counts lc;
	struct limits_maps lm;
	struct list_maps m;
	int err;

	memset(c, 0, sizeof(*c));
	c->live = -1;
	err = limits_maps_get(skel, &lm);
	if (!err)
		err = limit_stats_read(lm.limit_stats, &c->stats);
	if (err)
		return err;
	c->auto_set = sets_find(lm.sets, LIST_BLOCK, LIMIT_AUTO_SET);
	if (c->auto_set < 0) {
		c->auto_set = -1;
		return 0;
	}
	list_maps_get(skel, LIST_BLOCK, &m);
	err = list_count(&m, &lc);
	if (err)
		return err;
	c->live = lc.set_entries[c->auto_set];
	if (!ban_books_read(&lm, &bb)) {
		c->counted_ns = bb.counted_ns;
		c->unbooked = c->stats.bans > bb.booked ? c->stats.bans - bb.booked : 0;
	} else {
		c->unbooked = c->stats.bans;
	}
	return 0;
}

int bans_catch_up(struct xdpfwd_bpf *skel, int now_anyway, int *swept, size_t *removed)
{
	struct xdpfwd_limit_stats st;
	struct xdpfwd_ban_books bb;
	struct limits_maps lm;
	struct list_maps m;
	__u64 now = list_boottime_ns();
	int err;

	*swept = 0;
	*removed = 0;
	err = limits_maps_get(skel, &lm);
	if (!err)
		err = limit_stats_read(lm.limit_stats, &st);
	if (!err && ban_books_read(&lm, &bb) == -ENOENT)
		return 0;	/* no ban books map: nowhere to record a count */
	if (err)
		return err;
	if (bb.counted_ns && st.bans == bb.booked && st.ban_failed == bb.failed)
		return 0;
	if (!now_anyway && bb.counted_ns && now - bb.counted_ns < XDPFWD_BAN_RECOUNT_S * 1000000000ULL)
		return 0;
	/* The counter first: bans made during the walk may be missed by it, so they stay unbooked. */
	list_maps_get(skel, LIST_BLOCK, &m);
	err = list_sweep(&m, removed);
	if (err)
		return err;
	*swept = 1;
	bb.booked = st.bans;
	bb.failed = st.ban_failed;
	bb.counted_ns = now;
	return ban_books_write(&lm, &bb);
}

int bans_counted(struct xdpfwd_bpf *skel)
{
	struct xdpfwd_limit_stats st;
	struct xdpfwd_ban_books bb;
	struct limits_maps lm;
	int err;

	if (limits_maps_get(skel, &lm)) {
		lib_error_clear();
		return 0;	/* no flood defense: nothing to record */
	}
	err = limit_stats_read(lm.limit_stats, &st);
	if (err)
		return err;
	bb.booked = st.bans;
	bb.failed = st.ban_failed;
	bb.counted_ns = list_boottime_ns();
	return ban_books_write(&lm, &bb);
}
