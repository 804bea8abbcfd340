// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfwd's XDP program: drop frames whose IP source is on the blocklist and
 * not on the allowlist, count every verdict, and log drops through a ring
 * buffer under a per-source and a global rate limit.
 *
 * Cost matters more than anything else here: a blocked exact address costs
 * one hash lookup, the prefix tries and the allowlist are skipped while they
 * are empty, and the per-source log limit lives in the entry that was just
 * looked up.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "xdpfwd.h"
#include "parse.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader between open and load (see daemon/loader.c). */
const volatile __u8 drop_malformed = 0;
const volatile __u8 log_enabled = 1;
const volatile __u64 log_source_interval_ns = 1000000000ULL;
/* Global event budget as GCRA: one event per interval, bursts of tolerance/interval + 1. */
const volatile __u64 log_global_interval_ns = 10000000ULL;
const volatile __u64 log_global_tolerance_ns = 990000000ULL;

/*
 * Nanoseconds per jiffy, from the kernel's HZ (set by the loader from the
 * instance's "clock" map); 0 when HZ is unknown. bpf_jiffies64() is inlined to one load while the coarse clock
 * is a helper call, at the same resolution: this is the packet path's clock.
 */
const volatile __u64 ns_per_jiffy = 0;

/*
 * GCRA theoretical arrival time, shared by all CPUs; written only by events,
 * on a cache line of its own so that they do not evict the slot table below
 * from the other CPUs.
 */
__u64 log_tat_ns __attribute__((aligned(64))) = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XDPFWD_MAX_ADDRS);
	__type(key, struct xdpfwd_v4_key);
	__type(value, struct xdpfwd_entry);
} block_v4_addr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XDPFWD_MAX_ADDRS);
	__type(key, struct xdpfwd_v6_key);
	__type(value, struct xdpfwd_entry);
} block_v6_addr SEC(".maps");

/* The prefix tries (the twins of layout 2 are gone; see struct xdpfwd_meta). */
#define TRIE_PAIR(name, max, key_type)						\
	struct {								\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);				\
		__uint(map_flags, BPF_F_NO_PREALLOC);				\
		__uint(max_entries, max);					\
		__type(key, key_type);						\
		__type(value, struct xdpfwd_entry);				\
	} name SEC(".maps")

TRIE_PAIR(block_v4_net, XDPFWD_MAX_NETS, struct xdpfwd_lpm_v4_key);
TRIE_PAIR(block_v6_net, XDPFWD_MAX_NETS, struct xdpfwd_lpm_v6_key);
TRIE_PAIR(allow_v4, XDPFWD_MAX_ALLOW, struct xdpfwd_lpm_v4_key);
TRIE_PAIR(allow_v6, XDPFWD_MAX_ALLOW, struct xdpfwd_lpm_v6_key);

/* One slot per interface (see XDPFWD_STATS_SLOT_*); the global counters are their sum. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFWD_STATS_SLOTS);
	__type(key, __u32);
	__type(value, struct xdpfwd_stats);
} stats SEC(".maps");

/*
 * Which stats slot each interface of this daemon counts in: this program's
 * own global data, written by its daemon before the program is attached and
 * again when an interface comes back with a new ifindex. The slots themselves
 * are allocated in the pinned "ifaces" map, shared by every daemon of the pin
 * dir. A daemon has one or two interfaces as a rule, so a scan costs less
 * than any map lookup.
 */
struct xdpfwd_iface_slots iface_slots __attribute__((aligned(64))) = {};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPFWD_LOG_STATE_SIZE);
	__type(key, struct xdpfwd_log_key);
	__type(value, __u64);
} log_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XDPFWD_RINGBUF_BYTES);
} events SEC(".maps");

