/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flood defense's meter (include/xdpfwd.h, "Flood defense"): a token
 * bucket per source key for the frames that reach "no match", and what
 * happens to a frame over the limit (drop; ban its key in block set
 * limits.auto_set; or, audit, count, log and pass). Included by
 * xdpfwd.bpf.c after the helpers it uses.
 *
 * Units: a bucket holds tokens scaled by 1e9 so that the refill is exact in
 * integers. Every nanosecond adds `rate` tokens (pps to the packet bucket,
 * bps to the bit bucket); a packet costs 1e9 packet tokens and len * 8 * 1e9
 * bit tokens; a full bucket holds burst * 1e9. So no remainder is ever
 * dropped: N packets per second pass, not N minus a rounding.
 *
 * Overflow: rate <= XDPFWD_LIMIT_RATE_MAX < 2^40 (user space validates it)
 * and an elapsed time under 2^24 ns (16.7 ms) make elapsed * rate < 2^64,
 * taken as is. A longer idle, or a larger rate from a bpftool write, first
 * compares elapsed with deficit / rate: beyond it the bucket is full, below
 * it the product is at most the deficit. That one division is paid at most
 * once per key per 16.7 ms, never by a flooding key. Caps (burst <=
 * XDPFWD_LIMIT_BURST_MAX) stay under 2^64 - 1; a bucket above its cap (the
 * limits were rewritten under it) is brought down to it.
 *
 * Clock: the xdpfwd clock (jiffies * ns_per_jiffy, a load: no helper call).
 * Differences are taken modulo 2^64, so a clock that wraps forward reads as
 * the true elapsed time; one that steps back (a negative difference) refills
 * nothing and the bucket takes the new time as its last refill, rather than
 * waiting for the clock to catch up.
 *
 * Concurrency: a bucket is updated without locks (as the entry counters):
 * two CPUs metering one key at the same instant may let a packet more
 * through. RSS keeps a source's flows on one queue as a rule. A ban is
 * claimed with a compare-and-swap on banned_ns, so one ban makes one event.
 * A way is taken over (meter_take()) with a compare-and-swap on its
 * generation, so only one CPU writes its key: two CPUs taking the same way
 * for two keys leave one key in it, and the loser's frame passes unmetered
 * (its next frame takes a way), as when the old LRU could not insert.
 * A CPU that matched the way's old key just before reads a generation that
 * is not the limits' and resets the bucket in place: one extra bucket reset.
 * Two CPUs taking ways for one new key at once may leave it in two ways: the
 * one found first meters it, the other ages out as an unused key.
 *
 * Eviction: the meter is a set-associative table (include/xdpfwd.h,
 * "meter" map) of XDPFWD_METER_KEYS ways. A new key takes, of the 8 ways of
 * its two sets, one never used, else one filled under other limits, else
 * the least recently metered; the key in it is evicted, and starts with a
 * full bucket if it comes back, as a new key does. An eviction changes
 * nothing when the evicted bucket had refilled (idle burst / rate or more).
 */
#ifndef XDPFWD_LIMIT_BPF_H
#define XDPFWD_LIMIT_BPF_H

#define NSEC_PER_SEC 1000000000ULL
#ifndef EEXIST
#define EEXIST 17	/* vmlinux.h has no errno values */
#endif

/* Written whole by user space; read once per frame that reaches "no match". */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfwd_limits);
} limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFWD_METER_SETS);
	__type(key, __u32);
	__type(value, struct xdpfwd_meter_set);
} meter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFWD_STATS_SLOTS);
	__type(key, __u32);
	__type(value, struct xdpfwd_limit_stats);
} limit_stats SEC(".maps");

/* What limit_frame() needs of the frame besides ctx: where the IP header is, the family, the VLAN. */
#define LIMIT_INFO(l3_off, family, vlan) \
	((__u32)(l3_off) | (__u32)(family) << 8 | (__u32)(vlan) << 16)

/* Adds elapsed * rate to a bucket of capacity cap, exactly and without overflow (see above). */
static __always_inline __u64 bucket_refill(__u64 tokens, __u64 cap, __u64 elapsed, __u64 rate)
{
	__u64 deficit;

	if (tokens >= cap)
		return cap;
	deficit = cap - tokens;
	if (!((elapsed >> 24) | (rate >> 40)))
		return elapsed * rate >= deficit ? cap : tokens + elapsed * rate;
	return elapsed > deficit / rate ? cap : tokens + elapsed * rate;
}

