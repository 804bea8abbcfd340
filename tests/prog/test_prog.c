// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the XDP program: crafted frames through BPF_PROG_TEST_RUN.
 *
 * Every test loads its own skeleton (nothing pinned), so no list entry, rate
 * limit or counter leaks from one test into the next, and rodata can differ
 * per test. The tables are the specification: one row per case, naming the
 * frame, the list entries present while it runs with the packets each must
 * count, and the verdict and reason the program must reach.
 *
 * The program returns only XDP_PASS or XDP_DROP; the action (an audit
 * match passes) and the reason are read back from the one stats cell the
 * frame moved.
 *
 * Every skeleton starts with the meta a daemon writes first (set "manual" of
 * each kind enforced, generation 0) and the test sets of set_defs[] in the
 * "sets" map; list entries are written straight into the maps (an all-zero
 * value is a member of "manual", as with bpftool), no library involved.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpfwd.h"
#include "xdpfwd.skel.h"
#include "stats.h"
#include "frames.h"
#include "xdp_run.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PASS		XDPFWD_ACT_PASS
#define DROP		XDPFWD_ACT_DROP
#define AUDIT		XDPFWD_ACT_AUDIT
#define NO_MATCH	XDPFWD_R_NO_MATCH
#define ALLOWLIST	XDPFWD_R_ALLOWLIST
#define BLOCKLIST	XDPFWD_R_BLOCKLIST
#define NOT_IP		XDPFWD_R_NOT_IP
#define VLAN_DEPTH	XDPFWD_R_VLAN_DEPTH
#define MALFORMED	XDPFWD_R_MALFORMED
/* PASS, or DROP when the test's skeleton was loaded with drop_malformed. */
#define MAL_ACTION	(-1)

#define NSEC_PER_SEC	1000000000ULL

static const char *const action_names[] = { "PASS", "DROP", "AUDIT" };
static const char *const reason_names[] = {
	"NO_MATCH", "ALLOWLIST", "BLOCKLIST", "NOT_IP", "VLAN_DEPTH", "MALFORMED",
};

enum list_id {
	NO_LIST,
	BLOCK_V4_ADDR,
	BLOCK_V6_ADDR,
	BLOCK_V4_NET,
	BLOCK_V6_NET,
	ALLOW_V4,
	ALLOW_V6,
};

static const char *const list_names[] = {
	"none", "block_v4_addr", "block_v6_addr", "block_v4_net", "block_v6_net",
	"allow_v4", "allow_v6",
};

struct list_entry {
	enum list_id list;
	const char *addr;	/* an address, or "addr/len" for the tries */
	__u64 hits;		/* packets the row must add to this entry */
};

/* An entry a test sets up itself, outside a table row. */
#define ENTRY(l, a)	{ .list = (l), .addr = (a) }

#define MAX_ROW_ENTRIES 3

struct row {
	const char *name;
	struct frame_spec frame;
	struct list_entry lists[MAX_ROW_ENTRIES];
	int action;		/* XDPFWD_ACT_* or MAL_ACTION */
	int reason;
};

/* Per-test skeleton configuration, handed to fx_setup() as cmocka prestate. */
struct config {
	bool drop_malformed;
	bool log_disabled;
	bool unlimited;			/* no per-source and no global event limit */
	__u64 global_interval_ns;	/* 0: keep the program's default budget */
	__u64 global_tolerance_ns;
	bool clock_from_meta;		/* time from the frames' metadata (run_frame_at) */
	__u32 meter_keys;		/* the meter's size in ways; 0: METER_KEYS_TEST */
	__u32 exact_capacity;		/* the exact hashes' size; 0: EXACT_CAPACITY_TEST */
};

/* The tests' meter: small, so that 60 skeletons do not each preallocate a million keys. */
#define METER_KEYS_TEST 4096
/* The exact hashes' size in these tests: small, as `xdpfwd --capacity 1k` makes them (a full hash is a case). */
#define EXACT_CAPACITY_TEST 1024

#define MAX_KEPT_EVENTS 64

struct fixture {
	struct xdpfwd_bpf *skel;
	struct ring_buffer *rb;
	int prog_fd;
	int ifindex;			/* passed as ingress_ifindex */
	int malformed_action;
	struct xdpfwd_event ev[MAX_KEPT_EVENTS];
	unsigned int n_ev;		/* all events seen, kept or not */
	unsigned int bad_ev;		/* records of the wrong size */
};