/* Never read by the program: user space records attachments and stats slots here. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPFWD_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct xdpfwd_iface);
} ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfwd_meta);
} meta SEC(".maps");

/* Never read by the program: what ns_per_jiffy means for the whole instance (struct xdpfwd_clock). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfwd_clock);
} clock SEC(".maps");

/* Each set's name and options (struct xdpfwd_set), key kind * XDPFWD_MAX_SETS + id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFWD_KINDS * XDPFWD_MAX_SETS);
	__type(key, __u32);
	__type(value, struct xdpfwd_set);
} sets SEC(".maps");

/* Never read by the program: user space's counts of the lists (see struct xdpfwd_books). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFWD_BOOKS_MAX);
	__type(key, __u32);
	__type(value, struct xdpfwd_books);
} books SEC(".maps");

/*
 * An LPM trie lookup is a helper call even when the trie is empty; reading the
 * trie's element count through CO-RE is one load. Kernels whose trie has no
 * such field simply always look up.
 */
static __always_inline int trie_may_match(void *map)
{
	struct lpm_trie *trie = map;

	if (bpf_core_field_exists(trie->n_entries))
		return trie->n_entries != 0;
	return 1;
}

/*
 * Interim (setslib): only as far as layout 3 needs to build and keep the
 * per-set replace atomic; the datapath branch's program replaces this. An
 * entry matches while it has a live member set in the generation gen says.
 */
#define LOOKUP(gen, map, key) bpf_map_lookup_elem(&map, key)
#define MAY_MATCH(gen, map) trie_may_match(&map)

static __always_inline int not_live(const struct xdpfwd_entry *e, __u32 gen)
{
	__u32 members = ((e->sets[0] & ~gen) | (e->sets[1] & gen)) ^ XDPFWD_SETS_XOR;

	if (e->timed && e->expires_ns && bpf_ktime_get_boot_ns() >= e->expires_ns)
		members &= ~e->timed;
	return !members;
}

static __always_inline struct xdpfwd_entry *live(struct xdpfwd_entry *e, __u32 gen)
{
	return e && not_live(e, gen) ? NULL : e;
}

/*
 * A trie returns only its longest match, so an expired prefix would hide a
 * shorter live one until the daemon deletes it: look again with shorter keys.
 * Only an expired hit loops; each retry skips at least one prefix length.
 */
#define TRIE_MATCH(gen, map, lk, max_len)					\
	({									\
		struct xdpfwd_entry *__e = LOOKUP(gen, map, lk);		\
		int __i;							\
		for (__i = 0; __i < (max_len) && __e && not_live(__e, gen); __i++) { \
			__e = NULL;						\
			if (!(lk)->prefixlen)					\
				break;						\
			(lk)->prefixlen--;					\
			__e = LOOKUP(gen, map, lk);				\
		}								\
		(lk)->prefixlen = (max_len);					\
		__e && !not_live(__e, gen) ? __e : NULL;			\
	})

/* "xdpfwd clock" nanoseconds (see include/xdpfwd.h): what last_hit_ns and event times hold. */
static __always_inline __u64 clock_ns(void)
{
	if (ns_per_jiffy)
		return bpf_jiffies64() * ns_per_jiffy;
	return bpf_ktime_get_coarse_ns();
}

/* GCRA over a shared TAT: lock-free, and touched only by events that passed the per-source limit. */
static __always_inline int global_budget_take(__u64 now)
{
	__u64 tat, base;
	int i;

	if (!log_global_interval_ns)
		return 1;
	for (i = 0; i < 4; i++) {
		tat = log_tat_ns;
		base = tat > now ? tat : now;
		if (base - now > log_global_tolerance_ns)
			return 0;
		if (__sync_val_compare_and_swap(&log_tat_ns, tat, base + log_global_interval_ns) == tat)
			return 1;
	}
	return 0;
}

/*
 * What an event and the per-source log limit need to know about the frame.
 * It only ever goes by pointer into always-inline functions, never to a
 * helper, so the compiler keeps it in registers: a struct whose address
 * reaches a helper (a map key, say) lives on the stack and costs every
 * packet stores and reloads. Keys are built from it where they are needed.
 */
struct frame {
	const __be32 *saddr;	/* the IP source inside the packet; NULL before the IP header */
	__u8 family;		/* 4, 6, or 0 when no IP header was parsed */
	__u8 proto;
	__u16 vlan;
};

