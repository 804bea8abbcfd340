// SPDX-License-Identifier: GPL-2.0
/*
 * Reference receivers the contenders are measured against: the floor
 * (XDP_DROP, nothing else), XDP_PASS, and the one-lookup limit, a blocklist
 * that parses Ethernet and IP and does one hash lookup on the source.
 * The hash maps have xdpfwd's capacity and flags, so a difference in cost is
 * the program's, not the map's.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdpfwd.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XDPFWD_MAX_ADDRS);
	__type(key, __u32);
	__type(value, __u64);
} hash_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XDPFWD_MAX_ADDRS);
	__type(key, struct in6_addr);
	__type(value, __u64);
} hash_v6 SEC(".maps");

SEC("xdp")
int xfb_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int xfb_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/*
 * One lookup site per map, each with its own return: if the compiler merged the two lookups
 * into one call taking either map, the verifier could no longer inline the hash lookup, and
 * this "limit" would pay for an indirect helper call that xdpfwd does not.
 */
SEC("xdp")
int xfb_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > end)
			return XDP_PASS;
		return bpf_map_lookup_elem(&hash_v4, &iph->saddr) ? XDP_DROP : XDP_PASS;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > end)
			return XDP_PASS;
		return bpf_map_lookup_elem(&hash_v6, &ip6h->saddr) ? XDP_DROP : XDP_PASS;
	}
	return XDP_PASS;
}