/* What the frames of a table should add to the global stats, cell by cell. */
struct tally {
	__u64 packets[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 bytes[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
};

union list_key {
	struct xdpfwd_v4_key v4;
	struct xdpfwd_v6_key v6;
	struct xdpfwd_lpm_v4_key lpm4;
	struct xdpfwd_lpm_v6_key lpm6;
};

static const char *action_name(int a)
{
	return a >= 0 && a < XDPFWD_ACT_MAX ? action_names[a] : "?";
}

static const char *reason_name(int r)
{
	return r >= 0 && r < XDPFWD_R_MAX ? reason_names[r] : "?";
}

/* Prints "[test] row: message" and returns false, for check helpers to return. */
static bool report(const char *test, const char *row, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool report(const char *test, const char *row, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("[%s] %s: %s\n", test, row, msg);
	return false;
}

static __u64 coarse_now(void)
{
	struct timespec ts;

	/* The program stamps with bpf_ktime_get_coarse_ns(), the same clock. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* ---- fixture -------------------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t size)
{
	struct fixture *fx = ctx;

	if (size != sizeof(struct xdpfwd_event)) {
		fx->bad_ev++;
		return 0;
	}
	if (fx->n_ev < MAX_KEPT_EVENTS)
		memcpy(&fx->ev[fx->n_ev], data, sizeof(fx->ev[0]));
	fx->n_ev++;
	return 0;
}

static void fx_free(struct fixture *fx)
{
	if (!fx)
		return;
	ring_buffer__free(fx->rb);
	xdpfwd_bpf__destroy(fx->skel);
	free(fx);
}

/* Bit of set id i, as meta's masks and the entries' members spell it. */
#define M(i)		(1U << (i))

/* The sets every skeleton has, besides "manual" (id 0 of each kind): scopes, an audit set. */
enum {
	S_MANUAL = XDPFWD_SET_MANUAL,
	S_SSH,		/* enforce, scope tcp:22 */
	S_DNS,		/* enforce, scope udp:53 */
	S_FEED,		/* audit */
	S_F2B,		/* enforce, no scope */
	S_TCP,		/* enforce, scope tcp (every port) */
	S_WEB,		/* enforce, scope tcp,udp:80,443 */
	S_UNDEF,	/* in none of meta's masks: matches nothing */
	S_AUTO,		/* enforce, no scope: where the flood defense's bans go */
	S_LAST = XDPFWD_MAX_SETS - 1,	/* enforce: the top bit and counter */
};

#define DROP_SETS	(M(S_MANUAL) | M(S_F2B) | M(S_AUTO) | M(S_LAST))
#define SCOPED_SETS	(M(S_SSH) | M(S_DNS) | M(S_TCP) | M(S_WEB))
#define AUDIT_SETS	M(S_FEED)

static const struct set_def {
	__u32 id;
	const char *name;
	__u8 mode, protos, nports;
	__u16 ports[XDPFWD_SCOPE_PORTS];
} set_defs[] = {
	{ S_SSH, "ssh", XDPFWD_SET_ENFORCE, XDPFWD_SCOPE_TCP, 1, { 22 } },
	{ S_DNS, "dns", XDPFWD_SET_ENFORCE, XDPFWD_SCOPE_UDP, 1, { 53 } },
	{ S_FEED, "feed", XDPFWD_SET_AUDIT, 0, 0, {} },
	{ S_F2B, "fail2ban", XDPFWD_SET_ENFORCE, 0, 0, {} },
	{ S_TCP, "tcp", XDPFWD_SET_ENFORCE, XDPFWD_SCOPE_TCP, 0, {} },
	{ S_WEB, "web", XDPFWD_SET_ENFORCE, XDPFWD_SCOPE_TCP | XDPFWD_SCOPE_UDP, 2, { 80, 443 } },
	{ S_AUTO, "auto", XDPFWD_SET_ENFORCE, 0, 0, {} },
	{ S_LAST, "last", XDPFWD_SET_ENFORCE, 0, 0, {} },
};

/* The block sets of set_defs[] in the "sets" map (ports in network order, as user space writes them). */
static int fx_write_sets(struct fixture *fx)
{
	int fd = bpf_map__fd(fx->skel->maps.sets);
	struct xdpfwd_set v;
	size_t i, j;
	__u32 key;

	for (i = 0; i < ARRAY_SIZE(set_defs); i++) {
		memset(&v, 0, sizeof(v));
		snprintf(v.name, sizeof(v.name), "%s", set_defs[i].name);
		v.mode = set_defs[i].mode;
		v.scope_protos = set_defs[i].protos;
		v.nports = set_defs[i].nports;
		for (j = 0; j < XDPFWD_SCOPE_PORTS; j++)
			v.ports[j] = htons(set_defs[i].ports[j]);
		key = XDPFWD_KIND_BLOCK * XDPFWD_MAX_SETS + set_defs[i].id;
		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY)) {
			print_error("writing set %s failed: %s\n", set_defs[i].name, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* meta as a daemon writes it, with the given generations of the block and allow sets. */
static int fx_set_meta(struct fixture *fx, __u32 gen_block, __u32 gen_allow)
{
	struct xdpfwd_meta m = {
		.magic = XDPFWD_META_MAGIC,
		.layout_version = XDPFWD_LAYOUT_VERSION,
		.set_gen = { gen_block, gen_allow },
		.drop_sets = DROP_SETS,
		.scoped_sets = SCOPED_SETS,
		.audit_sets = AUDIT_SETS,
	};
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.meta), &zero, &m, BPF_ANY)) {
		print_error("writing meta failed: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int fx_setup(void **state)
{
	static const struct config defaults;
	const struct config *cfg = *state ? *state : &defaults;
	struct fixture *fx;
	int err;

	fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	fx->skel = xdpfwd_bpf__open();
	if (!fx->skel) {
		print_error("opening the skeleton failed: %s\n", strerror(errno));
		goto fail;
	}
	if (cfg->drop_malformed)
		fx->skel->rodata->drop_malformed = 1;
	if (cfg->log_disabled)
		fx->skel->rodata->log_enabled = 0;
	if (cfg->unlimited) {
		fx->skel->rodata->log_source_interval_ns = 0;
		fx->skel->rodata->log_global_interval_ns = 0;
	}
	if (cfg->global_interval_ns) {
		fx->skel->rodata->log_global_interval_ns = cfg->global_interval_ns;
		fx->skel->rodata->log_global_tolerance_ns = cfg->global_tolerance_ns;
	}
	if (cfg->clock_from_meta)
		fx->skel->rodata->clock_from_meta = 1;
	/* The exact hashes at a small capacity, as a daemon started with --capacity 1k makes them. */
	if (bpf_map__set_max_entries(fx->skel->maps.block_v4_addr,
				     cfg->exact_capacity ? cfg->exact_capacity : EXACT_CAPACITY_TEST) ||
	    bpf_map__set_max_entries(fx->skel->maps.block_v6_addr,
				     cfg->exact_capacity ? cfg->exact_capacity : EXACT_CAPACITY_TEST) ||
	    bpf_map__set_max_entries(fx->skel->maps.meter,
				     (cfg->meter_keys ? cfg->meter_keys : METER_KEYS_TEST) / XDPFWD_METER_WAYS)) {
		print_error("sizing the meter failed\n");
		goto fail;
	}
	err = xdpfwd_bpf__load(fx->skel);
	if (err) {
		print_error("loading the skeleton failed: %s (run as root?)\n", strerror(-err));
		goto fail;
	}
	if (fx_write_sets(fx) || fx_set_meta(fx, 0, 0))
		goto fail;
	fx->prog_fd = bpf_program__fd(fx->skel->progs.xdpfwd_xdp);
	fx->rb = ring_buffer__new(bpf_map__fd(fx->skel->maps.events), on_event, fx, NULL);
	if (!fx->rb) {
		print_error("ring_buffer__new failed: %s\n", strerror(errno));
		goto fail;
	}
	fx->ifindex = if_nametoindex("lo");
	if (!fx->ifindex) {
		print_error("no loopback device: %s\n", strerror(errno));
		goto fail;
	}
	fx->malformed_action = cfg->drop_malformed ? DROP : PASS;
	*state = fx;
	return 0;
fail:
	fx_free(fx);
	return -1;
}

static int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* ---- running frames and reading state -------------------------------------- */

/* The XDP verdict, or -errno when the kernel refuses the test run. */
static int run_frame(struct fixture *fx, const void *data, __u32 len)
{
	return xdp_run(fx->prog_fd, fx->ifindex, data, len);
}

/* One stats slot, summed over the CPUs. */
static bool read_stats_slot(struct fixture *fx, __u32 slot, struct xdpfwd_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xdpfwd_stats *percpu;
	__u64 *out = (__u64 *)sum;
	const __u64 *in;
	size_t i;
	int cpu;

	_Static_assert(sizeof(*sum) % sizeof(__u64) == 0, "stats must be all __u64");
	memset(sum, 0, sizeof(*sum));
	if (ncpu <= 0)
		return false;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return false;
	if (bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.stats), &slot, percpu)) {
		free(percpu);
		return false;
	}
	for (cpu = 0; cpu < ncpu; cpu++) {
		in = (const __u64 *)&percpu[cpu];
		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			out[i] += in[i];
	}
	free(percpu);
	return true;
}

/* The fixture's program has no interface table, so everything counts as "other interface". */
static bool read_stats(struct fixture *fx, struct xdpfwd_stats *sum)
{
	return read_stats_slot(fx, XDPFWD_STATS_SLOT_OTHER, sum);
}

struct outcome {
	int ret;		/* XDP verdict or -errno */
	int action;		/* from the stats cell that moved */
	int reason;
};

/*
 * Runs one frame and reads back which stats cell it moved. False (with a
 * message) when the run failed, the program aborted, or the stats moved in
 * any way other than one packet of len bytes in one cell.
 */
static bool run_classify(struct fixture *fx, const char *test, const char *row,
			 const void *data, __u32 len, struct outcome *o)
{
	struct xdpfwd_stats before, after;
	int a, r, moved = 0;

	o->action = -1;
	o->reason = -1;
	if (!read_stats(fx, &before))
		return report(test, row, "reading stats failed");
	o->ret = run_frame(fx, data, len);
	if (o->ret < 0)
		return report(test, row, "test run of %u bytes failed: %s", len, strerror(-o->ret));
	if (o->ret != XDP_PASS && o->ret != XDP_DROP)
		return report(test, row, "returned %d (XDP_ABORTED is 0), want PASS or DROP",
			      o->ret);
	if (!read_stats(fx, &after))
		return report(test, row, "reading stats failed");
	for (a = 0; a < XDPFWD_ACT_MAX; a++) {
		for (r = 0; r < XDPFWD_R_MAX; r++) {
			__u64 dp = after.packets[a][r] - before.packets[a][r];
			__u64 db = after.bytes[a][r] - before.bytes[a][r];

			if (!dp && !db)
				continue;
			moved++;
			o->action = a;
			o->reason = r;
			if (dp != 1 || db != len)
				return report(test, row, "stats %s/%s moved by %llu packets, %llu bytes; want 1, %u",
					      action_name(a), reason_name(r),
					      (unsigned long long)dp, (unsigned long long)db, len);
		}
	}
	if (moved != 1)
		return report(test, row, "%d stats cells moved, want exactly 1", moved);
	/* An audit match is counted apart but passes. */
	if ((o->action == DROP) != (o->ret == XDP_DROP))
		return report(test, row, "returned %s but counted as %s",
			      o->ret == XDP_DROP ? "XDP_DROP" : "XDP_PASS", action_name(o->action));
	return true;
}

static bool check_outcome(const char *test, const char *row, const struct outcome *o,
			  int action, int reason)
{
	if (o->action != action || o->reason != reason)
		return report(test, row, "got %s/%s, want %s/%s",
			      action_name(o->action), reason_name(o->reason),
			      action_name(action), reason_name(reason));
	return true;
}

/* Runs a frame, checks its verdict and reason, and adds it to the tally. */
static bool expect_verdict(struct fixture *fx, const char *test, const char *row,
			   const void *data, __u32 len, int action, int reason,
			   struct tally *t)
{
	struct outcome o;
	bool ok;

	ok = run_classify(fx, test, row, data, len, &o) &&
	     check_outcome(test, row, &o, action, reason);
	t->packets[action][reason]++;
	t->bytes[action][reason] += len;
	return ok;
}

static bool check_tally(struct fixture *fx, const char *test,
			const struct xdpfwd_stats *before, const struct tally *t)
{
	struct xdpfwd_stats after;
	bool ok = true;
	char cell[32];
	int a, r;

	if (!read_stats(fx, &after))
		return report(test, "stats", "reading stats failed");
	for (a = 0; a < XDPFWD_ACT_MAX; a++) {
		for (r = 0; r < XDPFWD_R_MAX; r++) {
			__u64 dp = after.packets[a][r] - before->packets[a][r];
			__u64 db = after.bytes[a][r] - before->bytes[a][r];

			snprintf(cell, sizeof(cell), "stats %s/%s", action_name(a), reason_name(r));
			if (dp != t->packets[a][r] || db != t->bytes[a][r])
				ok = report(test, cell, "%llu packets, %llu bytes; the table sent %llu, %llu",
					    (unsigned long long)dp, (unsigned long long)db,
					    (unsigned long long)t->packets[a][r],
					    (unsigned long long)t->bytes[a][r]);
		}
	}
	return ok;
}

/* ---- list entries ----------------------------------------------------------- */

static bool list_is_v6(enum list_id l)
{
	return l == BLOCK_V6_ADDR || l == BLOCK_V6_NET || l == ALLOW_V6;
}

static bool list_is_trie(enum list_id l)
{
	return l == BLOCK_V4_NET || l == BLOCK_V6_NET || l == ALLOW_V4 || l == ALLOW_V6;
}

static int list_fd(struct fixture *fx, enum list_id l)
{
	switch (l) {
	case BLOCK_V4_ADDR:
		return bpf_map__fd(fx->skel->maps.block_v4_addr);
	case BLOCK_V6_ADDR:
		return bpf_map__fd(fx->skel->maps.block_v6_addr);
	case BLOCK_V4_NET:
		return bpf_map__fd(fx->skel->maps.block_v4_net);
	case BLOCK_V6_NET:
		return bpf_map__fd(fx->skel->maps.block_v6_net);
	case ALLOW_V4:
		return bpf_map__fd(fx->skel->maps.allow_v4);
	case ALLOW_V6:
		return bpf_map__fd(fx->skel->maps.allow_v6);
	default:
		return -1;
	}
}

/* Parses e->addr into the key layout of e->list; false if it does not fit it. */
static bool list_key(const struct list_entry *e, union list_key *k)
{
	int family = list_is_v6(e->list) ? AF_INET6 : AF_INET;
	unsigned int max = family == AF_INET6 ? 128 : 32;
	__u8 *addr = family == AF_INET6 ? k->v6.addr : k->v4.addr;
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	unsigned long len;

	memset(k, 0, sizeof(*k));
	if (!e->addr || strlen(e->addr) >= sizeof(buf))
		return false;
	strcpy(buf, e->addr);
	slash = strchr(buf, '/');
	if (!slash != !list_is_trie(e->list))
		return false;
	if (slash) {
		*slash = '\0';
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || len > max)
			return false;
		/* Trie keys carry the prefix length before the address. */
		k->lpm4.prefixlen = len;
		addr = family == AF_INET6 ? k->lpm6.addr : k->lpm4.addr;
	}
	return inet_pton(family, buf, addr) == 1;
}

static bool entry_op(struct fixture *fx, const char *test, const char *row,
		     const struct list_entry *e, bool add)
{
	struct xdpfwd_entry zero = {};
	union list_key k;
	int err;

	if (!list_key(e, &k))
		return report(test, row, "bad %s entry \"%s\"", list_names[e->list], e->addr);
	if (add)
		err = bpf_map_update_elem(list_fd(fx, e->list), &k, &zero, BPF_NOEXIST);
	else
		err = bpf_map_delete_elem(list_fd(fx, e->list), &k);
	if (err)
		return report(test, row, "%s %s %s: %s", add ? "adding" : "deleting",
			      list_names[e->list], e->addr, strerror(-err));
	return true;
}

static bool entry_read(struct fixture *fx, const char *test, const char *row,
		       const struct list_entry *e, struct xdpfwd_entry *val)
{
	union list_key k;
	int err;

	if (!list_key(e, &k))
		return report(test, row, "bad %s entry \"%s\"", list_names[e->list], e->addr);
	/* A full-length trie key is an exact lookup of that prefix's own node. */
	err = bpf_map_lookup_elem(list_fd(fx, e->list), &k, val);
	if (err)
		return report(test, row, "reading %s %s: %s", list_names[e->list], e->addr,
			      strerror(-err));
	return true;
}

static bool check_entry_hits(struct fixture *fx, const char *test, const char *row,
			     const struct list_entry *e, __u32 len)
{
	struct xdpfwd_entry val;

	if (!entry_read(fx, test, row, e, &val))
		return false;
	if (val.packets != e->hits || val.bytes != e->hits * len)
		return report(test, row, "%s %s counted %llu packets, %llu bytes; want %llu, %llu",
			      list_names[e->list], e->addr, (unsigned long long)val.packets,
			      (unsigned long long)val.bytes, (unsigned long long)e->hits,
			      (unsigned long long)(e->hits * len));
	if (!val.last_hit_ns != !e->hits)
		return report(test, row, "%s %s last_hit_ns is %llu after %llu hits",
			      list_names[e->list], e->addr, (unsigned long long)val.last_hit_ns,
			      (unsigned long long)e->hits);
	return true;
}

/* ---- tables ----------------------------------------------------------------- */

/* Entries exist only while their row runs, so every row starts from empty lists. */
static bool run_row(struct fixture *fx, const char *test, const void *row, struct tally *t)
{
	const struct row *r = row;
	int action = r->action == MAL_ACTION ? fx->malformed_action : r->action;
	struct frame f;
	bool ok = true;
	int added, i;

	if (!frame_build(&f, &r->frame))
		return report(test, r->name, "the frame spec does not build");
	for (added = 0; added < MAX_ROW_ENTRIES && r->lists[added].list; added++) {
		if (!entry_op(fx, test, r->name, &r->lists[added], true)) {
			ok = false;
			break;
		}
	}
	if (ok)
		ok = expect_verdict(fx, test, r->name, f.data, f.len, action, r->reason, t);
	for (i = 0; ok && i < added; i++)
		ok = check_entry_hits(fx, test, r->name, &r->lists[i], f.len);
	for (i = 0; i < added; i++)
		entry_op(fx, test, r->name, &r->lists[i], false);
	return ok;
}

/* One row of a table (struct row, struct set_row): true when it passed. */
typedef bool (*row_runner)(struct fixture *fx, const char *test, const void *row, struct tally *t);

/* Runs every row (n of size bytes each), then checks the table's frames add up in the global stats. */
static int run_table(struct fixture *fx, const char *test, const void *rows, size_t size, size_t n,
		     row_runner run)
{
	struct xdpfwd_stats before;
	struct tally t = {};
	int failed = 0;
	size_t i;

	if (!read_stats(fx, &before)) {
		report(test, "stats", "reading stats failed");
		return 1;
	}
	for (i = 0; i < n; i++)
		failed += !run(fx, test, (const char *)rows + i * size, &t);
	failed += !check_tally(fx, test, &before, &t);
	return failed;
}

#define RUN_TABLE(state, rows) \
	assert_int_equal(run_table(*(state), __func__, rows, sizeof((rows)[0]), ARRAY_SIZE(rows), run_row), 0)

/* ---- verdicts --------------------------------------------------------------- */

static void test_ipv4(void **state)
{
	static const struct row rows[] = {
		{ "no lists", { V4("198.18.0.1") }, {}, PASS, NO_MATCH },
		{ "exact hit", { V4("198.18.0.1") },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "exact hit, ICMP", { V4("198.18.0.1"), .proto = IPPROTO_ICMP },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "exact hit, longer frame", { V4("198.18.0.1"), .payload = 400 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "exact miss, next address", { V4("198.18.0.2") },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, PASS, NO_MATCH },
		{ "blocked destination is not matched", { V4("198.18.0.2") },
		  { { BLOCK_V4_ADDR, FRAME_DST_V4, 0 } }, PASS, NO_MATCH },
		{ "/15 hit, first address", { V4("198.18.0.0") },
		  { { BLOCK_V4_NET, "198.18.0.0/15", 1 } }, DROP, BLOCKLIST },
		{ "/15 hit, last address", { V4("198.19.255.255") },
		  { { BLOCK_V4_NET, "198.18.0.0/15", 1 } }, DROP, BLOCKLIST },
		{ "/16 hit, last address", { V4("198.18.255.255") },
		  { { BLOCK_V4_NET, "198.18.0.0/16", 1 } }, DROP, BLOCKLIST },
		{ "/16 miss, just after", { V4("198.19.0.0") },
		  { { BLOCK_V4_NET, "198.18.0.0/16", 0 } }, PASS, NO_MATCH },
		{ "/24 hit, first address", { V4("198.18.5.0") },
		  { { BLOCK_V4_NET, "198.18.5.0/24", 1 } }, DROP, BLOCKLIST },
		{ "/24 hit, last address", { V4("198.18.5.255") },
		  { { BLOCK_V4_NET, "198.18.5.0/24", 1 } }, DROP, BLOCKLIST },
		{ "/24 miss, just before", { V4("198.18.4.255") },
		  { { BLOCK_V4_NET, "198.18.5.0/24", 0 } }, PASS, NO_MATCH },
		{ "/24 miss, just after", { V4("198.18.6.0") },
		  { { BLOCK_V4_NET, "198.18.5.0/24", 0 } }, PASS, NO_MATCH },
		{ "/31 hit, even", { V4("198.18.0.2") },
		  { { BLOCK_V4_NET, "198.18.0.2/31", 1 } }, DROP, BLOCKLIST },
		{ "/31 hit, odd", { V4("198.18.0.3") },
		  { { BLOCK_V4_NET, "198.18.0.2/31", 1 } }, DROP, BLOCKLIST },
		{ "/31 miss, just before", { V4("198.18.0.1") },
		  { { BLOCK_V4_NET, "198.18.0.2/31", 0 } }, PASS, NO_MATCH },
		{ "/31 miss, just after", { V4("198.18.0.4") },
		  { { BLOCK_V4_NET, "198.18.0.2/31", 0 } }, PASS, NO_MATCH },
		{ "/32 in the trie, hit", { V4("198.18.0.9") },
		  { { BLOCK_V4_NET, "198.18.0.9/32", 1 } }, DROP, BLOCKLIST },
		{ "/32 in the trie, miss", { V4("198.18.0.8") },
		  { { BLOCK_V4_NET, "198.18.0.9/32", 0 } }, PASS, NO_MATCH },
		{ "/0 hit", { V4("198.19.1.1") },
		  { { BLOCK_V4_NET, "0.0.0.0/0", 1 } }, DROP, BLOCKLIST },
		{ "longest prefix counts the hit", { V4("198.18.5.7") },
		  { { BLOCK_V4_NET, "198.18.0.0/16", 0 }, { BLOCK_V4_NET, "198.18.5.0/24", 1 } },
		  DROP, BLOCKLIST },
		{ "shorter prefix outside the longer", { V4("198.18.6.7") },
		  { { BLOCK_V4_NET, "198.18.0.0/16", 1 }, { BLOCK_V4_NET, "198.18.5.0/24", 0 } },
		  DROP, BLOCKLIST },
		{ "exact entry wins over prefix", { V4("198.18.5.7") },
		  { { BLOCK_V4_ADDR, "198.18.5.7", 1 }, { BLOCK_V4_NET, "198.18.5.0/24", 0 } },
		  DROP, BLOCKLIST },
		{ "prefix hit with unrelated exact entries", { V4("198.18.5.7") },
		  { { BLOCK_V4_ADDR, "198.18.5.8", 0 }, { BLOCK_V4_NET, "198.18.5.0/24", 1 } },
		  DROP, BLOCKLIST },
		{ "IPv4-mapped entry in the v6 list", { V4("198.18.0.1") },
		  { { BLOCK_V6_ADDR, "::ffff:198.18.0.1", 0 },
		    { BLOCK_V6_NET, "::ffff:198.18.0.0/120", 0 } }, PASS, NO_MATCH },
	};

	RUN_TABLE(state, rows);
}

static void test_ipv6(void **state)
{
	static const struct row rows[] = {
		{ "no lists", { V6("2001:2::10") }, {}, PASS, NO_MATCH },
		{ "exact hit", { V6("2001:2::10") },
		  { { BLOCK_V6_ADDR, "2001:2::10", 1 } }, DROP, BLOCKLIST },
		{ "exact hit, ICMPv6", { V6("2001:2::10"), .proto = IPPROTO_ICMPV6 },
		  { { BLOCK_V6_ADDR, "2001:2::10", 1 } }, DROP, BLOCKLIST },
		{ "exact miss, next address", { V6("2001:2::11") },
		  { { BLOCK_V6_ADDR, "2001:2::10", 0 } }, PASS, NO_MATCH },
		{ "exact miss, same host in the next /64", { V6("2001:2:0:1::10") },
		  { { BLOCK_V6_ADDR, "2001:2::10", 0 } }, PASS, NO_MATCH },
		{ "blocked destination is not matched", { V6("2001:2::11") },
		  { { BLOCK_V6_ADDR, FRAME_DST_V6, 0 } }, PASS, NO_MATCH },
		{ "/128 in the trie, hit", { V6("2001:2::20") },
		  { { BLOCK_V6_NET, "2001:2::20/128", 1 } }, DROP, BLOCKLIST },
		{ "/128 in the trie, miss", { V6("2001:2::21") },
		  { { BLOCK_V6_NET, "2001:2::20/128", 0 } }, PASS, NO_MATCH },
		{ "/48 hit, first address", { V6("2001:2::") },
		  { { BLOCK_V6_NET, "2001:2::/48", 1 } }, DROP, BLOCKLIST },
		{ "/48 hit, last address", { V6("2001:2:0:ffff:ffff:ffff:ffff:ffff") },
		  { { BLOCK_V6_NET, "2001:2::/48", 1 } }, DROP, BLOCKLIST },
		/* Nothing in 2001:2::/48 lies outside a /48 of it, so a /49 shows the miss. */
		{ "/49 hit, last address", { V6("2001:2:0:7fff:ffff:ffff:ffff:ffff") },
		  { { BLOCK_V6_NET, "2001:2::/49", 1 } }, DROP, BLOCKLIST },
		{ "/49 miss, just after", { V6("2001:2:0:8000::") },
		  { { BLOCK_V6_NET, "2001:2::/49", 0 } }, PASS, NO_MATCH },
		{ "/64 hit, first address", { V6("2001:2:0:1::") },
		  { { BLOCK_V6_NET, "2001:2:0:1::/64", 1 } }, DROP, BLOCKLIST },
		{ "/64 hit, last address", { V6("2001:2:0:1:ffff:ffff:ffff:ffff") },
		  { { BLOCK_V6_NET, "2001:2:0:1::/64", 1 } }, DROP, BLOCKLIST },
		{ "/64 miss, just before", { V6("2001:2:0:0:ffff:ffff:ffff:ffff") },
		  { { BLOCK_V6_NET, "2001:2:0:1::/64", 0 } }, PASS, NO_MATCH },
		{ "/64 miss, just after", { V6("2001:2:0:2::") },
		  { { BLOCK_V6_NET, "2001:2:0:1::/64", 0 } }, PASS, NO_MATCH },
		{ "longest prefix counts the hit", { V6("2001:2:0:1::7") },
		  { { BLOCK_V6_NET, "2001:2::/48", 0 }, { BLOCK_V6_NET, "2001:2:0:1::/64", 1 } },
		  DROP, BLOCKLIST },
		{ "exact entry wins over prefix", { V6("2001:2:0:1::7") },
		  { { BLOCK_V6_ADDR, "2001:2:0:1::7", 1 }, { BLOCK_V6_NET, "2001:2:0:1::/64", 0 } },
		  DROP, BLOCKLIST },
		{ "v4 lists do not match a mapped v6 source", { V6("::ffff:198.18.0.1") },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 }, { BLOCK_V4_NET, "0.0.0.0/0", 0 } },
		  PASS, NO_MATCH },
	};

	RUN_TABLE(state, rows);
}

static void test_allowlist(void **state)
{
	static const struct row rows[] = {
		/* The allowlist is only consulted for a blocked source. */
		{ "v4 allow only", { V4("198.18.0.1") },
		  { { ALLOW_V4, "198.18.0.1/32", 0 } }, PASS, NO_MATCH },
		{ "v4 /32 allow beats exact block", { V4("198.18.0.1") },
		  { { ALLOW_V4, "198.18.0.1/32", 1 }, { BLOCK_V4_ADDR, "198.18.0.1", 0 } },
		  PASS, ALLOWLIST },
		{ "v4 /24 allow beats exact block", { V4("198.18.0.1") },
		  { { ALLOW_V4, "198.18.0.0/24", 1 }, { BLOCK_V4_ADDR, "198.18.0.1", 0 } },
		  PASS, ALLOWLIST },
		{ "v4 /32 allow beats prefix block", { V4("198.18.0.1") },
		  { { ALLOW_V4, "198.18.0.1/32", 1 }, { BLOCK_V4_NET, "198.18.0.0/24", 0 } },
		  PASS, ALLOWLIST },
		{ "v4 /24 allow beats /16 block", { V4("198.18.0.1") },
		  { { ALLOW_V4, "198.18.0.0/24", 1 }, { BLOCK_V4_NET, "198.18.0.0/16", 0 } },
		  PASS, ALLOWLIST },
		{ "v4 /0 allow beats exact and prefix block", { V4("198.18.0.1") },
		  { { ALLOW_V4, "0.0.0.0/0", 1 }, { BLOCK_V4_ADDR, "198.18.0.1", 0 },
		    { BLOCK_V4_NET, "198.18.0.0/24", 0 } }, PASS, ALLOWLIST },
		{ "v4 allow of another address", { V4("198.18.0.1") },
		  { { ALLOW_V4, "198.18.0.2/32", 0 }, { BLOCK_V4_ADDR, "198.18.0.1", 1 } },
		  DROP, BLOCKLIST },
		{ "v4 allow /24 next door", { V4("198.18.1.1") },
		  { { ALLOW_V4, "198.18.0.0/24", 0 }, { BLOCK_V4_NET, "198.18.0.0/16", 1 } },
		  DROP, BLOCKLIST },
		{ "v6 allow only", { V6("2001:2::1") },
		  { { ALLOW_V6, "2001:2::1/128", 0 } }, PASS, NO_MATCH },
		{ "v6 /128 allow beats exact block", { V6("2001:2::1") },
		  { { ALLOW_V6, "2001:2::1/128", 1 }, { BLOCK_V6_ADDR, "2001:2::1", 0 } },
		  PASS, ALLOWLIST },
		{ "v6 /64 allow beats exact block", { V6("2001:2::1") },
		  { { ALLOW_V6, "2001:2::/64", 1 }, { BLOCK_V6_ADDR, "2001:2::1", 0 } },
		  PASS, ALLOWLIST },
		{ "v6 /64 allow beats /48 block", { V6("2001:2::1") },
		  { { ALLOW_V6, "2001:2::/64", 1 }, { BLOCK_V6_NET, "2001:2::/48", 0 } },
		  PASS, ALLOWLIST },
		{ "v6 /128 allow beats /64 block", { V6("2001:2::1") },
		  { { ALLOW_V6, "2001:2::1/128", 1 }, { BLOCK_V6_NET, "2001:2::/64", 0 } },
		  PASS, ALLOWLIST },
		{ "v6 allow /64 next door", { V6("2001:2:0:1::1") },
		  { { ALLOW_V6, "2001:2::/64", 0 }, { BLOCK_V6_NET, "2001:2::/48", 1 } },
		  DROP, BLOCKLIST },
		{ "v4 allow does not cover v6", { V6("2001:2::1") },
		  { { ALLOW_V4, "0.0.0.0/0", 0 }, { BLOCK_V6_ADDR, "2001:2::1", 1 } },
		  DROP, BLOCKLIST },
		{ "v6 allow does not cover v4", { V4("198.18.0.1") },
		  { { ALLOW_V6, "::/0", 0 }, { BLOCK_V4_ADDR, "198.18.0.1", 1 } },
		  DROP, BLOCKLIST },
	};

	RUN_TABLE(state, rows);
}

/*
 * The program skips a trie while it is empty; an entry added later must be
 * seen at once, and one deleted must stop matching.
 */
static void test_lpm_add_delete(void **state)
{
	enum step_op { OP_SEND, OP_ADD, OP_DEL };
#define SEND(s, a, r)	{ .op = OP_SEND, .src = (s), .action = (a), .reason = (r) }
#define ADD(l, p)	{ .op = OP_ADD, .e = ENTRY(l, p) }
#define DEL(l, p)	{ .op = OP_DEL, .e = ENTRY(l, p) }
	static const struct step {
		enum step_op op;
		const char *src;
		struct list_entry e;
		int action, reason;
	} steps[] = {
		SEND("198.18.7.7", PASS, NO_MATCH),
		ADD(BLOCK_V4_NET, "198.18.7.0/24"),
		SEND("198.18.7.7", DROP, BLOCKLIST),
		DEL(BLOCK_V4_NET, "198.18.7.0/24"),
		SEND("198.18.7.7", PASS, NO_MATCH),
		ADD(BLOCK_V4_NET, "198.18.0.0/16"),
		ADD(BLOCK_V4_NET, "198.18.7.0/24"),
		DEL(BLOCK_V4_NET, "198.18.7.0/24"),
		SEND("198.18.7.7", DROP, BLOCKLIST),
		DEL(BLOCK_V4_NET, "198.18.0.0/16"),
		SEND("198.18.7.7", PASS, NO_MATCH),
		ADD(BLOCK_V4_ADDR, "198.18.7.7"),
		ADD(ALLOW_V4, "198.18.7.0/24"),
		SEND("198.18.7.7", PASS, ALLOWLIST),
		DEL(ALLOW_V4, "198.18.7.0/24"),
		SEND("198.18.7.7", DROP, BLOCKLIST),
		DEL(BLOCK_V4_ADDR, "198.18.7.7"),
		SEND("198.18.7.7", PASS, NO_MATCH),
		SEND("2001:2:0:7::7", PASS, NO_MATCH),
		ADD(BLOCK_V6_NET, "2001:2:0:7::/64"),
		SEND("2001:2:0:7::7", DROP, BLOCKLIST),
		ADD(ALLOW_V6, "2001:2:0:7::7/128"),
		SEND("2001:2:0:7::7", PASS, ALLOWLIST),
		DEL(ALLOW_V6, "2001:2:0:7::7/128"),
		SEND("2001:2:0:7::7", DROP, BLOCKLIST),
		DEL(BLOCK_V6_NET, "2001:2:0:7::/64"),
		SEND("2001:2:0:7::7", PASS, NO_MATCH),
	};
#undef SEND
#undef ADD
#undef DEL
	struct fixture *fx = *state;
	struct xdpfwd_stats before;
	struct tally t = {};
	int failed = 0;
	char name[64];
	size_t i;

	assert_true(read_stats(fx, &before));
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		const struct step *s = &steps[i];
		struct frame_spec spec = { .ip = strchr(s->src ? s->src : "", ':') ? 6 : 4,
					   .src = s->src };
		struct frame f;

		snprintf(name, sizeof(name), "step %zu", i + 1);
		if (s->op != OP_SEND) {
			failed += !entry_op(fx, __func__, name, &s->e, s->op == OP_ADD);
			continue;
		}
		if (!frame_build(&f, &spec)) {
			failed += !report(__func__, name, "the frame spec does not build");
			continue;
		}
		failed += !expect_verdict(fx, __func__, name, f.data, f.len,
					  s->action, s->reason, &t);
	}
	failed += !check_tally(fx, __func__, &before, &t);
	assert_int_equal(failed, 0);
}

/*
 * Per-interface counters: the program counts a frame in the slot its daemon
 * gave the frame's ingress interface, scanning the whole table, and in the
 * "other" slot when the interface is not in the table.
 */
static void test_interface_slots(void **state)
{
	struct fixture *fx = *state;
	const __u32 slot_a = XDPFWD_STATS_SLOT_FIRST + 3, slot_b = XDPFWD_STATS_SLOT_FIRST + 9;
	struct frame_spec hit = { .ip = 4, .src = "198.18.0.1" }, miss = { .ip = 4, .src = "198.18.0.2" };
	struct xdpfwd_stats other0, other, a, b;
	struct xdpfwd_v4_key k = { { 198, 18, 0, 1 } };
	struct xdpfwd_entry e = {};
	struct frame fh, fm;
	int i;

	assert_true(frame_build(&fh, &hit));
	assert_true(frame_build(&fm, &miss));
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx->skel->maps.block_v4_addr), &k, &e, BPF_ANY), 0);
	assert_true(read_stats(fx, &other0));

	/* Our interface second in a table of two: the scan must not stop at the first. */
	fx->skel->bss->iface_slots.map[0].slot = slot_a;
	fx->skel->bss->iface_slots.map[0].ifindex = fx->ifindex + 1000;
	fx->skel->bss->iface_slots.map[1].slot = slot_b;
	fx->skel->bss->iface_slots.map[1].ifindex = fx->ifindex;
	fx->skel->bss->iface_slots.n = 2;
	for (i = 0; i < 3; i++)
		assert_int_equal(run_frame(fx, fh.data, fh.len), XDP_DROP);
	for (i = 0; i < 2; i++)
		assert_int_equal(run_frame(fx, fm.data, fm.len), XDP_PASS);
	assert_true(read_stats_slot(fx, slot_b, &b));
	assert_true(read_stats_slot(fx, slot_a, &a));
	assert_true(read_stats(fx, &other));
	assert_int_equal(b.packets[XDPFWD_ACT_DROP][XDPFWD_R_BLOCKLIST], 3);
	assert_int_equal(b.bytes[XDPFWD_ACT_DROP][XDPFWD_R_BLOCKLIST], 3 * fh.len);
	assert_int_equal(b.packets[XDPFWD_ACT_PASS][XDPFWD_R_NO_MATCH], 2);
	assert_int_equal(b.ev_eligible, 3);
	assert_int_equal(a.packets[XDPFWD_ACT_DROP][XDPFWD_R_BLOCKLIST], 0);
	assert_memory_equal(&other, &other0, sizeof(other));

	/* Entries past iface_slots.n are not looked at: the frame is "other". */
	fx->skel->bss->iface_slots.n = 1;
	assert_int_equal(run_frame(fx, fh.data, fh.len), XDP_DROP);
	assert_true(read_stats(fx, &other));
	assert_int_equal(other.packets[XDPFWD_ACT_DROP][XDPFWD_R_BLOCKLIST],
			 other0.packets[XDPFWD_ACT_DROP][XDPFWD_R_BLOCKLIST] + 1);
	assert_true(read_stats_slot(fx, slot_b, &b));
	assert_int_equal(b.packets[XDPFWD_ACT_DROP][XDPFWD_R_BLOCKLIST], 3);
}

