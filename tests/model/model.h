/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of the XDP program's verdict, in plain C: what the
 * program must decide for a frame and which counters it must move, written
 * from the rules in notes/SETS.md ("Semantics"), README.md and
 * include/xdpfwd.h rather than from the BPF code, so that the differential
 * test compares two independent readings of the same specification. Clarity
 * beats speed here: lists are flat arrays scanned linearly, every entry that
 * covers the source is looked at, and then the rules pick the verdict.
 */
#ifndef XDPFWD_MODEL_H
#define XDPFWD_MODEL_H

#include <stddef.h>
#include <linux/types.h>

#include "xdpfwd.h"

/* Which map of the program an entry stands for. */
enum model_list {
	MODEL_BLOCK_ADDR,	/* block_v4_addr / block_v6_addr: the exact hashes */
	MODEL_BLOCK_NET,	/* block_v4_net / block_v6_net */
	MODEL_ALLOW,		/* allow_v4 / allow_v6 */
	MODEL_LIST_MAX,
};

struct model_entry {
	enum model_list list;
	__u8 family;		/* 4 or 6 */
	__u8 prefixlen;		/* exact entries: 32 or 128 */
	__u8 addr[16];		/* network order, host bits clear; IPv4 in the first 4 bytes */
	__u32 sets[2];		/* as stored: member sets per generation, XOR XDPFWD_SETS_XOR */
	__u32 timed;		/* sets whose membership ends at expires_ns */
	__u64 expires_ns;	/* CLOCK_BOOTTIME deadline of the timed sets, 0: none */
	__u8 count_set;		/* the set its hits count under */
	__u8 plen1;		/* what the map value carries; the model never reads it */
	__u64 packets;		/* counted by model_count() */
	__u64 bytes;
};

/* A block set's scope (struct xdpfwd_set), ports in host order. */
struct model_scope {
	__u8 protos;		/* XDPFWD_SCOPE_* */
	__u8 nports;
	__u16 ports[XDPFWD_SCOPE_PORTS];
};

struct model_config {
	int drop_malformed;
	/* struct xdpfwd_meta */
	__u32 set_gen[XDPFWD_KINDS];
	__u32 drop_sets, scoped_sets, audit_sets;
	struct model_scope scope[XDPFWD_MAX_SETS];	/* block sets */
	struct xdpfwd_limits limits;	/* the flood defense ("limits" map); all zero: off */
};

/*
 * One key's token buckets, as the model keeps them: exact tokens (scaled by
 * 1e9 as the header's units say) in 128-bit integers, so the model never
 * needs the program's care about overflow.
 */
struct model_bucket {
	__u8 key[16];		/* the source truncated to the key length, IPv4 as ::ffff:a.b.c.d */
	__u64 last_ns;
	unsigned __int128 pkt, bit;
	__u64 generation;
	__u64 over;
	__u64 banned_ns;
};

struct model {
	struct model_config cfg;
	struct model_entry *e;
	size_t n, cap;
	__u64 packets[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 bytes[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 set_packets[XDPFWD_KINDS][XDPFWD_MAX_SETS];
	__u64 set_bytes[XDPFWD_KINDS][XDPFWD_MAX_SETS];
	__u64 ev_eligible;	/* drops and audit matches: each one is eligible for an event */
	struct model_bucket *b;	/* the meter, never evicting (tests keep it under the map's size) */
	size_t nb, capb;
	__u64 limit_packets[XDPFWD_ACT_MAX];	/* struct xdpfwd_limit_stats */
	__u64 limit_bytes[XDPFWD_ACT_MAX];
	__u64 bans, ban_failed;
};

struct model_verdict {
	int action;		/* enum xdpfwd_action */
	int reason;		/* enum xdpfwd_reason */
	int family;		/* of the source, 0 when no IP header was read */
	__u8 src[16];
	int l4;			/* a scope can see the frame's ports: */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u16 dport;		/* host order */
	long entry;		/* index into model.e of the entry that counts the packet, or -1 */
	int kind;		/* XDPFWD_KIND_* of that entry */
	int banned;		/* model_meter(): this frame banned its key (or, audit, would have) */
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

/* The sets e is a live member of at CLOCK_BOOTTIME now, under meta's generation of its kind. */
__u32 model_live_sets(const struct model *m, const struct model_entry *e, __u64 now);

/* The verdict for one frame of len bytes at CLOCK_BOOTTIME now; changes nothing. */
void model_judge(const struct model *m, const void *frame, size_t len, __u64 now,
		 struct model_verdict *v);
/*
 * The flood defense, after model_judge() at the same time now (the xdpfwd
 * clock and CLOCK_BOOTTIME alike, as the program's test clock gives them):
 * meters a frame that reached no match, and turns one over the limit into
 * reason XDPFWD_R_RATE_LIMIT with action DROP or AUDIT; a ban adds or joins
 * a block entry. Changes the model's buckets and lists.
 */
void model_meter(struct model *m, struct model_verdict *v, size_t len, __u64 now);
/* The bucket of a key, or NULL. */
const struct model_bucket *model_bucket_find(const struct model *m, const __u8 key[16]);

/* Counts a judged frame the way the program does (rate-limited frames in limit_packets). */
void model_count(struct model *m, const struct model_verdict *v, size_t len);

/* "198.18.0.0/15" or "2001:2::1", for messages. */
void model_entry_format(const struct model_entry *e, char *buf, size_t len);
extern const char *const model_list_names[MODEL_LIST_MAX];
extern const char *const model_action_names[XDPFWD_ACT_MAX];
extern const char *const model_reason_names[XDPFWD_R_MAX];

#endif /* XDPFWD_MODEL_H */
