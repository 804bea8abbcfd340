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
#define XDPFWD_LAYOUT_VERSION 2

/* Map capacities. Exact entries live in hash maps, prefixes in LPM tries. */
#define XDPFWD_MAX_ADDRS	1048576	/* exact addresses per family */
#define XDPFWD_MAX_NETS		262144	/* prefixes per family and list */
#define XDPFWD_MAX_ALLOW	65536	/* allowlist entries per family */
#define XDPFWD_MAX_IFACES	64
#define XDPFWD_LOG_STATE_SIZE	65536	/* per-source log limit for prefix hits */
#define XDPFWD_RINGBUF_BYTES	(1 << 20)
/* Submit without waking the consumer until this much is queued; the daemon also polls. */
#define XDPFWD_RINGBUF_WAKEUP_BYTES (64 << 10)

#define XDPFWD_PROG_NAME	"xdpfwd_xdp"
#define XDPFWD_MAX_VLAN_DEPTH	2

enum xdpfwd_action {
	XDPFWD_ACT_PASS = 0,
	XDPFWD_ACT_DROP = 1,
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
	XDPFWD_R_MAX,
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
 */
struct xdpfwd_entry {
	__u64 packets;
	__u64 bytes;
	__u64 last_hit_ns;
	__u64 last_log_ns;
	__u64 expires_ns;	/* CLOCK_BOOTTIME deadline (survives suspend); 0: never expires */
	__u32 flags;		/* XDPFWD_ENTRY_F_*; 0 for an ordinary entry */
	__u32 pad;
};

/*
 * Exact-address entries take part in a whole-set replace through these bits
 * instead of a twin map (a twin would cost the hash lookup its inlining): an
 * entry is skipped while the active block set's bit is set. At rest both are
 * clear, so an entry added with bpftool (all zeros) simply matches.
 */
#define XDPFWD_ENTRY_F_NOT_IN_SET0 (1U << 0)
#define XDPFWD_ENTRY_F_NOT_IN_SET1 (1U << 1)

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
};

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
	__u8 pad[2];
};

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
 * "meta" map (array, key 0): who owns the pins, in which layout, and which
 * set of each list the program reads. Every LPM trie has a twin named NAME_b;
 * a whole-set replace fills the idle twin (and marks exact entries with
 * XDPFWD_ENTRY_F_NOT_IN_SET*) and flips active_block in one write, so the
 * program sees the old set or the new one, never their union or nothing.
 *
 * active_block holds two bits that must change together:
 * XDPFWD_ACTIVE_TWIN selects the NAME_b tries; XDPFWD_ACTIVE_SET1 selects
 * which NOT_IN_SET bit hides an exact entry. At rest the tries without suffix
 * are live (so prefixes added with plain bpftool land in the live trie), but
 * the exact set may rest on either bit: a replace then writes each new exact
 * entry once, hidden from the current set, and never has to clear its bit.
 * active_allow uses XDPFWD_ACTIVE_TWIN only (allow entries are all in tries).
 */
struct xdpfwd_meta {
	__u32 magic;		/* XDPFWD_META_MAGIC */
	__u32 layout_version;	/* XDPFWD_LAYOUT_VERSION */
	__u32 active_block;	/* XDPFWD_ACTIVE_* */
	__u32 active_allow;	/* XDPFWD_ACTIVE_TWIN or 0 */
};

#define XDPFWD_ACTIVE_TWIN (1U << 0)
#define XDPFWD_ACTIVE_SET1 (1U << 1)

#define XDPFWD_META_MAGIC 0x78647066 /* "xdpf" */

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
};

#define XDPFWD_BOOKS_EXACT 0x626f6f6b /* "book": the counts above are exact */

enum {
	XDPFWD_BOOKS_BLOCK = 0,
	XDPFWD_BOOKS_ALLOW = 1,
	XDPFWD_BOOKS_MAX,
};

#endif /* XDPFWD_H */
