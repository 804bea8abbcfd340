/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeps the firewall in place while the daemon runs: notices within a
 * fraction of a second when the program was detached behind its back, the
 * interface was deleted and recreated, or pins were removed, and puts things
 * back (never over another program without --force). Stops watching an
 * interface the operator detached with `xdpfwd detach`.
 */
#ifndef XDPFWD_WATCH_H
#define XDPFWD_WATCH_H

#include <xdp/libxdp.h>
#include "attach.h"
#include "daemon.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;

enum watch_state {
	WATCH_OK,
	WATCH_GONE,		/* interface missing: re-attach when it returns */
	WATCH_FOREIGN,		/* another program took it: left alone, warned once */
	WATCH_RELEASED,		/* `xdpfwd detach` removed it: no longer ours to keep */
};

struct watch {
	struct xdpfwd_bpf *skel;
	struct xdp_program *xprog;
	const struct daemon_opts *o;
	__u32 prog_id;
	__u32 our_map_id;
	int ifindex[XDPFWD_MAX_IFACES];
	__u32 stats_slot[XDPFWD_MAX_IFACES];	/* see iface_slots.h */
	enum xdp_attach_mode mode[XDPFWD_MAX_IFACES];
	enum watch_state state[XDPFWD_MAX_IFACES];
	struct attach_info seen[XDPFWD_MAX_IFACES];	/* the last program looked at closely */
	int err[XDPFWD_MAX_IFACES];			/* why the last check failed (said once), or 0 */
};

/* One round over interfaces and pins; returns how many interfaces are still ours to keep. */
int watch_check(struct watch *w);

#endif
