/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The set bits of a list entry (struct xdpfwd_entry), as pure functions: the
 * rules of include/xdpfwd.h in one place, so that lists.c edits entries with
 * them and unit tests check them without a kernel.
 *
 * "Real" masks have bit i for set i; the entry stores them XOR
 * XDPFWD_SETS_XOR (an all-zero value is a member of "manual" alone).
 * gen is meta's set_gen of the entry's kind.
 */
#ifndef XDPFWD_ENTRY_SETS_H
#define XDPFWD_ENTRY_SETS_H

#include <linux/types.h>
#include "xdpfwd.h"

/* The member sets the program sees under gen, expiry not applied. */
__u32 entry_members_gen(const struct xdpfwd_entry *e, __u32 gen);

/* The live member sets at CLOCK_BOOTTIME now: the timed ones dropped once expires_ns has passed. */
__u32 entry_members_live(const struct xdpfwd_entry *e, __u32 gen, __u64 now);

/* Generation which (0 or 1) of the entry, real bits. */
__u32 entry_gen_real(const struct xdpfwd_entry *e, int which);
void entry_gen_set_real(struct xdpfwd_entry *e, int which, __u32 real);

/* Makes both generations' bit of set `set` `on` (an edit at rest). */
void entry_member_put(struct xdpfwd_entry *e, int set, int on);

/*
 * The lowest enforcing member set (members & enforce), else the lowest
 * member, else XDPFWD_SET_MANUAL: where the entry's hits are counted.
 */
__u8 entry_count_set(__u32 members, __u32 enforce);

/*
 * Drops the timed memberships whose deadline has passed at now (both
 * generations); returns the sets dropped. An entry at rest only.
 */
__u32 entry_expire(struct xdpfwd_entry *e, __u64 now);

/*
 * Membership of set `set` with deadline expires_ns (0: for good): the set
 * joins (or stays in) `timed`, and the entry's deadline becomes expires_ns
 * if no other set is timed, else the later of the two (the header's "latest
 * deadline any of them asked for").
 */
void entry_time_set(struct xdpfwd_entry *e, int set, __u64 expires_ns);

/*
 * After a membership change, with members the entry's (rest) members:
 * timed keeps only member sets (no timed set left: no deadline), count_set
 * is chosen anew (entry_count_set).
 */
void entry_settle(struct xdpfwd_entry *e, __u32 members, __u32 enforce);

/* A new entry in set `set` alone, until expires_ns (0: for good); plen1: prefix length + 1 in a trie, else 0. */
void entry_init(struct xdpfwd_entry *e, int set, __u64 expires_ns, __u8 plen1);

#endif
