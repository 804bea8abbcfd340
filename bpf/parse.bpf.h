/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header parsing for the XDP program. Every read goes through cursor_pull(),
 * which bounds-checks the whole header against data_end first, so the
 * verifier sees one check per header and malformed frames never fault.
 */
#ifndef XDPFWD_PARSE_BPF_H
#define XDPFWD_PARSE_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8

struct cursor {
	void *pos;
	void *end;
};

/* Returns a pointer to the next len bytes and advances, or NULL if the frame is shorter. */
static __always_inline void *cursor_pull(struct cursor *c, __u32 len)
{
	void *p = c->pos;

	/*
	 * Packet data is never at address 0: saying so lets the compiler drop
	 * the NULL test that would otherwise follow every pull at its callers.
	 */
	if (!p)
		__builtin_unreachable();
	if (p + len > c->end)
		return NULL;
	c->pos = p + len;
	return p;
}

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

#endif /* XDPFWD_PARSE_BPF_H */
