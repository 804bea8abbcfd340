/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interfaces an instance records in its "ifaces" map, each checked
 * against what the kernel has attached right now. Shared by `xdpfwd status`
 * and the metrics, so both say the same thing about an interface.
 */
#ifndef XDPFWD_IFACE_STATUS_H
#define XDPFWD_IFACE_STATUS_H

#include "attach.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;

struct iface_status {
	__u32 ifindex;
	struct xdpfwd_iface rec;	/* as the daemon recorded it */
	struct attach_info live;	/* what runs there now (valid when exists) */
	int exists;
	int other_netns;		/* recorded from another namespace: not looked at */
	int has_stats;			/* stats below were read (the record names a valid slot) */
	struct xdpfwd_stats stats;	/* this interface's counters (iface_slots.h) */
};

/* Reads at most max records, with each interface's counters, into out; *n says how many. */
int iface_status_read(struct xdpfwd_bpf *skel, struct iface_status *out, int max, int *n);

/* "attached", "detached", "gone" (no such ifindex here) or "other-netns". */
const char *iface_status_state(const struct iface_status *s);

#endif
