// SPDX-License-Identifier: GPL-2.0
/*
 * The rules, as notes/SETS.md ("Semantics"), README.md ("How a packet is
 * judged", "Status and counters") and include/xdpfwd.h state them:
 *
 *  - Ethernet, then at most XDPFWD_MAX_VLAN_DEPTH tags (802.1Q or 802.1ad in
 *    any order); a further tag means VLAN_DEPTH, whatever follows it.
 *  - IPv4: the 20-byte header must be there, version 4, IHL >= 5, and the
 *    options IHL announces must be there too. IPv6: the 40-byte fixed header,
 *    version 6. Anything short or wrong is MALFORMED (dropped only with
 *    drop_malformed); any other ethertype is NOT_IP.
 *  - Ports, for set scopes only: TCP or UDP right after the IP header (IPv4:
 *    protocol TCP/UDP, fragment offset 0; IPv6: next header TCP/UDP, no
 *    extension header walk), and the frame holds the L4 header's first four
 *    bytes (source and destination port). Otherwise a scope names nothing.
 *  - Live members of an entry: each set's bit from the generation meta's
 *    set_gen[kind] selects, XOR XDPFWD_SETS_XOR, minus the timed sets once
 *    expires_ns (if not 0) has passed.
 *  - A block entry covering the source drops if a live member is in
 *    drop_sets, or is in scoped_sets with a scope naming the frame's protocol
 *    and (no ports listed, or) its destination port; else it audits if a live
 *    member is in audit_sets.
 *  - The source is allowed if an allow entry covering it has a live member.
 *  - Some entry drops: allowed -> PASS/ALLOWLIST, else DROP/BLOCKLIST. Else
 *    some entry audits: allowed -> PASS/ALLOWLIST, else AUDIT/BLOCKLIST.
 *    Else PASS/NO_MATCH.
 *  - The entry that counts the packet: for a drop the first dropping one,
 *    for an audit the first auditing one, in the order exact entry, then
 *    prefixes longest first; for the allowlist the longest allowed entry.
 *    It counts the packet and its bytes, and so does the per-set counter
 *    [its kind][count_set & 31].
 *  - Every frame counts once in stats[action][reason] with its full length;
 *    drops and audits are each eligible for an event.
 *
 * The flood defense (include/xdpfwd.h "Flood defense", README "Flood
 * defense"), model_meter():
 *  - With limits on (action not off, a packet or a bit rate set), a frame
 *    that reached PASS/NO_MATCH from an IP source no live allow entry covers
 *    is metered under its key: the source's first plen4 / plen6 bits, IPv4
 *    as ::ffff:a.b.c.d.
 *  - A key's buckets start full (burst * 1e9 tokens each) at its first frame
 *    and again whenever the limits' generation differs from the one they
 *    were filled under. Each frame adds (now - last) * rate tokens, nothing
 *    if the clock went back, up to the full bucket, and makes now the last
 *    time; a bucket whose rate is 0 is left alone. The frame conforms when
 *    the packet bucket holds 1e9 and the bit bucket len * 8e9 (a bucket
 *    whose rate is 0 always does); it then takes them and passes.
 *  - Else it is over: counted under reason rate_limit, action AUDIT
 *    (audit) or DROP, eligible for an event. With action ban or audit, if
 *    the key was not banned within ban_ns, it is banned: audit only counts
 *    the ban; ban makes the key's entry (the exact map for a full-length
 *    key, the trie with plen1 otherwise) a member of auto_set in both
 *    generations, timed, expiring at now + ban_ns, counting in auto_set,
 *    or joins an existing entry: not one whose deadline has passed (the ban
 *    fails, and is tried again by the next frame over), nothing to do for a
 *    permanent member of auto_set, else the later deadline, auto_set timed
 *    and a member in both generations.
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
#define NSEC_PER_SEC_MODEL 1000000000ULL

const char *const model_list_names[MODEL_LIST_MAX] = { "block-addr", "block-net", "allow" };
const char *const model_action_names[XDPFWD_ACT_MAX] = { "PASS", "DROP", "AUDIT" };
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
	if (a->list != b->list || a->family != b->family || a->prefixlen != b->prefixlen)
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
	if (e->list == MODEL_BLOCK_ADDR)
		n.prefixlen = max;
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
	memset(m->set_packets, 0, sizeof(m->set_packets));
	memset(m->set_bytes, 0, sizeof(m->set_bytes));
	m->ev_eligible = 0;
	m->nb = 0;
	memset(m->limit_packets, 0, sizeof(m->limit_packets));
	memset(m->limit_bytes, 0, sizeof(m->limit_bytes));
	m->bans = m->ban_failed = 0;
}

void model_free(struct model *m)
{
	free(m->e);
	m->e = NULL;
	free(m->b);
	m->b = NULL;
	m->nb = m->capb = 0;
	m->n = m->cap = 0;
}

static int entry_kind(const struct model_entry *e)
{
	return e->list == MODEL_ALLOW ? XDPFWD_KIND_ALLOW : XDPFWD_KIND_BLOCK;
}

__u32 model_live_sets(const struct model *m, const struct model_entry *e, __u64 now)
{
	__u32 gen = m->cfg.set_gen[entry_kind(e)], live = 0;
	int i;

	/* Set by set, as the header describes it: set i reads generation (gen bit i). */
	for (i = 0; i < XDPFWD_MAX_SETS; i++) {
		int g = (gen >> i) & 1;
		__u32 bit = ((e->sets[g] ^ XDPFWD_SETS_XOR) >> i) & 1;

		if (bit && (e->timed >> i & 1) && e->expires_ns && now >= e->expires_ns)
			bit = 0;
		live |= bit << i;
	}
	return live;
}