/* ---- sets ------------------------------------------------------------------- */

enum expiry { EXP_NONE, EXP_PAST, EXP_LATER };

/* A list entry with its sets, written straight into its map. */
struct set_entry {
	enum list_id list;
	const char *addr;	/* an address, or "addr/len" for the tries */
	__u32 in0, in1;		/* member sets (real bits, no XOR) in generation 0 and 1 */
	__u32 timed;		/* sets whose membership ends at the deadline */
	enum expiry expiry;	/* the deadline: none, an hour ago, in an hour */
	__u8 count_set;
	bool no_plen1;		/* plen1 left 0, as an entry written with bpftool has it */
	__u64 hits;		/* packets the row must add to this entry */
};

/* Member of the same sets in both generations, as every entry at rest. */
#define IN(x)		.in0 = (x), .in1 = (x)
/* The per-set counter the frame must move: [kind][set]. */
#define BLK(s)		.ckind = XDPFWD_KIND_BLOCK, .cset = (s) + 1
#define ALW(s)		.ckind = XDPFWD_KIND_ALLOW, .cset = (s) + 1

#define MAX_SET_ENTRIES 4

struct set_row {
	const char *name;
	struct frame_spec frame;
	struct set_entry e[MAX_SET_ENTRIES];
	int action, reason;
	int ckind, cset;	/* cset: 1 + the set whose counter of kind ckind moves; 0: none moves */
	__u32 gen_block, gen_allow;	/* meta's set_gen while the row runs */
};

#define TCP(port)	.proto = IPPROTO_TCP, .dport = (port)
#define UDP(port)	.proto = IPPROTO_UDP, .dport = (port)

static __u64 boot_now(void)
{
	struct timespec ts;

	/* bpf_ktime_get_boot_ns(), which the program checks deadlines against. */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static bool set_entry_op(struct fixture *fx, const char *test, const char *row,
			 const struct set_entry *se, bool add)
{
	const struct list_entry le = ENTRY(se->list, se->addr);
	struct xdpfwd_entry v = {};
	union list_key k;
	int err;

	if (!list_key(&le, &k))
		return report(test, row, "bad %s entry \"%s\"", list_names[se->list], se->addr);
	if (!add) {
		bpf_map_delete_elem(list_fd(fx, se->list), &k);
		return true;
	}
	v.sets[0] = se->in0 ^ XDPFWD_SETS_XOR;
	v.sets[1] = se->in1 ^ XDPFWD_SETS_XOR;
	v.timed = se->timed;
	if (se->expiry == EXP_PAST)
		v.expires_ns = boot_now() - 3600 * NSEC_PER_SEC;
	else if (se->expiry == EXP_LATER)
		v.expires_ns = boot_now() + 3600 * NSEC_PER_SEC;
	v.count_set = se->count_set;
	/* What user space records: the prefix length + 1 (the tries' keys carry it first). */
	if (list_is_trie(se->list) && !se->no_plen1)
		v.plen1 = k.lpm4.prefixlen + 1;
	err = bpf_map_update_elem(list_fd(fx, se->list), &k, &v, BPF_NOEXIST);
	if (err)
		return report(test, row, "adding %s %s: %s", list_names[se->list], se->addr,
			      strerror(-err));
	return true;
}

/*
 * Each set's figure as readers show it (xdpfwd_set_packets(): manual's is
 * derived) that moved must be the row's, by one packet of len bytes; and the
 * program never writes id 0's own counters, which user space keeps for
 * deleted sets.
 */
static bool check_set_counters(const char *test, const char *row, const struct xdpfwd_stats *a,
			       const struct xdpfwd_stats *b, int ckind, int cset, __u32 len)
{
	static const char *const kinds[] = { "block", "allow" };
	bool ok = true;
	int kind, set;

	for (kind = 0; kind < XDPFWD_KINDS; kind++) {
		if (b->set_packets[kind][XDPFWD_SET_MANUAL] != a->set_packets[kind][XDPFWD_SET_MANUAL] ||
		    b->set_bytes[kind][XDPFWD_SET_MANUAL] != a->set_bytes[kind][XDPFWD_SET_MANUAL])
			ok = report(test, row, "the program wrote %s id 0's own counters", kinds[kind]);
		for (set = 0; set < XDPFWD_MAX_SETS; set++) {
			__u64 dp = xdpfwd_set_packets(b, kind, set) - xdpfwd_set_packets(a, kind, set);
			__u64 db = xdpfwd_set_bytes(b, kind, set) - xdpfwd_set_bytes(a, kind, set);
			bool want = cset && kind == ckind && set == cset - 1;

			if (dp != want || db != (want ? len : 0))
				ok = report(test, row, "%s set %d counted %llu packets, %llu bytes; want %d, %u",
					    kinds[kind], set, (unsigned long long)dp,
					    (unsigned long long)db, want, want ? len : 0);
		}
	}
	return ok;
}

static bool run_set_row(struct fixture *fx, const char *test, const void *row, struct tally *t)
{
	const struct set_row *r = row;
	struct xdpfwd_stats before, after;
	struct xdpfwd_entry val;
	struct frame f;
	bool ok = true;
	int added, i;

	if (!frame_build(&f, &r->frame))
		return report(test, r->name, "the frame spec does not build");
	if (fx_set_meta(fx, r->gen_block, r->gen_allow))
		return report(test, r->name, "writing meta failed");
	for (added = 0; added < MAX_SET_ENTRIES && r->e[added].list; added++) {
		if (!set_entry_op(fx, test, r->name, &r->e[added], true)) {
			ok = false;
			break;
		}
	}
	if (ok && !read_stats(fx, &before))
		ok = report(test, r->name, "reading stats failed");
	if (ok)
		ok = expect_verdict(fx, test, r->name, f.data, f.len, r->action, r->reason, t);
	if (ok && read_stats(fx, &after))
		ok = check_set_counters(test, r->name, &before, &after, r->ckind, r->cset, f.len);
	for (i = 0; ok && i < added; i++) {
		const struct list_entry le = ENTRY(r->e[i].list, r->e[i].addr);

		if (!entry_read(fx, test, r->name, &le, &val))
			ok = false;
		else if (val.packets != r->e[i].hits || val.bytes != r->e[i].hits * f.len)
			ok = report(test, r->name, "%s %s counted %llu packets; want %llu",
				    list_names[r->e[i].list], r->e[i].addr,
				    (unsigned long long)val.packets,
				    (unsigned long long)r->e[i].hits);
	}
	for (i = 0; i < added; i++)
		set_entry_op(fx, test, r->name, &r->e[i], false);
	fx_set_meta(fx, 0, 0);
	return ok;
}

#define RUN_SET_TABLE(state, rows) \
	assert_int_equal(run_table(*(state), __func__, rows, sizeof((rows)[0]), ARRAY_SIZE(rows), run_set_row), 0)

#define A1	"198.18.0.1"
#define A6	"2001:2::1"

/* Which generation of each set is live: meta's set_gen, set by set, and the XOR encoding. */
static void test_set_generations(void **state)
{
	static const struct set_row rows[] = {
		{ "all-zero value is manual: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)), .hits = 1 } }, DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "in no set: matches nothing", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(0) } }, PASS, NO_MATCH, .cset = 0 },
		{ "in an undefined set: matches nothing", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_UNDEF)) } }, PASS, NO_MATCH, .cset = 0 },
		{ "f2b in generation 0, gen 0: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, .in0 = M(S_F2B), .count_set = S_F2B, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B) },
		{ "f2b in generation 0, gen flipped: passes", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, .in0 = M(S_F2B), .count_set = S_F2B } },
		  PASS, NO_MATCH, .gen_block = M(S_F2B) },
		{ "f2b in generation 1, gen flipped: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, .in1 = M(S_F2B), .count_set = S_F2B, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B), .gen_block = M(S_F2B) },
		{ "f2b in generation 1, gen 0: passes", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, .in1 = M(S_F2B), .count_set = S_F2B } }, PASS, NO_MATCH, .cset = 0 },
		{ "other sets' generations do not matter", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_F2B)), .count_set = S_F2B, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B), .gen_block = ~M(S_F2B) },
		{ "manual in generation 1 only, its gen flipped: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, .in1 = M(S_MANUAL), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL), .gen_block = M(S_MANUAL) },
		{ "manual in generation 1 only, gen 0: passes", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, .in1 = M(S_MANUAL) } }, PASS, NO_MATCH, .cset = 0 },
		{ "f2b leaving, feed coming, mid-replace of both: audits", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, .in0 = M(S_F2B), .in1 = M(S_FEED), .count_set = S_FEED,
		      .hits = 1 } }, AUDIT, BLOCKLIST, BLK(S_FEED), .gen_block = M(S_F2B) | M(S_FEED) },
		{ "f2b leaving, feed coming, before both flips: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, .in0 = M(S_F2B), .in1 = M(S_FEED), .count_set = S_FEED,
		      .hits = 1 } }, DROP, BLOCKLIST, BLK(S_FEED) },
		{ "prefix in generation 0, gen flipped: the shorter one drops", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", .in0 = M(S_F2B), .count_set = S_F2B },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_MANUAL)), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL), .gen_block = M(S_F2B) },
		{ "prefix in generation 1, gen flipped: drops", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", .in1 = M(S_F2B), .count_set = S_F2B, .hits = 1 },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_MANUAL)) } },
		  DROP, BLOCKLIST, BLK(S_F2B), .gen_block = M(S_F2B) },
		{ "v6 exact in generation 1, gen flipped: drops", { V6(A6) },
		  { { BLOCK_V6_ADDR, A6, .in1 = M(S_F2B), .count_set = S_F2B, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B), .gen_block = M(S_F2B) },
		{ "v6 exact in generation 0, gen flipped: passes", { V6(A6) },
		  { { BLOCK_V6_ADDR, A6, .in0 = M(S_F2B) } }, PASS, NO_MATCH, .gen_block = M(S_F2B) },
		{ "allow in generation 0, allow gen 0: allowed", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)) },
		    { ALLOW_V4, "198.18.0.1/32", .in0 = M(S_MANUAL), .hits = 1 } },
		  PASS, ALLOWLIST, ALW(S_MANUAL) },
		{ "allow in generation 0, allow gen flipped: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)), .hits = 1 },
		    { ALLOW_V4, "198.18.0.1/32", .in0 = M(S_MANUAL) } },
		  DROP, BLOCKLIST, BLK(S_MANUAL), .gen_allow = M(S_MANUAL) },
		{ "block gen does not select allow members", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_F2B)), .count_set = S_F2B },
		    { ALLOW_V4, "198.18.0.1/32", .in0 = M(S_MANUAL), .hits = 1 } },
		  PASS, ALLOWLIST, ALW(S_MANUAL), .gen_block = M(S_MANUAL) },
	};

	RUN_SET_TABLE(state, rows);
}

/* A deadline ends the timed sets' membership only. */
static void test_set_expiry(void **state)
{
	static const struct set_row rows[] = {
		{ "manual and timed f2b, deadline passed: manual drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL) | M(S_F2B)), .timed = M(S_F2B),
		      .expiry = EXP_PAST, .hits = 1 } }, DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "timed f2b alone, deadline passed: passes", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_F2B)), .timed = M(S_F2B), .expiry = EXP_PAST,
		      .count_set = S_F2B } }, PASS, NO_MATCH, .cset = 0 },
		{ "timed f2b alone, deadline ahead: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_F2B)), .timed = M(S_F2B), .expiry = EXP_LATER,
		      .count_set = S_F2B, .hits = 1 } }, DROP, BLOCKLIST, BLK(S_F2B) },
		{ "feed and timed f2b, deadline passed: audits", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_FEED) | M(S_F2B)), .timed = M(S_F2B),
		      .expiry = EXP_PAST, .count_set = S_FEED, .hits = 1 } },
		  AUDIT, BLOCKLIST, BLK(S_FEED) },
		{ "a deadline without timed sets ends nothing", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_F2B)), .expiry = EXP_PAST, .count_set = S_F2B,
		      .hits = 1 } }, DROP, BLOCKLIST, BLK(S_F2B) },
		{ "timed bits of sets it is not in change nothing", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_F2B)), .timed = M(S_FEED), .expiry = EXP_PAST,
		      .count_set = S_F2B, .hits = 1 } }, DROP, BLOCKLIST, BLK(S_F2B) },
		{ "expired longer prefix: the shorter one drops", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_F2B)), .timed = M(S_F2B),
		      .expiry = EXP_PAST },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_MANUAL)), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "expired longer prefix without plen1: the shorter one drops", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_F2B)), .timed = M(S_F2B),
		      .expiry = EXP_PAST, .no_plen1 = true },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_MANUAL)), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "v6 expired /128 in the trie over a /48", { V6(A6) },
		  { { BLOCK_V6_NET, "2001:2::1/128", IN(M(S_F2B)), .timed = M(S_F2B),
		      .expiry = EXP_PAST, .no_plen1 = true },
		    { BLOCK_V6_NET, "2001:2::/48", IN(M(S_MANUAL)), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "expired allow entry: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)), .hits = 1 },
		    { ALLOW_V4, "198.18.0.0/24", IN(M(S_MANUAL)), .timed = M(S_MANUAL),
		      .expiry = EXP_PAST } }, DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "expired longer allow entry: the shorter one allows", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)) },
		    { ALLOW_V4, "198.18.0.1/32", IN(M(S_MANUAL)), .timed = M(S_MANUAL),
		      .expiry = EXP_PAST, .no_plen1 = true },
		    { ALLOW_V4, "198.18.0.0/16", IN(M(S_MANUAL)), .count_set = 3, .hits = 1 } },
		  PASS, ALLOWLIST, ALW(3) },
	};

	RUN_SET_TABLE(state, rows);
}