/* The source as events and log_state keys spell it: IPv4 as ::ffff:a.b.c.d, zeros if unparsed. */
static __always_inline void source_addr(__u8 *out, const struct frame *f)
{
	__builtin_memset(out, 0, 16);
	if (f->family == 4) {
		out[10] = 0xff;
		out[11] = 0xff;
		__builtin_memcpy(out + 12, f->saddr, 4);
	} else if (f->family == 6) {
		__builtin_memcpy(out, f->saddr, 16);
	}
}

/*
 * Claims this source's log slot for the current interval; 0 if it was used
 * recently. An exact entry carries the slot itself (no extra lookup on the
 * hot path); prefix hits and malformed frames share the log_state LRU.
 */
static __always_inline int source_budget_take(struct xdpfwd_entry *e, int exact,
					      const struct frame *f, __u64 now)
{
	struct xdpfwd_log_key key;
	__u64 *last, old;

	if (!log_source_interval_ns)
		return 1;
	/* exact implies e, but the verifier cannot see that through the caller's branches. */
	if (exact && e) {
		last = &e->last_log_ns;
	} else {
		source_addr(key.addr, f);
		last = bpf_map_lookup_elem(&log_state, &key);
		if (!last)
			return bpf_map_update_elem(&log_state, &key, &now, BPF_NOEXIST) == 0;
	}
	old = *last;
	if (old && now - old < log_source_interval_ns)
		return 0;
	return __sync_val_compare_and_swap(last, old, now) == old;
}

/* What one event takes in the ring: the record (a multiple of 8) and the ring's header. */
#define EVENT_RECORD_BYTES (sizeof(struct xdpfwd_event) + BPF_RINGBUF_HDR_SZ)

/* What the out-of-line event path needs besides the source, in one argument (BPF functions take five). */
#define EVENT_INFO(family, proto, vlan, reason) \
	((__u64)(family) | (__u64)(proto) << 8 | (__u64)(vlan) << 16 | (__u64)(reason) << 32)

/*
 * Everything after the cheap "logged recently" test: the source's claim,
 * the global budget and the ring buffer. It runs at most once per source per
 * interval, so it is a function of its own: inlined, it made every hit's
 * instructions spread over twice as many cache lines, which the generator
 * and the driver evict between packets (live, the difference was ~10 ns
 * per hit).
 */
static __noinline void log_event(struct xdp_md *ctx, struct xdpfwd_stats *st,
				 struct xdpfwd_entry *exact_entry, const __be32 *saddr, __u64 info)
{
	struct frame f = {
		.saddr = saddr,
		.family = info & 0xff,
		.proto = (info >> 8) & 0xff,
		.vlan = (info >> 16) & 0xffff,
	};
	__u64 now = clock_ns(), flags, pos;
	struct xdpfwd_event *ev;

	if (!source_budget_take(exact_entry, exact_entry != NULL, &f, now)) {
		st->ev_suppressed_source++;
		return;
	}
	if (!global_budget_take(now)) {
		st->ev_suppressed_global++;
		return;
	}
	/*
	 * When the consumer is behind, the ring stays full and most events are
	 * lost: reserve would take the ring's lock to find that out, the query is
	 * two loads (-28 ns per packet in a flood logging every packet).
	 */
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > XDPFWD_RINGBUF_BYTES - EVENT_RECORD_BYTES) {
		st->ev_lost++;
		return;
	}
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		st->ev_lost++;
		return;
	}
	ev->ts_ns = now;
	ev->ifindex = ctx->ingress_ifindex;
	ev->len = ctx->data_end - ctx->data;
	source_addr(ev->addr, &f);
	ev->family = f.family;
	ev->action = XDPFWD_ACT_DROP;
	ev->reason = info >> 32;
	ev->proto = f.proto;
	ev->vlan = f.vlan;
	ev->set = exact_entry ? exact_entry->count_set : XDPFWD_EVENT_NO_SET;
	ev->pad = 0;
	/*
	 * A wakeup (an IPI, a hypervisor exit in a VM) costs far more than the
	 * rest of the path, so the consumer polls every 100 ms and is woken once
	 * per XDPFWD_RINGBUF_WAKEUP_BYTES produced: when this record's end
	 * crosses such a boundary. (Waking whenever that much is waiting would
	 * wake a lagging consumer on every event.)
	 */
	pos = bpf_ringbuf_query(&events, BPF_RB_PROD_POS);
	flags = (pos ^ (pos - EVENT_RECORD_BYTES)) >= XDPFWD_RINGBUF_WAKEUP_BYTES ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(ev, flags);
	st->ev_sent++;
}

