/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one description of every layout the XDP program and user space share:
 * map keys and values, the ring-buffer event, counters and constants.
 * Fixed-width types only and explicit padding, so the BPF target and x86-64
 * user space agree byte for byte, and BTF lets bpftool print field names.
 */
#ifndef XDPFWD_H
#define XDPFWD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Bumped whenever any layout below changes meaning or size. The daemon stamps
 * it into the pinned "meta" map and refuses to reuse pins with another stamp
 * (libbpf only compares sizes, which a reordered struct would pass).
 */
#define XDPFWD_LAYOUT_VERSION 3

/* Map capacities. Exact entries live in hash maps, prefixes in LPM tries. */
#define XDPFWD_MAX_ADDRS	1048576	/* exact addresses per family */
#define XDPFWD_MAX_NETS		262144	/* prefixes per family and list */
#define XDPFWD_MAX_ALLOW	65536	/* allowlist entries per family */
#define XDPFWD_MAX_IFACES	64
#define XDPFWD_MAX_SETS		32	/* named sets per list kind (block, allow): bits of a u32 */
#define XDPFWD_LOG_STATE_SIZE	65536	/* per-source log limit for prefix hits */
#define XDPFWD_RINGBUF_BYTES	(1 << 20)
/* Submit without waking the consumer until this much is queued; the daemon also polls. */
#define XDPFWD_RINGBUF_WAKEUP_BYTES (64 << 10)

#define XDPFWD_PROG_NAME	"xdpfwd_xdp"
#define XDPFWD_MAX_VLAN_DEPTH	2

enum xdpfwd_action {
	XDPFWD_ACT_PASS = 0,
	XDPFWD_ACT_DROP = 1,
	/*
	 * Passed, but the source matched a block set in audit mode and no
	 * enforcing one (reason XDPFWD_R_BLOCKLIST): counted and logged as a
	 * drop would be, so a new feed can be rehearsed on live traffic.
	 */
	XDPFWD_ACT_AUDIT = 2,
	XDPFWD_ACT_MAX,
};

/* Why the verdict was reached; every packet is counted under exactly one. */
enum xdpfwd_reason {
	XDPFWD_R_NO_MATCH = 0,	/* IP source in no list */
	XDPFWD_R_ALLOWLIST,	/* source matched the allowlist (wins over the blocklist) */
	XDPFWD_R_BLOCKLIST,	/* source matched the blocklist */
	XDPFWD_R_NOT_IP,	/* ARP, LLDP, unknown ethertype */
	XDPFWD_R_VLAN_DEPTH,	/* more VLAN tags than XDPFWD_MAX_VLAN_DEPTH */
	XDPFWD_R_MALFORMED,	/* truncated frame, bad IP version or IHL */
	XDPFWD_R_MAX,		/* reasons counted in struct xdpfwd_stats */
	/*
	 * A source over its rate limit (struct xdpfwd_limits): counted in
	 * struct xdpfwd_limit_stats, a map of its own, so that the pins of a
	 * layout-3 instance (whose stats arrays end at XDPFWD_R_MAX) stay valid
	 * and an upgrade adds the flood-defense maps beside them. Readers show
	 * it as one more reason.
	 */
	XDPFWD_R_RATE_LIMIT = XDPFWD_R_MAX,
	XDPFWD_R_ALL,		/* every reason a reader shows */
};

/* Keys. Addresses are in network byte order; bpftool takes them as bytes. */
struct xdpfwd_v4_key {
	__u8 addr[4];
};

struct xdpfwd_v6_key {
	__u8 addr[16];
};

