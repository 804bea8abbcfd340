// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic generator's XDP program, run by BPF_PROG_TEST_RUN in live-frames
 * mode: every frame gets the next source of a rotating set and is sent out of
 * the generator's veth with XDP_TX, into the receiver under test.
 *
 * The live-frames page pool hands back frames this program already rewrote,
 * so it rewrites from whatever source is in the frame, never from the template.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

/*
 * Sources are base + a permutation of 0..src_mask: a power of two of them, so no division per
 * frame. The lists are loaded in address order, so list entries sit in memory in address order;
 * visiting sources in that order would walk memory sequentially and flatter every hash table.
 * Multiply by an odd constant, xor-shift, multiply again: each step is a bijection on the masked
 * range, so every source still comes once per round, in an order no prefetcher follows.
 */
const volatile __u32 src_mask = 0;
const volatile __u32 src_base = 0;	/* IPv4 source, or the last 32 bits of the IPv6 one; host order */
/*
 * The flood scenario's well-behaved source: every (good_mask + 1)th frame
 * comes from good_src instead (host order, as src_base); good_mask 0: none.
 */
const volatile __u32 good_mask = 0;
const volatile __u32 good_src = 0;

/* One generator CPU at a time runs this, so plain increments are exact. */
__u64 frames = 0;
__u32 seq = 0;

static __always_inline __u32 scramble(__u32 x)
{
	x = (x * 0x9e3779b1u) & src_mask;
	x ^= x >> 7;
	return (x * 0x85ebca6bu) & src_mask;
}

/* RFC 1624 incremental update: the receiver's GRO checks IPv4 header checksums. */
static __always_inline __u16 csum_replace4(__u16 check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~from + (__u16)~(from >> 16);
	sum += (__u16)to + (__u16)(to >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int xfb_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 n = seq++;
	__u32 src = bpf_htonl(good_mask && !(n & good_mask) ? good_src : src_base + scramble(n));

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > end)
			return XDP_ABORTED;
		iph->check = csum_replace4(iph->check, iph->saddr, src);
		iph->saddr = src;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > end)
			return XDP_ABORTED;
		/* The UDP checksum goes stale; nothing under test reads past the IP header. */
		ip6h->saddr.in6_u.u6_addr32[3] = src;
	}
	frames++;
	return XDP_TX;
}