/* Prefixes of different sets and modes nest: the longest match alone does not decide. */
static void test_set_nesting(void **state)
{
	static const struct set_row rows[] = {
		{ "longer audit prefix inside a shorter enforcing one: drops", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_FEED)), .count_set = S_FEED },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_MANUAL)), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "the same without plen1", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_FEED)), .count_set = S_FEED,
		      .no_plen1 = true },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_MANUAL)), .no_plen1 = true, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "longer enforcing prefix inside a shorter audit one: drops", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_F2B)), .count_set = S_F2B, .hits = 1 },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_FEED)), .count_set = S_FEED } },
		  DROP, BLOCKLIST, BLK(S_F2B) },
		{ "outside the longer enforcing prefix: audits", { V4("198.18.1.1") },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_F2B)), .count_set = S_F2B },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_FEED)), .count_set = S_FEED, .hits = 1 } },
		  AUDIT, BLOCKLIST, BLK(S_FEED) },
		/* Found at its own length below a match: looked up again at that length, not one less. */
		{ "audit /25 right over an enforcing /24", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/25", IN(M(S_FEED)), .count_set = S_FEED },
		    { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_F2B)), .count_set = S_F2B, .hits = 1 },
		    { BLOCK_V4_NET, "198.18.0.0/23", IN(M(S_MANUAL)) } },
		  DROP, BLOCKLIST, BLK(S_F2B) },
		{ "none /25, audit /24 right under it, enforcing /16", { V4("198.18.0.200") },
		  { { BLOCK_V4_NET, "198.18.0.128/25", IN(0) },
		    { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_FEED)), .count_set = S_FEED, .hits = 1 },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_SSH)), .count_set = S_SSH } },
		  AUDIT, BLOCKLIST, BLK(S_FEED) },
		{ "exact audit entry under an enforcing prefix: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_FEED)), .count_set = S_FEED },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_MANUAL)), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "exact audit entry over an audit prefix: the exact one audits", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_FEED)), .count_set = S_FEED, .hits = 1 },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_FEED)), .count_set = S_FEED } },
		  AUDIT, BLOCKLIST, BLK(S_FEED) },
		{ "audit prefix over an audit prefix: the longer one audits", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_FEED)), .count_set = S_FEED, .hits = 1 },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_FEED)), .count_set = S_FEED } },
		  AUDIT, BLOCKLIST, BLK(S_FEED) },
		{ "exact entry in no live set hides nothing", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(0) },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_F2B)), .count_set = S_F2B, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B) },
		{ "non-live longer prefix hides nothing", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(0) },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_F2B)), .count_set = S_F2B, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B) },
		{ "four levels down to /0", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/28", IN(M(S_FEED)), .count_set = S_FEED },
		    { BLOCK_V4_NET, "198.18.0.0/24", IN(0) },
		    { BLOCK_V4_NET, "198.18.0.0/20", IN(M(S_UNDEF)) },
		    { BLOCK_V4_NET, "0.0.0.0/0", IN(M(S_LAST)), .count_set = S_LAST, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_LAST) },
		{ "four levels down to /0, no plen1", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/28", IN(M(S_FEED)), .no_plen1 = true },
		    { BLOCK_V4_NET, "198.18.0.0/24", IN(0), .no_plen1 = true },
		    { BLOCK_V4_NET, "198.18.0.0/20", IN(M(S_UNDEF)), .no_plen1 = true },
		    { BLOCK_V4_NET, "0.0.0.0/0", IN(M(S_LAST)), .count_set = S_LAST, .no_plen1 = true,
		      .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_LAST) },
		{ "four levels, none enforcing: the first audit decides", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/28", IN(0) },
		    { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_FEED)), .count_set = S_FEED, .hits = 1 },
		    { BLOCK_V4_NET, "198.18.0.0/20", IN(M(S_UNDEF)) },
		    { BLOCK_V4_NET, "0.0.0.0/0", IN(M(S_FEED)), .count_set = S_FEED } },
		  AUDIT, BLOCKLIST, BLK(S_FEED) },
		{ "v6 /64 audit inside a /48 enforcing", { V6("2001:2::1") },
		  { { BLOCK_V6_NET, "2001:2::/64", IN(M(S_FEED)), .count_set = S_FEED },
		    { BLOCK_V6_NET, "2001:2::/48", IN(M(S_MANUAL)), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "v6 /128, /64 audit, no plen1, over ::/0 enforcing", { V6("2001:2::1") },
		  { { BLOCK_V6_NET, "2001:2::1/128", IN(M(S_FEED)), .no_plen1 = true },
		    { BLOCK_V6_NET, "2001:2::/64", IN(M(S_FEED)), .no_plen1 = true },
		    { BLOCK_V6_NET, "::/0", IN(M(S_F2B)), .count_set = S_F2B, .no_plen1 = true,
		      .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B) },
		{ "v6 exact audit under an enforcing /64", { V6("2001:2::1") },
		  { { BLOCK_V6_ADDR, "2001:2::1", IN(M(S_FEED)), .count_set = S_FEED },
		    { BLOCK_V6_NET, "2001:2::/64", IN(M(S_MANUAL)), .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "scoped prefix inside an audit one, port in scope: drops", { V4(A1), TCP(22) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_SSH)), .count_set = S_SSH, .hits = 1 },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_FEED)), .count_set = S_FEED } },
		  DROP, BLOCKLIST, BLK(S_SSH) },
		{ "scoped prefix inside an audit one, other port: audits", { V4(A1), TCP(80) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_SSH)), .count_set = S_SSH },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_FEED)), .count_set = S_FEED, .hits = 1 } },
		  AUDIT, BLOCKLIST, BLK(S_FEED) },
		{ "scoped exact entry, other port, enforcing prefix: drops", { V4(A1), TCP(80) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_SSH)), .count_set = S_SSH },
		    { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_F2B)), .count_set = S_F2B, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B) },
	};

	RUN_SET_TABLE(state, rows);
}

/* A scoped set drops only the protocol and destination ports its scope names. */
static void test_set_scope(void **state)
{
#define SSH_ENTRY(h)	{ BLOCK_V4_ADDR, A1, IN(M(S_SSH)), .count_set = S_SSH, .hits = (h) }
	static const struct set_row rows[] = {
		{ "tcp:22 drops TCP to 22", { V4(A1), TCP(22) }, { SSH_ENTRY(1) },
		  DROP, BLOCKLIST, BLK(S_SSH) },
		{ "tcp:22 passes TCP to 80", { V4(A1), TCP(80) }, { SSH_ENTRY(0) }, PASS, NO_MATCH, .cset = 0 },
		{ "tcp:22 passes UDP to 22", { V4(A1), UDP(22) }, { SSH_ENTRY(0) }, PASS, NO_MATCH, .cset = 0 },
		{ "tcp:22 passes ICMP", { V4(A1), .proto = IPPROTO_ICMP }, { SSH_ENTRY(0) },
		  PASS, NO_MATCH, .cset = 0 },
		{ "tcp:22, first fragment (MF): drops", { V4(A1), TCP(22), .frag_off = IP_MF },
		  { SSH_ENTRY(1) }, DROP, BLOCKLIST, BLK(S_SSH) },
		{ "tcp:22, DF: drops", { V4(A1), TCP(22), .frag_off = IP_DF },
		  { SSH_ENTRY(1) }, DROP, BLOCKLIST, BLK(S_SSH) },
		{ "tcp:22, non-first fragment: passes", { V4(A1), TCP(22), .frag_off = IP_MF | 185 },
		  { SSH_ENTRY(0) }, PASS, NO_MATCH, .cset = 0 },
		{ "tcp:22, last fragment: passes", { V4(A1), TCP(22), .frag_off = 1 },
		  { SSH_ENTRY(0) }, PASS, NO_MATCH, .cset = 0 },
		{ "tcp:22, IPv4 options: drops", { V4(A1), TCP(22), .opt_len = 12 },
		  { SSH_ENTRY(1) }, DROP, BLOCKLIST, BLK(S_SSH) },
		{ "tcp:22, 802.1Q: drops", { V4(A1), TCP(22), .tags = { DOT1Q(10) } },
		  { SSH_ENTRY(1) }, DROP, BLOCKLIST, BLK(S_SSH) },
		{ "tcp:22, QinQ with options: drops", { V4(A1), TCP(22), .opt_len = 40,
		  .tags = { DOT1AD(100), DOT1Q(200) } }, { SSH_ENTRY(1) }, DROP, BLOCKLIST, BLK(S_SSH) },
		{ "tcp:22, QinQ, TCP to 80: passes", { V4(A1), TCP(80),
		  .tags = { DOT1AD(100), DOT1Q(200) } }, { SSH_ENTRY(0) }, PASS, NO_MATCH, .cset = 0 },
		{ "tcp:22, frame ends with the IP header: passes", { V4(A1), TCP(22), .no_l4 = true },
		  { SSH_ENTRY(0) }, PASS, NO_MATCH, .cset = 0 },
		{ "tcp:22 as a prefix drops TCP to 22", { V4(A1), TCP(22) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_SSH)), .count_set = S_SSH, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_SSH) },
		{ "tcp:22 as a prefix passes TCP to 23", { V4(A1), TCP(23) },
		  { { BLOCK_V4_NET, "198.18.0.0/24", IN(M(S_SSH)), .count_set = S_SSH } },
		  PASS, NO_MATCH, .cset = 0 },
		{ "udp:53 drops UDP to 53", { V4(A1), UDP(53) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_DNS)), .count_set = S_DNS, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_DNS) },
		{ "udp:53 passes TCP to 53", { V4(A1), TCP(53) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_DNS)), .count_set = S_DNS } }, PASS, NO_MATCH, .cset = 0 },
		{ "tcp (every port) drops TCP to 12345", { V4(A1), TCP(12345) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_TCP)), .count_set = S_TCP, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_TCP) },
		{ "tcp (every port) passes UDP", { V4(A1), UDP(12345) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_TCP)), .count_set = S_TCP } }, PASS, NO_MATCH, .cset = 0 },
		{ "tcp,udp:80,443 drops TCP to 443", { V4(A1), TCP(443) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_WEB)), .count_set = S_WEB, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_WEB) },
		{ "tcp,udp:80,443 drops UDP to 80", { V4(A1), UDP(80) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_WEB)), .count_set = S_WEB, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_WEB) },
		{ "tcp,udp:80,443 passes TCP to 22", { V4(A1), TCP(22) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_WEB)), .count_set = S_WEB } }, PASS, NO_MATCH, .cset = 0 },
		{ "ssh and dns: UDP to 53 drops, counted under its count_set", { V4(A1), UDP(53) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_SSH) | M(S_DNS)), .count_set = S_SSH, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_SSH) },
		{ "ssh and feed: TCP to 22 drops", { V4(A1), TCP(22) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_SSH) | M(S_FEED)), .count_set = S_SSH, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_SSH) },
		{ "ssh and feed: TCP to 80 audits", { V4(A1), TCP(80) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_SSH) | M(S_FEED)), .count_set = S_SSH, .hits = 1 } },
		  AUDIT, BLOCKLIST, BLK(S_SSH) },
		{ "v6 tcp:22 drops TCP to 22", { V6(A6), TCP(22) },
		  { { BLOCK_V6_ADDR, A6, IN(M(S_SSH)), .count_set = S_SSH, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_SSH) },
		{ "v6 tcp:22 passes TCP to 80", { V6(A6), TCP(80) },
		  { { BLOCK_V6_ADDR, A6, IN(M(S_SSH)), .count_set = S_SSH } }, PASS, NO_MATCH, .cset = 0 },
		{ "v6 tcp:22 with an extension header: passes", { V6(A6), TCP(22), .ext_hdr = true },
		  { { BLOCK_V6_ADDR, A6, IN(M(S_SSH)), .count_set = S_SSH } }, PASS, NO_MATCH, .cset = 0 },
		{ "v6 tcp:22 in 802.1Q, as a prefix: drops", { V6(A6), TCP(22), .tags = { DOT1Q(7) } },
		  { { BLOCK_V6_NET, "2001:2::/64", IN(M(S_SSH)), .count_set = S_SSH, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_SSH) },
		{ "v6 udp:53 drops UDP to 53", { V6(A6), UDP(53) },
		  { { BLOCK_V6_ADDR, A6, IN(M(S_DNS)), .count_set = S_DNS, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_DNS) },
		{ "v6 tcp:22, frame ends with the IP header: passes", { V6(A6), TCP(22), .no_l4 = true },
		  { { BLOCK_V6_ADDR, A6, IN(M(S_SSH)), .count_set = S_SSH } }, PASS, NO_MATCH, .cset = 0 },
	};
#undef SSH_ENTRY

	RUN_SET_TABLE(state, rows);
}

/* The allowlist wins over drops and audits alike; its entry and set count the packet. */
static void test_set_allowlist(void **state)
{
	static const struct set_row rows[] = {
		{ "allow over an enforcing set", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_F2B)), .count_set = S_F2B },
		    { ALLOW_V4, "198.18.0.1/32", IN(M(S_MANUAL)), .hits = 1 } },
		  PASS, ALLOWLIST, ALW(S_MANUAL) },
		{ "allow over an audit set", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_FEED)), .count_set = S_FEED },
		    { ALLOW_V4, "198.18.0.0/24", IN(M(5)), .count_set = 5, .hits = 1 } },
		  PASS, ALLOWLIST, ALW(5) },
		{ "allow over a scoped set, port in scope", { V4(A1), TCP(22) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_SSH)), .count_set = S_SSH },
		    { ALLOW_V4, "198.18.0.0/16", IN(M(2)), .count_set = 2, .hits = 1 } },
		  PASS, ALLOWLIST, ALW(2) },
		{ "allow of a scope miss: no match, the allow entry not hit", { V4(A1), TCP(80) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_SSH)), .count_set = S_SSH },
		    { ALLOW_V4, "198.18.0.0/16", IN(M(S_MANUAL)) } }, PASS, NO_MATCH, .cset = 0 },
		{ "allow in any allow set counts", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)) },
		    { ALLOW_V4, "198.18.0.1/32", IN(M(31)), .count_set = 31, .hits = 1 } },
		  PASS, ALLOWLIST, ALW(31) },
		{ "allow in no set: drops", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)), .hits = 1 },
		    { ALLOW_V4, "198.18.0.1/32", IN(0) } }, DROP, BLOCKLIST, BLK(S_MANUAL) },
		{ "allow in no set hides a shorter live allow", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)) },
		    { ALLOW_V4, "198.18.0.1/32", IN(0) },
		    { ALLOW_V4, "198.18.0.0/16", IN(M(S_MANUAL)), .hits = 1 } },
		  PASS, ALLOWLIST, ALW(S_MANUAL) },
		{ "the same without plen1", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)) },
		    { ALLOW_V4, "198.18.0.1/32", IN(0), .no_plen1 = true },
		    { ALLOW_V4, "198.18.0.0/16", IN(M(S_MANUAL)), .no_plen1 = true, .hits = 1 } },
		  PASS, ALLOWLIST, ALW(S_MANUAL) },
		/* Found at its own length below a match: looked up again at that length, not one less. */
		{ "dead allow /17 right over a live /16", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)) },
		    { ALLOW_V4, "198.18.0.0/17", IN(0) },
		    { ALLOW_V4, "198.18.0.0/16", IN(M(S_MANUAL)), .count_set = 7, .hits = 1 } },
		  PASS, ALLOWLIST, ALW(7) },
		{ "v6 dead allow /65, /64 without plen1, live /64", { V6(A6) },
		  { { BLOCK_V6_ADDR, A6, IN(M(S_MANUAL)) },
		    { ALLOW_V6, "2001:2::/65", IN(0), .no_plen1 = true },
		    { ALLOW_V6, "2001:2::/64", IN(M(S_MANUAL)), .no_plen1 = true, .hits = 1 } },
		  PASS, ALLOWLIST, ALW(S_MANUAL) },
		{ "the longest live allow entry counts", { V4(A1) },
		  { { BLOCK_V4_NET, "198.18.0.0/16", IN(M(S_MANUAL)) },
		    { ALLOW_V4, "198.18.0.0/24", IN(M(S_MANUAL)), .count_set = 4, .hits = 1 },
		    { ALLOW_V4, "198.18.0.0/20", IN(M(S_MANUAL)), .count_set = 6 } },
		  PASS, ALLOWLIST, ALW(4) },
		{ "v6 allow over a nested drop", { V6(A6) },
		  { { BLOCK_V6_NET, "2001:2::/64", IN(M(S_FEED)) },
		    { BLOCK_V6_NET, "2001:2::/48", IN(M(S_F2B)) },
		    { ALLOW_V6, "2001:2::/56", IN(M(S_MANUAL)), .hits = 1 } },
		  PASS, ALLOWLIST, ALW(S_MANUAL) },
	};

	RUN_SET_TABLE(state, rows);
}

