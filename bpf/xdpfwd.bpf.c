// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfwd's XDP program: drop frames whose IP source is in an enforcing block
 * set (or in a scoped one, for the ports its scope names) and in no allow
 * set, pass but count and log the ones only an audit set names, count every
 * verdict, and log through a ring buffer under a per-source and a global
 * rate limit.
 *
 * Cost matters more than anything else here: a blocked exact address costs
 * one hash lookup and a few ALU operations on its entry (its sets), the
 * prefix tries and the allowlist are skipped while they are empty, and the
 * per-source log limit lives in the entry that was just looked up. Whatever
 * is rare (audit sets, scopes, nested prefixes of different sets, expired
 * members) takes the general path, and only when it is there.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "xdpfwd.h"
#include "parse.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set between open and load by the daemon's load phase (configure() in daemon/service/daemon.c). */
const volatile __u8 drop_malformed = 0;
const volatile __u8 log_enabled = 1;
const volatile __u64 log_source_interval_ns = 1000000000ULL;
/* Global event budget as GCRA: one event per interval, bursts of tolerance/interval + 1. */
const volatile __u64 log_global_interval_ns = 10000000ULL;
const volatile __u64 log_global_tolerance_ns = 990000000ULL;

/*
 * Nanoseconds per jiffy, from the kernel's HZ (set by the load phase from
 * the instance's "clock" map); 0 when HZ is unknown. bpf_jiffies64() is inlined to one load while the coarse clock
 * is a helper call, at the same resolution: this is the packet path's clock.
 */
const volatile __u64 ns_per_jiffy = 0;

/*
 * Test clock (struct xdpfwd_frame_time in include/xdpfwd.h): set by
 * tests/prog and `xdpfwd replay`, never by the daemon. When set, the time a
 * frame carries in its XDP metadata is both clocks the program reads, so a
 * test drives time (buckets, expiry) frame by frame. When 0, as the daemon
 * loads it, every branch on it is dead and the verifier removes it.
 */
const volatile __u8 clock_from_meta = 0;

/* The frame's time under clock_from_meta (0: none, read the real clocks); written nowhere else. */
__u64 frame_time_ns = 0;

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

/* One trie per family and kind: a per-set replace works through the generations in the entries. */
#define TRIE(name, max, key_type)						\
	struct {								\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);				\
		__uint(map_flags, BPF_F_NO_PREALLOC);				\
		__uint(max_entries, max);					\
		__type(key, key_type);						\
		__type(value, struct xdpfwd_entry);				\
	} name SEC(".maps")

TRIE(block_v4_net, XDPFWD_MAX_NETS, struct xdpfwd_lpm_v4_key);
TRIE(block_v6_net, XDPFWD_MAX_NETS, struct xdpfwd_lpm_v6_key);
TRIE(allow_v4, XDPFWD_MAX_ALLOW, struct xdpfwd_lpm_v4_key);
TRIE(allow_v6, XDPFWD_MAX_ALLOW, struct xdpfwd_lpm_v6_key);

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

/* Never read by the program: user space's counts of the lists (see struct xdpfwd_books). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFWD_BOOKS_MAX);
	__type(key, __u32);
	__type(value, struct xdpfwd_books);
} books SEC(".maps");

/*
 * Each set's name and options (struct xdpfwd_set, key kind * XDPFWD_MAX_SETS
 * + id): the program reads only the scope of a block set, and only when a
 * member of a scoped set matched the source.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFWD_KINDS * XDPFWD_MAX_SETS);
	__type(key, __u32);
	__type(value, struct xdpfwd_set);
} sets SEC(".maps");

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

/* Under clock_from_meta: the time the frame carries, or 0 without one. */
static __always_inline void frame_time_read(struct xdp_md *ctx)
{
	struct xdpfwd_frame_time *t = (void *)(long)ctx->data_meta;

	if (!clock_from_meta)
		return;
	frame_time_ns = (void *)(t + 1) <= (void *)(long)ctx->data ? t->now_ns : 0;
}

/* "xdpfwd clock" nanoseconds (see include/xdpfwd.h): what last_hit_ns and event times hold. */
static __always_inline __u64 clock_ns(void)
{
	if (clock_from_meta && frame_time_ns)
		return frame_time_ns;
	if (ns_per_jiffy)
		return bpf_jiffies64() * ns_per_jiffy;
	return bpf_ktime_get_coarse_ns();
}