/* Network-order mask of the first n bits of a 32-bit word (n may be out of 0..32). */
static __always_inline __u32 word_mask(int n)
{
	if (n <= 0)
		return 0;
	if (n >= 32)
		return 0xffffffff;
	return bpf_htonl(0xffffffffU << (32 - n));
}

/*
 * Makes the key's entry a member of set auto_set (timed, both generations)
 * in the block map that holds keys of its length; 1 when it is one after.
 * A new entry is all the program's, and created only if absent, so it never
 * overwrites an entry user space is writing. If one is there (the key is in
 * a set that did not drop this frame: a scoped set, a set being defined, a
 * membership that expired), the program joins it in place with atomic bit
 * operations: it extends expires_ns (the latest deadline of the entry's
 * timed sets, as every writer keeps it) before it sets the bits, so no
 * moment shows auto_set with an old deadline. It does not join an entry
 * whose deadline has passed: its timed memberships are dead, and a later
 * deadline would revive them (user space deletes or rewrites such entries;
 * a later frame over the limit tries again). A user-space writer that
 * rewrites the entry at the same moment (a read-modify-write under its
 * lock) can lose the join: the key is then only dropped by the meter, and
 * banned again at its first excess after ban_ns.
 */
static __always_inline int ban_key(const struct xdpfwd_limits *l, const struct xdpfwd_meter_key *k,
				   __u32 family, __u32 plen)
{
	__u32 bit = 1U << (l->auto_set & (XDPFWD_MAX_SETS - 1)), zero = 0, live;
	__u64 boot = boot_ns(), expires = boot + l->ban_ns;
	struct xdpfwd_entry e = {}, *old;
	struct xdpfwd_lpm_v6_key lk = {};
	struct xdpfwd_meta *m;
	void *map, *key;
	int err;

	e.sets[0] = bit ^ XDPFWD_SETS_XOR;
	e.sets[1] = bit ^ XDPFWD_SETS_XOR;
	e.timed = bit;
	e.expires_ns = expires;
	e.count_set = l->auto_set;
	if (family == 4 && plen >= 32) {
		map = &block_v4_addr;
		key = (void *)&k->addr[12];
	} else if (family == 4) {
		map = &block_v4_net;
		lk.prefixlen = plen;
		__builtin_memcpy(lk.addr, &k->addr[12], 4);
		key = &lk;
		e.plen1 = plen + 1;
	} else if (plen >= 128) {
		map = &block_v6_addr;
		key = (void *)k->addr;
	} else {
		map = &block_v6_net;
		lk.prefixlen = plen;
		__builtin_memcpy(lk.addr, k->addr, 16);
		key = &lk;
		e.plen1 = plen + 1;
	}
	err = bpf_map_update_elem(map, key, &e, BPF_NOEXIST);
	if (!err)
		return 1;
	if (err != -EEXIST)
		return 0;
	/* A trie returns its longest match: with the key's own length, that is the key's own node. */
	old = bpf_map_lookup_elem(map, key);
	m = bpf_map_lookup_elem(&meta, &zero);
	if (!old || !m || (old->expires_ns && old->expires_ns <= boot))
		return 0;
	live = live_members(old, m->set_gen[XDPFWD_KIND_BLOCK]);
	/* Already a member for good: a deadline would end that. */
	if (live & bit & ~old->timed)
		return 1;
	if (old->expires_ns < expires)
		old->expires_ns = expires;
	__sync_fetch_and_or(&old->timed, bit);
	if (bit & XDPFWD_SETS_XOR) {
		__sync_fetch_and_and(&old->sets[0], ~bit);
		__sync_fetch_and_and(&old->sets[1], ~bit);
	} else {
		__sync_fetch_and_or(&old->sets[0], bit);
		__sync_fetch_and_or(&old->sets[1], bit);
	}
	return 1;
}

/* The meter's sets (its max_entries, read from the map: the loader may resize it). */
static __always_inline __u32 meter_nsets(void)
{
	return ((struct bpf_map *)&meter)->max_entries;
}

/* Key k's way in set s, or NULL. */
static __always_inline struct xdpfwd_meter_way *way_find(struct xdpfwd_meter_set *s, __u64 k0, __u64 k1)
{
	__u64 *a;
	int i;

	for (i = 0; i < XDPFWD_METER_WAYS; i++) {
		a = (__u64 *)s->way[i].key.addr;
		if (a[0] == k0 && a[1] == k1)
			return &s->way[i];
	}
	return NULL;
}