/* Per-set counters count under the deciding entry's count_set, masked to a set id. */
static void test_set_counters(void **state)
{
	static const struct set_row rows[] = {
		{ "exact drop, fast path: count_set", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL) | M(S_F2B)), .count_set = S_F2B, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_F2B) },
		{ "set 31", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_LAST)), .count_set = S_LAST, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(S_LAST) },
		{ "count_set past the last id is masked", { V4(A1) },
		  { { BLOCK_V4_ADDR, A1, IN(M(S_MANUAL)), .count_set = 0xff, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(31) },
		{ "v6 exact drop", { V6(A6), .payload = 99 },
		  { { BLOCK_V6_ADDR, A6, IN(M(S_F2B)), .count_set = 9, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(9) },
		{ "prefix drop", { V4(A1), .payload = 300 },
		  { { BLOCK_V4_NET, "198.18.0.0/15", IN(M(S_F2B)), .count_set = 17, .hits = 1 } },
		  DROP, BLOCKLIST, BLK(17) },
		{ "no match counts no set", { V4(A1) }, { { BLOCK_V4_ADDR, "198.18.0.2", IN(M(S_F2B)) } },
		  PASS, NO_MATCH, .cset = 0 },
	};

	RUN_SET_TABLE(state, rows);
}

/* ---- parsing ---------------------------------------------------------------- */

static void test_vlan(void **state)
{
	static const struct row rows[] = {
		{ "802.1Q, blocked",
		  { V4("198.18.0.1"), .tags = { DOT1Q(10) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "802.1Q, not blocked",
		  { V4("198.18.0.2"), .tags = { DOT1Q(10) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, PASS, NO_MATCH },
		{ "802.1Q with PCP and DEI, blocked",
		  { V4("198.18.0.1"), .tags = { DOT1Q(0xb00a) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "802.1Q priority tag (VID 0), blocked",
		  { V4("198.18.0.1"), .tags = { DOT1Q(0) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "802.1ad alone, blocked",
		  { V4("198.18.0.1"), .tags = { DOT1AD(100) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "QinQ, blocked",
		  { V4("198.18.0.1"), .tags = { DOT1AD(100), DOT1Q(200) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "QinQ, blocked by prefix",
		  { V4("198.18.0.1"), .tags = { DOT1AD(100), DOT1Q(200) } },
		  { { BLOCK_V4_NET, "198.18.0.0/24", 1 } }, DROP, BLOCKLIST },
		{ "QinQ, not blocked",
		  { V4("198.18.0.2"), .tags = { DOT1AD(100), DOT1Q(200) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, PASS, NO_MATCH },
		{ "QinQ, allowlisted",
		  { V4("198.18.0.1"), .tags = { DOT1AD(100), DOT1Q(200) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 }, { ALLOW_V4, "198.18.0.1/32", 1 } },
		  PASS, ALLOWLIST },
		{ "two 802.1Q tags, blocked",
		  { V4("198.18.0.1"), .tags = { DOT1Q(10), DOT1Q(20) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "IPv6 in 802.1Q, blocked",
		  { V6("2001:2::1"), .tags = { DOT1Q(10) } },
		  { { BLOCK_V6_ADDR, "2001:2::1", 1 } }, DROP, BLOCKLIST },
		{ "IPv6 in QinQ, blocked",
		  { V6("2001:2::1"), .tags = { DOT1AD(100), DOT1Q(200) } },
		  { { BLOCK_V6_NET, "2001:2::/64", 1 } }, DROP, BLOCKLIST },
		{ "IPv6 in QinQ, not blocked",
		  { V6("2001:2::2"), .tags = { DOT1AD(100), DOT1Q(200) } },
		  { { BLOCK_V6_ADDR, "2001:2::1", 0 } }, PASS, NO_MATCH },
		{ "three tags, blocked",
		  { V4("198.18.0.1"), .tags = { DOT1AD(100), DOT1Q(200), DOT1Q(300) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, PASS, VLAN_DEPTH },
		{ "three tags, blocked by prefix",
		  { V4("198.18.0.1"), .tags = { DOT1Q(10), DOT1Q(20), DOT1Q(30) } },
		  { { BLOCK_V4_NET, "0.0.0.0/0", 0 } }, PASS, VLAN_DEPTH },
		{ "three tags, not blocked",
		  { V4("198.18.0.2"), .tags = { DOT1AD(100), DOT1Q(200), DOT1Q(300) } },
		  {}, PASS, VLAN_DEPTH },
		{ "three tags, IPv6 blocked",
		  { V6("2001:2::1"), .tags = { DOT1AD(100), DOT1AD(200), DOT1Q(300) } },
		  { { BLOCK_V6_ADDR, "2001:2::1", 0 } }, PASS, VLAN_DEPTH },
	};

	RUN_TABLE(state, rows);
}

static void test_not_ip(void **state)
{
	static const struct row rows[] = {
		{ "ARP from a blocked address", { .ethertype = ETH_P_ARP, .src = "198.18.0.1" },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, PASS, NOT_IP },
		{ "ARP in 802.1Q", { .ethertype = ETH_P_ARP, .src = "198.18.0.1",
		  .tags = { DOT1Q(10) } }, { { BLOCK_V4_NET, "0.0.0.0/0", 0 } }, PASS, NOT_IP },
		{ "ARP in QinQ", { .ethertype = ETH_P_ARP, .src = "198.18.0.1",
		  .tags = { DOT1AD(100), DOT1Q(200) } }, {}, PASS, NOT_IP },
		{ "LLDP", { .ethertype = ETH_P_LLDP }, {}, PASS, NOT_IP },
		{ "local experimental ethertype",
		  { .ethertype = ETH_P_802_EX1 }, {}, PASS, NOT_IP },
		{ "802.3 length field", { .ethertype = 46 }, {}, PASS, NOT_IP },
	};

	RUN_TABLE(state, rows);
}

/* Registered twice: with drop_malformed off and on (MAL_ACTION follows it). */
static void test_malformed(void **state)
{
	static const struct row rows[] = {
		{ "ihl 0", { V4("198.18.0.1"), IHL(0) },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 1", { V4("198.18.0.1"), IHL(1) },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 2", { V4("198.18.0.1"), IHL(2) },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 3", { V4("198.18.0.1"), IHL(3) },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 4", { V4("198.18.0.1"), IHL(4) },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 4, not blocked", { V4("198.18.0.2"), IHL(4) }, {}, MAL_ACTION, MALFORMED },
		{ "ihl 4 in 802.1Q", { V4("198.18.0.1"), IHL(4), .tags = { DOT1Q(10) } },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 5, frame ends with the header", { V4("198.18.0.1"), .no_l4 = true },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "ihl 6 with a 4-byte option, blocked", { V4("198.18.0.1"), .opt_len = 4 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "ihl 6, option missing", { V4("198.18.0.1"), IHL(6), .no_l4 = true },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 15 with options, blocked", { V4("198.18.0.1"), .opt_len = 40 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "ihl 15 with options, blocked by prefix", { V4("198.18.0.1"), .opt_len = 40 },
		  { { BLOCK_V4_NET, "198.18.0.0/15", 1 } }, DROP, BLOCKLIST },
		{ "ihl 15 with options, not blocked", { V4("198.18.0.2"), .opt_len = 40 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, PASS, NO_MATCH },
		{ "ihl 15, frame ends with the options", { V4("198.18.0.1"), .opt_len = 40,
		  .no_l4 = true }, { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		/* 8 bytes of UDP and 31 of payload: one byte short of 40 bytes of options. */
		{ "ihl 15, frame one byte short", { V4("198.18.0.1"), IHL(15), .payload = 31 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 15, no options at all", { V4("198.18.0.1"), IHL(15), .no_l4 = true },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "ihl 15, UDP only", { V4("198.18.0.1"), IHL(15) },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "version 6 in an IPv4 header", { V4("198.18.0.1"), .version = 6 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "version 15 in an IPv4 header", { V4("198.18.0.1"), .version = 15 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "IPv6 packet in an 0x0800 frame", { V6("2001:2::1"), .ethertype = ETH_P_IP },
		  { { BLOCK_V6_ADDR, "2001:2::1", 0 } }, MAL_ACTION, MALFORMED },
		{ "version 4 in an IPv6 header", { V6("2001:2::1"), .version = 4 },
		  { { BLOCK_V6_ADDR, "2001:2::1", 0 } }, MAL_ACTION, MALFORMED },
		{ "IPv4 packet in an 0x86dd frame", { V4("198.18.0.1"), .ethertype = ETH_P_IPV6,
		  .payload = 32 }, { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, MAL_ACTION, MALFORMED },
		{ "IPv6, frame ends with the header", { V6("2001:2::1"), .no_l4 = true },
		  { { BLOCK_V6_ADDR, "2001:2::1", 1 } }, DROP, BLOCKLIST },
	};

	RUN_TABLE(state, rows);
}

static void test_fragments(void **state)
{
	static const struct row rows[] = {
		{ "first fragment (MF), blocked", { V4("198.18.0.1"), .frag_off = IP_MF },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "first fragment (MF), not blocked", { V4("198.18.0.2"), .frag_off = IP_MF },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, PASS, NO_MATCH },
		{ "middle fragment, blocked", { V4("198.18.0.1"), .frag_off = IP_MF | 185 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "last fragment (offset), blocked", { V4("198.18.0.1"), .frag_off = 185 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "last fragment (offset), blocked by prefix",
		  { V4("198.18.0.1"), .frag_off = 185 },
		  { { BLOCK_V4_NET, "198.18.0.0/24", 1 } }, DROP, BLOCKLIST },
		{ "last fragment (offset), not blocked", { V4("198.18.0.2"), .frag_off = 185 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 } }, PASS, NO_MATCH },
		{ "largest offset, blocked", { V4("198.18.0.1"), .frag_off = IP_OFFMASK },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "DF, blocked", { V4("198.18.0.1"), .frag_off = IP_DF },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "fragment with options, blocked", { V4("198.18.0.1"), .frag_off = IP_MF,
		  .opt_len = 8 }, { { BLOCK_V4_ADDR, "198.18.0.1", 1 } }, DROP, BLOCKLIST },
		{ "fragment, allowlisted", { V4("198.18.0.1"), .frag_off = 185 },
		  { { BLOCK_V4_ADDR, "198.18.0.1", 0 }, { ALLOW_V4, "198.18.0.1/32", 1 } },
		  PASS, ALLOWLIST },
	};

	RUN_TABLE(state, rows);
}

/*
 * Every prefix of a blocked frame that stops inside the headers must be
 * MALFORMED, never a verdict on bytes past the end and never an abort.
 * Registered twice, like test_malformed.
 */
static void test_truncated(void **state)
{
	static const struct {
		const char *name;
		struct frame_spec frame;
		struct list_entry block;
	} cases[] = {
		{ "IPv4", { V4("198.18.0.1") }, ENTRY(BLOCK_V4_ADDR, "198.18.0.1") },
		{ "IPv4 802.1Q", { V4("198.18.0.1"), .tags = { DOT1Q(10) } },
		  ENTRY(BLOCK_V4_ADDR, "198.18.0.1") },
		{ "IPv4 QinQ", { V4("198.18.0.1"), .tags = { DOT1AD(100), DOT1Q(200) } },
		  ENTRY(BLOCK_V4_ADDR, "198.18.0.1") },
		{ "IPv4 ihl 15", { V4("198.18.0.1"), .opt_len = 40 },
		  ENTRY(BLOCK_V4_NET, "198.18.0.0/24") },
		{ "IPv6", { V6("2001:2::1") }, ENTRY(BLOCK_V6_ADDR, "2001:2::1") },
		{ "IPv6 802.1Q", { V6("2001:2::1"), .tags = { DOT1Q(10) } },
		  ENTRY(BLOCK_V6_ADDR, "2001:2::1") },
		{ "IPv6 QinQ", { V6("2001:2::1"), .tags = { DOT1AD(100), DOT1Q(200) } },
		  ENTRY(BLOCK_V6_NET, "2001:2::/64") },
	};
	struct fixture *fx = *state;
	struct xdpfwd_stats before;
	struct tally t = {};
	struct xdpfwd_entry val;
	int failed = 0;
	char name[96];
	struct frame f;
	size_t i;
	__u32 len;
	int ret;

	assert_true(read_stats(fx, &before));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!frame_build(&f, &cases[i].frame) ||
		    !entry_op(fx, __func__, cases[i].name, &cases[i].block, true)) {
			failed++;
			continue;
		}
		/* The whole frame drops, so MALFORMED below is the truncation's doing. */
		snprintf(name, sizeof(name), "%s, whole %u bytes", cases[i].name, f.len);
		failed += !expect_verdict(fx, __func__, name, f.data, f.len, DROP, BLOCKLIST, &t);

		for (len = ETH_HLEN; len < f.ip_end; len++) {
			snprintf(name, sizeof(name), "%s, first %u bytes", cases[i].name, len);
			failed += !expect_verdict(fx, __func__, name, f.data, len,
						  fx->malformed_action, MALFORMED, &t);
		}
		/* Shorter than an Ethernet header: the kernel refuses the run itself. */
		for (len = 0; len < ETH_HLEN; len++) {
			snprintf(name, sizeof(name), "%s, first %u bytes", cases[i].name, len);
			ret = run_frame(fx, f.data, len);
			if (ret != -EINVAL)
				failed += !report(__func__, name,
						  "test run returned %d, want -EINVAL", ret);
		}
		if (entry_read(fx, __func__, cases[i].name, &cases[i].block, &val) &&
		    val.packets != 1)
			failed += !report(__func__, cases[i].name,
					  "entry counted %llu packets, want only the whole frame",
					  (unsigned long long)val.packets);
		entry_op(fx, __func__, cases[i].name, &cases[i].block, false);
	}
	failed += !check_tally(fx, __func__, &before, &t);
	assert_int_equal(failed, 0);
}

/* ---- counters --------------------------------------------------------------- */

static void test_entry_counters(void **state)
{
	static const struct list_entry exact = ENTRY(BLOCK_V4_ADDR, "198.18.0.1");
	static const struct list_entry net = ENTRY(BLOCK_V6_NET, "2001:2::/64");
	static const struct list_entry allow = ENTRY(ALLOW_V4, "198.18.1.0/24");
	/* Blocks what allow lets through: the allow entry counts, this one never does. */
	static const struct list_entry rescued = ENTRY(BLOCK_V4_NET, "198.18.1.0/28");
	static const struct list_entry idle = ENTRY(BLOCK_V4_ADDR, "198.18.0.2");
	static const struct {
		const struct list_entry *e;
		struct frame_spec frame;
		int action, reason;
	} sends[] = {
		{ &exact, { V4("198.18.0.1") }, DROP, BLOCKLIST },
		{ &exact, { V4("198.18.0.1"), .payload = 100 }, DROP, BLOCKLIST },
		{ &exact, { V4("198.18.0.1"), .opt_len = 12, .payload = 7 }, DROP, BLOCKLIST },
		{ &net, { V6("2001:2::1") }, DROP, BLOCKLIST },
		{ &net, { V6("2001:2::2"), .payload = 333 }, DROP, BLOCKLIST },
		{ &allow, { V4("198.18.1.1"), .payload = 1 }, PASS, ALLOWLIST },
	};
	const struct list_entry *entries[] = { &exact, &net, &allow, &idle, &rescued };
	__u64 want_packets[ARRAY_SIZE(entries)] = {};
	__u64 want_bytes[ARRAY_SIZE(entries)] = {};
	__u64 last_hit[ARRAY_SIZE(entries)] = {};
	struct fixture *fx = *state;
	struct xdpfwd_stats before;
	struct xdpfwd_entry val;
	struct tally t = {};
	__u64 t0, t1;
	int failed = 0;
	struct frame f;
	size_t round, i, j;

	assert_true(read_stats(fx, &before));
	for (j = 0; j < ARRAY_SIZE(entries); j++)
		assert_true(entry_op(fx, __func__, "setup", entries[j], true));

	/* Two rounds a few clock ticks apart: last_hit_ns must move forward. */
	for (round = 0; round < 2; round++) {
		if (round)
			usleep(50 * 1000);
		t0 = coarse_now();
		for (i = 0; i < ARRAY_SIZE(sends); i++) {
			assert_true(frame_build(&f, &sends[i].frame));
			failed += !expect_verdict(fx, __func__, sends[i].e->addr, f.data, f.len,
						  sends[i].action, sends[i].reason, &t);
			for (j = 0; entries[j] != sends[i].e; j++)
				;
			want_packets[j]++;
			want_bytes[j] += f.len;
		}
		t1 = coarse_now();

		for (j = 0; j < ARRAY_SIZE(entries); j++) {
			const struct list_entry *e = entries[j];

			if (!entry_read(fx, __func__, e->addr, e, &val)) {
				failed++;
				continue;
			}
			if (val.packets != want_packets[j] || val.bytes != want_bytes[j])
				failed += !report(__func__, e->addr,
						  "round %zu: %llu packets, %llu bytes; want %llu, %llu",
						  round, (unsigned long long)val.packets,
						  (unsigned long long)val.bytes,
						  (unsigned long long)want_packets[j],
						  (unsigned long long)want_bytes[j]);
			if (!want_packets[j]) {
				if (val.last_hit_ns)
					failed += !report(__func__, e->addr,
							  "never hit but last_hit_ns %llu",
							  (unsigned long long)val.last_hit_ns);
				continue;
			}
			if (val.last_hit_ns < t0 || val.last_hit_ns > t1 ||
			    val.last_hit_ns <= last_hit[j])
				failed += !report(__func__, e->addr,
						  "round %zu: last_hit_ns %llu, want in [%llu, %llu] and after %llu",
						  round, (unsigned long long)val.last_hit_ns,
						  (unsigned long long)t0, (unsigned long long)t1,
						  (unsigned long long)last_hit[j]);
			last_hit[j] = val.last_hit_ns;
			if (val.expires_ns || val.sets[0] || val.sets[1] || val.timed ||
			    val.count_set || val.plen1 || val.pad[0] || val.pad[1])
				failed += !report(__func__, e->addr, "fields the program only reads changed");
		}
	}
	failed += !check_tally(fx, __func__, &before, &t);
	assert_int_equal(failed, 0);
}

/* ---- events ----------------------------------------------------------------- */

struct ev_counts {
	__u64 eligible, sent, suppressed_source, suppressed_global, lost;
};

static bool check_ev_stats(struct fixture *fx, const char *test, struct ev_counts want)
{
	struct xdpfwd_stats s;
	bool ok = true;

	if (!read_stats(fx, &s))
		return report(test, "stats", "reading stats failed");
#define CHECK_EV(field, stat)							\
	do {									\
		if (s.stat != want.field)					\
			ok = report(test, "stats", #stat " is %llu, want %llu",	\
				    (unsigned long long)s.stat,			\
				    (unsigned long long)want.field);		\
	} while (0)
	CHECK_EV(eligible, ev_eligible);
	CHECK_EV(sent, ev_sent);
	CHECK_EV(suppressed_source, ev_suppressed_source);
	CHECK_EV(suppressed_global, ev_suppressed_global);
	CHECK_EV(lost, ev_lost);
#undef CHECK_EV
	if (s.ev_sent + s.ev_suppressed_source + s.ev_suppressed_global + s.ev_lost !=
	    s.ev_eligible)
		ok = report(test, "stats", "sent + suppressed + lost = %llu, eligible %llu",
			    (unsigned long long)(s.ev_sent + s.ev_suppressed_source +
						 s.ev_suppressed_global + s.ev_lost),
			    (unsigned long long)s.ev_eligible);
	return ok;
}

/* Sends one frame that must get the given verdict; events are not consumed. */
static bool send_frame(struct fixture *fx, const char *test, const struct frame_spec *spec,
		       int action, int reason, __u32 *len)
{
	struct tally t = {};
	struct frame f;

	if (!frame_build(&f, spec))
		return report(test, spec->src, "the frame spec does not build");
	if (len)
		*len = f.len;
	return expect_verdict(fx, test, spec->src, f.data, f.len, action, reason, &t);
}

/* Consumes everything queued; false unless exactly want events came out. */
static bool expect_events(struct fixture *fx, const char *test, const char *what,
			  unsigned int want)
{
	int n;

	fx->n_ev = 0;
	fx->bad_ev = 0;
	n = ring_buffer__consume(fx->rb);
	if (n < 0)
		return report(test, what, "ring_buffer__consume: %s", strerror(-n));
	if (fx->bad_ev)
		return report(test, what, "%u ring buffer records of the wrong size", fx->bad_ev);
	if (fx->n_ev != want)
		return report(test, what, "%u events, want %u", fx->n_ev, want);
	return true;
}

/* The event address: IPv6 as is, IPv4 as ::ffff:a.b.c.d. */
static void event_addr(const char *src, __u8 addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET6, src, addr) == 1)
		return;
	addr[10] = 0xff;
	addr[11] = 0xff;
	inet_pton(AF_INET, src, addr + 12);
}

static bool check_event(const char *test, const char *what, const struct xdpfwd_event *ev,
			const struct xdpfwd_event *want, __u64 t0, __u64 t1)
{
	char got_addr[INET6_ADDRSTRLEN], want_addr[INET6_ADDRSTRLEN];
	bool ok = true;

#define CHECK_FIELD(f)								\
	do {									\
		if (ev->f != want->f)						\
			ok = report(test, what, "event " #f " is %llu, want %llu", \
				    (unsigned long long)ev->f,			\
				    (unsigned long long)want->f);		\
	} while (0)
	CHECK_FIELD(ifindex);
	CHECK_FIELD(len);
	CHECK_FIELD(family);
	CHECK_FIELD(action);
	CHECK_FIELD(reason);
	CHECK_FIELD(proto);
	CHECK_FIELD(vlan);
	CHECK_FIELD(set);
	CHECK_FIELD(flags);
#undef CHECK_FIELD
	if (memcmp(ev->addr, want->addr, 16)) {
		inet_ntop(AF_INET6, ev->addr, got_addr, sizeof(got_addr));
		inet_ntop(AF_INET6, want->addr, want_addr, sizeof(want_addr));
		ok = report(test, what, "event addr is %s, want %s", got_addr, want_addr);
	}
	if (ev->ts_ns < t0 || ev->ts_ns > t1)
		ok = report(test, what, "event ts_ns %llu outside [%llu, %llu]",
			    (unsigned long long)ev->ts_ns, (unsigned long long)t0,
			    (unsigned long long)t1);
	return ok;
}

/* Finds the kept event from src; NULL (after a message) if there is none. */
static const struct xdpfwd_event *find_event(struct fixture *fx, const char *test,
					     const char *src)
{
	__u8 addr[16];
	unsigned int i;

	event_addr(src, addr);
	for (i = 0; i < fx->n_ev && i < MAX_KEPT_EVENTS; i++)
		if (!memcmp(fx->ev[i].addr, addr, 16))
			return &fx->ev[i];
	report(test, src, "no event from this source");
	return NULL;
}

static void test_event_fields(void **state)
{
	static const struct frame_spec blocked = { V4("198.18.0.1"), .payload = 10 };
	static const struct frame_spec passed = { V4("198.18.0.2") };
	static const struct list_entry e = ENTRY(BLOCK_V4_ADDR, "198.18.0.1");
	struct fixture *fx = *state;
	struct xdpfwd_event want = {
		.ifindex = fx->ifindex,
		.family = 4,
		.action = DROP,
		.reason = BLOCKLIST,
		.proto = IPPROTO_UDP,
	};
	struct xdpfwd_entry val;
	__u64 t0, t1;
	int i;

	event_addr("198.18.0.1", want.addr);
	assert_true(entry_op(fx, __func__, "setup", &e, true));
	t0 = coarse_now();
	for (i = 0; i < 5; i++) {
		assert_true(send_frame(fx, __func__, &blocked, DROP, BLOCKLIST, &want.len));
		assert_true(send_frame(fx, __func__, &passed, PASS, NO_MATCH, NULL));
	}
	t1 = coarse_now();
	assert_true(expect_events(fx, __func__, "5 drops from one source", 1));
	assert_true(check_event(__func__, "5 drops from one source", &fx->ev[0], &want, t0, t1));
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = 5, .sent = 1, .suppressed_source = 4 }));
	/* An exact entry carries its own log limit: its stamp is the event's. */
	assert_true(entry_read(fx, __func__, "entry", &e, &val));
	if (val.last_log_ns != fx->ev[0].ts_ns)
		fail_msg("[%s] entry: last_log_ns %llu, want the event's %llu", __func__,
			 (unsigned long long)val.last_log_ns, (unsigned long long)fx->ev[0].ts_ns);
}

static void test_event_sources(void **state)
{
	static const struct list_entry entries[] = {
		ENTRY(BLOCK_V4_ADDR, "198.18.0.1"),
		ENTRY(BLOCK_V4_ADDR, "198.18.0.2"),
		ENTRY(BLOCK_V4_NET, "198.18.1.0/24"),
		ENTRY(BLOCK_V6_NET, "2001:2:0:1::/64"),
	};
	static const struct frame_spec frames[] = {
		{ V4("198.18.0.1") },
		{ V4("198.18.0.2") },
		{ V4("198.18.1.1") },
		{ V4("198.18.1.2") },
		{ V6("2001:2:0:1::1"), .proto = IPPROTO_ICMPV6 },
		{ V6("2001:2:0:1::2") },
	};
	struct fixture *fx = *state;
	const struct xdpfwd_event *ev;
	struct xdpfwd_event want;
	__u64 t0, t1, stamp;
	__u32 len[ARRAY_SIZE(frames)];
	size_t i;
	int round;

	for (i = 0; i < ARRAY_SIZE(entries); i++)
		assert_true(entry_op(fx, __func__, "setup", &entries[i], true));
	t0 = coarse_now();
	for (round = 0; round < 3; round++)
		for (i = 0; i < ARRAY_SIZE(frames); i++)
			assert_true(send_frame(fx, __func__, &frames[i], DROP, BLOCKLIST, &len[i]));
	t1 = coarse_now();

	/* One event per source, whether it hit an exact entry or a shared prefix. */
	assert_true(expect_events(fx, __func__, "3 drops from each source", ARRAY_SIZE(frames)));
	for (i = 0; i < ARRAY_SIZE(frames); i++) {
		ev = find_event(fx, __func__, frames[i].src);
		assert_non_null(ev);
		want = (struct xdpfwd_event){
			.ifindex = fx->ifindex,
			.len = len[i],
			.family = frames[i].ip,
			.action = DROP,
			.reason = BLOCKLIST,
			.proto = frames[i].proto ? frames[i].proto : IPPROTO_UDP,
		};
		event_addr(frames[i].src, want.addr);
		assert_true(check_event(__func__, frames[i].src, ev, &want, t0, t1));
		/* Prefix hits keep their per-source stamp in the log_state LRU. */
		if (i >= 2) {
			if (bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.log_state),
						want.addr, &stamp))
				fail_msg("[%s] %s: no log_state entry", __func__, frames[i].src);
			if (stamp != ev->ts_ns)
				fail_msg("[%s] %s: log_state stamp %llu, want the event's %llu",
					 __func__, frames[i].src, (unsigned long long)stamp,
					 (unsigned long long)ev->ts_ns);
		}
	}
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = 3 * ARRAY_SIZE(frames), .sent = ARRAY_SIZE(frames),
		.suppressed_source = 2 * ARRAY_SIZE(frames) }));
}

static void test_event_vlan(void **state)
{
	static const struct {
		struct frame_spec frame;
		__u16 vlan;
	} cases[] = {
		{ { V4("198.18.0.1") }, 0 },
		{ { V4("198.18.0.2"), .tags = { DOT1Q(10) } }, 10 },
		{ { V4("198.18.0.3"), .tags = { DOT1Q(0xb00a) } }, 10 },
		{ { V4("198.18.0.4"), .tags = { DOT1AD(100), DOT1Q(200) } }, 100 },
		{ { V6("2001:2::4"), .tags = { DOT1AD(4095), DOT1Q(1) } }, 4095 },
	};
	static const struct list_entry block[] = {
		ENTRY(BLOCK_V4_NET, "198.18.0.0/24"),
		ENTRY(BLOCK_V6_NET, "2001:2::/64"),
	};
	struct fixture *fx = *state;
	const struct xdpfwd_event *ev;
	size_t i;
	int failed = 0;

	for (i = 0; i < ARRAY_SIZE(block); i++)
		assert_true(entry_op(fx, __func__, "setup", &block[i], true));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_true(send_frame(fx, __func__, &cases[i].frame, DROP, BLOCKLIST, NULL));
	assert_true(expect_events(fx, __func__, "one drop per source", ARRAY_SIZE(cases)));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ev = find_event(fx, __func__, cases[i].frame.src);
		if (!ev)
			failed++;
		else if (ev->vlan != cases[i].vlan)
			failed += !report(__func__, cases[i].frame.src, "event vlan %u, want %u",
					  ev->vlan, cases[i].vlan);
	}
	assert_int_equal(failed, 0);
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = ARRAY_SIZE(cases), .sent = ARRAY_SIZE(cases) }));
}

/* Loaded with log_source_interval_ns = log_global_interval_ns = 0. */
static void test_event_unlimited(void **state)
{
	static const struct list_entry block[] = {
		ENTRY(BLOCK_V4_ADDR, "198.18.0.1"),
		ENTRY(BLOCK_V4_NET, "198.18.1.0/24"),
	};
	static const struct frame_spec frames[] = {
		{ V4("198.18.0.1") },
		{ V4("198.18.1.1") },
	};
	struct fixture *fx = *state;
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(block); i++)
		assert_true(entry_op(fx, __func__, "setup", &block[i], true));
	for (n = 0; n < 5; n++)
		for (i = 0; i < ARRAY_SIZE(frames); i++)
			assert_true(send_frame(fx, __func__, &frames[i], DROP, BLOCKLIST, NULL));
	assert_true(expect_events(fx, __func__, "5 drops from 2 sources", 10));
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = 10, .sent = 10 }));
}

/* Loaded with a GCRA budget of 1 s per event and 2 s tolerance: bursts of 3. */
static void test_event_global_budget(void **state)
{
	static const struct list_entry block = ENTRY(BLOCK_V4_NET, "198.18.2.0/24");
	struct fixture *fx = *state;
	struct frame_spec spec = { .ip = 4 };
	char src[10][32];
	__u64 t0, t1, tat;
	int i;

	assert_true(entry_op(fx, __func__, "setup", &block, true));
	t0 = coarse_now();
	for (i = 0; i < 10; i++) {
		snprintf(src[i], sizeof(src[i]), "198.18.2.%d", i + 1);
		spec.src = src[i];
		assert_true(send_frame(fx, __func__, &spec, DROP, BLOCKLIST, NULL));
	}
	t1 = coarse_now();
	assert_true(expect_events(fx, __func__, "10 sources, burst 3", 3));
	for (i = 0; i < 3; i++)
		assert_non_null(find_event(fx, __func__, src[i]));
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = 10, .sent = 3, .suppressed_global = 7 }));
	/* Three events each moved the theoretical arrival time by one interval. */
	tat = fx->skel->bss->log_tat_ns;
	if (tat < t0 + 3 * NSEC_PER_SEC || tat > t1 + 3 * NSEC_PER_SEC)
		fail_msg("[%s] log_tat_ns %llu, want 3 intervals after [%llu, %llu]", __func__,
			 (unsigned long long)tat, (unsigned long long)t0, (unsigned long long)t1);
}

/* Loaded with log_enabled = 0. */
static void test_event_disabled(void **state)
{
	static const struct list_entry block = ENTRY(BLOCK_V4_ADDR, "198.18.0.1");
	static const struct frame_spec frame = { V4("198.18.0.1") };
	struct fixture *fx = *state;
	struct xdpfwd_entry val;
	int i;

	assert_true(entry_op(fx, __func__, "setup", &block, true));
	for (i = 0; i < 5; i++)
		assert_true(send_frame(fx, __func__, &frame, DROP, BLOCKLIST, NULL));
	assert_true(expect_events(fx, __func__, "logging disabled", 0));
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){}));
	assert_true(entry_read(fx, __func__, "entry", &block, &val));
	if (val.packets != 5 || val.last_log_ns)
		fail_msg("[%s] entry: %llu packets, last_log_ns %llu; want 5, 0", __func__,
			 (unsigned long long)val.packets, (unsigned long long)val.last_log_ns);
}

/* Loaded unlimited: every drop reaches the ring buffer until it is full. */
static void test_event_ring_full(void **state)
{
	static const struct list_entry block = ENTRY(BLOCK_V4_ADDR, "198.18.0.1");
	static const struct frame_spec spec = { V4("198.18.0.1") };
	/* Records are 8-byte aligned and carry an 8-byte header. */
	const __u32 rec = (sizeof(struct xdpfwd_event) + BPF_RINGBUF_HDR_SZ + 7) & ~7u;
	const __u32 capacity = XDPFWD_RINGBUF_BYTES / rec;
	const __u32 extra = 10;
	struct fixture *fx = *state;
	struct frame f;
	__u32 i;
	int ret, bad = 0;

	assert_true(entry_op(fx, __func__, "setup", &block, true));
	assert_true(frame_build(&f, &spec));
	/* Straight to run_frame: per-frame stats reads would make this slow. */
	for (i = 0; i < capacity + extra; i++) {
		ret = run_frame(fx, f.data, f.len);
		if (ret != XDP_DROP && !bad++)
			report(__func__, "fill", "frame %u returned %d, want XDP_DROP", i, ret);
	}
	assert_int_equal(bad, 0);
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = capacity + extra, .sent = capacity, .lost = extra }));

	/* Consuming frees the space again. */
	assert_true(expect_events(fx, __func__, "full ring", capacity));
	assert_true(send_frame(fx, __func__, &spec, DROP, BLOCKLIST, NULL));
	assert_true(expect_events(fx, __func__, "after consuming", 1));
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = capacity + extra + 1, .sent = capacity + 1, .lost = extra }));
}