/* CLOCK_BOOTTIME nanoseconds: what expires_ns deadlines are on. */
static __always_inline __u64 boot_ns(void)
{
	if (clock_from_meta && frame_time_ns)
		return frame_time_ns;
	return bpf_ktime_get_boot_ns();
}

/*
 * The sets an entry is a live member of (see struct xdpfwd_entry): each set's
 * bit from the generation meta's set_gen selects, stored XOR
 * XDPFWD_SETS_XOR so an all-zero entry is in "manual", minus the timed sets
 * once the deadline has passed (the daemon deletes or rewrites the entry
 * later). A few ALU operations on the entry and meta already loaded; the
 * clock is read only for an entry that has a deadline, as before sets.
 */
static __always_inline __u32 live_members(const struct xdpfwd_entry *e, __u32 gen)
{
	__u32 m = ((e->sets[0] & ~gen) | (e->sets[1] & gen)) ^ XDPFWD_SETS_XOR;

	if (e->expires_ns && boot_ns() >= e->expires_ns)
		m &= ~e->timed;
	return m;
}

/*
 * After a trie matched an entry, the key length to look up next for a
 * shorter covering prefix, or a negative number when there is none: one
 * below the match's length, which plen1 records (a trie lookup does not say
 * which length matched). An entry without it (0, written with bpftool) makes
 * the walk go one length shorter than the key at a time, finding the same
 * entry again until the key is shorter than it. Never at or above the key's
 * length, so even a wrong plen1 cannot keep the walk in place.
 *
 * min(plen1 - 2, key_len - 1) without a branch, plen1 0 read as 256: with a
 * branch, the verifier tracks each walk's key lengths as exact numbers and
 * cannot merge the states of one step of the walk with another's (the
 * program took past a million instructions to verify); here they are ranges.
 */