/* Key w's buckets in the meter (any generation), or NULL; *s0 and *s1 its sets. */
static __always_inline struct xdpfwd_meter *meter_find(const struct xdpfwd_limits *l, const __u32 w[4],
						       struct xdpfwd_meter_set **s0, struct xdpfwd_meter_set **s1)
{
	__u64 k0 = (__u64)w[0] | (__u64)w[1] << 32, k1 = (__u64)w[2] | (__u64)w[3] << 32;
	__u64 h = xdpfwd_meter_hash(w, l->meter_seed);
	__u32 i0 = xdpfwd_meter_set0(h, meter_nsets()), i1;
	struct xdpfwd_meter_way *way;

	*s1 = NULL;
	*s0 = bpf_map_lookup_elem(&meter, &i0);
	if (!*s0)
		return NULL;
	way = way_find(*s0, k0, k1);
	if (way)
		return &way->m;
	i1 = xdpfwd_meter_set1(h, l->meter_seed, meter_nsets());
	*s1 = bpf_map_lookup_elem(&meter, &i1);
	if (!*s1)
		return NULL;
	way = way_find(*s1, k0, k1);
	return way ? &way->m : NULL;
}

/*
 * The way to give a new key in set s, or best if that is better: one never
 * used, else one filled under other limits (its bucket would start afresh
 * anyway), else the least recently metered. *best_c and *best_t: best's class
 * (0, 1, 2 in that order) and last metered time.
 */
static __always_inline struct xdpfwd_meter_way *way_victim(struct xdpfwd_meter_set *s, __u64 gen,
							   struct xdpfwd_meter_way *best, __u32 *best_c,
							   __u64 *best_t)
{
	__u64 g, t;
	__u32 c;
	int i;

	for (i = 0; i < XDPFWD_METER_WAYS; i++) {
		g = s->way[i].m.generation;
		t = s->way[i].m.last_ns;
		c = !g ? 0 : g != gen ? 1 : 2;
		if (!best || c < *best_c || (c == 2 && *best_c == 2 && t < *best_t)) {
			best = &s->way[i];
			*best_c = c;
			*best_t = t;
		}
	}
	return best;
}

/*
 * A new key (or one evicted): takes over a way of its sets, claimed with a
 * compare-and-swap on its generation (see Concurrency above), and marks it
 * as filled under another generation, so that it starts full below. NULL
 * when another CPU claimed that way first. Out of line: not on the path of
 * a known key.
 */
static __noinline struct xdpfwd_meter *meter_take(struct xdpfwd_meter_set *s0, struct xdpfwd_meter_set *s1,
						   const __u32 *w, __u64 generation)
{
	struct xdpfwd_meter_way *v = NULL;
	__u64 t = 0, old;
	__u32 c = 0;

	if (!s0 || !s1)
		return NULL;
	v = way_victim(s0, generation, v, &c, &t);
	v = way_victim(s1, generation, v, &c, &t);
	if (!v)
		return NULL;
	old = v->m.generation;
	if (old == ~generation || __sync_val_compare_and_swap(&v->m.generation, old, ~generation) != old)
		return NULL;
	__builtin_memcpy(v->key.addr, w, 16);
	return &v->m;
}

/*
 * A frame that reached "no match" while the limits are on: passed (and
 * counted as no match) when its source is allowlisted or its key's buckets
 * hold its cost; else counted in limit_stats and dropped, banned or audited
 * as limits.action says. A global function, so the verifier checks it once
 * for the four places that call it; it finds the source again from ctx
 * (info: LIMIT_INFO) as a global function takes no packet pointers.
 */