/* Loaded with drop_malformed = 1: malformed drops are logged like any other. */
static void test_event_malformed(void **state)
{
	static const struct frame_spec bad_ihl = { V4("198.18.0.9"), IHL(3) };
	static const struct frame_spec whole = { V4("198.18.0.10") };
	struct fixture *fx = *state;
	struct xdpfwd_event want_ihl = {
		.ifindex = fx->ifindex,
		.family = 4,
		.set = XDPFWD_EVENT_NO_SET,
		.action = DROP,
		.reason = MALFORMED,
		.proto = IPPROTO_UDP,
	};
	/* Cut inside the IPv4 header: nothing about the source is known. */
	struct xdpfwd_event want_cut = {
		.ifindex = fx->ifindex,
		.len = ETH_HLEN + 10,
		.set = XDPFWD_EVENT_NO_SET,
		.action = DROP,
		.reason = MALFORMED,
	};
	const struct xdpfwd_event *ev_ihl = NULL, *ev_cut = NULL;
	struct outcome o;
	struct frame f;
	__u64 t0, t1;
	unsigned int i;
	int round;

	event_addr("198.18.0.9", want_ihl.addr);
	assert_true(frame_build(&f, &whole));
	t0 = coarse_now();
	assert_true(send_frame(fx, __func__, &bad_ihl, DROP, MALFORMED, &want_ihl.len));
	/* Unparsed frames share the all-zero source, so the second is suppressed. */
	for (round = 0; round < 2; round++) {
		assert_true(run_classify(fx, __func__, "cut", f.data, want_cut.len, &o));
		assert_true(check_outcome(__func__, "cut", &o, DROP, MALFORMED));
	}
	t1 = coarse_now();
	assert_true(expect_events(fx, __func__, "ihl 3 and two cut frames", 2));
	for (i = 0; i < fx->n_ev; i++) {
		if (fx->ev[i].family)
			ev_ihl = &fx->ev[i];
		else
			ev_cut = &fx->ev[i];
	}
	assert_non_null(ev_ihl);
	assert_non_null(ev_cut);
	assert_true(check_event(__func__, "ihl 3", ev_ihl, &want_ihl, t0, t1));
	assert_true(check_event(__func__, "cut", ev_cut, &want_cut, t0, t1));
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = 3, .sent = 2, .suppressed_source = 1 }));
}

/*
 * An audit match is logged as a drop would be, under the same limits, with
 * action audit; every event names the deciding entry's count_set.
 */
static void test_event_audit(void **state)
{
	static const struct set_entry entries[] = {
		{ BLOCK_V4_ADDR, "198.18.0.1", IN(M(S_FEED)), .count_set = S_FEED },
		{ BLOCK_V4_NET, "198.18.1.0/24", IN(M(S_FEED)), .count_set = S_FEED },
		{ BLOCK_V4_ADDR, "198.18.0.2", IN(M(S_F2B)), .count_set = S_F2B },
		{ BLOCK_V6_NET, "2001:2::/64", IN(M(S_SSH)), .count_set = S_SSH },
	};
	static const struct {
		struct frame_spec frame;
		int action;
		__u8 set;
	} sends[] = {
		{ { V4("198.18.0.1") }, AUDIT, S_FEED },
		{ { V4("198.18.1.1") }, AUDIT, S_FEED },
		{ { V4("198.18.0.2") }, DROP, S_F2B },
		{ { V6("2001:2::1"), TCP(22) }, DROP, S_SSH },
	};
	struct fixture *fx = *state;
	const struct xdpfwd_event *ev;
	struct xdpfwd_event want;
	struct xdpfwd_stats s;
	__u32 len[ARRAY_SIZE(sends)];
	__u64 t0, t1;
	size_t i;
	int round;

	for (i = 0; i < ARRAY_SIZE(entries); i++)
		assert_true(set_entry_op(fx, __func__, "setup", &entries[i], true));
	t0 = coarse_now();
	for (round = 0; round < 3; round++)
		for (i = 0; i < ARRAY_SIZE(sends); i++)
			assert_true(send_frame(fx, __func__, &sends[i].frame, sends[i].action,
					       BLOCKLIST, &len[i]));
	t1 = coarse_now();
	assert_true(expect_events(fx, __func__, "3 matches from each source", ARRAY_SIZE(sends)));
	for (i = 0; i < ARRAY_SIZE(sends); i++) {
		ev = find_event(fx, __func__, sends[i].frame.src);
		assert_non_null(ev);
		want = (struct xdpfwd_event){
			.ifindex = fx->ifindex,
			.len = len[i],
			.family = sends[i].frame.ip,
			.action = sends[i].action,
			.reason = BLOCKLIST,
			.proto = sends[i].frame.proto ? sends[i].frame.proto : IPPROTO_UDP,
			.set = sends[i].set,
		};
		event_addr(sends[i].frame.src, want.addr);
		assert_true(check_event(__func__, sends[i].frame.src, ev, &want, t0, t1));
	}
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = 3 * ARRAY_SIZE(sends), .sent = ARRAY_SIZE(sends),
		.suppressed_source = 2 * ARRAY_SIZE(sends) }));
	assert_true(read_stats(fx, &s));
	assert_int_equal(s.packets[AUDIT][BLOCKLIST], 6);
	assert_int_equal(s.packets[DROP][BLOCKLIST], 6);
	assert_int_equal(s.set_packets[XDPFWD_KIND_BLOCK][S_FEED], 6);
}

/* Every slot, summed: what readers see (stats_read()). */
static void read_all_slots(struct fixture *fx, struct xdpfwd_stats *sum)
{
	assert_int_equal(stats_read(bpf_map__fd(fx->skel->maps.stats), sum), 0);
}

/*
 * A deleted set's counters (stats_retire_set(), as `sets del` does once no
 * entry counts under the id): its figure drops to 0, manual's derived figure
 * does not take them over, a set that reuses the id counts from 0, and a
 * second retirement changes nothing.
 */
static void test_set_retired(void **state)
{
	static const struct set_entry entries[] = {
		{ BLOCK_V4_ADDR, A1, IN(M(S_F2B)), .count_set = S_F2B },
		{ BLOCK_V4_ADDR, "198.18.0.2", IN(M(S_MANUAL)) },
		{ ALLOW_V4, "198.18.0.3/32", IN(M(S_F2B)), .count_set = S_F2B },
		{ BLOCK_V4_ADDR, "198.18.0.3", IN(M(S_MANUAL)) },
	};
	const struct frame_spec f2b = { V4(A1) }, manual = { V4("198.18.0.2") }, allowed = { V4("198.18.0.3") };
	struct fixture *fx = *state;
	int stats_fd = bpf_map__fd(fx->skel->maps.stats), i;
	struct xdpfwd_stats s;
	__u32 len, alen;

	for (i = 0; i < (int)ARRAY_SIZE(entries); i++)
		assert_true(set_entry_op(fx, __func__, "setup", &entries[i], true));
	for (i = 0; i < 3; i++)
		assert_true(send_frame(fx, __func__, &f2b, DROP, BLOCKLIST, &len));
	for (i = 0; i < 2; i++)
		assert_true(send_frame(fx, __func__, &manual, DROP, BLOCKLIST, NULL));
	assert_true(send_frame(fx, __func__, &allowed, PASS, ALLOWLIST, &alen));
	read_all_slots(fx, &s);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_BLOCK, S_F2B), 3);
	assert_int_equal(xdpfwd_set_bytes(&s, XDPFWD_KIND_BLOCK, S_F2B), 3 * len);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_BLOCK, S_MANUAL), 2);
	assert_int_equal(xdpfwd_set_bytes(&s, XDPFWD_KIND_BLOCK, S_MANUAL), 2 * len);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_ALLOW, S_F2B), 1);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_ALLOW, S_MANUAL), 0);

	/* Block set f2b deleted (its entry would be gone; here it stays, as the reused id's). */
	assert_int_equal(stats_retire_set(stats_fd, XDPFWD_KIND_BLOCK, S_F2B), 0);
	read_all_slots(fx, &s);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_BLOCK, S_F2B), 0);
	assert_int_equal(xdpfwd_set_bytes(&s, XDPFWD_KIND_BLOCK, S_F2B), 0);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_BLOCK, S_MANUAL), 2);
	assert_int_equal(xdpfwd_set_bytes(&s, XDPFWD_KIND_BLOCK, S_MANUAL), 2 * len);
	/* The other kind's set of the same id keeps its figure. */
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_ALLOW, S_F2B), 1);
	assert_int_equal(xdpfwd_set_bytes(&s, XDPFWD_KIND_ALLOW, S_F2B), alen);

	assert_true(send_frame(fx, __func__, &f2b, DROP, BLOCKLIST, NULL));
	assert_true(send_frame(fx, __func__, &manual, DROP, BLOCKLIST, NULL));
	assert_int_equal(stats_retire_set(stats_fd, XDPFWD_KIND_ALLOW, S_F2B), 0);
	read_all_slots(fx, &s);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_BLOCK, S_F2B), 1);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_BLOCK, S_MANUAL), 3);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_ALLOW, S_F2B), 0);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_ALLOW, S_MANUAL), 0);

	/* Retired twice: nothing moves. */
	assert_int_equal(stats_retire_set(stats_fd, XDPFWD_KIND_ALLOW, S_F2B), 0);
	read_all_slots(fx, &s);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_ALLOW, S_F2B), 0);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_ALLOW, S_MANUAL), 0);
	assert_int_equal(xdpfwd_set_packets(&s, XDPFWD_KIND_BLOCK, S_MANUAL), 3);
	/* Manual itself has nothing to retire. */
	assert_int_equal(stats_retire_set(stats_fd, XDPFWD_KIND_BLOCK, S_MANUAL), -EINVAL);
}