static bool covers(const struct model_entry *e, int family, const __u8 *src)
{
	return e->family == family && same_bits(e->addr, src, e->prefixlen);
}

/* Does block set i's scope name the frame? */
static bool scope_names(const struct model *m, int i, const struct model_verdict *v)
{
	const struct model_scope *s = &m->cfg.scope[i];
	unsigned int want = v->proto == IPPROTO_TCP ? XDPFWD_SCOPE_TCP : XDPFWD_SCOPE_UDP;
	int k;

	if (!v->l4 || !(s->protos & want))
		return false;
	if (!s->nports)
		return true;
	for (k = 0; k < s->nports && k < XDPFWD_SCOPE_PORTS; k++)
		if (s->ports[k] == v->dport)
			return true;
	return false;
}

static bool entry_drops(const struct model *m, const struct model_entry *e,
			const struct model_verdict *v, __u64 now)
{
	__u32 live = model_live_sets(m, e, now);
	int i;

	if (live & m->cfg.drop_sets)
		return true;
	for (i = 0; i < XDPFWD_MAX_SETS; i++)
		if ((live & m->cfg.scoped_sets) >> i & 1 && scope_names(m, i, v))
			return true;
	return false;
}

static bool entry_audits(const struct model *m, const struct model_entry *e,
			 const struct model_verdict *v, __u64 now)
{
	return !entry_drops(m, e, v, now) && (model_live_sets(m, e, now) & m->cfg.audit_sets);
}

/*
 * The order in which block entries decide: the exact entry, then prefixes
 * longest first. Returns the rank of e (lower decides first).
 */
static int block_rank(const struct model_entry *e)
{
	return e->list == MODEL_BLOCK_ADDR ? -1 : 128 - e->prefixlen;
}

