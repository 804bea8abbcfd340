// SPDX-License-Identifier: GPL-2.0
/*
 * The rules, as README.md ("How a packet is judged", "Status and counters")
 * and include/xdpfwd.h state them:
 *
 *  - Ethernet, then at most XDPFWD_MAX_VLAN_DEPTH tags (802.1Q or 802.1ad in
 *    any order); a further tag means VLAN_DEPTH, whatever follows it.
 *  - IPv4: the 20-byte header must be there, version 4, IHL >= 5, and the
 *    options IHL announces must be there too. IPv6: the 40-byte fixed header,
 *    version 6. Anything short or wrong is MALFORMED (dropped only with
 *    drop_malformed); any other ethertype is NOT_IP. Nothing past the IP
 *    header matters: not the total length, not fragments, not extensions.
 *  - A source on the live block set (an exact address first, then the
 *    longest blocked prefix) drops (BLOCKLIST), unless it is also on the live
 *    allowlist: then it passes (ALLOWLIST) and the allow entry counts it. A
 *    source on no block entry passes as NO_MATCH, allowlisted or not.
 *  - Live means: in the set meta selects (the _b twin of a trie when the
 *    XDPFWD_ACTIVE_TWIN bit is set; for an exact entry, its NOT_IN_SET bit
 *    for the exact set XDPFWD_ACTIVE_SET1 selects clear) and not
 *    expired (expires_ns == 0 or now < expires_ns). An entry that is not live
 *    is as good as absent.
 *  - Every frame counts once in stats[action][reason] with its full length;
 *    the entry that decided it counts the packet and its bytes too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define ETH_HDR_LEN	14
#define VLAN_TAG_LEN	4
#define IPV4_MIN_LEN	20
#define IPV6_HDR_LEN	40

const char *const model_list_names[MODEL_LIST_MAX] = { "block-addr", "block-net", "allow" };
const char *const model_action_names[XDPFWD_ACT_MAX] = { "PASS", "DROP" };
const char *const model_reason_names[XDPFWD_R_MAX] = {
	"NO_MATCH", "ALLOWLIST", "BLOCKLIST", "NOT_IP", "VLAN_DEPTH", "MALFORMED",
};

static unsigned int addr_bytes(int family)
{
	return family == 4 ? 4 : 16;
}

/* True when the first bits bits of a and b agree. */
static bool same_bits(const __u8 *a, const __u8 *b, unsigned int bits)
{
	unsigned int whole = bits / 8, rest = bits % 8;
	__u8 mask = 0xff << (8 - rest);

	if (memcmp(a, b, whole))
		return false;
	return !rest || !((a[whole] ^ b[whole]) & mask);
}

static bool same_key(const struct model_entry *a, const struct model_entry *b)
{
	if (a->list != b->list || a->family != b->family)
		return false;
	/* All exact entries of a family share one hash map, whatever their flags. */
	if (a->list != MODEL_BLOCK_ADDR && (a->set != b->set || a->prefixlen != b->prefixlen))
		return false;
	return !memcmp(a->addr, b->addr, addr_bytes(a->family));
}

int model_add(struct model *m, const struct model_entry *e)
{
	unsigned int max = e->family == 4 ? 32 : 128, i;
	struct model_entry n = *e, *v;
	size_t k;

	if ((e->family != 4 && e->family != 6) || e->prefixlen > max || e->list >= MODEL_LIST_MAX)
		return -EINVAL;
	if (e->list == MODEL_BLOCK_ADDR) {
		n.prefixlen = max;
		n.set = 0;
	}
	for (i = n.prefixlen; i < sizeof(n.addr) * 8; i++)
		n.addr[i / 8] &= ~(0x80 >> (i % 8));
	n.packets = 0;
	n.bytes = 0;
	for (k = 0; k < m->n; k++)
		if (same_key(&m->e[k], &n))
			return -EEXIST;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;

		v = realloc(m->e, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->e = v;
		m->cap = cap;
	}
	m->e[m->n++] = n;
	return 0;
}

void model_reset(struct model *m)
{
	m->n = 0;
	memset(m->packets, 0, sizeof(m->packets));
	memset(m->bytes, 0, sizeof(m->bytes));
	m->ev_eligible = 0;
}

void model_free(struct model *m)
{
	free(m->e);
	m->e = NULL;
	m->n = m->cap = 0;
}

static bool expired(const struct model_entry *e, __u64 now)
{
	return e->expires_ns && now >= e->expires_ns;
}

/*
 * Does e take part in the block or allow set meta currently selects? The
 * tries: the _b twin while XDPFWD_ACTIVE_TWIN is set. Exact entries: live
 * unless they carry the NOT_IN_SET bit of the exact set XDPFWD_ACTIVE_SET1
 * selects (the two bits of active_block are independent of each other).
 */