/* ---- flood defense (limits) ---------------------------------------------------- */

/*
 * Each test drives time through the frames' metadata (clock_from_meta), so
 * the buckets' arithmetic is checked to the nanosecond; T0 is far from 0
 * (a time of 0 reads the real clock).
 */
#define T0		(1000 * NSEC_PER_SEC)
#define MS		1000000ULL

/* What one frame did, read back from the counter that moved. */
enum lim_out {
	L_PASS,		/* stats PASS/NO_MATCH: metered and within the limit, or not metered */
	L_LIMITED,	/* limit_stats packets[DROP]: over the limit, dropped */
	L_AUDITED,	/* limit_stats packets[AUDIT]: over the limit, passed */
	L_BLOCKED,	/* stats DROP/BLOCKLIST: dropped by a block entry (a ban) */
};

static const char *const lim_names[] = { "PASS", "LIMITED", "AUDITED", "BLOCKED" };

struct lim_step {
	const char *src;
	__u64 at;		/* the frame's time */
	enum lim_out want;
	unsigned int n;		/* frames sent alike; 0: 1 */
	bool vlan;		/* tagged (802.1Q, VLAN 5): the general rules' path, not FAST_JUDGE's */
};

static bool fx_set_limits(struct fixture *fx, const struct xdpfwd_limits *l)
{
	__u32 zero = 0;

	return !bpf_map_update_elem(bpf_map__fd(fx->skel->maps.limits), &zero, l, BPF_ANY);
}

/* The limit_stats of the "other" slot, summed over the CPUs. */
static bool read_limit_stats(struct fixture *fx, struct xdpfwd_limit_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	__u32 slot = XDPFWD_STATS_SLOT_OTHER;
	struct xdpfwd_limit_stats *pc;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	pc = ncpu > 0 ? calloc(ncpu, sizeof(*pc)) : NULL;
	if (!pc)
		return false;
	if (bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.limit_stats), &slot, pc)) {
		free(pc);
		return false;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			((__u64 *)sum)[i] += ((__u64 *)&pc[cpu])[i];
	free(pc);
	return true;
}

static bool lim_frame_tagged(const char *src, bool vlan, struct frame *f)
{
	struct frame_spec spec = { .ip = strchr(src, ':') ? 6 : 4, .src = src };

	if (vlan)
		spec.tags[0] = (struct frame_tag)DOT1Q(5);
	return frame_build(f, &spec);
}

static bool lim_frame(const char *src, struct frame *f)
{
	return lim_frame_tagged(src, false, f);
}

/* Sends src's frame at time at; true when exactly the counter of want moved, by that frame. */
static bool lim_send_tagged(struct fixture *fx, const char *test, const char *src, bool vlan,
			    __u64 at, enum lim_out want)
{
	struct xdpfwd_limit_stats lb, la;
	struct xdpfwd_stats sb, sa;
	__u64 moved[4], bytes[4];
	char name[96];
	struct frame f;
	int ret, i, n = 0, got = -1;

	snprintf(name, sizeof(name), "%s%s at T0%+lld ns", src, vlan ? " (VLAN 5)" : "",
		 (long long)(at - T0));
	if (!lim_frame_tagged(src, vlan, &f))
		return report(test, name, "the frame spec does not build");
	if (!read_stats(fx, &sb) || !read_limit_stats(fx, &lb))
		return report(test, name, "reading stats failed");
	ret = xdp_run_at(fx->prog_fd, fx->ifindex, f.data, f.len, at);
	if (ret < 0)
		return report(test, name, "test run failed: %s", strerror(-ret));
	if (!read_stats(fx, &sa) || !read_limit_stats(fx, &la))
		return report(test, name, "reading stats failed");
	moved[L_PASS] = sa.packets[PASS][NO_MATCH] - sb.packets[PASS][NO_MATCH];
	bytes[L_PASS] = sa.bytes[PASS][NO_MATCH] - sb.bytes[PASS][NO_MATCH];
	moved[L_BLOCKED] = sa.packets[DROP][BLOCKLIST] - sb.packets[DROP][BLOCKLIST];
	bytes[L_BLOCKED] = sa.bytes[DROP][BLOCKLIST] - sb.bytes[DROP][BLOCKLIST];
	moved[L_LIMITED] = la.packets[DROP] - lb.packets[DROP];
	bytes[L_LIMITED] = la.bytes[DROP] - lb.bytes[DROP];
	moved[L_AUDITED] = la.packets[AUDIT] - lb.packets[AUDIT];
	bytes[L_AUDITED] = la.bytes[AUDIT] - lb.bytes[AUDIT];
	for (i = 0; i < 4; i++) {
		if (!moved[i] && !bytes[i])
			continue;
		n++;
		got = i;
		if (moved[i] != 1 || bytes[i] != f.len)
			return report(test, name, "%s moved by %llu packets, %llu bytes", lim_names[i],
				      (unsigned long long)moved[i], (unsigned long long)bytes[i]);
	}
	if (n != 1)
		return report(test, name, "%d counters moved, want exactly 1", n);
	if (got != (int)want)
		return report(test, name, "%s, want %s", lim_names[got], lim_names[want]);
	if ((ret == XDP_DROP) != (want == L_LIMITED || want == L_BLOCKED))
		return report(test, name, "returned %d for %s", ret, lim_names[want]);
	return true;
}

static bool lim_send(struct fixture *fx, const char *test, const char *src, __u64 at,
		     enum lim_out want)
{
	return lim_send_tagged(fx, test, src, false, at, want);
}

static int lim_steps(struct fixture *fx, const char *test, const struct lim_step *s, size_t n)
{
	int failed = 0;
	size_t i;
	unsigned int j;

	for (i = 0; i < n; i++)
		for (j = 0; j < (s[i].n ? s[i].n : 1); j++)
			failed += !lim_send_tagged(fx, test, s[i].src, s[i].vlan, s[i].at, s[i].want);
	return failed;
}

#define LIM_STEPS(fx, steps) lim_steps((fx), __func__, (steps), ARRAY_SIZE(steps))

/* The meter's two sets for key (include/xdpfwd.h) under the limits' seeds. */
static void meter_sets_of(struct fixture *fx, const __u8 key[16], __u32 idx[2])
{
	__u32 zero = 0, w[4], nsets = bpf_map__max_entries(fx->skel->maps.meter);
	struct xdpfwd_limits l = {};
	__u64 h;

	bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.limits), &zero, &l);
	memcpy(w, key, 16);
	h = xdpfwd_meter_hash(w, l.meter_seed);
	idx[0] = xdpfwd_meter_set0(h, nsets);
	idx[1] = xdpfwd_meter_set1(h, l.meter_seed, nsets);
}

/* The bucket of a key (an address, already truncated) in the meter, where the program looks; false if absent. */
static bool meter_read(struct fixture *fx, const char *key_addr, struct xdpfwd_meter *v)
{
	int fd = bpf_map__fd(fx->skel->maps.meter), i, j;
	struct xdpfwd_meter_set set;
	__u8 key[16];
	__u32 idx[2];

	event_addr(key_addr, key);
	meter_sets_of(fx, key, idx);
	for (i = 0; i < 2; i++) {
		if (bpf_map_lookup_elem(fd, &idx[i], &set))
			return false;
		for (j = 0; j < XDPFWD_METER_WAYS; j++)
			if (set.way[j].m.generation && !memcmp(set.way[j].key.addr, key, 16)) {
				*v = set.way[j].m;
				return true;
			}
	}
	return false;
}

/* Ways in use (filled under some limits) in the meter. */
static unsigned int meter_count(struct fixture *fx)
{
	int fd = bpf_map__fd(fx->skel->maps.meter), j;
	__u32 i, nsets = bpf_map__max_entries(fx->skel->maps.meter);
	struct xdpfwd_meter_set set;
	unsigned int n = 0;

	for (i = 0; i < nsets; i++) {
		if (bpf_map_lookup_elem(fd, &i, &set))
			return ~0U;
		for (j = 0; j < XDPFWD_METER_WAYS; j++)
			n += !!set.way[j].m.generation;
	}
	return n;
}

/* Consumes the queued events; returns how many carry XDPFWD_EVENT_F_BANNED (the kept ones in fx->ev). */
static unsigned int ban_events(struct fixture *fx)
{
	unsigned int i, n = 0;

	fx->n_ev = 0;
	ring_buffer__consume(fx->rb);
	for (i = 0; i < fx->n_ev && i < MAX_KEPT_EVENTS; i++)
		n += !!(fx->ev[i].flags & XDPFWD_EVENT_F_BANNED);
	return n;
}

/* Limits on keys /32 and /128 (LIMITS_KEYS for others), bans in set auto for 600 s, generation 1. */
#define LIMITS_KEYS(act, pps_, burst, p4, p6) \
	((struct xdpfwd_limits){ .action = (act), .plen4 = (p4), .plen6 = (p6), .auto_set = S_AUTO, \
				 .pps = (pps_), .pkt_burst = (burst), .ban_ns = 600 * NSEC_PER_SEC, \
				 .generation = 1 })
#define LIMITS(act, pps_, burst) LIMITS_KEYS(act, pps_, burst, 32, 128)

/* pps N with burst N: N frames pass within an instant, the N+1th is over; a second later N again. */
static void test_limit_exact_rate(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 5, false },
		{ "198.18.0.1", T0, L_LIMITED, 2, false },
		{ "198.18.0.1", T0 + NSEC_PER_SEC, L_PASS, 5, false },
		{ "198.18.0.1", T0 + NSEC_PER_SEC, L_LIMITED, 1, false },
		/* One token every 200 ms: not a nanosecond sooner. */
		{ "198.18.0.1", T0 + NSEC_PER_SEC + 200 * MS - 1, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + NSEC_PER_SEC + 200 * MS, L_PASS, 1, false },
		{ "198.18.0.1", T0 + NSEC_PER_SEC + 200 * MS, L_LIMITED, 1, false },
		{ "2001:2::1", T0, L_PASS, 5, false },
		{ "2001:2::1", T0, L_LIMITED, 1, false },
		{ "2001:2::1", T0 + NSEC_PER_SEC, L_PASS, 5, false },
		{ "2001:2::1", T0 + NSEC_PER_SEC, L_LIMITED, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 5, 5);

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
}

/*
 * The same through the general rules (a tagged frame: limit_frame() alone)
 * and mixed with untagged frames of the same source (FAST_JUDGE's inline
 * meter for a known key): both paths keep one bucket.
 */
static void test_limit_both_paths(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 5, true },
		{ "198.18.0.1", T0, L_LIMITED, 1, true },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + NSEC_PER_SEC, L_PASS, 2, false },
		{ "198.18.0.1", T0 + NSEC_PER_SEC, L_PASS, 3, true },
		{ "198.18.0.1", T0 + NSEC_PER_SEC, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + NSEC_PER_SEC + 200 * MS - 1, L_LIMITED, 1, true },
		{ "198.18.0.1", T0 + NSEC_PER_SEC + 200 * MS, L_PASS, 1, true },
		{ "2001:2::1", T0, L_PASS, 3, false },
		{ "2001:2::1", T0, L_PASS, 2, true },
		{ "2001:2::1", T0, L_LIMITED, 1, true },
		{ "2001:2::1", T0 + 400 * MS, L_PASS, 1, true },
		{ "2001:2::1", T0 + 400 * MS, L_PASS, 1, false },
		{ "2001:2::1", T0 + 400 * MS, L_LIMITED, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 5, 5);

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
}

/* The bucket holds at most burst: a long pause buys burst frames, not pps * pause. */
static void test_limit_burst(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 3, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + 100 * MS, L_PASS, 1, false },
		{ "198.18.0.1", T0 + 100 * MS, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + 10 * NSEC_PER_SEC, L_PASS, 3, false },
		{ "198.18.0.1", T0 + 10 * NSEC_PER_SEC, L_LIMITED, 1, false },
	};
	/* The same within 16.7 ms, which the bucket adds up without a division: 10 ms at 1000 pps. */
	static const struct lim_step quick[] = {
		{ "198.18.0.2", T0, L_PASS, 3, false },
		{ "198.18.0.2", T0, L_LIMITED, 1, false },
		{ "198.18.0.2", T0 + 10 * MS, L_PASS, 3, false },
		{ "198.18.0.2", T0 + 10 * MS, L_LIMITED, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 10, 3);

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
	l.pps = 1000;
	l.generation = 2;
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, quick), 0);
}

/*
 * A long idle refills the bucket, however long and whatever the rate: 2^40
 * ns at 2^30 pps is 2^70 tokens, which a plain 64-bit product wraps to 64
 * (less than one packet); 2^62 ns at 1 pps.
 */
static void test_limit_long_idle(void **state)
{
	static const struct lim_step fast[] = {
		{ "198.18.0.1", T0, L_PASS, 2, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + (1ULL << 40), L_PASS, 2, false },
		{ "198.18.0.1", T0 + (1ULL << 40), L_LIMITED, 1, false },
	};
	static const struct lim_step slow[] = {
		{ "198.18.0.2", T0, L_PASS, 2, false },
		{ "198.18.0.2", T0, L_LIMITED, 1, false },
		{ "198.18.0.2", T0 + (1ULL << 62), L_PASS, 2, false },
		{ "198.18.0.2", T0 + (1ULL << 62), L_LIMITED, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 1ULL << 30, 2);

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, fast), 0);
	l.pps = 1;
	l.generation = 2;
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, slow), 0);
}

/*
 * A clock that steps back refills nothing, and the bucket counts from the
 * new time on; one that wraps past 2^64 counts the true elapsed time.
 */
static void test_limit_clock_steps(void **state)
{
	const __u64 w = -(500 * MS);	/* half a second before the wrap */
	const struct lim_step back[] = {
		{ "198.18.0.1", T0, L_PASS, 1, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 - 5 * NSEC_PER_SEC, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 - 4 * NSEC_PER_SEC, L_PASS, 1, false },
		{ "198.18.0.1", T0 - 4 * NSEC_PER_SEC, L_LIMITED, 1, false },
	};
	const struct lim_step wrap[] = {
		{ "198.18.0.2", w, L_PASS, 1, false },
		{ "198.18.0.2", w, L_LIMITED, 1, false },
		{ "198.18.0.2", w + 999 * MS, L_LIMITED, 1, false },
		{ "198.18.0.2", w + NSEC_PER_SEC, L_PASS, 1, false },
		{ "198.18.0.2", w + NSEC_PER_SEC, L_LIMITED, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 1, 1);

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, back), 0);
	assert_int_equal(LIM_STEPS(fx, wrap), 0);
}

/* A bit limit alone: frames of L bytes at 4 * 8L bps with a burst of 2 * 8L bits. */
static void test_limit_bps(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 2, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + 250 * MS - 1, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + 250 * MS, L_PASS, 1, false },
		{ "198.18.0.1", T0 + 250 * MS, L_LIMITED, 1, false },
		{ "2001:2::1", T0, L_PASS, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 0, 0);
	struct frame f;

	assert_true(lim_frame("198.18.0.1", &f));
	l.bps = 4 * 8 * f.len;
	l.bit_burst = 2 * 8 * f.len;
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
}

/* Keys /24 and /64: the sources of one prefix share a bucket; /32 and /128 do not. */
static void test_limit_key_length(void **state)
{
	static const struct lim_step short_keys[] = {
		{ "198.18.0.1", T0, L_PASS, 1, false },
		{ "198.18.0.200", T0, L_LIMITED, 1, false },
		{ "198.18.1.1", T0, L_PASS, 1, false },
		{ "2001:2::1", T0, L_PASS, 1, false },
		{ "2001:2::ffff:1", T0, L_LIMITED, 1, false },
		{ "2001:2:0:1::1", T0, L_PASS, 1, false },
	};
	static const struct lim_step full_keys[] = {
		{ "198.18.0.1", T0, L_PASS, 1, false },
		{ "198.18.0.200", T0, L_PASS, 1, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "2001:2::1", T0, L_PASS, 1, false },
		{ "2001:2::2", T0, L_PASS, 1, false },
		{ "2001:2::1", T0, L_LIMITED, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS_KEYS(XDPFWD_LIMIT_DROP, 1, 1, 24, 64);
	struct xdpfwd_meter v;

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, short_keys), 0);
	assert_true(meter_read(fx, "198.18.0.0", &v));
	assert_int_equal(v.over, 1);
	assert_true(meter_read(fx, "2001:2::", &v));
	assert_false(meter_read(fx, "198.18.0.1", &v));
	assert_int_equal(meter_count(fx), 4);
	l.plen4 = 32;
	l.plen6 = 128;
	l.generation = 2;
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, full_keys), 0);
	assert_true(meter_read(fx, "198.18.0.200", &v));
}

/* An allowlisted source is never metered: not limited, no bucket, no allow hit counted. */
static void test_limit_allowlist(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 4, false },
		{ "198.18.1.1", T0, L_PASS, 1, false },
		{ "198.18.1.1", T0, L_LIMITED, 1, false },
		{ "2001:2::1", T0, L_PASS, 4, false },
		{ "2001:2:0:1::1", T0, L_PASS, 1, false },
		{ "2001:2:0:1::1", T0, L_LIMITED, 1, false },
	};
	static const struct list_entry allow[] = {
		ENTRY(ALLOW_V4, "198.18.0.0/24"),
		ENTRY(ALLOW_V6, "2001:2::/64"),
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_BAN, 1, 1);
	struct xdpfwd_meter v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(allow); i++)
		assert_true(entry_op(fx, __func__, "setup", &allow[i], true));
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
	assert_false(meter_read(fx, "198.18.0.1", &v));
	assert_false(meter_read(fx, "2001:2::1", &v));
	for (i = 0; i < ARRAY_SIZE(allow); i++)
		assert_true(check_entry_hits(fx, __func__, "allow", &allow[i], 0));
}

/* A source allowlisted after it was metered: its frames take nothing from its bucket meanwhile. */
static void test_limit_allowlist_later(void **state)
{
	static const struct lim_step before[] = {
		{ "198.18.0.1", T0, L_PASS, 1, false },
		{ "2001:2::1", T0, L_PASS, 1, false },
	};
	static const struct lim_step allowed[] = {
		{ "198.18.0.1", T0, L_PASS, 6, false },
		{ "2001:2::1", T0, L_PASS, 6, false },
	};
	static const struct lim_step after[] = {
		{ "198.18.0.1", T0, L_PASS, 3, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "2001:2::1", T0, L_PASS, 3, false },
		{ "2001:2::1", T0, L_LIMITED, 1, false },
	};
	static const struct list_entry allow[] = {
		ENTRY(ALLOW_V4, "198.18.0.1/32"),
		ENTRY(ALLOW_V6, "2001:2::1/128"),
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 4, 4);
	size_t i;

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, before), 0);
	for (i = 0; i < ARRAY_SIZE(allow); i++)
		assert_true(entry_op(fx, __func__, "allow", &allow[i], true));
	assert_int_equal(LIM_STEPS(fx, allowed), 0);
	for (i = 0; i < ARRAY_SIZE(allow); i++)
		assert_true(entry_op(fx, __func__, "allow", &allow[i], false));
	assert_int_equal(LIM_STEPS(fx, after), 0);
}