__noinline int limit_frame(struct xdp_md *ctx, struct xdpfwd_stats *st,
			   const struct xdpfwd_limits *l, __u32 info)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 len = end - data, l3_off = info & 0xff, family = (info >> 8) & 0xff;
	__u32 zero = 0, slot, plen, act, set = XDPFWD_EVENT_NO_SET, flags = 0, proto;
	struct xdpfwd_meter *b;
	struct xdpfwd_meter_set *s0, *s1;
	struct xdpfwd_limit_stats *ls;
	struct xdpfwd_meter_key k;
	struct xdpfwd_lpm_v6_key lk;
	struct xdpfwd_meta *m;
	struct frame f = {};
	__u64 now, elapsed, cost, banned;
	__u32 *w = (__u32 *)k.addr;
	__u8 *ip;
	int i;

	if (!st || !l)
		return XDP_PASS;
	/* At most two VLAN tags before the IP header, as frame_ports() knows too. */
	if (l3_off > sizeof(struct ethhdr) + XDPFWD_MAX_VLAN_DEPTH * sizeof(struct vlan_tag))
		return pass(st, XDPFWD_R_NO_MATCH, len);
	ip = data + l3_off;
	if (family == 4) {
		if ((void *)(ip + sizeof(struct iphdr)) > end)
			return pass(st, XDPFWD_R_NO_MATCH, len);
		f.saddr = (const __be32 *)(ip + offsetof(struct iphdr, saddr));
		proto = ((struct iphdr *)ip)->protocol;
	} else {
		if ((void *)(ip + sizeof(struct ipv6hdr)) > end)
			return pass(st, XDPFWD_R_NO_MATCH, len);
		f.saddr = (const __be32 *)(ip + offsetof(struct ipv6hdr, saddr));
		proto = ((struct ipv6hdr *)ip)->nexthdr;
	}
	f.family = family;
	f.proto = proto;
	f.vlan = info >> 16;
	f.l3_off = l3_off;
	if (!l->pps && !l->bps)
		return pass(st, XDPFWD_R_NO_MATCH, len);

	/* The allowlist is never limited (meta is read only when there is one). */
	if (family == 4 && trie_may_match(&allow_v4)) {
		m = bpf_map_lookup_elem(&meta, &zero);
		if (!m || allow_match(&allow_v4, &lk, &f, 32, m->set_gen[XDPFWD_KIND_ALLOW]))
			return pass(st, XDPFWD_R_NO_MATCH, len);
	}
	if (family == 6 && trie_may_match(&allow_v6)) {
		m = bpf_map_lookup_elem(&meta, &zero);
		if (!m || allow_match(&allow_v6, &lk, &f, 128, m->set_gen[XDPFWD_KIND_ALLOW]))
			return pass(st, XDPFWD_R_NO_MATCH, len);
	}

	/* The key: the source truncated to plen bits, IPv4 as ::ffff:a.b.c.d. */
	if (family == 4) {
		plen = l->plen4;
		w[0] = 0;
		w[1] = 0;
		w[2] = bpf_htonl(0xffff);
		w[3] = f.saddr[0] & word_mask(plen);
	} else {
		plen = l->plen6;
		for (i = 0; i < 4; i++)
			w[i] = f.saddr[i] & word_mask((int)plen - 32 * i);
	}

	now = clock_ns();
	b = meter_find(l, w, &s0, &s1);
	if (!b) {
		b = meter_take(s0, s1, w, l->generation);
		if (!b)
			return pass(st, XDPFWD_R_NO_MATCH, len);
	}
	if (b->generation != l->generation) {
		b->last_ns = now;
		b->pkt_tokens = l->pkt_burst * NSEC_PER_SEC;
		b->bit_tokens = l->bit_burst * NSEC_PER_SEC;
		b->over = 0;
		b->banned_ns = 0;
		b->generation = l->generation;
	}
	elapsed = now - b->last_ns;
	if ((__s64)elapsed < 0)
		elapsed = 0;
	b->last_ns = now;
	cost = (__u64)len * 8 * NSEC_PER_SEC;
	if (l->pps)
		b->pkt_tokens = bucket_refill(b->pkt_tokens, l->pkt_burst * NSEC_PER_SEC, elapsed, l->pps);
	if (l->bps)
		b->bit_tokens = bucket_refill(b->bit_tokens, l->bit_burst * NSEC_PER_SEC, elapsed, l->bps);
	if ((!l->pps || b->pkt_tokens >= NSEC_PER_SEC) && (!l->bps || b->bit_tokens >= cost)) {
		if (l->pps)
			b->pkt_tokens -= NSEC_PER_SEC;
		if (l->bps)
			b->bit_tokens -= cost;
		return pass(st, XDPFWD_R_NO_MATCH, len);
	}

	/* Over the limit: the excess takes no tokens. */
	b->over++;
	act = l->action == XDPFWD_LIMIT_AUDIT ? XDPFWD_ACT_AUDIT : XDPFWD_ACT_DROP;
	slot = stats_slot(ctx);
	ls = bpf_map_lookup_elem(&limit_stats, &slot);
	if (ls) {
		ls->packets[act]++;
		ls->bytes[act] += len;
	}
	banned = b->banned_ns;
	/* An action this program does not know (a newer writer's) only drops. */
	if ((l->action == XDPFWD_LIMIT_BAN || l->action == XDPFWD_LIMIT_AUDIT) &&
	    (!banned || now - banned >= l->ban_ns) &&
	    __sync_val_compare_and_swap(&b->banned_ns, banned, now ? now : 1) == banned) {
		if (l->action == XDPFWD_LIMIT_AUDIT || ban_key(l, &k, family, plen)) {
			if (ls)
				ls->bans++;
			set = l->auto_set;
			flags = XDPFWD_EVENT_F_BANNED;
		} else {
			/* Not banned: the next frame over the limit tries again. */
			b->banned_ns = banned;
			if (ls)
				ls->ban_failed++;
		}
	}
	if (log_enabled) {
		st->ev_eligible++;
		log_event(ctx, st, NULL, f.saddr,
			  EVENT_INFO(family, proto, f.vlan, XDPFWD_R_RATE_LIMIT, act, set) |
			  (__u64)flags << 56);
	}
	return act == XDPFWD_ACT_AUDIT ? XDP_PASS : XDP_DROP;
}