/*
 * Every drop is eligible for an event. An exact entry that logged within the
 * interval is the common case of a flood and is settled here; anything else
 * goes to log_event().
 */
static __always_inline void log_drop(struct xdp_md *ctx, struct xdpfwd_stats *st,
				     struct xdpfwd_entry *e, int exact, __u8 reason,
				     const struct frame *f, __u64 now)
{
	__u64 old;

	st->ev_eligible++;
	if (exact && e && log_source_interval_ns) {
		old = e->last_log_ns;
		if (old && now - old < log_source_interval_ns) {
			st->ev_suppressed_source++;
			return;
		}
	}
	log_event(ctx, st, exact ? e : NULL, f->saddr, EVENT_INFO(f->family, f->proto, f->vlan, reason));
}

/* Every frame is counted exactly once; callers pass constants, so these are fixed offsets. */
static __always_inline void count(struct xdpfwd_stats *st, __u32 action, __u32 reason, __u32 len)
{
	st->packets[action][reason]++;
	st->bytes[action][reason] += len;
}

static __always_inline int pass(struct xdpfwd_stats *st, __u32 reason, __u32 len)
{
	count(st, XDPFWD_ACT_PASS, reason, len);
	return XDP_PASS;
}

/*
 * A list entry decided the verdict. Plain increments: a locked add costs
 * every hit, and only hits of one entry on several CPUs at the same instant
 * can lose a count.
 */
static __always_inline __u64 entry_hit(struct xdpfwd_entry *e, __u32 len)
{
	__u64 now = clock_ns();

	e->packets++;
	e->bytes += len;
	e->last_hit_ns = now;
	return now;
}

static __always_inline int drop(struct xdp_md *ctx, struct xdpfwd_stats *st,
				struct xdpfwd_entry *e, int exact, __u8 reason,
				const struct frame *f, __u32 len)
{
	__u64 now = 0;

	count(st, XDPFWD_ACT_DROP, reason, len);
	if (e)
		now = entry_hit(e, len);
	if (log_enabled)
		log_drop(ctx, st, e, exact, reason, f, e ? now : clock_ns());
	return XDP_DROP;
}

static __always_inline int malformed(struct xdp_md *ctx, struct xdpfwd_stats *st,
				     const struct frame *f, __u32 len)
{
	if (drop_malformed)
		return drop(ctx, st, NULL, 0, XDPFWD_R_MALFORMED, f, len);
	return pass(st, XDPFWD_R_MALFORMED, len);
}

/*
 * The verdict rules, once for both families (the maps and key types differ,
 * so a macro): the exact hash, keyed straight from the packet, then the
 * prefix trie; a blocked source is then looked up in the allowlist, which
 * wins. The allowlist only ever turns a drop into a pass, so traffic in no
 * list never pays for its trie. The LPM key is built only for a trie lookup.
 */
#define EXACT_MATCH(m, hash, key) \
	live(bpf_map_lookup_elem(&hash, (key)), (m)->set_gen[XDPFWD_KIND_BLOCK])

#define JUDGE(ctx, st, m, f, len, lk_type, max_len, hash, net, allow)			\
	JUDGE_AFTER_EXACT(ctx, st, m, f, len, lk_type, max_len, net, allow,		\
			  EXACT_MATCH(m, hash, (f)->saddr))