/* Audit: the excess is counted, logged and passed; the ban it would make is an event, not an entry. */
static void test_limit_audit(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 1, false },
		{ "198.18.0.1", T0, L_AUDITED, 3, false },
		{ "198.18.0.1", T0 + NSEC_PER_SEC, L_PASS, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_AUDIT, 1, 1);
	const struct list_entry e = ENTRY(BLOCK_V4_ADDR, "198.18.0.1");
	struct xdpfwd_limit_stats ls;
	struct xdpfwd_entry val;
	union list_key k;

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
	assert_true(read_limit_stats(fx, &ls));
	assert_int_equal(ls.bans, 1);
	assert_int_equal(ls.packets[DROP], 0);
	assert_true(list_key(&e, &k));
	assert_int_not_equal(bpf_map_lookup_elem(list_fd(fx, BLOCK_V4_ADDR), &k, &val), 0);
	/* The would-be ban (outside the budgets) and the first audited frame; the rest suppressed. */
	assert_int_equal(ban_events(fx), 1);
	assert_int_equal(fx->n_ev, 2);
	assert_int_equal(fx->ev[0].flags, XDPFWD_EVENT_F_BANNED);
	assert_int_equal(fx->ev[0].action, AUDIT);
	assert_int_equal(fx->ev[0].reason, XDPFWD_R_RATE_LIMIT);
	assert_int_equal(fx->ev[0].set, S_AUTO);
	assert_int_equal(fx->ev[1].flags, 0);
	assert_int_equal(fx->ev[1].set, XDPFWD_EVENT_NO_SET);
	assert_true(check_ev_stats(fx, __func__, (struct ev_counts){
		.eligible = 3, .sent = 2, .suppressed_source = 1 }));
}

/* The entry a ban must leave: set auto in both generations, timed, its deadline, counted there. */
static bool check_ban_entry(struct fixture *fx, const char *test, const struct list_entry *e,
			    __u32 other_sets, __u64 expires, __u8 plen1)
{
	struct xdpfwd_entry v;
	__u32 want = (M(S_AUTO) | other_sets) ^ XDPFWD_SETS_XOR;

	if (!entry_read(fx, test, "ban", e, &v))
		return false;
	if (v.sets[0] != want || v.sets[1] != want)
		return report(test, e->addr, "sets %#x/%#x, want %#x in both", v.sets[0], v.sets[1], want);
	if (v.timed != M(S_AUTO) || v.expires_ns != expires)
		return report(test, e->addr, "timed %#x until %llu, want %#x until %llu", v.timed,
			      (unsigned long long)v.expires_ns, M(S_AUTO), (unsigned long long)expires);
	if (v.plen1 != plen1 || (!other_sets && v.count_set != S_AUTO))
		return report(test, e->addr, "plen1 %u count_set %u", v.plen1, v.count_set);
	return true;
}

/*
 * Ban: the excess frame writes the key into the blocklist itself, and the
 * next frames are blocklist drops counted in set auto; once per ban, one
 * event; after the deadline the source is metered again, an expired entry
 * is not revived, and once user space removed it the next excess bans anew.
 */
static void test_limit_ban(void **state)
{
	static const struct lim_step first[] = {
		{ "198.18.0.1", T0, L_PASS, 2, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + MS, L_BLOCKED, 3, false },
	};
	static const struct lim_step expired[] = {
		{ "198.18.0.1", T0 + 600 * NSEC_PER_SEC, L_PASS, 2, false },
		{ "198.18.0.1", T0 + 600 * NSEC_PER_SEC, L_LIMITED, 1, false },
	};
	static const struct lim_step again[] = {
		{ "198.18.0.1", T0 + 600 * NSEC_PER_SEC + 1, L_LIMITED, 1, false },
		{ "198.18.0.1", T0 + 600 * NSEC_PER_SEC + 1, L_BLOCKED, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_BAN, 2, 2);
	const struct list_entry e = ENTRY(BLOCK_V4_ADDR, "198.18.0.1");
	struct xdpfwd_limit_stats ls;
	struct xdpfwd_stats s;
	struct xdpfwd_entry v;

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, first), 0);
	assert_true(check_ban_entry(fx, __func__, &e, 0, T0 + 600 * NSEC_PER_SEC, 0));
	assert_int_equal(ban_events(fx), 1);
	assert_int_equal(fx->ev[0].action, DROP);
	assert_int_equal(fx->ev[0].reason, XDPFWD_R_RATE_LIMIT);
	assert_int_equal(fx->ev[0].set, S_AUTO);
	assert_true(read_stats(fx, &s));
	assert_int_equal(s.set_packets[XDPFWD_KIND_BLOCK][S_AUTO], 3);

	assert_int_equal(LIM_STEPS(fx, expired), 0);
	assert_true(entry_read(fx, __func__, "expired", &e, &v));
	assert_int_equal(v.expires_ns, T0 + 600 * NSEC_PER_SEC);
	assert_true(read_limit_stats(fx, &ls));
	assert_int_equal(ls.bans, 1);
	assert_int_equal(ls.ban_failed, 1);
	assert_int_equal(ban_events(fx), 0);

	assert_true(entry_op(fx, __func__, "user space removes it", &e, false));
	assert_int_equal(LIM_STEPS(fx, again), 0);
	assert_true(check_ban_entry(fx, __func__, &e, 0, T0 + 1200 * NSEC_PER_SEC + 1, 0));
	assert_int_equal(ban_events(fx), 1);
	assert_true(read_limit_stats(fx, &ls));
	assert_int_equal(ls.bans, 2);
}

/* A ban of a /24 or /64 key goes into the block trie, with plen1; IPv6 /128 into the hash. */
static void test_limit_ban_prefix(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.5.1", T0, L_PASS, 1, false },
		{ "198.18.5.2", T0, L_LIMITED, 1, false },
		{ "198.18.5.77", T0, L_BLOCKED, 1, false },
		{ "2001:2:0:5::1", T0, L_PASS, 1, false },
		{ "2001:2:0:5::2", T0, L_LIMITED, 1, false },
		{ "2001:2:0:5:ffff::", T0, L_BLOCKED, 1, false },
		{ "2001:2:0:6::1", T0, L_PASS, 1, false },
	};
	static const struct lim_step full[] = {
		{ "2001:2::9", T0, L_PASS, 1, false },
		{ "2001:2::9", T0, L_LIMITED, 1, false },
		{ "2001:2::9", T0, L_BLOCKED, 1, false },
		{ "2001:2::8", T0, L_PASS, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS_KEYS(XDPFWD_LIMIT_BAN, 1, 1, 24, 64);
	const struct list_entry e4 = ENTRY(BLOCK_V4_NET, "198.18.5.0/24");
	const struct list_entry e6 = ENTRY(BLOCK_V6_NET, "2001:2:0:5::/64");
	const struct list_entry e128 = ENTRY(BLOCK_V6_ADDR, "2001:2::9");

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
	assert_true(check_ban_entry(fx, __func__, &e4, 0, T0 + 600 * NSEC_PER_SEC, 25));
	assert_true(check_ban_entry(fx, __func__, &e6, 0, T0 + 600 * NSEC_PER_SEC, 65));
	assert_int_equal(ban_events(fx), 2);
	l.plen6 = 128;
	l.generation = 2;
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, full), 0);
	assert_true(check_ban_entry(fx, __func__, &e128, 0, T0 + 600 * NSEC_PER_SEC, 0));
}

/*
 * The key's entry already there, in a set that did not drop the frame (a
 * scope for another port): the ban joins it, keeping its other set.
 */
static void test_limit_ban_joins(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 1, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
		{ "198.18.0.1", T0, L_BLOCKED, 1, false },
	};
	static const struct set_entry ssh = { BLOCK_V4_ADDR, "198.18.0.1", IN(M(S_SSH)),
					      .count_set = S_SSH };
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_BAN, 1, 1);
	const struct list_entry e = ENTRY(BLOCK_V4_ADDR, "198.18.0.1");

	assert_true(set_entry_op(fx, __func__, "setup", &ssh, true));
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
	assert_true(check_ban_entry(fx, __func__, &e, M(S_SSH), T0 + 600 * NSEC_PER_SEC, 0));
	assert_int_equal(ban_events(fx), 1);
}

/* New limits (a new generation) start every bucket afresh. */
static void test_limit_generation(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 1, false },
		{ "198.18.0.1", T0, L_LIMITED, 1, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 1, 1);

	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(lim_send(fx, __func__, "198.18.0.1", T0, L_LIMITED), true);
	l.generation = 2;
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
	/* A bucket used but not empty starts afresh too, on either path: two frames, not one. */
	l.pkt_burst = 2;
	l.generation = 3;
	assert_true(fx_set_limits(fx, &l));
	assert_true(lim_send(fx, __func__, "198.18.0.2", T0, L_PASS));
	l.generation = 4;
	assert_true(fx_set_limits(fx, &l));
	assert_true(lim_send(fx, __func__, "198.18.0.2", T0, L_PASS));
	assert_true(lim_send(fx, __func__, "198.18.0.2", T0, L_PASS));
	assert_true(lim_send(fx, __func__, "198.18.0.2", T0, L_LIMITED));
}

/* Off (all zero, or action off with rates set): nothing metered, nothing counted apart. */
static void test_limit_off(void **state)
{
	static const struct lim_step steps[] = {
		{ "198.18.0.1", T0, L_PASS, 10, false },
		{ "2001:2::1", T0, L_PASS, 10, false },
	};
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_OFF, 1, 1);
	struct xdpfwd_limit_stats ls;

	assert_int_equal(LIM_STEPS(fx, steps), 0);
	assert_true(fx_set_limits(fx, &l));
	assert_int_equal(LIM_STEPS(fx, steps), 0);
	assert_int_equal(meter_count(fx), 0);
	assert_true(read_limit_stats(fx, &ls));
	assert_int_equal(ls.packets[DROP] + ls.packets[AUDIT] + ls.bans + ls.ban_failed, 0);
}

/*
 * A full meter (128 ways: 32 sets of 4): a new key takes the least
 * recently metered of the 8 ways of its two sets, and an evicted key comes
 * back with a full bucket. Nine keys of one pair of sets, the first
 * refreshed before the ninth comes: the ninth evicts the second, not the
 * first; then a flood of keys evicts them all, and every way is in use.
 */
static void test_limit_meter_full(void **state)
{
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_DROP, 1, 1);
	char src[9][64], a[64];
	struct xdpfwd_meter v;
	__u32 want[2], idx[2];
	__u8 key[16];
	int i, n = 0, failed = 0;
	__u64 t = T0;

	assert_true(fx_set_limits(fx, &l));
	/* Nine sources whose two sets are those of the first (the hash is the program's, from the header). */
	for (i = 0; n < 9 && i < 1000000; i++) {
		snprintf(a, sizeof(a), "198.18.%d.%d", i >> 8 & 255, i & 255);
		event_addr(a, key);
		meter_sets_of(fx, key, idx);
		if (!n)
			memcpy(want, idx, sizeof(want));
		if (idx[0] == want[0] && idx[1] == want[1] && (n || want[0] != want[1]))
			strcpy(src[n++], a);
	}
	assert_int_equal(n, 9);
	for (i = 0; i < 8; i++) {
		failed += !lim_send(fx, __func__, src[i], t += MS, L_PASS);
		failed += !lim_send(fx, __func__, src[i], t, L_LIMITED);
	}
	assert_int_equal(failed, 0);
	/* src[0] metered again (over the limit: metered all the same), then src[8] comes. */
	assert_true(lim_send(fx, __func__, src[0], t += MS, L_LIMITED));
	assert_true(lim_send(fx, __func__, src[8], t += MS, L_PASS));
	assert_true(meter_read(fx, src[0], &v));
	assert_int_equal(v.over, 2);
	assert_false(meter_read(fx, src[1], &v));
	for (i = 2; i < 9; i++)
		assert_true(meter_read(fx, src[i], &v));
	/* Evicted, src[1] comes back with a full bucket: one frame passes, the next is over. */
	assert_true(lim_send(fx, __func__, src[1], t += MS, L_PASS));
	assert_true(lim_send(fx, __func__, src[1], t, L_LIMITED));

	/* A flood of new keys, each metered later than the last: the oldest go first, every way fills. */
	for (i = 0; i < 16 * 128; i++) {
		snprintf(a, sizeof(a), "2001:2:1::%x", i + 1);
		failed += !lim_send(fx, __func__, a, t += MS, L_PASS);
	}
	assert_int_equal(failed, 0);
	assert_int_equal(meter_count(fx), 128);
	for (i = 0; i < 9; i++)
		assert_false(meter_read(fx, src[i], &v));
	assert_true(meter_read(fx, a, &v));
	assert_true(lim_send(fx, __func__, src[0], t += MS, L_PASS));
	assert_true(lim_send(fx, __func__, src[0], t, L_LIMITED));
}

/*
 * The live flood scenario's order (v4-flood: sources in rotation at 2.3
 * Mpps, over 5 pps with burst 5, the clock in 4 ms jiffies) at a quarter of
 * its scale and the same load of the meter (16,384 sources in 262,144
 * ways, as 65,536 in the daemon's 1,048,576), under random seeds as a
 * daemon draws them: every source is banned by its first frame over the
 * limit, its 6th, so none was evicted before (an evicted one starts afresh).
 */
#define FLOOD_SOURCES 16384

static void test_limit_meter_flood(void **state)
{
	struct fixture *fx = *state;
	struct xdpfwd_limits l = LIMITS(XDPFWD_LIMIT_BAN, 5, 5);
	struct xdpfwd_limit_stats ls;
	struct frame f;
	char a[64];
	int r, i, ret, failed = 0;
	__u64 at;

	assert_int_equal(getrandom(l.meter_seed, sizeof(l.meter_seed), 0), sizeof(l.meter_seed));
	assert_true(fx_set_limits(fx, &l));
	for (r = 0; r < 7; r++)
		for (i = 0; i < FLOOD_SOURCES; i++) {
			snprintf(a, sizeof(a), "198.19.%d.%d", i >> 8, i & 255);
			if (!lim_frame_tagged(a, false, &f))
				fail();
			at = T0 + ((__u64)r * FLOOD_SOURCES + i) * 434 / (4 * MS) * (4 * MS);
			ret = xdp_run_at(fx->prog_fd, fx->ifindex, f.data, f.len, at);
			failed += ret != (r < 5 ? XDP_PASS : XDP_DROP);
		}
	assert_true(read_limit_stats(fx, &ls));
	if (ls.bans != FLOOD_SOURCES || ls.packets[DROP] != FLOOD_SOURCES || failed)
		printf("seeds %llu %llu %llu %llu: bans %llu, over the limit %llu, frames not as wanted %d\n",
		       (unsigned long long)l.meter_seed[0], (unsigned long long)l.meter_seed[1],
		       (unsigned long long)l.meter_seed[2], (unsigned long long)l.meter_seed[3],
		       (unsigned long long)ls.bans, (unsigned long long)ls.packets[DROP], failed);
	assert_int_equal(ls.bans, FLOOD_SOURCES);
	assert_int_equal(ls.packets[DROP], FLOOD_SOURCES);
	assert_int_equal(failed, 0);
}

/* ---- main ------------------------------------------------------------------- */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings carry the verifier log when a load fails; the rest is chatter. */
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static struct config cfg_drop_malformed = { .drop_malformed = true };
static struct config cfg_unlimited = { .unlimited = true };
static struct config cfg_log_disabled = { .log_disabled = true };
static struct config cfg_clock = { .clock_from_meta = true };
static struct config cfg_clock_meter128 = { .clock_from_meta = true, .meter_keys = 128 };
/* Its 16,384 bans need room in the blocklist: a daemon would have grown the hash. */
static struct config cfg_clock_meter_quarter = { .clock_from_meta = true, .meter_keys = XDPFWD_METER_KEYS / 4,
						 .exact_capacity = 65536 };
static struct config cfg_burst3 = {
	.global_interval_ns = NSEC_PER_SEC,
	.global_tolerance_ns = 2 * NSEC_PER_SEC,
};

#define TEST(f)		cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
/* Named apart, as some tests run under two configurations. */
#define TEST_CFG(f, c)	{ #f "/" #c, f, fx_setup, fx_teardown, &(c) }

int main(void)
{
	const struct CMUnitTest verdicts[] = {
		TEST(test_ipv4),
		TEST(test_ipv6),
		TEST(test_allowlist),
		TEST(test_lpm_add_delete),
	};
	const struct CMUnitTest sets[] = {
		TEST(test_set_generations),
		TEST(test_set_expiry),
		TEST(test_set_nesting),
		TEST(test_set_scope),
		TEST(test_set_allowlist),
		TEST(test_set_counters),
		TEST(test_set_retired),
	};
	const struct CMUnitTest parsing[] = {
		TEST(test_vlan),
		TEST(test_not_ip),
		TEST(test_malformed),
		TEST_CFG(test_malformed, cfg_drop_malformed),
		TEST(test_fragments),
		TEST(test_truncated),
		TEST_CFG(test_truncated, cfg_drop_malformed),
	};
	const struct CMUnitTest counters[] = {
		TEST(test_entry_counters),
		TEST(test_interface_slots),
	};
	const struct CMUnitTest events[] = {
		TEST(test_event_fields),
		TEST(test_event_sources),
		TEST(test_event_vlan),
		TEST_CFG(test_event_unlimited, cfg_unlimited),
		TEST_CFG(test_event_global_budget, cfg_burst3),
		TEST_CFG(test_event_disabled, cfg_log_disabled),
		TEST_CFG(test_event_ring_full, cfg_unlimited),
		TEST_CFG(test_event_malformed, cfg_drop_malformed),
		TEST(test_event_audit),
	};
	const struct CMUnitTest limits[] = {
		TEST_CFG(test_limit_exact_rate, cfg_clock),
		TEST_CFG(test_limit_both_paths, cfg_clock),
		TEST_CFG(test_limit_burst, cfg_clock),
		TEST_CFG(test_limit_long_idle, cfg_clock),
		TEST_CFG(test_limit_clock_steps, cfg_clock),
		TEST_CFG(test_limit_bps, cfg_clock),
		TEST_CFG(test_limit_key_length, cfg_clock),
		TEST_CFG(test_limit_allowlist, cfg_clock),
		TEST_CFG(test_limit_allowlist_later, cfg_clock),
		TEST_CFG(test_limit_audit, cfg_clock),
		TEST_CFG(test_limit_ban, cfg_clock),
		TEST_CFG(test_limit_ban_prefix, cfg_clock),
		TEST_CFG(test_limit_ban_joins, cfg_clock),
		TEST_CFG(test_limit_generation, cfg_clock),
		TEST_CFG(test_limit_off, cfg_clock),
		TEST_CFG(test_limit_meter_full, cfg_clock_meter128),
		TEST_CFG(test_limit_meter_flood, cfg_clock_meter_quarter),
	};
	int failed = 0;

	libbpf_set_print(libbpf_print);
	failed += cmocka_run_group_tests_name("verdicts", verdicts, NULL, NULL);
	failed += cmocka_run_group_tests_name("sets", sets, NULL, NULL);
	failed += cmocka_run_group_tests_name("parsing", parsing, NULL, NULL);
	failed += cmocka_run_group_tests_name("counters", counters, NULL, NULL);
	failed += cmocka_run_group_tests_name("events", events, NULL, NULL);
	failed += cmocka_run_group_tests_name("limits", limits, NULL, NULL);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