static bool in_active_set(const struct model *m, const struct model_entry *e)
{
	switch (e->list) {
	case MODEL_BLOCK_ADDR:
		if (m->cfg.active_block & XDPFWD_ACTIVE_SET1)
			return !(e->flags & XDPFWD_ENTRY_F_NOT_IN_SET1);
		return !(e->flags & XDPFWD_ENTRY_F_NOT_IN_SET0);
	case MODEL_BLOCK_NET:
		return e->set == ((m->cfg.active_block & XDPFWD_ACTIVE_TWIN) ? 1 : 0);
	case MODEL_ALLOW:
		return e->set == ((m->cfg.active_allow & XDPFWD_ACTIVE_TWIN) ? 1 : 0);
	default:
		return false;
	}
}

/* The longest live entry of list that covers src, or -1. */
static long longest_match(const struct model *m, enum model_list list, int family,
			  const __u8 *src, __u64 now)
{
	long best = -1;
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct model_entry *e = &m->e[i];

		if (e->list != list || e->family != family || !in_active_set(m, e) ||
		    expired(e, now) || !same_bits(e->addr, src, e->prefixlen))
			continue;
		if (best < 0 || e->prefixlen > m->e[best].prefixlen)
			best = i;
	}
	return best;
}

static void judge_source(const struct model *m, __u64 now, struct model_verdict *v)
{
	long i, a;

	/* Exact entries are full length, so the longest match among them is the equal one. */
	i = longest_match(m, MODEL_BLOCK_ADDR, v->family, v->src, now);
	if (i < 0)
		i = longest_match(m, MODEL_BLOCK_NET, v->family, v->src, now);
	if (i < 0) {
		v->reason = XDPFWD_R_NO_MATCH;
		return;
	}
	/* Only a blocked source is looked up in the allowlist, which then wins. */
	a = longest_match(m, MODEL_ALLOW, v->family, v->src, now);
	if (a >= 0) {
		v->reason = XDPFWD_R_ALLOWLIST;
		v->entry = a;
		return;
	}
	v->action = XDPFWD_ACT_DROP;
	v->reason = XDPFWD_R_BLOCKLIST;
	v->entry = i;
}

static unsigned int be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static bool is_vlan_tpid(unsigned int type)
{
	return type == 0x8100 || type == 0x88a8;
}

void model_judge(const struct model *m, const void *frame, size_t len, __u64 now,
		 struct model_verdict *v)
{
	const __u8 *p = frame;
	unsigned int type, tags = 0, ihl;
	size_t off;

	memset(v, 0, sizeof(*v));
	v->action = XDPFWD_ACT_PASS;
	v->entry = -1;

	if (len < ETH_HDR_LEN)
		goto malformed;
	type = be16(p + 12);
	off = ETH_HDR_LEN;
	while (is_vlan_tpid(type)) {
		if (tags == XDPFWD_MAX_VLAN_DEPTH) {
			v->reason = XDPFWD_R_VLAN_DEPTH;
			return;
		}
		if (len - off < VLAN_TAG_LEN)
			goto malformed;
		type = be16(p + off + 2);
		off += VLAN_TAG_LEN;
		tags++;
	}

	switch (type) {
	case 0x0800:
		if (len - off < IPV4_MIN_LEN)
			goto malformed;
		ihl = p[off] & 0x0f;
		if (p[off] >> 4 != 4 || ihl < 5 || len - off < ihl * 4)
			goto malformed;
		v->family = 4;
		memcpy(v->src, p + off + 12, 4);
		judge_source(m, now, v);
		return;
	case 0x86dd:
		if (len - off < IPV6_HDR_LEN || p[off] >> 4 != 6)
			goto malformed;
		v->family = 6;
		memcpy(v->src, p + off + 8, 16);
		judge_source(m, now, v);
		return;
	default:
		v->reason = XDPFWD_R_NOT_IP;
		return;
	}

malformed:
	v->reason = XDPFWD_R_MALFORMED;
	if (m->cfg.drop_malformed)
		v->action = XDPFWD_ACT_DROP;
}

void model_count(struct model *m, const struct model_verdict *v, size_t len)
{
	m->packets[v->action][v->reason]++;
	m->bytes[v->action][v->reason] += len;
	if (v->action == XDPFWD_ACT_DROP)
		m->ev_eligible++;
	if (v->entry >= 0) {
		m->e[v->entry].packets++;
		m->e[v->entry].bytes += len;
	}
}

void model_entry_format(const struct model_entry *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->addr, a, sizeof(a));
	if (e->list == MODEL_BLOCK_ADDR)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, e->prefixlen);
}
