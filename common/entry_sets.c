// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "entry_sets.h"

__u32 entry_members_gen(const struct xdpfwd_entry *e, __u32 gen)
{
	return ((e->sets[0] & ~gen) | (e->sets[1] & gen)) ^ XDPFWD_SETS_XOR;
}

__u32 entry_members_live(const struct xdpfwd_entry *e, __u32 gen, __u64 now)
{
	__u32 m = entry_members_gen(e, gen);

	if (e->timed && e->expires_ns && now >= e->expires_ns)
		m &= ~e->timed;
	return m;
}

__u32 entry_gen_real(const struct xdpfwd_entry *e, int which)
{
	return e->sets[which] ^ XDPFWD_SETS_XOR;
}

void entry_gen_set_real(struct xdpfwd_entry *e, int which, __u32 real)
{
	e->sets[which] = real ^ XDPFWD_SETS_XOR;
}

void entry_member_put(struct xdpfwd_entry *e, int set, int on)
{
	__u32 bit = 1U << set;
	int g;

	for (g = 0; g < 2; g++)
		entry_gen_set_real(e, g, on ? entry_gen_real(e, g) | bit : entry_gen_real(e, g) & ~bit);
}

__u8 entry_count_set(__u32 members, __u32 enforce)
{
	if (members & enforce)
		return __builtin_ctz(members & enforce);
	if (members)
		return __builtin_ctz(members);
	return XDPFWD_SET_MANUAL;
}

__u32 entry_expire(struct xdpfwd_entry *e, __u64 now)
{
	__u32 gone;
	int g;

	if (!e->timed || !e->expires_ns || now < e->expires_ns)
		return 0;
	gone = e->timed;
	for (g = 0; g < 2; g++)
		entry_gen_set_real(e, g, entry_gen_real(e, g) & ~gone);
	e->timed = 0;
	e->expires_ns = 0;
	return gone;
}

void entry_time_set(struct xdpfwd_entry *e, int set, __u64 expires_ns)
{
	__u32 bit = 1U << set, others = e->timed & ~bit;

	if (!expires_ns) {
		e->timed = others;
		if (!others)
			e->expires_ns = 0;
		return;
	}
	e->timed = others | bit;
	if (!others || !e->expires_ns || expires_ns > e->expires_ns)
		e->expires_ns = expires_ns;
}

void entry_settle(struct xdpfwd_entry *e, __u32 members, __u32 enforce)
{
	e->timed &= members;
	if (!e->timed)
		e->expires_ns = 0;
	e->count_set = entry_count_set(members, enforce);
}

void entry_init(struct xdpfwd_entry *e, int set, __u64 expires_ns, __u8 plen1)
{
	memset(e, 0, sizeof(*e));
	entry_member_put(e, XDPFWD_SET_MANUAL, 0);
	entry_member_put(e, set, 1);
	entry_time_set(e, set, expires_ns);
	e->count_set = set;
	e->plen1 = plen1;
}