/* LPM trie keys: the kernel requires the prefix length first. */
struct xdpfwd_lpm_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct xdpfwd_lpm_v6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/*
 * Value of every list entry (exact or prefix, allow or block). The program
 * updates the counters without locked instructions (a hit of one entry on two
 * CPUs at the same instant may lose a count). last_log_ns keeps the per-source
 * event limit inside the entry the verdict already looked up, so an
 * exact-address drop costs no extra lookup for rate limiting.
 * last_hit_ns, last_log_ns and event times are on the "xdpfwd clock":
 * jiffies64 * ns_per_jiffy when the kernel's HZ is known, else
 * CLOCK_MONOTONIC (coarse) ns; the instance records which in its "clock" map
 * (struct xdpfwd_clock, common/kclock.h).
 *
 * Sets. Every entry belongs to one or more named sets of its list kind (set
 * ids 0..XDPFWD_MAX_SETS-1, names in the "sets" map). Membership is a bit
 * mask kept twice, once per generation: the program reads, for each set i,
 * sets[0] bit i or sets[1] bit i as the meta map's set_gen[kind] bit i says.
 * So one set is replaced alone and atomically: the new membership is written
 * into the idle generation of set i (entries of other sets untouched) and
 * set_gen's bit i is flipped in one write. Only the generation set_gen
 * names has meaning for set i: the other one's bit i may be stale (an entry
 * a replace created is written once), and every writer sets a set's bit in
 * both generations (or, replacing, stages the idle one).
 * The masks are stored XOR XDPFWD_SETS_XOR, so an all-zero value (an entry
 * written with plain bpftool) is a member of set "manual" (id 0) alone:
 *   live members = ((sets[0] & ~gen) | (sets[1] & gen)) ^ XDPFWD_SETS_XOR
 * minus `timed` once expires_ns has passed. An entry no set holds any more is
 * deleted by user space; until then it matches nothing.
 * Expiry is per entry: the sets in `timed` hold it until expires_ns (the
 * latest deadline any of them asked for), the others for good.
 */
struct xdpfwd_entry {
	__u64 packets;
	__u64 bytes;
	__u64 last_hit_ns;
	__u64 last_log_ns;
	__u64 expires_ns;	/* CLOCK_BOOTTIME deadline (survives suspend) of the `timed` sets; 0: none */
	__u32 sets[2];		/* member sets per generation, XOR XDPFWD_SETS_XOR (see above) */
	__u32 timed;		/* sets whose membership ends at expires_ns (real bits, no XOR) */
	/*
	 * The set whose per-set counters (struct xdpfwd_stats) this entry's
	 * hits count under: chosen by user space (its lowest enforcing set,
	 * else its lowest set) at each edit of the entry and, for a set's
	 * members, when the set's mode changes; 0, "manual", for a bpftool entry.
	 */
	__u8 count_set;
	/*
	 * Trie entries: prefix length + 1, so the program can look for a
	 * shorter covering prefix right below this one (0: not known, as for a
	 * bpftool entry: it looks one length shorter at a time).
	 */
	__u8 plen1;
	__u8 pad[2];
};

#define XDPFWD_SET_MANUAL	0		/* id of set "manual", in both kinds */
#define XDPFWD_SETS_XOR		(1U << XDPFWD_SET_MANUAL)

/*
 * Counters, one copy per CPU and per stats slot (BPF_MAP_TYPE_PERCPU_ARRAY,
 * key = slot): each interface counts in its own slot (struct xdpfwd_iface's
 * stats_slot), so the global counters are the sum over all slots and stay
 * monotonic: when an interface's record is removed, user space adds its slot
 * into XDPFWD_STATS_SLOT_RETIRED (which the program never writes) and zeroes
 * it before the slot is given to another interface.
 */
#define XDPFWD_STATS_SLOT_OTHER		0	/* an interface no daemon recorded */
#define XDPFWD_STATS_SLOT_RETIRED	1	/* interfaces whose records were removed */
#define XDPFWD_STATS_SLOT_FIRST		2
#define XDPFWD_STATS_SLOTS		(XDPFWD_STATS_SLOT_FIRST + XDPFWD_MAX_IFACES)

