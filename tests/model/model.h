/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of the XDP program's verdict, in plain C: what the
 * program must decide for a frame and which counters it must move, written
 * from the rules in README.md and include/xdpfwd.h rather than from the BPF
 * code, so that the differential test compares two independent readings of
 * the same specification. Clarity beats speed here: lists are flat arrays
 * scanned linearly, and the longest-prefix match is a loop over all of them.
 */
#ifndef XDPFWD_MODEL_H
#define XDPFWD_MODEL_H

#include <stddef.h>
#include <linux/types.h>

#include "xdpfwd.h"

/* Which map of the program an entry stands for. */
enum model_list {
	MODEL_BLOCK_ADDR,	/* block_v4_addr / block_v6_addr: one hash, no twin */
	MODEL_BLOCK_NET,	/* block_v4_net[_b] / block_v6_net[_b] */
	MODEL_ALLOW,		/* allow_v4[_b] / allow_v6[_b] */
	MODEL_LIST_MAX,
};

struct model_entry {
	enum model_list list;
	__u8 set;		/* prefixes: 0 for the map without suffix, 1 for its _b twin; exact: 0 */
	__u8 family;		/* 4 or 6 */
	__u8 prefixlen;		/* exact entries: 32 or 128 */
	__u8 addr[16];		/* network order, host bits clear; IPv4 in the first 4 bytes */
	__u32 flags;		/* XDPFWD_ENTRY_F_*; only exact entries give them meaning */
	__u64 expires_ns;	/* CLOCK_BOOTTIME deadline, 0: never */
	__u64 packets;		/* counted by model_count() */
	__u64 bytes;
};

struct model_config {
	int drop_malformed;
	__u32 active_block;	/* struct xdpfwd_meta: XDPFWD_ACTIVE_TWIN | XDPFWD_ACTIVE_SET1 */
	__u32 active_allow;	/* XDPFWD_ACTIVE_TWIN or 0 */
};

struct model {
	struct model_config cfg;
	struct model_entry *e;
	size_t n, cap;
	__u64 packets[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 bytes[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 ev_eligible;	/* drops: each one is eligible for an event */
};

struct model_verdict {
	int action;		/* enum xdpfwd_action */
	int reason;		/* enum xdpfwd_reason */
	int family;		/* of the source, 0 when no IP header was read */
	__u8 src[16];
	long entry;		/* index into model.e of the entry that counts the packet, or -1 */
};

/*
 * Adds an entry with zero counters, host bits cleared. -EEXIST when the map
 * it stands for already has that key (the caller then leaves the map alone
 * too), -EINVAL for a bad family or length, -ENOMEM.
 */
int model_add(struct model *m, const struct model_entry *e);
/* Forgets every entry and zeroes every counter; the configuration stays. */
void model_reset(struct model *m);
void model_free(struct model *m);

/* The verdict for one frame of len bytes at CLOCK_BOOTTIME now; changes nothing. */
void model_judge(const struct model *m, const void *frame, size_t len, __u64 now,
		 struct model_verdict *v);
/* Counts a judged frame the way the program does. */
void model_count(struct model *m, const struct model_verdict *v, size_t len);

/* "198.18.0.0/15" or "2001:2::1", for messages. */
void model_entry_format(const struct model_entry *e, char *buf, size_t len);
extern const char *const model_list_names[MODEL_LIST_MAX];
extern const char *const model_action_names[XDPFWD_ACT_MAX];
extern const char *const model_reason_names[XDPFWD_R_MAX];

#endif /* XDPFWD_MODEL_H */