/* The rules after the exact hash was looked up (exact_e: its live entry or NULL). */
#define JUDGE_AFTER_EXACT(ctx, st, m, f, len, lk_type, max_len, net, allow, exact_e)	\
	({										\
		__u32 __twin = (m)->set_gen[XDPFWD_KIND_BLOCK];			\
		struct xdpfwd_entry *__e = (exact_e), *__a = NULL;			\
		int __exact = 0, __keyed = 0, __ret;					\
		lk_type __lk;								\
											\
		if (__e) {								\
			__exact = 1;							\
		} else if (MAY_MATCH(__twin, net)) {					\
			__lk.prefixlen = (max_len);					\
			__builtin_memcpy(__lk.addr, (f)->saddr, sizeof(__lk.addr));	\
			__keyed = 1;							\
			__e = TRIE_MATCH(__twin, net, &__lk, (max_len));		\
		}									\
		if (__e && MAY_MATCH((m)->set_gen[XDPFWD_KIND_ALLOW], allow)) {	\
			if (!__keyed) {							\
				__lk.prefixlen = (max_len);				\
				__builtin_memcpy(__lk.addr, (f)->saddr, sizeof(__lk.addr)); \
			}								\
			__a = TRIE_MATCH((m)->set_gen[XDPFWD_KIND_ALLOW], allow,	\
					 &__lk, (max_len));				\
		}									\
		if (!__e) {								\
			__ret = pass((st), XDPFWD_R_NO_MATCH, (len));			\
		} else if (__a) {							\
			entry_hit(__a, (len));						\
			__ret = pass((st), XDPFWD_R_ALLOWLIST, (len));			\
		} else {								\
			__ret = drop((ctx), (st), __e, __exact, XDPFWD_R_BLOCKLIST, (f), (len)); \
		}									\
		__ret;									\
	})

static __always_inline int judge_v4(struct xdp_md *ctx, struct xdpfwd_stats *st,
				    const struct xdpfwd_meta *m, struct cursor *c,
				    struct frame *f, __u32 len)
{
	struct iphdr *iph = cursor_pull(c, sizeof(*iph));

	if (!iph)
		return malformed(ctx, st, f, len);
	/* The source is known from here on, so a malformed event can still name it. */
	f->saddr = &iph->saddr;
	f->family = 4;
	f->proto = iph->protocol;
	if (iph->version != 4 || iph->ihl < 5 || !cursor_pull(c, (iph->ihl - 5) * 4))
		return malformed(ctx, st, f, len);
	return JUDGE(ctx, st, m, f, len, struct xdpfwd_lpm_v4_key, 32,
		     block_v4_addr, block_v4_net, allow_v4);
}

static __always_inline int judge_v6(struct xdp_md *ctx, struct xdpfwd_stats *st,
				    const struct xdpfwd_meta *m, struct cursor *c,
				    struct frame *f, __u32 len)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));

	if (!ip6h)
		return malformed(ctx, st, f, len);
	f->saddr = ip6h->saddr.in6_u.u6_addr32;
	f->family = 6;
	f->proto = ip6h->nexthdr;
	if (ip6h->version != 6)
		return malformed(ctx, st, f, len);
	return JUDGE(ctx, st, m, f, len, struct xdpfwd_lpm_v6_key, 128,
		     block_v6_addr, block_v6_net, allow_v6);
}

/*
 * The short way for an untagged IP frame with a plain header (IPv4 without
 * options, IPv6), nearly every frame: the same rules, but only ctx, st and m
 * stay live across the hash lookup, because every other value would be
 * spilled around the call and reloaded. The two common outcomes, an exact
 * entry that blocks and a source in no list with no prefixes, finish right
 * there; anything else finds the header again from ctx (its offset is fixed)
 * and goes on with the general rules. It costs a bigger program (8 KiB of
 * JIT code instead of 5, 0.1 s more to verify) for a shorter hit path: live,
 * one blocked source, 4-9 ns less per packet in two side-by-side runs.
 */