static void judge_source(const struct model *m, __u64 now, struct model_verdict *v)
{
	long dropper = -1, auditor = -1, allow = -1;
	size_t i;

	/* Every entry covering the source, then the rules. */
	for (i = 0; i < m->n; i++) {
		const struct model_entry *e = &m->e[i];

		if (!covers(e, v->family, v->src))
			continue;
		if (e->list == MODEL_ALLOW) {
			if (model_live_sets(m, e, now) &&
			    (allow < 0 || e->prefixlen > m->e[allow].prefixlen))
				allow = i;
			continue;
		}
		if (entry_drops(m, e, v, now) &&
		    (dropper < 0 || block_rank(e) < block_rank(&m->e[dropper])))
			dropper = i;
		if (entry_audits(m, e, v, now) &&
		    (auditor < 0 || block_rank(e) < block_rank(&m->e[auditor])))
			auditor = i;
	}
	if (dropper < 0 && auditor < 0) {
		v->reason = XDPFWD_R_NO_MATCH;
		return;
	}
	if (allow >= 0) {
		v->reason = XDPFWD_R_ALLOWLIST;
		v->entry = allow;
		v->kind = XDPFWD_KIND_ALLOW;
		return;
	}
	v->reason = XDPFWD_R_BLOCKLIST;
	v->kind = XDPFWD_KIND_BLOCK;
	if (dropper >= 0) {
		v->action = XDPFWD_ACT_DROP;
		v->entry = dropper;
	} else {
		v->action = XDPFWD_ACT_AUDIT;
		v->entry = auditor;
	}
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
		/* Ports: TCP/UDP, fragment offset 0, the first four L4 bytes present. */
		v->proto = p[off + 9];
		v->l4 = (v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP) &&
			!(be16(p + off + 6) & 0x1fff) && len - off >= ihl * 4 + 4;
		if (v->l4)
			v->dport = be16(p + off + ihl * 4 + 2);
		judge_source(m, now, v);
		return;
	case 0x86dd:
		if (len - off < IPV6_HDR_LEN || p[off] >> 4 != 6)
			goto malformed;
		v->family = 6;
		memcpy(v->src, p + off + 8, 16);
		/* Ports: TCP/UDP as the next header itself, no extension header walked. */
		v->proto = p[off + 6];
		v->l4 = (v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP) &&
			len - off >= IPV6_HDR_LEN + 4;
		if (v->l4)
			v->dport = be16(p + off + IPV6_HDR_LEN + 2);
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

/* The key: the source's first plen bits, IPv4 mapped. */
static void meter_key(const struct model_verdict *v, unsigned int plen, __u8 key[16])
{
	unsigned int i, off = v->family == 4 ? 12 : 0, max = v->family == 4 ? 32 : 128;

	memset(key, 0, 16);
	if (v->family == 4) {
		key[10] = 0xff;
		key[11] = 0xff;
	}
	for (i = 0; i < max; i++)
		if (i < plen && (v->src[i / 8] & (0x80 >> (i % 8))))
			key[off + i / 8] |= 0x80 >> (i % 8);
}

const struct model_bucket *model_bucket_find(const struct model *m, const __u8 key[16])
{
	size_t i;

	for (i = 0; i < m->nb; i++)
		if (!memcmp(m->b[i].key, key, 16))
			return &m->b[i];
	return NULL;
}

static bool source_allowed(const struct model *m, const struct model_verdict *v, __u64 now)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->e[i].list == MODEL_ALLOW && covers(&m->e[i], v->family, v->src) &&
		    model_live_sets(m, &m->e[i], now))
			return true;
	return false;
}

/* Bans the key as the ban rules say; false when the ban could not be made. */
static bool ban(struct model *m, const struct model_verdict *v, const __u8 key[16],
		unsigned int plen, __u64 now)
{
	const struct xdpfwd_limits *l = &m->cfg.limits;
	unsigned int max = v->family == 4 ? 32 : 128, set = l->auto_set % XDPFWD_MAX_SETS;
	__u32 bit = 1U << set, g;
	struct model_entry n = {}, *e;
	size_t i;

	n.list = plen >= max ? MODEL_BLOCK_ADDR : MODEL_BLOCK_NET;
	n.family = v->family;
	n.prefixlen = plen >= max ? max : plen;
	memcpy(n.addr, key + (v->family == 4 ? 12 : 0), v->family == 4 ? 4 : 16);
	for (i = 0; i < m->n; i++) {
		if (!same_key(&m->e[i], &n))
			continue;
		e = &m->e[i];
		if (e->expires_ns && e->expires_ns <= now)
			return false;
		if (model_live_sets(m, e, now) & bit & ~e->timed)
			return true;
		if (e->expires_ns < now + l->ban_ns)
			e->expires_ns = now + l->ban_ns;
		e->timed |= bit;
		for (g = 0; g < 2; g++)
			e->sets[g] = ((e->sets[g] ^ XDPFWD_SETS_XOR) | bit) ^ XDPFWD_SETS_XOR;
		return true;
	}
	n.sets[0] = n.sets[1] = bit ^ XDPFWD_SETS_XOR;
	n.timed = bit;
	n.expires_ns = now + l->ban_ns;
	n.count_set = set;
	n.plen1 = n.list == MODEL_BLOCK_NET ? plen + 1 : 0;
	return model_add(m, &n) == 0;
}

