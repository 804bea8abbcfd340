/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame builder for the XDP program tests: Ethernet, up to three VLAN tags,
 * then IPv4 (any IHL, options, fragment bits), IPv6 (optionally with one
 * extension header), ARP or an opaque payload; UDP and TCP with a chosen
 * destination port. The fields a test wants wrong on purpose (IHL, version, ethertype)
 * can be forced; everything else is filled in consistently, so a frame meant
 * to be well formed really is and a failure points at the program.
 */
#ifndef XDPFWD_TEST_FRAMES_H
#define XDPFWD_TEST_FRAMES_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdbool.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/types.h>

#define FRAME_MAX_TAGS	3
#define FRAME_MAX_LEN	512

/* Every frame goes to these, so a blocked destination must never matter. */
#define FRAME_DST_V4	"198.19.255.254"
#define FRAME_DST_V6	"2001:2::ffff"

struct frame_tag {
	__u16 tpid;		/* ETH_P_8021Q or ETH_P_8021AD; 0 ends the list */
	__u16 tci;		/* PCP, DEI and VLAN id as on the wire */
};

struct frame_spec {
	int ip;			/* 4, 6, or 0 for a non-IP frame */
	const char *src;	/* IP source; for ARP the sender protocol address */
	struct frame_tag tags[FRAME_MAX_TAGS];	/* outer first */
	__u16 ethertype;	/* 0: the one that matches ip */
	__u8 proto;		/* IPPROTO_UDP (the default), _TCP, _ICMP, _ICMPV6 or any other */
	__u16 dport;		/* UDP and TCP destination port; 0: 53 */
	bool ext_hdr;		/* IPv6: a destination options header before the L4 header */
	__u8 opt_len;		/* IPv4 option bytes present, a multiple of 4 */
	bool force_ihl;		/* write ihl below instead of 5 + opt_len / 4 */
	__u8 ihl;
	__u8 version;		/* 0: ip */
	__u16 frag_off;		/* IPv4 IP_MF, IP_DF and offset, host order */
	__u16 payload;		/* bytes after the L4 header */
	bool no_l4;		/* the frame ends where the IP header does */
};

#define V4(a)		.ip = 4, .src = (a)
#define V6(a)		.ip = 6, .src = (a)
#define DOT1Q(tci)	{ ETH_P_8021Q, (tci) }
#define DOT1AD(tci)	{ ETH_P_8021AD, (tci) }
#define IHL(n)		.force_ihl = true, .ihl = (n)

struct frame {
	__u8 data[FRAME_MAX_LEN];
	__u32 len;
	__u32 ip_end;		/* offset just past the IP header and its options */
};

static inline __u8 *frame_put(struct frame *f, __u32 len)
{
	__u8 *p;

	if (f->len + len > sizeof(f->data))
		return NULL;
	p = f->data + f->len;
	memset(p, 0, len);
	f->len += len;
	return p;
}

static inline void put_be16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline __u16 ip_csum(const __u8 *p, __u32 len)
{
	__u32 sum = 0;
	__u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * L4 checksums stay zero: the program reads no more of the L4 header than
 * the destination port (for set scopes), and a correct one would only make
 * the tables harder to read.
 */
static inline bool frame_put_l4(struct frame *f, const struct frame_spec *s, __u8 proto)
{
	__u32 hlen = proto == IPPROTO_TCP ? 20 : 8;
	__u8 *l4 = frame_put(f, hlen);

	if (!l4 || !frame_put(f, s->payload))
		return false;
	if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		put_be16(l4, 40000);
		put_be16(l4 + 2, s->dport ? s->dport : 53);
		if (proto == IPPROTO_UDP) {
			put_be16(l4 + 4, 8 + s->payload);
		} else {
			l4[12] = 5 << 4;	/* data offset: 20 bytes */
			l4[13] = 0x02;		/* SYN */
			put_be16(l4 + 14, 64240);
		}
	} else {
		l4[0] = proto == IPPROTO_ICMPV6 ? 128 : 8;	/* echo request */
		put_be16(l4 + 4, 0x1234);
		put_be16(l4 + 6, 1);
	}
	return true;
}