#define FAST_JUDGE(ctx, st, m, key, hdr_type, saddr_of, proto_of, fam, lk_type, max_len,	\
		   hash, net, allow)								\
	({											\
		struct xdpfwd_entry *__x = EXACT_MATCH(m, hash, key);			\
		void *__data = (void *)(long)(ctx)->data;					\
		void *__end = (void *)(long)(ctx)->data_end;					\
		__u32 __len = __end - __data;							\
		hdr_type *__h = __data + sizeof(struct ethhdr);				\
		struct frame __f = {};								\
		int __r;									\
												\
		if (!__x && !MAY_MATCH((m)->set_gen[XDPFWD_KIND_BLOCK], net)) {		\
			__r = pass((st), XDPFWD_R_NO_MATCH, __len);				\
		} else if ((void *)(__h + 1) > __end) {						\
			/* Checked before the lookup, so never; counted all the same. */	\
			__r = pass((st), XDPFWD_R_MALFORMED, __len);				\
		} else {									\
			__f.saddr = saddr_of(__h);						\
			__f.family = (fam);							\
			__f.proto = proto_of(__h);						\
			if (__x && !MAY_MATCH((m)->set_gen[XDPFWD_KIND_ALLOW], allow))	\
				__r = drop((ctx), (st), __x, 1, XDPFWD_R_BLOCKLIST, &__f, __len); \
			else									\
				__r = JUDGE_AFTER_EXACT((ctx), (st), (m), &__f, __len, lk_type,	\
							(max_len), net, allow, __x);	\
		}										\
		__r;										\
	})

#define V4_SADDR(h) (&(h)->saddr)
#define V4_PROTO(h) ((h)->protocol)
#define V6_SADDR(h) ((h)->saddr.in6_u.u6_addr32)
#define V6_PROTO(h) ((h)->nexthdr)

/* This interface's stats slot; frames of an interface no daemon recorded count as "other". */
static __always_inline __u32 stats_slot(const struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex, n = iface_slots.n, i;

	for (i = 0; i < XDPFWD_MAX_IFACES && i < n; i++)
		if (iface_slots.map[i].ifindex == ifindex)
			return iface_slots.map[i].slot;
	return XDPFWD_STATS_SLOT_OTHER;
}

SEC("xdp")
int xdpfwd_xdp(struct xdp_md *ctx)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct frame f = {};
	struct xdpfwd_stats *st;
	struct xdpfwd_meta *m;
	struct ethhdr *eth;
	struct vlan_tag *tag;
	__u32 len = c.end - c.pos;
	__u32 zero = 0, slot = stats_slot(ctx);
	__be16 proto;
	int i;

	/* Both are array lookups the verifier inlines; they fail only for a slot out of range. */
	st = bpf_map_lookup_elem(&stats, &slot);
	m = bpf_map_lookup_elem(&meta, &zero);
	if (!st || !m)
		return XDP_PASS;

	eth = cursor_pull(&c, sizeof(*eth));
	if (!eth)
		return malformed(ctx, st, &f, len);
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) <= c.end && *(__u8 *)iph == 0x45)
			return FAST_JUDGE(ctx, st, m, V4_SADDR(iph), struct iphdr, V4_SADDR, V4_PROTO,
					  4, struct xdpfwd_lpm_v4_key, 32,
					  block_v4_addr, block_v4_net, allow_v4);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) <= c.end && (*(__u8 *)ip6h & 0xf0) == 0x60)
			return FAST_JUDGE(ctx, st, m, V6_SADDR(ip6h), struct ipv6hdr, V6_SADDR, V6_PROTO,
					  6, struct xdpfwd_lpm_v6_key, 128,
					  block_v6_addr, block_v6_net, allow_v6);
	}
#pragma unroll
	for (i = 0; i < XDPFWD_MAX_VLAN_DEPTH; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		tag = cursor_pull(&c, sizeof(*tag));
		if (!tag)
			return malformed(ctx, st, &f, len);
		if (i == 0)
			f.vlan = bpf_ntohs(tag->tci) & 0x0fff;
		proto = tag->proto;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return judge_v4(ctx, st, m, &c, &f, len);
	if (proto == bpf_htons(ETH_P_IPV6))
		return judge_v6(ctx, st, m, &c, &f, len);
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
		return pass(st, XDPFWD_R_VLAN_DEPTH, len);
	return pass(st, XDPFWD_R_NOT_IP, len);
}