static __always_inline int shorter_key(const struct xdpfwd_entry *e, int key_len)
{
	int below = (int)((e->plen1 - 1) & 0xff) - 1;
	int shorter = key_len - 1;
	int d = below - shorter;

	/* Keeps clang from turning the arithmetic back into a compare and a jump. */
	asm volatile("" : "+r"(d));
	return shorter + (d & (d >> 31));
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
	__u8 l3_off;		/* where the IP header starts (after the VLAN tags) */
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

/*
 * What the out-of-line event path needs besides the source, in one argument
 * (BPF functions take five); the event's flags (XDPFWD_EVENT_F_*) go in bits
 * 56-63.
 */
#define EVENT_INFO(family, proto, vlan, reason, action, set)				\
	((__u64)(family) | (__u64)(proto) << 8 | (__u64)(vlan) << 16 | (__u64)(reason) << 32 |	\
	 (__u64)(action) << 40 | (__u64)(set) << 48)

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

	/* A ban's event is sent once per ban, outside the budgets (XDPFWD_EVENT_F_BANNED). */
	if (!(info >> 56 & XDPFWD_EVENT_F_BANNED)) {
		if (!source_budget_take(exact_entry, exact_entry != NULL, &f, now)) {
			st->ev_suppressed_source++;
			return;
		}
		if (!global_budget_take(now)) {
			st->ev_suppressed_global++;
			return;
		}
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
	ev->action = (info >> 40) & 0xff;
	ev->reason = (info >> 32) & 0xff;
	ev->proto = f.proto;
	ev->vlan = f.vlan;
	ev->set = (info >> 48) & 0xff;
	ev->flags = info >> 56;
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
 * Every drop and every audit match is eligible for an event. An exact entry
 * that logged within the interval is the common case of a flood and is
 * settled here; anything else goes to log_event().
 */
static __always_inline void log_match(struct xdp_md *ctx, struct xdpfwd_stats *st,
				      struct xdpfwd_entry *e, int exact, __u8 action, __u8 reason,
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
	log_event(ctx, st, exact ? e : NULL, f->saddr,
		  EVENT_INFO(f->family, f->proto, f->vlan, reason, action,
			     e ? e->count_set : XDPFWD_EVENT_NO_SET));
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

/*
 * The per-set counters of the set an entry's hits count under (its
 * count_set, chosen by user space). On every hit: 1-2 ns in
 * BPF_PROG_TEST_RUN (bench/progcost-ab.sh against the same program without
 * them), as set_packets and set_bytes lie 512 bytes apart, two more lines.
 */
static __always_inline void set_count(struct xdpfwd_stats *st, __u32 kind,
				      const struct xdpfwd_entry *e, __u32 len)
{
	__u32 set = e->count_set & (XDPFWD_MAX_SETS - 1);

	st->set_packets[kind][set]++;
	st->set_bytes[kind][set] += len;
}

/* A block entry (or, without one, a malformed frame) decided: dropped, or passed by an audit set. */
static __always_inline void block_match(struct xdp_md *ctx, struct xdpfwd_stats *st,
					struct xdpfwd_entry *e, int exact, __u8 action, __u8 reason,
					const struct frame *f, __u32 len)
{
	__u64 now = 0;

	count(st, action, reason, len);
	if (e) {
		now = entry_hit(e, len);
		set_count(st, XDPFWD_KIND_BLOCK, e, len);
	}
	if (log_enabled)
		log_match(ctx, st, e, exact, action, reason, f, e ? now : clock_ns());
}

static __always_inline int drop(struct xdp_md *ctx, struct xdpfwd_stats *st,
				struct xdpfwd_entry *e, int exact, __u8 reason,
				const struct frame *f, __u32 len)
{
	block_match(ctx, st, e, exact, XDPFWD_ACT_DROP, reason, f, len);
	return XDP_DROP;
}

/* Counted and logged as a drop would be, under its own action, and passed. */
static __always_inline int audit(struct xdp_md *ctx, struct xdpfwd_stats *st,
				 struct xdpfwd_entry *e, int exact, const struct frame *f, __u32 len)
{
	block_match(ctx, st, e, exact, XDPFWD_ACT_AUDIT, XDPFWD_R_BLOCKLIST, f, len);
	return XDP_PASS;
}

static __always_inline int malformed(struct xdp_md *ctx, struct xdpfwd_stats *st,
				     const struct frame *f, __u32 len)
{
	if (drop_malformed)
		return drop(ctx, st, NULL, 0, XDPFWD_R_MALFORMED, f, len);
	return pass(st, XDPFWD_R_MALFORMED, len);
}

/*
 * What a scope can name of this frame: its protocol's XDPFWD_SCOPE_* bit
 * << 16 | its destination port as the packet has it (network order), or 0
 * when no scope can match it: not TCP or UDP, an IPv4 fragment other than
 * the first (only the first has the ports), an IPv6 header followed by an
 * extension header (not walked, like nft's `th dport`), or a frame that ends
 * before the ports. Read only after a member of a scoped set matched the
 * source, so no other frame pays for it. The IP header was checked before;
 * it is checked again here, where the verifier cannot know that.
 */
static __always_inline __u32 frame_ports(struct xdp_md *ctx, __u32 l3_off, __u32 family,
					 __u32 proto)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	__u8 *l4;
	__u32 bit;

	if (proto == IPPROTO_TCP)
		bit = XDPFWD_SCOPE_TCP;
	else if (proto == IPPROTO_UDP)
		bit = XDPFWD_SCOPE_UDP;
	else
		return 0;
	/* At most two VLAN tags before the IP header. */
	if (l3_off > sizeof(struct ethhdr) + XDPFWD_MAX_VLAN_DEPTH * sizeof(struct vlan_tag))
		return 0;
	if (family == 4) {
		iph = data + l3_off;
		if ((void *)(iph + 1) > end || (iph->frag_off & bpf_htons(0x1fff)))
			return 0;
		l4 = (__u8 *)iph + iph->ihl * 4;
	} else {
		ip6h = data + l3_off;
		l4 = (__u8 *)(ip6h + 1);
	}
	if ((void *)(l4 + 4) > end)
		return 0;
	return bit << 16 | *(__u16 *)(l4 + 2);
}

/* Does one of the block sets in `scoped` have a scope that names the frame (ports: not 0)? */
static __always_inline int scope_match(__u32 scoped, __u32 ports)
{
	__u32 bit = ports >> 16, i, j, key;
	__u16 dport = ports & 0xffff;
	struct xdpfwd_set *s;

	for (i = 0; i < XDPFWD_MAX_SETS && (scoped >> i); i++) {
		if (!((scoped >> i) & 1))
			continue;
		key = XDPFWD_KIND_BLOCK * XDPFWD_MAX_SETS + i;
		s = bpf_map_lookup_elem(&sets, &key);
		if (!s || !(s->scope_protos & bit))
			continue;
		/* A scope of protocols alone names every port. */
		if (!s->nports)
			return 1;
		for (j = 0; j < XDPFWD_SCOPE_PORTS && j < s->nports; j++)
			if (s->ports[j] == dport)
				return 1;
	}
	return 0;
}

enum block_match {
	MATCH_NONE,
	MATCH_AUDIT,	/* an audit set holds the source: counted, logged, passed */
	MATCH_DROP,	/* an enforcing set holds it (a scoped one: for this frame's port) */
};

/* The frame as block_verdict() takes it: a global function takes no packet pointers. */
#define FRAME_INFO(f) ((__u32)(f)->l3_off | (__u32)(f)->family << 8 | (__u32)(f)->proto << 16)

/*
 * What one block entry says about the frame (enum block_match), by its live
 * sets and meta's masks. A global function, so the verifier checks it once
 * rather than at every step of every walk down a trie (inlined, the walks
 * took the program past the verifier's million instructions); the fast
 * path's exact hit does not come here.
 */
__noinline int block_verdict(struct xdp_md *ctx, const struct xdpfwd_entry *e, __u32 info)
{
	__u32 zero = 0, live, scoped, ports;
	struct xdpfwd_meta *m = bpf_map_lookup_elem(&meta, &zero);

	if (!e || !m)
		return MATCH_NONE;
	live = live_members(e, m->set_gen[XDPFWD_KIND_BLOCK]);
	if (live & m->drop_sets)
		return MATCH_DROP;
	scoped = live & m->scoped_sets;
	if (scoped) {
		ports = frame_ports(ctx, info & 0xff, (info >> 8) & 0xff, (info >> 16) & 0xff);
		if (ports && scope_match(scoped, ports))
			return MATCH_DROP;
	}
	return live & m->audit_sets ? MATCH_AUDIT : MATCH_NONE;
}

/*
 * block_verdict() with its most common outcome first, inline: an entry one
 * of whose live sets drops (an exact hit on a tagged frame, a prefix hit)
 * costs no call.
 */
static __always_inline int entry_verdict(struct xdp_md *ctx, const struct xdpfwd_meta *m,
					 const struct xdpfwd_entry *e, const struct frame *f)
{
	if (live_members(e, m->set_gen[XDPFWD_KIND_BLOCK]) & m->drop_sets)
		return MATCH_DROP;
	return block_verdict(ctx, e, FRAME_INFO(f));
}

/*
 * The walks down a trie below a match that did not decide. Global functions,
 * so the verifier checks each loop once: inlined, every way into the general
 * rules (two families, up to two VLAN tags, fast path or not) had its own
 * copy of up to 129 steps, and the program needed more than half of the
 * verifier's million instructions. A global function returns no pointer, so
 * they return the key length (+ 1) at which they found the entry; looked up
 * again with that length, the trie returns the same entry. Only frames
 * whose longest match does not decide pay for the call and that lookup.
 */
#define WALK_DROP(r)	((r) & 0xff)		/* key length + 1 of the first dropping entry, 0: none */
#define WALK_AUDIT(r)	(((r) >> 8) & 0xff)	/* ... of the first auditing one */

/* From key length len down: the first block entry that drops, and the first that audits. */
__noinline int block_walk(struct xdp_md *ctx, struct xdpfwd_lpm_v6_key *lk, __u32 info, int len)
{
	struct xdpfwd_entry *e;
	int i, v, found = 0;

	if (!lk)
		return 0;
	for (i = 0; i <= 128 && len >= 0; i++) {
		lk->prefixlen = len;
		if (((info >> 8) & 0xff) == 4)
			e = bpf_map_lookup_elem(&block_v4_net, lk);
		else
			e = bpf_map_lookup_elem(&block_v6_net, lk);
		if (!e)
			break;
		v = block_verdict(ctx, e, info);
		if (v == MATCH_DROP)
			return found | (len + 1);
		if (v == MATCH_AUDIT && !found)
			found = (len + 1) << 8;
		len = shorter_key(e, len);
	}
	return found;
}

/* From key length len down: the key length + 1 of the first allow entry with a live member, 0: none. */
__noinline int allow_walk(struct xdpfwd_lpm_v6_key *lk, __u32 family, __u32 gen, int len)
{
	struct xdpfwd_entry *a;
	int i;

	if (!lk)
		return 0;
	for (i = 0; i <= 128 && len >= 0; i++) {
		lk->prefixlen = len;
		if (family == 4)
			a = bpf_map_lookup_elem(&allow_v4, lk);
		else
			a = bpf_map_lookup_elem(&allow_v6, lk);
		if (!a)
			break;
		if (live_members(a, gen))
			return len + 1;
		len = shorter_key(a, len);
	}
	return 0;
}

/*
 * The longest allow entry with a live member that covers the source, or
 * NULL: the trie's longest match, or when no set holds that one (or its sets
 * expired), the walk below it.
 */
static __always_inline struct xdpfwd_entry *allow_match(void *allow, struct xdpfwd_lpm_v6_key *lk,
							const struct frame *f, int max_len,
							__u32 gen)
{
	struct xdpfwd_entry *a;
	int next, r;

	lk->prefixlen = max_len;
	__builtin_memcpy(lk->addr, f->saddr, max_len / 8);
	a = bpf_map_lookup_elem(allow, lk);
	if (!a || live_members(a, gen))
		return a;
	next = shorter_key(a, max_len);
	if (next < 0)
		return NULL;
	r = allow_walk(lk, f->family, gen, next);
	if (!r)
		return NULL;
	lk->prefixlen = r - 1;
	return bpf_map_lookup_elem(allow, lk);
}

/* This interface's stats slot; frames of an interface no daemon recorded count as "other". */
static __always_inline __u32 stats_slot(const struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex, n = iface_slots.n, i;

	for (i = 0; i < XDPFWD_MAX_IFACES && i < n; i++)
		if (iface_slots.map[i].ifindex == ifindex)
			return iface_slots.map[i].slot;
	return XDPFWD_STATS_SLOT_OTHER;
}

#include "limit.bpf.h"

/*
 * The verdict rules after the exact hash was looked up (x: its entry or
 * NULL), for both families (the maps and the address length differ; the IPv6
 * key type holds an IPv4 trie's key in its first 8 bytes). The entry that
 * decides is the first that drops, in the order exact entry, then trie
 * entries longest first; failing that the first that audits. A trie returns
 * only its longest match, which may not drop (an audit set, a scope that
 * does not name this port, no live set), while a shorter prefix under it
 * does: so block_walk() looks below it until an entry drops or no shorter
 * prefix is left. The allowlist only ever turns a drop or an audit into a
 * pass, so traffic in no list never pays for its trie.
 */
static __always_inline int judge_after_exact(struct xdp_md *ctx, struct xdpfwd_stats *st,
					     const struct xdpfwd_meta *m, const struct frame *f,
					     __u32 len, struct xdpfwd_entry *x, void *net,
					     void *allow, int max_len)
{
	struct xdpfwd_entry *e, *dropper = NULL, *auditor = NULL, *a = NULL;
	int dropper_exact = 0, auditor_exact = 0, v, next, r;
	/*
	 * The outcome in a scalar of its own: tested as "neither pointer set",
	 * clang ORs the two pointers, which the verifier refuses.
	 */
	int outcome = MATCH_NONE;
	struct xdpfwd_lpm_v6_key lk;

	if (x) {
		v = entry_verdict(ctx, m, x, f);
		if (v == MATCH_DROP) {
			dropper = x;
			dropper_exact = 1;
			outcome = MATCH_DROP;
		} else if (v == MATCH_AUDIT) {
			auditor = x;
			auditor_exact = 1;
			outcome = MATCH_AUDIT;
		}
	}
	if (outcome != MATCH_DROP && trie_may_match(net)) {
		lk.prefixlen = max_len;
		__builtin_memcpy(lk.addr, f->saddr, max_len / 8);
		e = bpf_map_lookup_elem(net, &lk);
		v = e ? entry_verdict(ctx, m, e, f) : MATCH_NONE;
		if (v == MATCH_DROP) {
			dropper = e;
			outcome = MATCH_DROP;
		} else if (e) {
			if (v == MATCH_AUDIT && outcome == MATCH_NONE) {
				auditor = e;
				outcome = MATCH_AUDIT;
			}
			next = shorter_key(e, max_len);
			r = next >= 0 ? block_walk(ctx, &lk, FRAME_INFO(f), next) : 0;
			if (WALK_DROP(r)) {
				lk.prefixlen = WALK_DROP(r) - 1;
				dropper = bpf_map_lookup_elem(net, &lk);
				if (dropper)
					outcome = MATCH_DROP;
			} else if (WALK_AUDIT(r) && outcome == MATCH_NONE) {
				lk.prefixlen = WALK_AUDIT(r) - 1;
				auditor = bpf_map_lookup_elem(net, &lk);
				if (auditor)
					outcome = MATCH_AUDIT;
			}
		}
	}
	if (outcome == MATCH_NONE)
		return no_match(ctx, st, LIMIT_INFO(f->l3_off, f->family, f->vlan), len);
	if (trie_may_match(allow))
		a = allow_match(allow, &lk, f, max_len, m->set_gen[XDPFWD_KIND_ALLOW]);
	if (a) {
		entry_hit(a, len);
		set_count(st, XDPFWD_KIND_ALLOW, a, len);
		return pass(st, XDPFWD_R_ALLOWLIST, len);
	}
	if (outcome == MATCH_DROP)
		return drop(ctx, st, dropper, dropper_exact, XDPFWD_R_BLOCKLIST, f, len);
	return audit(ctx, st, auditor, auditor_exact, f, len);
}

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
	return judge_after_exact(ctx, st, m, f, len, bpf_map_lookup_elem(&block_v4_addr, f->saddr),
				 &block_v4_net, &allow_v4, 32);
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
	return judge_after_exact(ctx, st, m, f, len, bpf_map_lookup_elem(&block_v6_addr, f->saddr),
				 &block_v6_net, &allow_v6, 128);
}

/*
 * The short way for an untagged IP frame with a plain header (IPv4 without
 * options, IPv6), nearly every frame: the same rules, but only ctx, st and m
 * stay live across the hash lookup, because every other value would be
 * spilled around the call and reloaded. The two common outcomes, an exact
 * entry one of whose live sets drops and a source in no list with no
 * prefixes, finish right there; anything else finds the header again from
 * ctx (its offset is fixed) and goes on with the general rules. It costs a
 * bigger program (8 KiB of JIT code instead of 5, 0.1 s more to verify) for a
 * shorter hit path: live, one blocked source, 4-9 ns less per packet in two
 * side-by-side runs.
 */
#define FAST_JUDGE(ctx, st, m, key, hdr_type, saddr_of, proto_of, fam, max_len,			\
		   hash, net, allow)								\
	({											\
		struct xdpfwd_entry *__x = bpf_map_lookup_elem(&hash, key);			\
		void *__data = (void *)(long)(ctx)->data;					\
		void *__end = (void *)(long)(ctx)->data_end;					\
		__u32 __len = __end - __data;							\
		hdr_type *__h = __data + sizeof(struct ethhdr);				\
		struct frame __f = {};								\
		int __r;									\
												\
		if (!__x && !trie_may_match(&net)) {						\
			__r = no_match((ctx), (st), LIMIT_INFO(sizeof(struct ethhdr), (fam), 0), __len); \
		} else if ((void *)(__h + 1) > __end) {						\
			/* Checked before the lookup, so never; counted all the same. */	\
			__r = pass((st), XDPFWD_R_MALFORMED, __len);				\
		} else {									\
			__f.saddr = saddr_of(__h);						\
			__f.family = (fam);							\
			__f.proto = proto_of(__h);						\
			__f.l3_off = sizeof(struct ethhdr);					\
			if (__x && (live_members(__x, (m)->set_gen[XDPFWD_KIND_BLOCK]) &	\
				    (m)->drop_sets) && !trie_may_match(&allow))			\
				__r = drop((ctx), (st), __x, 1, XDPFWD_R_BLOCKLIST, &__f, __len); \
			else									\
				__r = judge_after_exact((ctx), (st), (m), &__f, __len, __x,	\
							&net, &allow, (max_len));		\
		}										\
		__r;										\
	})

#define V4_SADDR(h) (&(h)->saddr)
#define V4_PROTO(h) ((h)->protocol)
#define V6_SADDR(h) ((h)->saddr.in6_u.u6_addr32)
#define V6_PROTO(h) ((h)->nexthdr)

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

	frame_time_read(ctx);
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
					  4, 32, block_v4_addr, block_v4_net, allow_v4);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) <= c.end && (*(__u8 *)ip6h & 0xf0) == 0x60)
			return FAST_JUDGE(ctx, st, m, V6_SADDR(ip6h), struct ipv6hdr, V6_SADDR, V6_PROTO,
					  6, 128, block_v6_addr, block_v6_net, allow_v6);
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
	/* Where a scope finds the IP header again: after the Ethernet header and the tags pulled. */
	f.l3_off = sizeof(*eth) + i * sizeof(*tag);
	if (proto == bpf_htons(ETH_P_IP))
		return judge_v4(ctx, st, m, &c, &f, len);
	if (proto == bpf_htons(ETH_P_IPV6))
		return judge_v6(ctx, st, m, &c, &f, len);
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
		return pass(st, XDPFWD_R_VLAN_DEPTH, len);
	return pass(st, XDPFWD_R_NOT_IP, len);
}