static inline bool frame_put_ipv4(struct frame *f, const struct frame_spec *s, __u8 proto)
{
	__u32 hlen = 20 + s->opt_len;
	__u8 *ip = frame_put(f, hlen);
	__u8 ihl = s->force_ihl ? s->ihl : hlen / 4;
	__u8 version = s->version ? s->version : 4;
	__u32 tot_len;

	if (!ip || s->opt_len % 4 || ihl > 15)
		return false;
	if (inet_pton(AF_INET, s->src, ip + 12) != 1 ||
	    inet_pton(AF_INET, FRAME_DST_V4, ip + 16) != 1)
		return false;
	memset(ip + 20, IPOPT_NOP, s->opt_len);
	f->ip_end = f->len;
	if (!s->no_l4 && !frame_put_l4(f, s, proto))
		return false;
	tot_len = f->len - (ip - f->data);
	ip[0] = version << 4 | ihl;
	put_be16(ip + 2, tot_len);
	put_be16(ip + 4, 0x4242);
	put_be16(ip + 6, s->frag_off);
	ip[8] = 64;
	ip[9] = proto;
	put_be16(ip + 10, ip_csum(ip, hlen));
	return true;
}

static inline bool frame_put_ipv6(struct frame *f, const struct frame_spec *s, __u8 proto)
{
	__u8 *ip = frame_put(f, 40);
	__u8 version = s->version ? s->version : 6;

	if (!ip)
		return false;
	if (inet_pton(AF_INET6, s->src, ip + 8) != 1 ||
	    inet_pton(AF_INET6, FRAME_DST_V6, ip + 24) != 1)
		return false;
	f->ip_end = f->len;
	if (s->ext_hdr) {
		/* Destination options, 8 bytes: next header, length 0, a PadN option. */
		__u8 *ext = frame_put(f, 8);

		if (!ext)
			return false;
		ext[0] = proto;
		ext[2] = 1;
		ext[3] = 4;
	}
	if (!s->no_l4 && !frame_put_l4(f, s, proto))
		return false;
	ip[0] = version << 4;
	put_be16(ip + 4, f->len - f->ip_end);
	ip[6] = s->ext_hdr ? IPPROTO_DSTOPTS : proto;
	ip[7] = 64;
	return true;
}

/* An ARP request from src; anything else non-IP is an opaque payload. */
static inline bool frame_put_other(struct frame *f, const struct frame_spec *s, __u16 ethertype)
{
	__u8 *p;

	if (ethertype != ETH_P_ARP)
		return frame_put(f, s->payload ? s->payload : 46) != NULL;
	p = frame_put(f, 28);
	if (!p)
		return false;
	put_be16(p, 1);			/* Ethernet */
	put_be16(p + 2, ETH_P_IP);
	p[4] = ETH_ALEN;
	p[5] = 4;
	put_be16(p + 6, 1);		/* request */
	memcpy(p + 8, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	return inet_pton(AF_INET, s->src ? s->src : "198.18.0.254", p + 14) == 1 &&
	       inet_pton(AF_INET, FRAME_DST_V4, p + 24) == 1;
}

/* Builds the frame s describes into f; false means the spec itself is wrong. */
static inline bool frame_build(struct frame *f, const struct frame_spec *s)
{
	__u8 proto = s->proto ? s->proto : IPPROTO_UDP;
	__u16 ethertype = s->ethertype;
	__u8 *eth, *tag;
	int i;

	memset(f, 0, sizeof(*f));
	if (!ethertype)
		ethertype = s->ip == 6 ? ETH_P_IPV6 : ETH_P_IP;

	eth = frame_put(f, ETH_HLEN);
	memcpy(eth, "\x02\x00\x00\x00\x00\x02", ETH_ALEN);
	memcpy(eth + ETH_ALEN, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	/* Each TPID sits where the previous header's type field is. */
	for (i = 0; i < FRAME_MAX_TAGS && s->tags[i].tpid; i++) {
		put_be16(f->data + f->len - 2, s->tags[i].tpid);
		tag = frame_put(f, 4);
		put_be16(tag, s->tags[i].tci);
	}
	put_be16(f->data + f->len - 2, ethertype);

	switch (s->ip) {
	case 4:
		return frame_put_ipv4(f, s, proto);
	case 6:
		return frame_put_ipv6(f, s, proto);
	case 0:
		return frame_put_other(f, s, ethertype);
	}
	return false;
}

#endif /* XDPFWD_TEST_FRAMES_H */