/*
 * The common case of a metered frame, inline on the fast path (an untagged
 * IPv4 or IPv6 frame in no list): a known key under the current generation
 * whose buckets hold the frame's cost, with the allowlist empty. Anything
 * else returns -1 having changed nothing, and limit_frame() does it all.
 * Inline because a call costs more than the rest here: with the return
 * thunks of this machine's CPU mitigations, limit_frame()'s call and return
 * alone were +8-10 ns per frame (bench/progcost-ab.sh, table L).
 */
static __always_inline int meter_fast(struct xdpfwd_stats *st, const struct xdpfwd_limits *l,
				      const __be32 *saddr, __u32 family, __u32 len)
{
	__u64 now, elapsed, pkt, bit, cost;
	struct xdpfwd_meter_set *s0, *s1;
	struct xdpfwd_meter_key k;
	struct xdpfwd_meter *b;
	__u32 *w = (__u32 *)k.addr;
	int i;

	if (family == 4) {
		if (trie_may_match(&allow_v4))
			return -1;
		w[0] = 0;
		w[1] = 0;
		w[2] = bpf_htonl(0xffff);
		w[3] = saddr[0] & word_mask(l->plen4);
	} else {
		if (trie_may_match(&allow_v6))
			return -1;
		for (i = 0; i < 4; i++)
			w[i] = saddr[i] & word_mask((int)l->plen6 - 32 * i);
	}
	b = meter_find(l, w, &s0, &s1);
	if (!b || b->generation != l->generation)
		return -1;
	now = clock_ns();
	elapsed = now - b->last_ns;
	if ((__s64)elapsed < 0)
		return -1;
	pkt = b->pkt_tokens;
	bit = b->bit_tokens;
	cost = (__u64)len * 8 * NSEC_PER_SEC;
	if (l->pps) {
		pkt = bucket_refill(pkt, l->pkt_burst * NSEC_PER_SEC, elapsed, l->pps);
		if (pkt < NSEC_PER_SEC)
			return -1;
		pkt -= NSEC_PER_SEC;
	}
	if (l->bps) {
		bit = bucket_refill(bit, l->bit_burst * NSEC_PER_SEC, elapsed, l->bps);
		if (bit < cost)
			return -1;
		bit -= cost;
	}
	b->last_ns = now;
	b->pkt_tokens = pkt;
	b->bit_tokens = bit;
	return pass(st, XDPFWD_R_NO_MATCH, len);
}

/*
 * FAST_JUDGE's frame in no list: no_match() with meter_fast() first. The
 * header is checked only when the limits are on: off costs what no_match()
 * does.
 */
static __always_inline int no_match_fast(struct xdp_md *ctx, struct xdpfwd_stats *st, void *ip,
					 __u32 family, __u32 len)
{
	__u32 zero = 0, saddr_off = family == 4 ? 12 : 8;
	struct xdpfwd_limits *l = bpf_map_lookup_elem(&limits, &zero);
	void *end = (void *)(long)ctx->data_end;
	int r;

	if (!l || !l->action)
		return pass(st, XDPFWD_R_NO_MATCH, len);
	if (ip + saddr_off + (family == 4 ? 4 : 16) <= end && (l->pps || l->bps)) {
		r = meter_fast(st, l, ip + saddr_off, family, len);
		if (r >= 0)
			return r;
	}
	return limit_frame(ctx, st, l, LIMIT_INFO(sizeof(struct ethhdr), family, 0));
}

/*
 * A frame in no list: passed, unless the limits are on. Off (an all-zero
 * "limits" value), that costs one inlined array lookup and a test.
 */
static __always_inline int no_match(struct xdp_md *ctx, struct xdpfwd_stats *st, __u32 info,
				    __u32 len)
{
	__u32 zero = 0;
	struct xdpfwd_limits *l = bpf_map_lookup_elem(&limits, &zero);

	if (l && l->action)
		return limit_frame(ctx, st, l, info);
	return pass(st, XDPFWD_R_NO_MATCH, len);
}

#endif /* XDPFWD_LIMIT_BPF_H */
