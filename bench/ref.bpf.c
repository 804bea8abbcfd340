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

/*
 * The bare flood defense xdpfwd's meter is measured against (issue 14): a
 * token bucket per source in an LRU hash of xdpfwd's meter size, and nothing
 * else (no lists, counters or events). The source is keyed in 16 bytes
 * (IPv4 as ::ffff:a.b.c.d) and time is jiffies, as in bpf/limit.bpf.h, and
 * so is the arithmetic (tokens scaled by 1e9, elapsed * rate, capped), with
 * the idle time clamped to a constant so that the product cannot overflow:
 * the textbook bucket, for one fixed limit. The rate lets every frame
 * through: its pass path is the row it stands for.
 */
#define BUCKET_NSEC	1000000000ULL
#define BUCKET_PPS	1000000000000ULL	/* XDPFWD_LIMIT_RATE_MAX */
#define BUCKET_BURST	10000000000ULL		/* XDPFWD_LIMIT_BURST_MAX */
#define BUCKET_FILL_NS	(BUCKET_BURST * BUCKET_NSEC / BUCKET_PPS)
#define BUCKET_NS_PER_JIFFY 4000000ULL		/* HZ 250; the cost does not depend on it */

struct bucket_key {
	__u8 addr[16];
};

struct bucket {
	__u64 last_ns;
	__u64 tokens;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPFWD_METER_KEYS);
	__type(key, struct bucket_key);
	__type(value, struct bucket);
} buckets SEC(".maps");

static __always_inline int bucket_take(struct bucket_key *k)
{
	__u64 now = bpf_jiffies64() * BUCKET_NS_PER_JIFFY, elapsed, t;
	struct bucket *b = bpf_map_lookup_elem(&buckets, k);

	if (!b) {
		struct bucket n = { now, BUCKET_BURST * BUCKET_NSEC - BUCKET_NSEC };

		bpf_map_update_elem(&buckets, k, &n, BPF_ANY);
		return XDP_PASS;
	}
	elapsed = now - b->last_ns;
	if (elapsed > BUCKET_FILL_NS)
		elapsed = BUCKET_FILL_NS;
	b->last_ns = now;
	t = b->tokens + elapsed * BUCKET_PPS;
	if (t > BUCKET_BURST * BUCKET_NSEC)
		t = BUCKET_BURST * BUCKET_NSEC;
	if (t < BUCKET_NSEC) {
		b->tokens = t;
		return XDP_DROP;
	}
	b->tokens = t - BUCKET_NSEC;
	return XDP_PASS;
}

SEC("xdp")
int xfb_bucket(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bucket_key k = {};

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > end)
			return XDP_PASS;
		k.addr[10] = 0xff;
		k.addr[11] = 0xff;
		__builtin_memcpy(&k.addr[12], &iph->saddr, 4);
		return bucket_take(&k);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > end)
			return XDP_PASS;
		__builtin_memcpy(k.addr, &ip6h->saddr, 16);
		return bucket_take(&k);
	}
	return XDP_PASS;
}