static unsigned __int128 refill(unsigned __int128 tokens, __u64 burst, __u64 elapsed, __u64 rate)
{
	unsigned __int128 cap = (unsigned __int128)burst * NSEC_PER_SEC_MODEL;

	tokens += (unsigned __int128)elapsed * rate;
	return tokens > cap ? cap : tokens;
}

void model_meter(struct model *m, struct model_verdict *v, size_t len, __u64 now)
{
	const struct xdpfwd_limits *l = &m->cfg.limits;
	unsigned __int128 cost = (unsigned __int128)len * 8 * NSEC_PER_SEC_MODEL;
	unsigned int plen = v->family == 4 ? l->plen4 : l->plen6;
	struct model_bucket *b, *nb;
	__u64 elapsed;
	__u8 key[16];

	v->banned = 0;
	if (v->reason != XDPFWD_R_NO_MATCH || !v->family || !l->action || (!l->pps && !l->bps) ||
	    source_allowed(m, v, now))
		return;
	meter_key(v, plen, key);
	b = (struct model_bucket *)model_bucket_find(m, key);
	if (!b) {
		if (m->nb == m->capb) {
			size_t cap = m->capb ? 2 * m->capb : 64;

			nb = realloc(m->b, cap * sizeof(*nb));
			if (!nb)
				abort();
			m->b = nb;
			m->capb = cap;
		}
		b = &m->b[m->nb++];
		memset(b, 0, sizeof(*b));
		memcpy(b->key, key, 16);
		b->generation = ~l->generation;
	}
	if (b->generation != l->generation) {
		b->generation = l->generation;
		b->last_ns = now;
		b->pkt = (unsigned __int128)l->pkt_burst * NSEC_PER_SEC_MODEL;
		b->bit = (unsigned __int128)l->bit_burst * NSEC_PER_SEC_MODEL;
		b->over = 0;
		b->banned_ns = 0;
	}
	elapsed = (__s64)(now - b->last_ns) > 0 ? now - b->last_ns : 0;
	b->last_ns = now;
	if (l->pps)
		b->pkt = refill(b->pkt, l->pkt_burst, elapsed, l->pps);
	if (l->bps)
		b->bit = refill(b->bit, l->bit_burst, elapsed, l->bps);
	if ((!l->pps || b->pkt >= NSEC_PER_SEC_MODEL) && (!l->bps || b->bit >= cost)) {
		if (l->pps)
			b->pkt -= NSEC_PER_SEC_MODEL;
		if (l->bps)
			b->bit -= cost;
		return;
	}
	b->over++;
	v->reason = XDPFWD_R_RATE_LIMIT;
	v->action = l->action == XDPFWD_LIMIT_AUDIT ? XDPFWD_ACT_AUDIT : XDPFWD_ACT_DROP;
	if ((l->action != XDPFWD_LIMIT_BAN && l->action != XDPFWD_LIMIT_AUDIT) ||
	    (b->banned_ns && now - b->banned_ns < l->ban_ns))
		return;
	if (l->action == XDPFWD_LIMIT_AUDIT || ban(m, v, key, plen, now)) {
		b->banned_ns = now ? now : 1;
		m->bans++;
		v->banned = 1;
	} else {
		m->ban_failed++;
	}
}

void model_count(struct model *m, const struct model_verdict *v, size_t len)
{
	if (v->reason == XDPFWD_R_RATE_LIMIT) {
		m->limit_packets[v->action]++;
		m->limit_bytes[v->action] += len;
		m->ev_eligible++;
		return;
	}
	m->packets[v->action][v->reason]++;
	m->bytes[v->action][v->reason] += len;
	if (v->action == XDPFWD_ACT_DROP || v->action == XDPFWD_ACT_AUDIT)
		m->ev_eligible++;
	if (v->entry >= 0) {
		struct model_entry *e = &m->e[v->entry];

		e->packets++;
		e->bytes += len;
		m->set_packets[v->kind][e->count_set % XDPFWD_MAX_SETS]++;
		m->set_bytes[v->kind][e->count_set % XDPFWD_MAX_SETS] += len;
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
