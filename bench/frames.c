// SPDX-License-Identifier: GPL-2.0
/*
 * The frames every measurement uses: Ethernet, optional 802.1Q tags, IPv4 or
 * IPv6, UDP, padded to the 60-byte minimum. The destination MAC belongs to
 * nobody, so a frame a contender passes ends at the first check of the IP
 * layer (PACKET_OTHERHOST) rather than in a socket: the pass path then costs
 * every contender the same small, fixed amount.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include "xfbench.h"

#define DST_V4 "198.18.0.1"
#define DST_V6 "2001:2::1"
#define FRAME_MIN 60
#define UDP_PORT 9

static const __u8 mac_dst[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
static const __u8 mac_src[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };

static __u16 csum16(const void *p, size_t len)
{
	const __u8 *b = p;
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static __u8 *put_eth(__u8 *p, int vlans, __u16 proto)
{
	int i;

	memcpy(p, mac_dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, mac_src, ETH_ALEN);
	p += 2 * ETH_ALEN;
	for (i = 0; i < vlans; i++) {
		*(__be16 *)p = htons(ETH_P_8021Q);
		*(__be16 *)(p + 2) = htons(100 + i);
		p += 4;
	}
	*(__be16 *)p = htons(proto);
	return p + 2;
}

int frame_build(const struct frame_opts *o, __u8 *buf, __u32 *len)
{
	struct in6_addr a6;
	struct in_addr a4;
	struct udphdr *udp;
	__u8 *p;

	if (o->vlans < 0 || o->vlans > 2)
		return -EINVAL;
	memset(buf, 0, XFB_FRAME_MAX);
	if (inet_pton(AF_INET, o->src, &a4) == 1) {
		struct iphdr *iph;

		p = put_eth(buf, o->vlans, ETH_P_IP);
		iph = (struct iphdr *)p;
		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = IPPROTO_UDP;
		iph->tot_len = htons(sizeof(*iph) + sizeof(*udp) + 18);
		iph->saddr = a4.s_addr;
		inet_pton(AF_INET, DST_V4, &iph->daddr);
		iph->check = csum16(iph, sizeof(*iph));
		udp = (struct udphdr *)(iph + 1);
		udp->len = htons(sizeof(*udp) + 18);
		p = (__u8 *)(udp + 1) + 18;
	} else if (inet_pton(AF_INET6, o->src, &a6) == 1) {
		struct ipv6hdr *ip6h;

		p = put_eth(buf, o->vlans, ETH_P_IPV6);
		ip6h = (struct ipv6hdr *)p;
		ip6h->version = 6;
		ip6h->hop_limit = 64;
		ip6h->nexthdr = IPPROTO_UDP;
		ip6h->payload_len = htons(sizeof(*udp) + 4);
		ip6h->saddr = a6;
		inet_pton(AF_INET6, DST_V6, &ip6h->daddr);
		udp = (struct udphdr *)(ip6h + 1);
		udp->len = htons(sizeof(*udp) + 4);
		p = (__u8 *)(udp + 1) + 4;
	} else {
		xfb_err("'%s' is not an IPv4 or IPv6 address\n", o->src);
		return -EINVAL;
	}
	udp->source = htons(UDP_PORT);
	udp->dest = htons(UDP_PORT);
	*len = p - buf < FRAME_MIN ? FRAME_MIN : p - buf;
	return 0;
}