struct xdpfwd_stats {
	__u64 packets[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 bytes[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	/*
	 * Event accounting: every dropped packet is eligible for one event and
	 * ends in exactly one of the other four, so
	 * sent + suppressed_source + suppressed_global + lost == eligible.
	 */
	__u64 ev_eligible;
	__u64 ev_sent;
	__u64 ev_suppressed_source;
	__u64 ev_suppressed_global;
	__u64 ev_lost;		/* ring buffer full */
	/*
	 * Per set, [kind][set id] (kind: XDPFWD_KIND_*): the packets and bytes
	 * an entry of the set decided (dropped, audited, or let through by the
	 * allowlist), each counted once, under the entry's count_set. Read
	 * them with xdpfwd_set_packets() / xdpfwd_set_bytes() below, never
	 * directly: set manual's figures are derived, and id 0's counters
	 * hold something else (see there).
	 */
	__u64 set_packets[2][XDPFWD_MAX_SETS];
	__u64 set_bytes[2][XDPFWD_MAX_SETS];
};

/* List kinds: index of per-kind arrays (set_gen, set_packets, books keys, "sets" map keys). */
enum {
	XDPFWD_KIND_BLOCK = 0,
	XDPFWD_KIND_ALLOW = 1,
	XDPFWD_KINDS,
};

/*
 * What readers show as a set's packets or bytes, from counters summed over
 * every slot and CPU (total: what every entry of the kind decided, see
 * xdpfwd_set_packets()). The program does not count set manual (id 0): its
 * entries are nearly every hit of an instance without sets, and two more
 * cache lines per hit cost 1-2 ns. Every decided packet is in the kind's
 * total and, unless a manual entry decided it, in one other set's counter,
 * so manual is the total minus the other sets. Id 0's own counters, which
 * the program never writes, hold what sets since deleted decided: a set's
 * deletion adds its counters there and subtracts them from its id (both in
 * the XDPFWD_STATS_SLOT_RETIRED slot, modulo 2^64), so manual's figure does
 * not grow by them and a set that reuses the id starts from zero.
 * A reader's copy is not one instant (the program counts while it is
 * copied), so the difference may be off by the packets in flight: never
 * below zero.
 */
static inline __u64 xdpfwd_set_figure(__u64 total, const __u64 per_set[XDPFWD_MAX_SETS], unsigned int set)
{
	__u64 others = 0;
	unsigned int i;

	if (set != XDPFWD_SET_MANUAL)
		return per_set[set % XDPFWD_MAX_SETS];
	for (i = 0; i < XDPFWD_MAX_SETS; i++)
		others += per_set[i];
	return total > others ? total - others : 0;
}

/* Packets entries of a kind (XDPFWD_KIND_*) decided: block entries drop or audit, allow entries pass. */
#define XDPFWD_DECIDED(s, field, kind)								\
	((kind) == XDPFWD_KIND_BLOCK ?								\
	 (s)->field[XDPFWD_ACT_DROP][XDPFWD_R_BLOCKLIST] + (s)->field[XDPFWD_ACT_AUDIT][XDPFWD_R_BLOCKLIST] : \
	 (s)->field[XDPFWD_ACT_PASS][XDPFWD_R_ALLOWLIST])

static inline __u64 xdpfwd_set_packets(const struct xdpfwd_stats *s, unsigned int kind, unsigned int set)
{
	kind %= XDPFWD_KINDS;
	return xdpfwd_set_figure(XDPFWD_DECIDED(s, packets, kind), s->set_packets[kind], set);
}

static inline __u64 xdpfwd_set_bytes(const struct xdpfwd_stats *s, unsigned int kind, unsigned int set)
{
	kind %= XDPFWD_KINDS;
	return xdpfwd_set_figure(XDPFWD_DECIDED(s, bytes, kind), s->set_bytes[kind], set);
}

/* Ring-buffer record, one per logged packet. */
struct xdpfwd_event {
	__u64 ts_ns;		/* xdpfwd clock (see struct xdpfwd_entry) */
	__u32 ifindex;
	__u32 len;		/* frame length */
	__u8 addr[16];		/* source; IPv4 as ::ffff:a.b.c.d, zero if unparsed */
	__u8 family;		/* 4, 6, or 0 when no IP header was parsed */
	__u8 action;		/* enum xdpfwd_action */
	__u8 reason;		/* enum xdpfwd_reason */
	__u8 proto;		/* IP protocol / IPv6 next header */
	__u16 vlan;		/* outer VLAN id, 0 if untagged */
	__u8 set;		/* count_set of the entry that decided, XDPFWD_EVENT_NO_SET if none */
	__u8 flags;		/* XDPFWD_EVENT_F_* */
};

/*
 * Reason XDPFWD_R_RATE_LIMIT: this frame made the program ban its key (or,
 * action audit, would have), set = the limits' auto_set. Sent once per ban,
 * outside the per-source and global event budgets (a ban is made once per
 * key per ban_ns); only a full ring loses it (counted as ev_lost).
 */
#define XDPFWD_EVENT_F_BANNED	0x01

#define XDPFWD_EVENT_NO_SET 0xff

/* Per-source log-limit state for drops that did not come from an exact entry. */
struct xdpfwd_log_key {
	__u8 addr[16];
};

/* One per interface the instance is attached to ("ifaces" map, key ifindex). */
struct xdpfwd_iface {
	char name[16];
	__u32 mode;		/* XDPFWD_MODE_* actually in use */
	__u32 prog_id;		/* program attached by the last start */
	__u64 netns_ino;	/* network namespace the ifindex belongs to */
	__u32 stats_slot;	/* key of its counters in "stats"; kept while the record exists */
	__u32 pad;
};


/*
 * The XDP program's own table of its daemon's interfaces (in its .bss): the
 * stats slot each ifindex counts in. The count and the first pairs share a
 * cache line, so a one-interface daemon's lookup reads one line.
 */
struct xdpfwd_iface_slot {
	__u32 ifindex;
	__u32 slot;
};

struct xdpfwd_iface_slots {
	__u32 n;
	__u32 pad;
	struct xdpfwd_iface_slot map[XDPFWD_MAX_IFACES];
};

enum xdpfwd_mode {
	XDPFWD_MODE_NATIVE = 1,
	XDPFWD_MODE_SKB = 2,
};

/*
 * "meta" map (array, key 0): who owns the pins, in which layout, which
 * generation of each set the program reads (see struct xdpfwd_entry), and
 * what a match of each block set does. User space writes the whole value in
 * one update; the program reads it once per packet.
 *
 * A block set is in exactly one of drop_sets, scoped_sets and audit_sets
 * once defined (set "manual" is in drop_sets from the start); a set in none
 * matches nothing. Allow sets are always enforced and never scoped: any live
 * membership of an allow entry counts.
 *
 * replacing is 0 at rest. A per-set replace first stores
 * XDPFWD_REPLACING(kind, set, gen bit before), then fills the idle
 * generation, flips the set's bit in set_gen (one write), copies the new
 * generation over the old, deletes entries no set holds, and stores 0. A writer that finds it non-zero finishes the
 * job: back to the old set while set_gen still has the bit it recorded,
 * forward to the new one after the flip.
 */
struct xdpfwd_meta {
	__u32 magic;		/* XDPFWD_META_MAGIC */
	__u32 layout_version;	/* XDPFWD_LAYOUT_VERSION */
	__u32 set_gen[2];	/* per kind: bit i set: set i reads sets[1] of every entry */
	__u32 drop_sets;	/* block sets in enforce mode without a scope: a live member drops */
	__u32 scoped_sets;	/* block sets in enforce mode with a scope: drops what the scope names */
	__u32 audit_sets;	/* block sets in audit mode: counted and logged, passed */
	__u32 replacing;	/* XDPFWD_REPLACING(...) or 0 */
};

#define XDPFWD_REPLACING(kind, set, from_gen) \
	(0x80000000U | (__u32)(kind) << 16 | (__u32)(from_gen) << 8 | (__u32)(set))
#define XDPFWD_REPLACING_KIND(r)	(((r) >> 16) & 0xff)
#define XDPFWD_REPLACING_FROM(r)	(((r) >> 8) & 1)
#define XDPFWD_REPLACING_SET(r)		((r) & 0xff)

/*
 * "sets" map (array, key kind * XDPFWD_MAX_SETS + id): each set's name and
 * options. The program reads only the scope, and only of a scoped set one of
 * whose members matched; the rest is user space's. Set "manual" (id 0) of
 * each kind exists in every instance; a set is created by its first add or
 * load, or with `xdpfwd sets add`.
 */
#define XDPFWD_SET_NAME_MAX	32	/* [a-z0-9_-]{1,32} */
#define XDPFWD_SCOPE_PORTS	8

enum xdpfwd_set_mode {
	XDPFWD_SET_ENFORCE = 0,
	XDPFWD_SET_AUDIT = 1,
};

/* Scope protocols, a bit mask: a scoped set drops only these protocols' packets to its ports. */
#define XDPFWD_SCOPE_TCP	(1U << 0)
#define XDPFWD_SCOPE_UDP	(1U << 1)

struct xdpfwd_set {
	char name[40];		/* NUL-terminated; "" marks a free id */
	__u32 timeout_s;	/* default timeout of an add into the set; 0: none */
	__u8 mode;		/* enum xdpfwd_set_mode */
	__u8 scope_protos;	/* XDPFWD_SCOPE_*; 0: no scope, every packet of a member */
	__u8 nports;		/* ports[] used; 0 with scope_protos: every port of those protocols */
	__u8 pad;
	__be16 ports[XDPFWD_SCOPE_PORTS];	/* destination ports, network byte order */
	__u64 updated_s;	/* CLOCK_REALTIME seconds of the last change of its entries */
	char source[256];	/* the file it was last loaded from, "" if none */
};

#define XDPFWD_META_MAGIC 0x78647066 /* "xdpf" */

/*
 * Flood defense. Frames that reach the "no match" verdict (in no enforcing
 * or audit block set, and not allowlisted: the allowlist is never limited)
 * are metered per source key, the source truncated to plen4 / plen6 bits,
 * in a token bucket per key (the "meter" table, below). A frame over the limit
 * is, by action: dropped (DROP), dropped and its key banned (BAN: the
 * program itself writes the key into block_v4_addr / block_v6_addr, or the
 * block trie for a key shorter than /32 or /128, as a member of block set
 * auto_set in both generations, timed, expires_ns = now + ban_ns on the
 * CLOCK_BOOTTIME clock), or counted, logged and passed (AUDIT). A later
 * frame of a banned key is dropped by the ordinary blocklist lookup.
 *
 * "limits" map (array, key 0): written whole by user space (daemon start,
 * SIGHUP, `xdpfwd limit`), read once per frame that reaches "no match";
 * action XDPFWD_LIMIT_OFF (an all-zero value, a map just created) costs that
 * frame one inlined array lookup and a test. Buckets remember the
 * generation they were filled under: a change of the limits starts every
 * bucket afresh at its next frame.
 *
 * The bucket arithmetic (exact, in integers) is described where it is
 * done, bpf/limit.bpf.h.
 */
enum xdpfwd_limit_action {
	XDPFWD_LIMIT_OFF = 0,
	XDPFWD_LIMIT_DROP = 1,	/* drop the excess only */
	XDPFWD_LIMIT_BAN = 2,	/* drop the excess and ban the key for ban_ns */
	XDPFWD_LIMIT_AUDIT = 3,	/* count and log what would be limited or banned; pass */
};

/*
 * What user space must keep the limits within (validated before the map is
 * written): below these the bucket arithmetic is exact and cannot overflow
 * for any elapsed time (bpf/limit.bpf.h). 1e12 per second is ten times a
 * 100 Gbit/s link in bits; a burst of 1e10 scaled by 1e9 stays under 2^64.
 * bit_burst must be at least 8 * the largest frame, or such frames never
 * pass; and as the program's clock ticks in jiffies, a burst below
 * rate / HZ caps the rate at burst * HZ (refill comes once per tick).
 */
#define XDPFWD_LIMIT_RATE_MAX	1000000000000ULL	/* pps, bps */
#define XDPFWD_LIMIT_BURST_MAX	10000000000ULL		/* pkt_burst, bit_burst */

#define XDPFWD_METER_SEEDS	4

struct xdpfwd_limits {
	__u32 action;		/* enum xdpfwd_limit_action */
	__u8 plen4;		/* key: IPv4 source truncated to this many bits (1..32) */
	__u8 plen6;		/* IPv6 (1..128) */
	__u8 auto_set;		/* block set id bans are made in (set "auto") */
	__u8 pad;
	__u64 pps;		/* packets per second per key; 0: no packet limit */
	__u64 pkt_burst;	/* packets a full bucket lets through at once (>= 1) */
	__u64 bps;		/* bits per second per key; 0: no bit limit */
	__u64 bit_burst;	/* bits a full byte bucket lets through at once */
	__u64 ban_ns;		/* duration of a ban made by action BAN */
	__u64 generation;	/* bumped by every change of the limits; >= 1 when on (0 marks an unused meter way) */
	/*
	 * The meter's hash seeds: drawn afresh (getrandom) with every change
	 * of the limits, which starts every bucket afresh anyway, so that no
	 * one can choose sources that collide in the meter offline. All zero
	 * (tests) is a valid, fixed hash.
	 */
	__u64 meter_seed[XDPFWD_METER_SEEDS];
};

/* "meter" key: the source truncated to the key length, IPv4 as ::ffff:a.b.c.d. */
struct xdpfwd_meter_key {
	__u8 addr[16];
};

/* One key's token buckets (bpf/limit.bpf.h says what the fields count). */
struct xdpfwd_meter {
	__u64 last_ns;		/* xdpfwd clock of the last refill */
	__u64 pkt_tokens;
	__u64 bit_tokens;
	__u64 generation;	/* struct xdpfwd_limits' generation it was filled under; 0: way unused */
	__u64 over;		/* frames of this key over the limit */
	__u64 banned_ns;	/* when the program last banned (or, audit, would have banned) it; 0: never */
};

/*
 * "meter" map: a set-associative table in an array (an array lookup is
 * inlined by the verifier; a hash lookup is a call, a hash and a bucket
 * walk). Value: one set of XDPFWD_METER_WAYS ways, a way a key and its
 * buckets in one 64-byte cache line; the map's max_entries is the number of
 * sets. A key lives in one of two sets (two choices, xdpfwd_meter_hash()),
 * in any way of either. A new key takes, of the 8 ways of its two sets, one
 * never used (generation 0), else one filled under other limits, else the
 * least recently metered (bpf/limit.bpf.h), and starts with a full bucket,
 * as an evicted key does when it comes back. Two choices keep a key's 8
 * ways from all being in use until the table is nearly full (README "Flood
 * defense" has the figures).
 */
#define XDPFWD_METER_WAYS	4
#define XDPFWD_METER_KEYS	1048576	/* ways in the meter (memory: see README "Flood defense") */
#define XDPFWD_METER_SETS	(XDPFWD_METER_KEYS / XDPFWD_METER_WAYS)

struct xdpfwd_meter_way {
	struct xdpfwd_meter_key key;
	struct xdpfwd_meter m;
};

struct xdpfwd_meter_set {
	struct xdpfwd_meter_way way[XDPFWD_METER_WAYS];
};

/*
 * The sets (of nsets) a key may live in. The hash: the key as two 64-bit
 * words, each multiplied by an odd seed, plus a seed (a multiply-shift: its
 * top bits spread any two keys apart under random seeds, so colliding keys
 * cannot be chosen without them); the first set from its top 32 bits, the
 * second from those of the hash times a further seed, each mapped to
 * 0..nsets-1 by a multiply-shift. The constants make all-zero seeds a
 * usable hash. Shared by the program and the tools that read the meter.
 */
static inline __u64 xdpfwd_meter_hash(const __u32 w[4], const __u64 seed[XDPFWD_METER_SEEDS])
{
	__u64 lo = (__u64)w[0] | (__u64)w[1] << 32, hi = (__u64)w[2] | (__u64)w[3] << 32;

	return seed[0] + lo * ((seed[1] ^ 0x9e3779b97f4a7c15ULL) | 1) + hi * ((seed[2] ^ 0xbf58476d1ce4e5b9ULL) | 1);
}

static inline __u32 xdpfwd_meter_set0(__u64 h, __u32 nsets)
{
	return (__u32)(((h >> 32) * nsets) >> 32);
}

static inline __u32 xdpfwd_meter_set1(__u64 h, const __u64 seed[XDPFWD_METER_SEEDS], __u32 nsets)
{
	return xdpfwd_meter_set0(h * ((seed[3] ^ 0x94d049bb133111ebULL) | 1), nsets);
}

/*
 * "limit_stats" map (per-CPU array, key = stats slot as for "stats"): the
 * flood defense's counters, beside struct xdpfwd_stats (see
 * XDPFWD_R_RATE_LIMIT for why a map of its own).
 */
struct xdpfwd_limit_stats {
	__u64 packets[XDPFWD_ACT_MAX];	/* frames over the limit, by action taken (drop, audit) */
	__u64 bytes[XDPFWD_ACT_MAX];
	__u64 bans;		/* bans made (action BAN), or that audit would have made */
	/*
	 * Bans not made: the block map was full, or the key's entry was in
	 * the way with memberships that expired and user space has not yet
	 * removed (the program does not revive them; the frame is dropped
	 * and the next one over the limit tries again).
	 */
	__u64 ban_failed;
};

/*
 * Test clock. A program loaded with rodata clock_from_meta = 1 (tests/prog,
 * `xdpfwd replay`; never the daemon) takes "now", both its xdpfwd clock and
 * its CLOCK_BOOTTIME, from this record in the frame's XDP metadata (the 8
 * bytes right before the frame: BPF_PROG_TEST_RUN's data_in starts with
 * them and ctx_in has data = 8, data_end = 8 + frame length). A frame
 * without metadata, or a value of 0, reads the real clocks. With
 * clock_from_meta = 0 the code is dead and the verifier removes it.
 */
struct xdpfwd_frame_time {
	__u64 now_ns;		/* host byte order */
};

/*
 * "ban_books" map (array, key 0), never read by the program: how far the
 * blocklist's books (struct xdpfwd_books) have caught up with the bans the
 * program made itself. The program writes ban entries without telling the
 * books, so between two counts the books lack the bans made since the last
 * one: at most limit_stats' bans total minus `booked`. The daemon counts
 * again (list_expire's walk, which also removes expired bans) when bans were
 * made or failed since (a ban fails on an expired entry the walk removes), at most once per XDPFWD_BAN_RECOUNT_S, and at once when a
 * booked deadline passes. Readers show the books' count of set auto as the
 * bans live, with that bound ("unbooked") beside it.
 */
struct xdpfwd_ban_books {
	__u64 booked;		/* sum of limit_stats' bans when the books were last counted */
	__u64 failed;		/* and of ban_failed: a new failure may be an expired entry in the way */
	__u64 counted_ns;	/* CLOCK_BOOTTIME of that count; 0: never counted */
};

#define XDPFWD_BAN_RECOUNT_S	10

/*
 * "clock" map (array, key 0), never read by the program: what its times mean.
 * The first daemon of an instance decides and records it; later daemons load
 * their programs with the recorded ns_per_jiffy, so every program sharing the
 * lists keeps one clock, and readers convert with it instead of re-deriving
 * HZ from files their sandbox may hide:
 *   CLOCK_MONOTONIC ns = program time - mono_offset_ns.
 * A new map, not a layout change: pins of older builds are reused and the
 * first new daemon adds this one. kind 0: not filled yet.
 */
struct xdpfwd_clock {
	__u32 kind;		/* XDPFWD_CLOCK_JIFFIES or XDPFWD_CLOCK_COARSE */
	__u32 hz;		/* the kernel's HZ for XDPFWD_CLOCK_JIFFIES, else 0 */
	__u64 ns_per_jiffy;	/* the programs' ns_per_jiffy: 1e9 / hz, or 0 */
	__u64 mono_offset_ns;	/* measured; ~INITIAL_JIFFIES * ns_per_jiffy, 0 if coarse */
	__u32 source;		/* XDPFWD_CLOCK_FROM_*: how the first daemon knew */
	__u32 pad;
};

enum xdpfwd_clock_kind {
	XDPFWD_CLOCK_JIFFIES = 1,	/* bpf_jiffies64() * ns_per_jiffy */
	XDPFWD_CLOCK_COARSE = 2,	/* bpf_ktime_get_coarse_ns() */
};

enum xdpfwd_clock_source {
	XDPFWD_CLOCK_FROM_CONFIG = 1,	/* CONFIG_HZ in /proc/config.gz or /boot/config-* */
	XDPFWD_CLOCK_MEASURED = 2,	/* jiffies64 against CLOCK_MONOTONIC (common/kclock.c) */
	XDPFWD_CLOCK_FROM_PROGRAM = 3,	/* the .rodata of a program an older daemon loaded */
};

/*
 * "books" map (array, key XDPFWD_BOOKS_BLOCK or XDPFWD_BOOKS_ALLOW): user
 * space's bookkeeping of each list, so that status and metrics never walk a
 * map and an edit never searches for leftovers. The program never reads it.
 * Written under the pin dir lock by every edit: an edit first clears
 * XDPFWD_BOOKS_EXACT, makes its changes, then stores the new counts with the
 * bit set again. A clear bit therefore means "an edit runs, or one was
 * killed": readers count by walking the maps, and the next writer finishes
 * any interrupted replace and counts afresh. A zero value (a map just
 * created) reads the same way. Edits made with bpftool are not seen: the
 * daemon counts afresh when it starts, and `xdpfwd status --recount` does so
 * on demand.
 *
 * The counts are what `block list` / `allow list` show, per family (index 0:
 * IPv4, 1: IPv6) and per map, so they also tell how full each map is:
 * hashed        exact entries in block_v*_addr (always 0 for the allowlist)
 * trie_addrs    /32 and /128 entries in the live trie (allowlist entries, or
 *               blocklist ones written into the trie with bpftool)
 * trie_prefixes shorter prefixes in the live trie
 * Fixed-width and keyed by list, so more lists or sets can take more keys.
 */
struct xdpfwd_books {
	__u64 hashed[2];
	__u64 trie_addrs[2];
	__u64 trie_prefixes[2];
	__u64 next_expiry_ns;	/* CLOCK_BOOTTIME; no timed entry expires before it; 0: no timed entry */
	__u32 state;		/* XDPFWD_BOOKS_EXACT, or 0 (see above) */
	__u32 pad;
	__u64 set_entries[XDPFWD_MAX_SETS];	/* entries (exact and prefixes) each set holds */
};

#define XDPFWD_BOOKS_EXACT 0x626f6f6b /* "book": the counts above are exact */

enum {
	XDPFWD_BOOKS_BLOCK = 0,
	XDPFWD_BOOKS_ALLOW = 1,
	XDPFWD_BOOKS_MAX,
};

#endif /* XDPFWD_H */
