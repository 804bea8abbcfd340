// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: the XDP program (through BPF_PROG_TEST_RUN) against the
 * reference model in model.c, on random lists and over a million random,
 * mutated and malformed frames. Any frame on which the two disagree, in the
 * verdict, the stats cell or the list entry it counts in, is printed with
 * its bytes, the list entries around its source and the seed.
 *
 * The run is deterministic for a seed (XDPFWD_SEED, default: the time, printed
 * at the start): XDPFWD_SEED=... XDPFWD_PASS=name XDPFWD_FRAMES=n repeats one
 * pass up to a failing frame. Lists, sets and meta change every EPOCH_FRAMES
 * frames, so the frames run cover many layouts, not one: entries in several
 * sets, each set's generation, mode (enforce, scoped, audit, undefined) and
 * scope at random, prefixes of different sets and modes nested in each
 * other, timed members past or before their deadline, plen1 recorded or not.
 * XDPFWD_NO_EXPIRED_PREFIXES=1 keeps expired members out of the tries.
 *
 * Cost: one test run per frame; the counters are compared per batch as
 * deltas (the program's against the model's), and only a batch that differs
 * is replayed frame by frame with a counter read around each frame to find
 * the culprit. Deltas make every batch independent of earlier mismatches.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpfwd.h"
#include "xdpfwd.skel.h"
#include "frames.h"
#include "xdp_run.h"
#include "model.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define M_SET(i)	(1U << (i))
#define NSEC_PER_SEC	1000000000ULL

#define EPOCH_FRAMES	20000	/* frames between two fresh random list layouts */
#define BATCH_FRAMES	2048	/* frames between two counter comparisons */
#define MAX_REPORTS	10	/* frames printed in full; later mismatches are only counted */
#define MAX_REPLAYS	5	/* batches replayed frame by frame to find the culprit */

/* ---- random numbers ------------------------------------------------------- */

/* splitmix64: tiny, fast, and good enough to spread test cases. */
struct rng {
	__u64 s;
};

static __u64 rng_next(struct rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static __u32 rnd(struct rng *r, __u32 n)
{
	return (__u32)(((rng_next(r) >> 32) * n) >> 32);
}

static bool chance(struct rng *r, unsigned int percent)
{
	return rnd(r, 100) < percent;
}

static void rnd_bytes(struct rng *r, __u8 *p, size_t len)
{
	while (len--)
		*p++ = rng_next(r);
}

/* ---- the program under test ------------------------------------------------ */

struct dut {
	struct xdpfwd_bpf *skel;
	struct ring_buffer *rb;
	int prog_fd;
	int ifindex;
	int ncpu;
	struct xdpfwd_stats *percpu;
	__u64 events;		/* records read from the ring buffer */
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct dut *d = ctx;

	(void)data;
	(void)size;
	d->events++;
	return 0;
}

static void dut_close(struct dut *d)
{
	ring_buffer__free(d->rb);
	xdpfwd_bpf__destroy(d->skel);
	free(d->percpu);
	memset(d, 0, sizeof(*d));
}

/*
 * The limits pass's meter: far more ways than an epoch meters keys (at most
 * LIMIT_EPOCH_FRAMES), so that none is evicted (the model never evicts): an
 * eviction needs a key whose 8 ways (two sets of 4) are all in use, at
 * under 7% of the ways in use. check_meter() would see one (a key missing).
 */
#define DUT_METER_KEYS 65536

/* test_clock: time from each frame's metadata (clock_from_meta), as the limits pass needs. */
static int dut_open(struct dut *d, int drop_malformed, bool test_clock)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->skel = xdpfwd_bpf__open();
	if (!d->skel) {
		fprintf(stderr, "differential: opening the skeleton failed: %s\n", strerror(errno));
		return -errno;
	}
	d->skel->rodata->drop_malformed = drop_malformed;
	d->skel->rodata->clock_from_meta = test_clock;
	/* The exact hashes small (a daemon's --capacity 1k): the differential runs fill them further than most. */
	if (bpf_map__set_max_entries(d->skel->maps.block_v4_addr, 1024) ||
	    bpf_map__set_max_entries(d->skel->maps.block_v6_addr, 1024) ||
	    bpf_map__set_max_entries(d->skel->maps.meter, DUT_METER_KEYS / XDPFWD_METER_WAYS)) {
		err = -EINVAL;
		goto fail;
	}
	err = xdpfwd_bpf__load(d->skel);
	if (err) {
		fprintf(stderr, "differential: loading the program failed: %s (run as root?)\n",
			strerror(-err));
		goto fail;
	}
	d->prog_fd = bpf_program__fd(d->skel->progs.xdpfwd_xdp);
	d->rb = ring_buffer__new(bpf_map__fd(d->skel->maps.events), on_event, d, NULL);
	d->ifindex = if_nametoindex("lo");
	d->ncpu = libbpf_num_possible_cpus();
	if (!d->rb || !d->ifindex || d->ncpu <= 0) {
		err = errno ? -errno : -EINVAL;
		fprintf(stderr, "differential: ring buffer, lo or CPU count unavailable: %s\n",
			strerror(-err));
		goto fail;
	}
	d->percpu = calloc(d->ncpu, sizeof(*d->percpu));
	if (!d->percpu) {
		err = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	dut_close(d);
	return err;
}

/* The XDP verdict, or -errno when the kernel refuses the test run. */
static int dut_run(struct dut *d, const void *data, __u32 len)
{
	return xdp_run(d->prog_fd, d->ifindex, data, len);
}

static int dut_read_stats(struct dut *d, struct xdpfwd_stats *sum)
{
	__u64 *out = (__u64 *)sum;
	const __u64 *in;
	__u32 zero = 0;
	size_t i;
	int cpu;

	_Static_assert(sizeof(*sum) % sizeof(__u64) == 0, "stats must be all __u64");
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(d->skel->maps.stats), &zero, d->percpu))
		return -errno;
	for (cpu = 0; cpu < d->ncpu; cpu++) {
		in = (const __u64 *)&d->percpu[cpu];
		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			out[i] += in[i];
	}
	return 0;
}

/* meta as user space writes it, and each block set's scope in the "sets" map. */
static int dut_set_meta(struct dut *d, const struct model_config *cfg)
{
	struct xdpfwd_meta meta = {
		.magic = XDPFWD_META_MAGIC,
		.layout_version = XDPFWD_LAYOUT_VERSION,
		.set_gen = { cfg->set_gen[0], cfg->set_gen[1] },
		.drop_sets = cfg->drop_sets,
		.scoped_sets = cfg->scoped_sets,
		.audit_sets = cfg->audit_sets,
	};
	struct xdpfwd_set set;
	__u32 zero = 0, key;
	int i, k;

	for (i = 0; i < XDPFWD_MAX_SETS; i++) {
		memset(&set, 0, sizeof(set));
		snprintf(set.name, sizeof(set.name), "set%d", i);
		set.mode = cfg->audit_sets >> i & 1 ? XDPFWD_SET_AUDIT : XDPFWD_SET_ENFORCE;
		set.scope_protos = cfg->scope[i].protos;
		set.nports = cfg->scope[i].nports;
		for (k = 0; k < XDPFWD_SCOPE_PORTS; k++)
			set.ports[k] = htons(cfg->scope[i].ports[k]);
		key = XDPFWD_KIND_BLOCK * XDPFWD_MAX_SETS + i;
		if (bpf_map_update_elem(bpf_map__fd(d->skel->maps.sets), &key, &set, BPF_ANY))
			return -errno;
	}
	return bpf_map_update_elem(bpf_map__fd(d->skel->maps.meta), &zero, &meta, BPF_ANY) ? -errno : 0;
}

/* Every map a model entry can stand for: [list][family == 6]. */
static int dut_map_fd(struct dut *d, enum model_list list, int family)
{
	__typeof__(d->skel->maps) *mp = &d->skel->maps;
	struct bpf_map *map[MODEL_LIST_MAX][2] = {
		[MODEL_BLOCK_ADDR] = { mp->block_v4_addr, mp->block_v6_addr },
		[MODEL_BLOCK_NET] = { mp->block_v4_net, mp->block_v6_net },
		[MODEL_ALLOW] = { mp->allow_v4, mp->allow_v6 },
	};

	return bpf_map__fd(map[list][family == 6]);
}

union map_key {
	struct xdpfwd_v4_key v4;
	struct xdpfwd_v6_key v6;
	struct xdpfwd_lpm_v4_key lpm4;
	struct xdpfwd_lpm_v6_key lpm6;
};

static void entry_key(const struct model_entry *e, union map_key *k)
{
	memset(k, 0, sizeof(*k));
	if (e->list == MODEL_BLOCK_ADDR) {
		memcpy(k->v6.addr, e->addr, e->family == 4 ? 4 : 16);
	} else if (e->family == 4) {
		k->lpm4.prefixlen = e->prefixlen;
		memcpy(k->lpm4.addr, e->addr, 4);
	} else {
		k->lpm6.prefixlen = e->prefixlen;
		memcpy(k->lpm6.addr, e->addr, 16);
	}
}

static int dut_add(struct dut *d, const struct model_entry *e)
{
	struct xdpfwd_entry val = {
		.expires_ns = e->expires_ns,
		.sets = { e->sets[0], e->sets[1] },
		.timed = e->timed,
		.count_set = e->count_set,
		.plen1 = e->plen1,
	};
	union map_key k;

	entry_key(e, &k);
	if (bpf_map_update_elem(dut_map_fd(d, e->list, e->family), &k, &val, BPF_NOEXIST))
		return -errno;
	return 0;
}

/* A trie lookup with the entry's own key finds that entry's node, as it exists. */
static int dut_read_entry(struct dut *d, const struct model_entry *e, struct xdpfwd_entry *val)
{
	union map_key k;

	entry_key(e, &k);
	if (bpf_map_lookup_elem(dut_map_fd(d, e->list, e->family), &k, val))
		return -errno;
	return 0;
}

static const int list_maps[][2] = {	/* list, family */
	{ MODEL_BLOCK_ADDR, 4 }, { MODEL_BLOCK_ADDR, 6 },
	{ MODEL_BLOCK_NET, 4 }, { MODEL_BLOCK_NET, 6 },
	{ MODEL_ALLOW, 4 }, { MODEL_ALLOW, 6 },
};

/* Deletes the first key until there is none: safe for hashes and tries alike. */
static int dut_clear(struct dut *d)
{
	union map_key k;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(list_maps); i++) {
		fd = dut_map_fd(d, list_maps[i][0], list_maps[i][1]);
		while (!bpf_map_get_next_key(fd, NULL, &k))
			if (bpf_map_delete_elem(fd, &k))
				return -errno;
		if (errno != ENOENT)
			return -errno;
	}
	return 0;
}

static long count_keys(int fd)
{
	union map_key k, next;
	void *prev = NULL;
	long n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

/* ---- counters on both sides ------------------------------------------------- */

/* What one side has counted so far; entries in model order. */
struct snap {
	__u64 packets[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 bytes[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 set_packets[XDPFWD_KINDS][XDPFWD_MAX_SETS];
	__u64 set_bytes[XDPFWD_KINDS][XDPFWD_MAX_SETS];
	__u64 ev_eligible;
	size_t n;
	__u64 *ep, *eb;
};

static int snap_init(struct snap *s, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->ep = calloc(n + 1, sizeof(__u64));
	s->eb = calloc(n + 1, sizeof(__u64));
	return s->ep && s->eb ? 0 : -ENOMEM;
}

static void snap_free(struct snap *s)
{
	free(s->ep);
	free(s->eb);
	memset(s, 0, sizeof(*s));
}

static void snap_model(const struct model *m, struct snap *s)
{
	size_t i;

	memcpy(s->packets, m->packets, sizeof(s->packets));
	memcpy(s->bytes, m->bytes, sizeof(s->bytes));
	memcpy(s->set_packets, m->set_packets, sizeof(s->set_packets));
	memcpy(s->set_bytes, m->set_bytes, sizeof(s->set_bytes));
	s->ev_eligible = m->ev_eligible;
	for (i = 0; i < s->n; i++) {
		s->ep[i] = m->e[i].packets;
		s->eb[i] = m->e[i].bytes;
	}
}

/* Reads the program's counters: the stats, and the entries watch selects (NULL: all). */
static int snap_prog(struct dut *d, const struct model *m, const bool *watch, struct snap *s)
{
	struct xdpfwd_stats st;
	struct xdpfwd_entry val;
	size_t i;
	int err;

	err = dut_read_stats(d, &st);
	if (err)
		return err;
	memcpy(s->packets, st.packets, sizeof(s->packets));
	memcpy(s->bytes, st.bytes, sizeof(s->bytes));
	/* As readers show them: the model counts manual, the program leaves it to be derived. */
	for (i = 0; i < XDPFWD_KINDS * XDPFWD_MAX_SETS; i++) {
		s->set_packets[i / XDPFWD_MAX_SETS][i % XDPFWD_MAX_SETS] =
			xdpfwd_set_packets(&st, i / XDPFWD_MAX_SETS, i % XDPFWD_MAX_SETS);
		s->set_bytes[i / XDPFWD_MAX_SETS][i % XDPFWD_MAX_SETS] =
			xdpfwd_set_bytes(&st, i / XDPFWD_MAX_SETS, i % XDPFWD_MAX_SETS);
	}
	s->ev_eligible = st.ev_eligible;
	for (i = 0; i < s->n; i++) {
		if (watch && !watch[i])
			continue;
		err = dut_read_entry(d, &m->e[i], &val);
		if (err)
			return err;
		s->ep[i] = val.packets;
		s->eb[i] = val.bytes;
	}
	return 0;
}

static void swap_snaps(struct snap *a, struct snap *b)
{
	struct snap t = *a;

	*a = *b;
	*b = t;
}

/* How the counters moved between two snapshots of one side. */
struct moved {
	int cells;		/* stats cells that moved */
	int action, reason;	/* the last of them */
	__u64 packets, bytes;	/* ... and by how much */
	int entries;		/* entries that moved */
	long entry;		/* the last of them */
	__u64 entry_packets, entry_bytes;
	__u64 eligible;
};

static void snap_moved(const struct snap *a, const struct snap *b, struct moved *mv)
{
	size_t i;
	int x, y;

	memset(mv, 0, sizeof(*mv));
	mv->action = mv->reason = -1;
	mv->entry = -1;
	for (x = 0; x < XDPFWD_ACT_MAX; x++) {
		for (y = 0; y < XDPFWD_R_MAX; y++) {
			if (b->packets[x][y] == a->packets[x][y] && b->bytes[x][y] == a->bytes[x][y])
				continue;
			mv->cells++;
			mv->action = x;
			mv->reason = y;
			mv->packets = b->packets[x][y] - a->packets[x][y];
			mv->bytes = b->bytes[x][y] - a->bytes[x][y];
		}
	}
	for (i = 0; i < a->n; i++) {
		if (b->ep[i] == a->ep[i] && b->eb[i] == a->eb[i])
			continue;
		mv->entries++;
		mv->entry = i;
		mv->entry_packets = b->ep[i] - a->ep[i];
		mv->entry_bytes = b->eb[i] - a->eb[i];
	}
	mv->eligible = b->ev_eligible - a->ev_eligible;
}

/*
 * Compares how the program's counters moved (p0 -> p1) with how the model's
 * did (m0 -> m1), entries only where watch says so (NULL: all); prints each
 * difference when verbose. Returns how many differ.
 */
static int snap_compare(const struct snap *p0, const struct snap *p1, const struct snap *m0,
			const struct snap *m1, const struct model *m, const bool *watch, bool verbose)
{
	char name[64];
	int x, y, diffs = 0;
	size_t i;

	for (x = 0; x < XDPFWD_ACT_MAX; x++) {
		for (y = 0; y < XDPFWD_R_MAX; y++) {
			__u64 pp = p1->packets[x][y] - p0->packets[x][y];
			__u64 pb = p1->bytes[x][y] - p0->bytes[x][y];
			__u64 mp = m1->packets[x][y] - m0->packets[x][y];
			__u64 mb = m1->bytes[x][y] - m0->bytes[x][y];

			if (pp == mp && pb == mb)
				continue;
			diffs++;
			if (verbose)
				printf("  stats %s/%s: program +%llu packets +%llu bytes, model +%llu +%llu\n",
				       model_action_names[x], model_reason_names[y],
				       (unsigned long long)pp, (unsigned long long)pb,
				       (unsigned long long)mp, (unsigned long long)mb);
		}
	}
	for (i = 0; i < p0->n; i++) {
		__u64 pp = p1->ep[i] - p0->ep[i], pb = p1->eb[i] - p0->eb[i];
		__u64 mp = m1->ep[i] - m0->ep[i], mb = m1->eb[i] - m0->eb[i];

		if ((watch && !watch[i]) || (pp == mp && pb == mb))
			continue;
		diffs++;
		if (verbose) {
			model_entry_format(&m->e[i], name, sizeof(name));
			printf("  entry %s %s: program +%llu packets +%llu bytes, model +%llu +%llu\n",
			       model_list_names[m->e[i].list], name,
			       (unsigned long long)pp, (unsigned long long)pb,
			       (unsigned long long)mp, (unsigned long long)mb);
		}
	}
	for (x = 0; x < XDPFWD_KINDS; x++) {
		for (y = 0; y < XDPFWD_MAX_SETS; y++) {
			__u64 pp = p1->set_packets[x][y] - p0->set_packets[x][y];
			__u64 pb = p1->set_bytes[x][y] - p0->set_bytes[x][y];
			__u64 mp = m1->set_packets[x][y] - m0->set_packets[x][y];
			__u64 mb = m1->set_bytes[x][y] - m0->set_bytes[x][y];

			if (pp == mp && pb == mb)
				continue;
			diffs++;
			if (verbose)
				printf("  %s set %d: program +%llu packets +%llu bytes, model +%llu +%llu\n",
				       x ? "allow" : "block", y, (unsigned long long)pp,
				       (unsigned long long)pb, (unsigned long long)mp,
				       (unsigned long long)mb);
		}
	}
	if (p1->ev_eligible - p0->ev_eligible != m1->ev_eligible - m0->ev_eligible) {
		diffs++;
		if (verbose)
			printf("  ev_eligible: program +%llu, model +%llu\n",
			       (unsigned long long)(p1->ev_eligible - p0->ev_eligible),
			       (unsigned long long)(m1->ev_eligible - m0->ev_eligible));
	}
	return diffs;
}

/* ---- random lists ------------------------------------------------------------ */

/* Only these ranges are ever listed (RFC 2544 and RFC 5180 benchmarking space). */
static const __u8 range_v4[16] = { 198, 18 };
static const __u8 range_v6[16] = { 0x20, 0x01, 0x00, 0x02 };
#define RANGE_V4_LEN	15
#define RANGE_V6_LEN	48

static unsigned int max_len(int family)
{
	return family == 4 ? 32 : 128;
}

/* out = base's first plen bits, then random bits up to the family's length. */
static void random_in(struct rng *r, const __u8 *base, unsigned int plen, int family, __u8 *out)
{
	unsigned int i;
	__u8 rand[16];

	rnd_bytes(r, rand, sizeof(rand));
	memset(out, 0, 16);
	for (i = 0; i < max_len(family); i++) {
		__u8 bit = 0x80 >> (i % 8);

		if ((i < plen ? base[i / 8] : rand[i / 8]) & bit)
			out[i / 8] |= bit;
	}
}

static void random_in_range(struct rng *r, int family, __u8 *out)
{
	if (family == 4)
		random_in(r, range_v4, RANGE_V4_LEN, 4, out);
	else
		random_in(r, range_v6, RANGE_V6_LEN, 6, out);
}

struct pools {
	/* Indices into the model's entries, per [list][family == 6]. */
	size_t *idx[MODEL_LIST_MAX][2];
	size_t n[MODEL_LIST_MAX][2];
};

static void pools_free(struct pools *p)
{
	int l, f;

	for (l = 0; l < MODEL_LIST_MAX; l++)
		for (f = 0; f < 2; f++)
			free(p->idx[l][f]);
	memset(p, 0, sizeof(*p));
}

static int pools_build(struct pools *p, const struct model *m)
{
	size_t i;
	int l, f;

	pools_free(p);
	for (l = 0; l < MODEL_LIST_MAX; l++)
		for (f = 0; f < 2; f++)
			if (!(p->idx[l][f] = calloc(m->n + 1, sizeof(size_t))))
				return -ENOMEM;
	for (i = 0; i < m->n; i++) {
		l = m->e[i].list;
		f = m->e[i].family == 6;
		p->idx[l][f][p->n[l][f]++] = i;
	}
	return 0;
}

/* A random entry of list and family, or NULL if there is none. */
static const struct model_entry *pick_entry(struct rng *r, const struct model *m,
					    const struct pools *p, enum model_list list, int family)
{
	int f = family == 6;

	if (!p->n[list][f])
		return NULL;
	return &m->e[p->idx[list][f][rnd(r, p->n[list][f])]];
}

static __u64 boot_now(void)
{
	struct timespec ts;

	/* bpf_ktime_get_boot_ns(), which the program checks expiry against. */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Never, long past, or far ahead: no entry is anywhere near its deadline while frames run. */
static __u64 random_expiry(struct rng *r, __u64 now, unsigned int expired_percent)
{
	__u64 hour = 3600 * NSEC_PER_SEC;
	unsigned int x = rnd(r, 100);

	if (x < expired_percent)
		return now > hour ? now - hour + 1 - rnd(r, 1000000) : 1;
	if (x < expired_percent + 8)
		return now + hour + rng_next(r) % hour;
	return 0;
}

/*
 * The sets of one epoch: a few ids (so entries share them), each with a
 * random mode and scope, and random generations of both kinds.
 */
struct universe {
	__u32 block, allow;	/* the set ids entries of each kind are drawn from */
};

static const __u16 port_pool[] = { 22, 53, 80, 443, 8080 };

static void random_meta(struct rng *r, struct model_config *cfg, struct universe *u)
{
	unsigned int n, i, k, x;

	cfg->set_gen[0] = (__u32)rng_next(r);
	cfg->set_gen[1] = (__u32)rng_next(r);
	cfg->drop_sets = cfg->scoped_sets = cfg->audit_sets = 0;
	memset(cfg->scope, 0, sizeof(cfg->scope));
	/* manual always, the top id often, a few others */
	u->block = M_SET(XDPFWD_SET_MANUAL) | (chance(r, 30) ? M_SET(XDPFWD_MAX_SETS - 1) : 0);
	u->allow = M_SET(XDPFWD_SET_MANUAL) | (chance(r, 30) ? M_SET(XDPFWD_MAX_SETS - 1) : 0);
	n = 1 + rnd(r, 6);
	for (i = 0; i < n; i++) {
		u->block |= M_SET(1 + rnd(r, XDPFWD_MAX_SETS - 1));
		u->allow |= M_SET(1 + rnd(r, XDPFWD_MAX_SETS - 1));
	}
	for (i = 0; i < XDPFWD_MAX_SETS; i++) {
		struct model_scope *sc = &cfg->scope[i];

		if (!(u->block >> i & 1))
			continue;
		x = rnd(r, 100);
		if (x < 40) {
			cfg->drop_sets |= M_SET(i);
		} else if (x < 70) {
			cfg->scoped_sets |= M_SET(i);
			sc->protos = 1 + rnd(r, 3);	/* TCP, UDP or both */
			sc->nports = chance(r, 20) ? 0 : 1 + rnd(r, 3);
			for (k = 0; k < sc->nports; k++)
				sc->ports[k] = chance(r, 85) ? port_pool[rnd(r, ARRAY_SIZE(port_pool))] :
					       (__u16)rng_next(r);
			/* Scope options of an unscoped set (a leftover) must not matter. */
		} else if (x < 92) {
			cfg->audit_sets |= M_SET(i);
		}
		/* else: in no mask, an id freed or not defined yet: matches nothing */
		if (!(cfg->scoped_sets >> i & 1) && chance(r, 10)) {
			sc->protos = 1 + rnd(r, 3);
			sc->nports = 1;
			sc->ports[0] = 22;
		}
	}
}

/* A random subset of the universe's ids, mostly small and never empty unless asked. */
static __u32 random_members(struct rng *r, __u32 universe)
{
	__u32 m = 0;
	int i;

	for (i = 0; i < XDPFWD_MAX_SETS; i++)
		if (universe >> i & 1 && chance(r, 30))
			m |= M_SET(i);
	if (!m && chance(r, 85)) {
		do
			i = rnd(r, XDPFWD_MAX_SETS);
		while (!(universe >> i & 1));
		m = M_SET(i);
	}
	return m;
}

/*
 * An entry's sets: members per generation (the same at rest; mid-replace of
 * some set, that set's bit differs), some of them timed, a deadline, the
 * set it counts under, and plen1 as user space records it or 0 (bpftool).
 */
static void random_membership(struct rng *r, const struct universe *u, bool rest, __u64 now,
			      unsigned int expired_percent, struct model_entry *e)
{
	__u32 universe = e->list == MODEL_ALLOW ? u->allow : u->block;
	__u32 in0 = random_members(r, universe), in1 = in0, all;
	int i;

	if (!rest && chance(r, 40))
		in1 = chance(r, 50) ? random_members(r, universe) : in0 ^ M_SET(rnd(r, XDPFWD_MAX_SETS));
	e->sets[0] = in0 ^ XDPFWD_SETS_XOR;
	e->sets[1] = in1 ^ XDPFWD_SETS_XOR;
	all = in0 | in1;
	e->expires_ns = random_expiry(r, now, expired_percent);
	e->timed = 0;
	if (e->expires_ns || chance(r, 5))
		for (i = 0; i < XDPFWD_MAX_SETS; i++)
			if ((all >> i & 1 && chance(r, 70)) || chance(r, 2))
				e->timed |= M_SET(i);
	e->count_set = chance(r, 95) ? rnd(r, XDPFWD_MAX_SETS) : (__u8)rng_next(r);
	e->plen1 = e->list != MODEL_BLOCK_ADDR && chance(r, 70) ? e->prefixlen + 1 : 0;
}

/* Mostly inside the listed range; short prefixes (covering all of it) only when asked. */
static unsigned int random_plen(struct rng *r, int family, bool short_ok)
{
	unsigned int range = family == 4 ? RANGE_V4_LEN : RANGE_V6_LEN, max = max_len(family);

	if (short_ok)
		return rnd(r, range);
	return range + rnd(r, max - range + 1);
}

/* A prefix: fresh in the range, or nested inside (or equal to) an entry already there. */
static void random_prefix(struct rng *r, const struct model *m, int family, bool short_ok,
			  struct model_entry *e)
{
	const struct model_entry *outer = NULL;
	size_t tries;

	e->family = family;
	e->prefixlen = random_plen(r, family, short_ok);
	for (tries = 0; m->n && !outer && tries < 8 && chance(r, 45); tries++) {
		const struct model_entry *c = &m->e[rnd(r, m->n)];

		if (c->family == family)
			outer = c;
	}
	if (outer) {
		e->prefixlen = outer->prefixlen + rnd(r, max_len(family) - outer->prefixlen + 1);
		/* Right above it, often: a walk then finds the outer one at its own length. */
		if (chance(r, 25) && outer->prefixlen < max_len(family))
			e->prefixlen = outer->prefixlen + 1;
		random_in(r, outer->addr, outer->prefixlen, family, e->addr);
	} else {
		random_in_range(r, family, e->addr);
	}
}

struct list_stats {
	unsigned long added[MODEL_LIST_MAX];
	unsigned long expired, several, short_prefixes, no_plen1;
};

static int add_both(struct dut *d, struct model *m, const struct model_entry *e,
		    struct list_stats *ls, __u64 now)
{
	int err = model_add(m, e);

	if (err == -EEXIST)
		return 0;
	if (!err)
		err = dut_add(d, &m->e[m->n - 1]);
	if (err) {
		fprintf(stderr, "differential: adding a list entry failed: %s\n", strerror(-err));
		return err;
	}
	ls->added[e->list]++;
	ls->expired += e->expires_ns && e->expires_ns <= now;
	ls->several += __builtin_popcount((e->sets[0] ^ XDPFWD_SETS_XOR) |
					  (e->sets[1] ^ XDPFWD_SETS_XOR)) > 1;
	ls->no_plen1 += e->list != MODEL_BLOCK_ADDR && !e->plen1;
	ls->short_prefixes += e->prefixlen < (e->family == 4 ? RANGE_V4_LEN : RANGE_V6_LEN);
	return 0;
}

/*
 * Sometimes a second prefix of the same list right above e (one bit longer,
 * inside it), in other random sets: the walk below the longer one, when it
 * does not decide, then finds e at e's own length.
 */
static int add_right_above(struct rng *r, struct dut *d, struct model *m, const struct universe *u,
			   bool rest, struct list_stats *ls, const struct model_entry *e, __u64 now)
{
	struct model_entry a = *e;

	if (!chance(r, 20) || e->prefixlen >= max_len(e->family))
		return 0;
	a.prefixlen = e->prefixlen + 1;
	random_in(r, e->addr, e->prefixlen, e->family, a.addr);
	random_membership(r, u, rest, now, 5, &a);
	if (chance(r, 50))
		a.sets[0] = a.sets[1] = XDPFWD_SETS_XOR;	/* in no set */
	return add_both(d, m, &a, ls, now);
}

static unsigned int list_size(struct rng *r, unsigned int empty_percent, unsigned int max)
{
	return chance(r, empty_percent) ? 0 : 1 + rnd(r, max);
}

/*
 * Fresh random lists for both families: exact addresses, prefixes of every
 * length (nested ones, of other sets and modes; allow entries inside blocked
 * prefixes and on blocked addresses), each in a few random sets, some timed
 * members past their deadline, some before it.
 */
static int random_lists(struct rng *r, struct dut *d, struct model *m, const struct universe *u,
			bool rest, struct list_stats *ls, bool expired_prefixes)
{
	/* Short prefixes expire more often: a live one covering the whole range decides much. */
	unsigned int exp_pct = expired_prefixes ? 10 : 0, exp_short_pct = expired_prefixes ? 40 : 0;
	__u64 now = boot_now();
	struct model_entry e;
	unsigned int i, n, shorts;
	int family, err;

	for (family = 4; family <= 6; family += 2) {
		n = list_size(r, 15, 150);
		for (i = 0; i < n; i++) {
			memset(&e, 0, sizeof(e));
			e.list = MODEL_BLOCK_ADDR;
			e.family = family;
			e.prefixlen = max_len(family);
			random_in_range(r, family, e.addr);
			random_membership(r, u, rest, now, 7, &e);
			if ((err = add_both(d, m, &e, ls, now)))
				return err;
		}
		/* Prefixes covering the whole range take part in every verdict: rare. */
		shorts = chance(r, 30) ? 1 + rnd(r, 2) : 0;
		n = list_size(r, 10, 80);
		for (i = 0; i < n + shorts; i++) {
			memset(&e, 0, sizeof(e));
			e.list = MODEL_BLOCK_NET;
			random_prefix(r, m, family, i >= n, &e);
			random_membership(r, u, rest, now, i >= n ? exp_short_pct : exp_pct, &e);
			if ((err = add_both(d, m, &e, ls, now)) ||
			    (err = add_right_above(r, d, m, u, rest, ls, &e, now)))
				return err;
		}
		shorts = chance(r, 10);
		n = list_size(r, 25, 40);
		for (i = 0; i < n + shorts; i++) {
			memset(&e, 0, sizeof(e));
			e.list = MODEL_ALLOW;
			random_prefix(r, m, family, i >= n, &e);
			random_membership(r, u, rest, now, i >= n ? exp_short_pct : exp_pct, &e);
			if ((err = add_both(d, m, &e, ls, now)) ||
			    (err = add_right_above(r, d, m, u, rest, ls, &e, now)))
				return err;
		}
	}
	return 0;
}

/* ---- random frames ------------------------------------------------------------ */

enum src_kind {
	SRC_EXACT,		/* an exact blocked address */
	SRC_BLOCK_NET,		/* inside a blocked prefix */
	SRC_ALLOW,		/* inside an allow entry */
	SRC_RANGE,		/* anywhere in the listed range: mostly misses */
	SRC_ANY,		/* any address at all */
	SRC_MAX,
};

static const char *const src_kind_names[SRC_MAX] = { "exact", "block-net", "allow", "range", "any" };

struct gen {
	struct rng r;
	const struct model *m;
	const struct pools *p;
	unsigned long src_kinds[SRC_MAX];
	unsigned long classes[4];
};

static const char *const class_names[] = { "built", "truncated", "mutated", "random" };

static void random_source(struct gen *g, int family, __u8 *addr)
{
	static const unsigned int weights[SRC_MAX] = { 30, 25, 15, 15, 15 };
	const struct model_entry *e = NULL;
	unsigned int x = rnd(&g->r, 100), k;

	for (k = 0; k < SRC_MAX - 1 && x >= weights[k]; k++)
		x -= weights[k];
	switch (k) {
	case SRC_EXACT:
		e = pick_entry(&g->r, g->m, g->p, MODEL_BLOCK_ADDR, family);
		break;
	case SRC_BLOCK_NET:
		e = pick_entry(&g->r, g->m, g->p, MODEL_BLOCK_NET, family);
		break;
	case SRC_ALLOW:
		e = pick_entry(&g->r, g->m, g->p, MODEL_ALLOW, family);
		break;
	case SRC_ANY:
		rnd_bytes(&g->r, addr, 16);
		if (family == 4)
			memset(addr + 4, 0, 12);
		g->src_kinds[k]++;
		return;
	}
	if (e) {
		random_in(&g->r, e->addr, e->prefixlen, family, addr);
		g->src_kinds[k]++;
	} else {
		random_in_range(&g->r, family, addr);
		g->src_kinds[SRC_RANGE]++;
	}
}

static __u16 random_ethertype(struct rng *r)
{
	static const __u16 types[] = {
		ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q, ETH_P_8021AD, ETH_P_ARP, 0x88cc, 0x9100, 0x0000,
	};

	return chance(r, 75) ? types[rnd(r, ARRAY_SIZE(types))] : (__u16)rng_next(r);
}

/* A frame from frames.h's builder: mostly well formed, sometimes wrong on purpose. */
static bool built_frame(struct gen *g, struct frame *f)
{
	static const __u8 v4_protos[] = { IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_TCP, 47, 0xff };
	static const __u8 v6_protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMPV6, 0, 43, 44, 59,
					  60 };
	struct rng *r = &g->r;
	struct frame_spec s = {};
	char src[INET6_ADDRSTRLEN];
	unsigned int ntags, x, i;
	int family = chance(r, 50) ? 4 : 6;
	__u8 addr[16];

	x = rnd(r, 100);
	ntags = x < 55 ? 0 : x < 75 ? 1 : x < 92 ? 2 : 3;
	for (i = 0; i < ntags; i++) {
		s.tags[i].tpid = chance(r, 50) ? ETH_P_8021Q : ETH_P_8021AD;
		s.tags[i].tci = rng_next(r);
	}
	s.payload = chance(r, 20) ? 0 : rnd(r, 65);
	s.no_l4 = chance(r, 10);
	/* Destination ports scopes name, mostly. */
	s.dport = chance(r, 80) ? port_pool[rnd(r, ARRAY_SIZE(port_pool))] : (__u16)rng_next(r);
	if (chance(r, 7)) {
		/* Not IP: ARP, LLDP or whatever else. */
		s.ethertype = chance(r, 50) ? ETH_P_ARP : random_ethertype(r);
		s.src = "198.18.0.1";
		return frame_build(f, &s);
	}
	s.ip = family;
	random_source(g, family, addr);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, src, sizeof(src));
	s.src = src;
	if (chance(r, 3))
		s.ethertype = random_ethertype(r);
	if (chance(r, 5))
		s.version = rnd(r, 16);
	if (family == 4) {
		s.proto = v4_protos[rnd(r, ARRAY_SIZE(v4_protos))];
		if (chance(r, 30))
			s.opt_len = 4 * (1 + rnd(r, 10));
		if (chance(r, 12)) {
			s.force_ihl = true;
			s.ihl = rnd(r, 16);
		}
		if (chance(r, 20))
			s.frag_off = rng_next(r);
	} else {
		s.proto = v6_protos[rnd(r, ARRAY_SIZE(v6_protos))];
		/* TCP or UDP behind an extension header: no scope sees its ports. */
		s.ext_hdr = chance(r, 10);
	}
	return frame_build(f, &s);
}

static void random_frame(struct gen *g, struct frame *f)
{
	struct rng *r = &g->r;
	unsigned int off = 12, tags = rnd(r, 4), i;

	memset(f, 0, sizeof(*f));
	f->len = ETH_HLEN + rnd(r, 200);
	rnd_bytes(r, f->data, f->len);
	if (chance(r, 40))
		return;
	/* Steer some random bytes past the Ethernet header: a VLAN stack, an IP version nibble. */
	for (i = 0; i < tags && off + 6 <= f->len; i++, off += 4)
		put_be16(f->data + off, chance(r, 50) ? ETH_P_8021Q : ETH_P_8021AD);
	put_be16(f->data + off, chance(r, 50) ? ETH_P_IP : ETH_P_IPV6);
	if (off + 2 < f->len)
		f->data[off + 2] = (chance(r, 50) ? 0x40 : 0x60) | (f->data[off + 2] & 0x0f);
}

/* Offset of the first byte after the Ethernet header and the VLAN tags (up to 3). */
static unsigned int l3_offset(const struct frame *f)
{
	unsigned int off = ETH_HLEN, i;

	for (i = 0; i < FRAME_MAX_TAGS && off <= f->len; i++) {
		__u16 type = f->data[off - 2] << 8 | f->data[off - 1];

		if (type != ETH_P_8021Q && type != ETH_P_8021AD)
			break;
		off += 4;
	}
	return off;
}

static void mutate(struct gen *g, struct frame *f)
{
	struct rng *r = &g->r;
	unsigned int n = 1 + rnd(r, 3), k, i, off, hot;

	while (n--) {
		switch (rnd(r, 6)) {
		case 0:	/* bit flips, mostly in the headers */
			k = 1 + rnd(r, 8);
			hot = f->len < 80 ? f->len : 80;
			for (i = 0; i < k; i++) {
				off = chance(r, 75) ? rnd(r, hot) : rnd(r, f->len);
				f->data[off] ^= 1 << rnd(r, 8);
			}
			break;
		case 1:	/* truncation */
			f->len = ETH_HLEN + rnd(r, f->len - ETH_HLEN + 1);
			break;
		case 2:	/* trailing bytes */
			k = rnd(r, 64) + 1;
			if (f->len + k > FRAME_MAX_LEN)
				k = FRAME_MAX_LEN - f->len;
			rnd_bytes(r, f->data + f->len, k);
			f->len += k;
			break;
		case 3:	/* another ethertype or TPID at some header boundary */
			off = 12 + 4 * rnd(r, 4);
			if (off + 2 <= f->len)
				put_be16(f->data + off, random_ethertype(r));
			break;
		case 4:	/* version and IHL */
			off = l3_offset(f);
			if (off < f->len)
				f->data[off] = chance(r, 50) ? (__u8)rng_next(r) :
					       (f->data[off] & 0xf0) | rnd(r, 16);
			break;
		case 5:	/* the source itself, to any other address */
			off = l3_offset(f);
			i = off + 12 + 4 * rnd(r, 4);
			if (i + 4 <= f->len)
				rnd_bytes(r, f->data + i, 4);
			break;
		}
	}
}

static void next_frame(struct gen *g, struct frame *f)
{
	unsigned int x = rnd(&g->r, 100), cls;

	if (x < 10) {
		cls = 3;
		random_frame(g, f);
	} else if (!built_frame(g, f)) {
		cls = 3;
		random_frame(g, f);
	} else if (x < 58) {
		cls = 0;
	} else if (x < 70) {
		/* Cut inside the headers: every truncation class the program knows of. */
		cls = 1;
		if (f->ip_end > ETH_HLEN)
			f->len = ETH_HLEN + rnd(&g->r, f->ip_end - ETH_HLEN);
	} else {
		cls = 2;
		mutate(g, f);
	}
	g->classes[cls]++;
}

/* ---- comparing ------------------------------------------------------------------ */

struct run {
	const char *pass;
	__u64 seed;
	unsigned long epoch;
	unsigned long frames;		/* run so far in this pass */
	unsigned long mismatches;
	unsigned long aborted;
	unsigned long reports;
	unsigned long replays;
	unsigned long reasons[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	unsigned long below;		/* block verdicts decided below the longest covering entry */
	unsigned long scoped;		/* frames whose ports a scope could see */
};

static int expected_ret(int action)
{
	return action == XDPFWD_ACT_DROP ? XDP_DROP : XDP_PASS;
}

static const char *ret_name(int ret)
{
	switch (ret) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	case XDP_REDIRECT:
		return "XDP_REDIRECT";
	default:
		return ret < 0 ? "refused" : "?";
	}
}

static void print_entry(const struct model *m, long i, const char *prefix, __u64 now)
{
	const struct model_entry *e = &m->e[i];
	char name[64];

	model_entry_format(e, name, sizeof(name));
	printf("%s%s %s sets 0x%08x/0x%08x (stored) timed 0x%08x live 0x%08x count_set %u plen1 %u expires %s\n",
	       prefix, model_list_names[e->list], name, e->sets[0], e->sets[1], e->timed,
	       model_live_sets(m, e, now), e->count_set, e->plen1,
	       !e->expires_ns ? "never" : e->expires_ns <= now ? "(passed)" : "(later)");
}

static bool covers(const struct model_entry *e, const struct model_verdict *v)
{
	unsigned int b;

	if (e->family != v->family)
		return false;
	for (b = 0; b < e->prefixlen; b++)
		if ((e->addr[b / 8] ^ v->src[b / 8]) & (0x80 >> (b % 8)))
			return false;
	return true;
}

/* Every list entry whose prefix covers the source, live or not: what a reproducer must set up. */
static void print_covering(const struct model *m, const struct model_verdict *v, __u64 now)
{
	size_t i;

	if (!v->family)
		return;
	printf("  frame ports: %s proto %u dport %u\n", v->l4 ? "seen" : "none", v->proto, v->dport);
	printf("  meta: set_gen 0x%08x/0x%08x drop 0x%08x scoped 0x%08x audit 0x%08x\n",
	       m->cfg.set_gen[0], m->cfg.set_gen[1], m->cfg.drop_sets, m->cfg.scoped_sets,
	       m->cfg.audit_sets);
	for (i = 0; i < XDPFWD_MAX_SETS; i++)
		if (m->cfg.scoped_sets >> i & 1)
			printf("  scope of set %zu: protos %u ports %u: %u %u %u\n", i,
			       m->cfg.scope[i].protos, m->cfg.scope[i].nports, m->cfg.scope[i].ports[0],
			       m->cfg.scope[i].ports[1], m->cfg.scope[i].ports[2]);
	printf("  list entries covering the source:\n");
	for (i = 0; i < m->n; i++)
		if (covers(&m->e[i], v))
			print_entry(m, i, "    ", now);
}

static void print_frame(const struct frame *f)
{
	unsigned int i;

	printf("  frame (%u bytes):", f->len);
	for (i = 0; i < f->len; i++)
		printf("%s%02x", i % 32 ? "" : "\n    ", f->data[i]);
	printf("\n");
}

/* Prints one disagreeing frame in full, up to MAX_REPORTS of them. */
static void report_frame(struct run *run, const struct model *m, const struct frame *f,
			 unsigned long index, const struct model_verdict *v, int ret,
			 const struct moved *pm, const char *why, __u64 now)
{
	char src[INET6_ADDRSTRLEN] = "-";

	if (run->reports++ >= MAX_REPORTS)
		return;
	if (v->family)
		inet_ntop(v->family == 4 ? AF_INET : AF_INET6, v->src, src, sizeof(src));
	printf("MISMATCH seed 0x%016llx pass %s epoch %lu frame %lu: %s\n",
	       (unsigned long long)run->seed, run->pass, run->epoch, index, why);
	print_frame(f);
	printf("  source %s\n", src);
	printf("  model:   %s %s/%s, entry ", ret_name(expected_ret(v->action)),
	       model_action_names[v->action],
	       v->reason < XDPFWD_R_MAX ? model_reason_names[v->reason] : "RATE_LIMIT");
	if (v->entry >= 0)
		print_entry(m, v->entry, "", now);
	else
		printf("none\n");
	printf("  program: %s", ret_name(ret));
	if (pm) {
		printf(" %s/%s (%d stats cells moved), entry ",
		       pm->action >= 0 ? model_action_names[pm->action] : "-",
		       pm->reason >= 0 ? model_reason_names[pm->reason] : "-", pm->cells);
		if (pm->entries == 1)
			print_entry(m, pm->entry, "", now);
		else
			printf("%s (%d entries moved)\n", pm->entries ? "several" : "none", pm->entries);
	} else {
		printf("\n");
	}
	print_covering(m, v, now);
}

/*
 * Runs the batch again one frame at a time with the counters read around
 * each, to name the frames behind a difference in the batch's counters.
 * Reading only the stats and the entries whose batch totals differed (watch)
 * keeps a replay cheap. Returns how many frames disagree.
 */
static long replay_batch(struct run *run, struct dut *d, struct model *m, const bool *watch,
			 const struct frame *fr, unsigned int n, unsigned long first)
{
	struct snap p0 = {}, p1 = {}, m0 = {}, m1 = {};
	struct model_verdict v;
	struct moved pm;
	long found = 0;
	unsigned int i;
	__u64 now;
	int ret;

	if (snap_init(&p0, m->n) || snap_init(&p1, m->n) || snap_init(&m0, m->n) ||
	    snap_init(&m1, m->n)) {
		found = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		now = boot_now();
		model_judge(m, fr[i].data, fr[i].len, now, &v);
		snap_model(m, &m0);
		model_count(m, &v, fr[i].len);
		snap_model(m, &m1);
		if (snap_prog(d, m, watch, &p0))
			goto fail;
		ret = dut_run(d, fr[i].data, fr[i].len);
		if (snap_prog(d, m, watch, &p1))
			goto fail;
		if (ret == expected_ret(v.action) && !snap_compare(&p0, &p1, &m0, &m1, m, watch, false))
			continue;
		found++;
		snap_moved(&p0, &p1, &pm);
		report_frame(run, m, &fr[i], first + i, &v, ret, &pm, "disagree (replay)", now);
		if (run->reports <= MAX_REPORTS)
			snap_compare(&p0, &p1, &m0, &m1, m, watch, true);
	}
	goto out;
fail:
	fprintf(stderr, "differential: reading counters failed: %s\n", strerror(errno));
	found = -EIO;
out:
	snap_free(&p0);
	snap_free(&p1);
	snap_free(&m0);
	snap_free(&m1);
	return found;
}

struct pass {
	const char *name;
	int drop_malformed;
	bool rest;		/* every entry at rest: the same members in both generations */
	unsigned long frames;
	bool expired_prefixes;	/* expired members in the tries too, not only among exact ones */
};

static void print_seed_hint(const struct run *run)
{
	printf("  repeat with: XDPFWD_SEED=0x%016llx XDPFWD_PASS=%s XDPFWD_FRAMES=%lu\n",
	       (unsigned long long)run->seed, run->pass, run->frames);
}

/*
 * At the end of an epoch: each list map holds exactly the model's entries,
 * each with the model's totals, a last-hit time exactly when it was hit, and
 * the expiry and flags it was given (the program never writes those).
 */
static int check_maps(struct run *run, struct dut *d, const struct model *m)
{
	struct xdpfwd_entry val;
	char name[64];
	long want, got;
	size_t i, k;
	int bad = 0;

	for (k = 0; k < m->n; k++) {
		const struct model_entry *e = &m->e[k];

		/* The program writes only the counters and times; the sets are user space's. */
		if (dut_read_entry(d, e, &val) || val.packets != e->packets || val.bytes != e->bytes ||
		    !val.last_hit_ns != !e->packets || val.expires_ns != e->expires_ns ||
		    val.sets[0] != e->sets[0] || val.sets[1] != e->sets[1] || val.timed != e->timed ||
		    val.count_set != e->count_set || val.plen1 != e->plen1) {
			model_entry_format(e, name, sizeof(name));
			printf("MISMATCH seed 0x%016llx pass %s epoch %lu: %s %s: program %llu packets %llu bytes, last hit %llu, expires %llu, sets 0x%x/0x%x timed 0x%x count_set %u plen1 %u; model %llu, %llu, %llu, 0x%x/0x%x 0x%x %u %u\n",
			       (unsigned long long)run->seed, run->pass, run->epoch,
			       model_list_names[e->list], name,
			       (unsigned long long)val.packets, (unsigned long long)val.bytes,
			       (unsigned long long)val.last_hit_ns, (unsigned long long)val.expires_ns,
			       val.sets[0], val.sets[1], val.timed, val.count_set, val.plen1,
			       (unsigned long long)e->packets, (unsigned long long)e->bytes,
			       (unsigned long long)e->expires_ns, e->sets[0], e->sets[1], e->timed,
			       e->count_set, e->plen1);
			bad++;
		}
	}

	for (i = 0; i < ARRAY_SIZE(list_maps); i++) {
		want = 0;
		for (k = 0; k < m->n; k++)
			want += m->e[k].list == (enum model_list)list_maps[i][0] &&
				m->e[k].family == list_maps[i][1];
		got = count_keys(dut_map_fd(d, list_maps[i][0], list_maps[i][1]));
		if (got != want) {
			printf("MISMATCH seed 0x%016llx pass %s epoch %lu: %s v%d holds %ld keys, model %ld\n",
			       (unsigned long long)run->seed, run->pass, run->epoch,
			       model_list_names[list_maps[i][0]], list_maps[i][1], got, want);
			bad++;
		}
	}
	return bad;
}

/*
 * Did a block verdict come from an entry under a longer one covering the
 * source (an exact entry or a longer prefix that does not decide)? Those are
 * the frames a program reading only the longest match gets wrong.
 */
static bool decided_below(const struct model *m, const struct model_verdict *v)
{
	const struct model_entry *d;
	size_t i;

	if (v->entry < 0 || v->reason != XDPFWD_R_BLOCKLIST)
		return false;
	d = &m->e[v->entry];
	for (i = 0; i < m->n; i++) {
		const struct model_entry *e = &m->e[i];

		if (e == d || e->list == MODEL_ALLOW || !covers(e, v))
			continue;
		if (d->list == MODEL_BLOCK_NET && (e->list == MODEL_BLOCK_ADDR || e->prefixlen > d->prefixlen))
			return true;
	}
	return false;
}

/* What the pass exercised: list layouts, frame classes, sources and verdicts (the model's). */
static void print_coverage(const char *pass, const struct run *run, const struct list_stats *ls,
			   const struct gen *g)
{
	double epochs = run->epoch ? run->epoch : 1;
	unsigned int i;

	printf("  %s: lists per epoch %.0f exact, %.0f block prefixes, %.0f allow; %lu past their deadline, %lu in several sets, %lu short, %lu without plen1\n",
	       pass, ls->added[MODEL_BLOCK_ADDR] / epochs, ls->added[MODEL_BLOCK_NET] / epochs,
	       ls->added[MODEL_ALLOW] / epochs, ls->expired, ls->several, ls->short_prefixes,
	       ls->no_plen1);
	printf("  %s: frames", pass);
	for (i = 0; i < ARRAY_SIZE(class_names); i++)
		printf(" %s %lu", class_names[i], g->classes[i]);
	printf("; sources");
	for (i = 0; i < SRC_MAX; i++)
		printf(" %s %lu", src_kind_names[i], g->src_kinds[i]);
	printf("\n  %s: %lu frames with ports a scope sees, %lu block verdicts decided below a longer match",
	       pass, run->scoped, run->below);
	printf("\n  %s: verdicts", pass);
	for (i = 0; i < XDPFWD_ACT_MAX * XDPFWD_R_MAX; i++)
		if (run->reasons[i / XDPFWD_R_MAX][i % XDPFWD_R_MAX])
			printf(" %s/%s %lu", model_action_names[i / XDPFWD_R_MAX],
			       model_reason_names[i % XDPFWD_R_MAX],
			       run->reasons[i / XDPFWD_R_MAX][i % XDPFWD_R_MAX]);
	printf("\n");
}

/* seed names the whole run in messages; pass_seed drives this pass's random stream. */
static int run_pass(const struct pass *ps, __u64 seed, __u64 pass_seed, struct run *run)
{
	struct snap p0 = {}, p1 = {}, m0 = {}, m1 = {};
	struct model m = { .cfg.drop_malformed = ps->drop_malformed };
	struct frame *batch = NULL;
	bool *watch = NULL;
	struct list_stats ls = {};
	struct universe u = {};
	struct pools pools = {};
	struct gen g = {};
	struct model_verdict v;
	struct xdpfwd_stats st;
	struct dut d;
	unsigned long done = 0, bad_rets;
	unsigned int n, i;
	long found;
	size_t k;
	__u64 now;
	int ret, err;

	memset(run, 0, sizeof(*run));
	run->pass = ps->name;
	run->seed = seed;
	g.r.s = pass_seed;
	g.m = &m;
	g.p = &pools;

	err = dut_open(&d, ps->drop_malformed, false);
	if (err)
		return err;
	batch = calloc(BATCH_FRAMES, sizeof(*batch));
	if (!batch) {
		err = -ENOMEM;
		goto out;
	}

	while (done < ps->frames) {
		/* A fresh list layout and meta for every epoch. */
		snap_free(&p0);
		snap_free(&p1);
		snap_free(&m0);
		snap_free(&m1);
		model_reset(&m);
		if ((err = dut_clear(&d)))
			goto out;
		/* Fresh sets: generations, modes and scopes. */
		random_meta(&g.r, &m.cfg, &u);
		if ((err = dut_set_meta(&d, &m.cfg)) ||
		    (err = random_lists(&g.r, &d, &m, &u, ps->rest, &ls, ps->expired_prefixes)) ||
		    (err = pools_build(&pools, &m)))
			goto out;
		if ((err = snap_init(&p0, m.n)) || (err = snap_init(&p1, m.n)) ||
		    (err = snap_init(&m0, m.n)) || (err = snap_init(&m1, m.n)))
			goto out;
		free(watch);
		watch = calloc(m.n + 1, sizeof(*watch));
		if (!watch) {
			err = -ENOMEM;
			goto out;
		}
		if ((err = snap_prog(&d, &m, NULL, &p0)))
			goto out;
		snap_model(&m, &m0);

		for (n = 0; done < ps->frames && n < EPOCH_FRAMES; ) {
			unsigned int todo = BATCH_FRAMES;
			unsigned long first = run->frames;

			if (todo > EPOCH_FRAMES - n)
				todo = EPOCH_FRAMES - n;
			if (todo > ps->frames - done)
				todo = ps->frames - done;
			bad_rets = 0;
			now = boot_now();
			for (i = 0; i < todo; i++) {
				next_frame(&g, &batch[i]);
				model_judge(&m, batch[i].data, batch[i].len, now, &v);
				model_count(&m, &v, batch[i].len);
				run->reasons[v.action][v.reason]++;
				run->below += decided_below(&m, &v);
				run->scoped += v.l4;
				ret = dut_run(&d, batch[i].data, batch[i].len);
				if (ret == XDP_ABORTED)
					run->aborted++;
				if (ret == expected_ret(v.action))
					continue;
				bad_rets++;
				if (run->replays >= MAX_REPLAYS)
					report_frame(run, &m, &batch[i], first + i, &v, ret, NULL,
						     "verdicts differ", now);
			}
			run->frames += todo;
			done += todo;
			n += todo;
			ring_buffer__consume(d.rb);

			if ((err = snap_prog(&d, &m, NULL, &p1)))
				goto out;
			snap_model(&m, &m1);
			if (bad_rets || snap_compare(&p0, &p1, &m0, &m1, &m, NULL, false)) {
				if (run->replays < MAX_REPLAYS) {
					run->replays++;
					printf("MISMATCH seed 0x%016llx pass %s epoch %lu: frames %lu-%lu moved the counters differently:\n",
					       (unsigned long long)seed, ps->name, run->epoch, first,
					       first + todo - 1);
					snap_compare(&p0, &p1, &m0, &m1, &m, NULL, true);
					for (k = 0; k < m.n; k++)
						watch[k] = p1.ep[k] - p0.ep[k] != m1.ep[k] - m0.ep[k] ||
							   p1.eb[k] - p0.eb[k] != m1.eb[k] - m0.eb[k];
					found = replay_batch(run, &d, &m, watch, batch, todo, first);
					if (found < 0) {
						err = found;
						goto out;
					}
					run->mismatches += found ? found : 1;
					if ((err = snap_prog(&d, &m, NULL, &p1)))
						goto out;
					snap_model(&m, &m1);
				} else {
					run->mismatches += bad_rets ? bad_rets : 1;
				}
			}
			/* Roll forward: the next batch is compared from here. */
			swap_snaps(&p0, &p1);
			swap_snaps(&m0, &m1);
		}
		run->mismatches += check_maps(run, &d, &m);
		run->epoch++;
	}

	/* Every drop is eligible for an event and ends in exactly one bucket. */
	ring_buffer__consume(d.rb);
	if ((err = dut_read_stats(&d, &st)))
		goto out;
	if (st.ev_sent + st.ev_suppressed_source + st.ev_suppressed_global + st.ev_lost !=
	    st.ev_eligible || st.ev_sent != d.events) {
		printf("MISMATCH seed 0x%016llx pass %s: events eligible %llu, sent %llu (read %llu), suppressed %llu + %llu, lost %llu\n",
		       (unsigned long long)seed, ps->name, (unsigned long long)st.ev_eligible,
		       (unsigned long long)st.ev_sent, (unsigned long long)d.events,
		       (unsigned long long)st.ev_suppressed_source,
		       (unsigned long long)st.ev_suppressed_global, (unsigned long long)st.ev_lost);
		run->mismatches++;
	}
	if (run->aborted)
		printf("MISMATCH seed 0x%016llx pass %s: %lu frames returned XDP_ABORTED\n",
		       (unsigned long long)seed, ps->name, run->aborted);
	if (run->mismatches)
		print_seed_hint(run);
	print_coverage(ps->name, run, &ls, &g);
out:
	if (err)
		fprintf(stderr, "differential: pass %s stopped: %s\n", ps->name, strerror(-err));
	snap_free(&p0);
	snap_free(&p1);
	snap_free(&m0);
	snap_free(&m1);
	pools_free(&pools);
	model_free(&m);
	free(batch);
	free(watch);
	dut_close(&d);
	return err;
}

/* ---- the flood defense ------------------------------------------------------- */

static int dut_read_limit_stats(struct dut *d, struct xdpfwd_limit_stats *sum)
{
	struct xdpfwd_limit_stats pc[d->ncpu];
	__u32 slot = XDPFWD_STATS_SLOT_OTHER;
	size_t i;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	memset(pc, 0, sizeof(pc));
	if (bpf_map_lookup_elem(bpf_map__fd(d->skel->maps.limit_stats), &slot, pc))
		return -errno;
	for (cpu = 0; cpu < d->ncpu; cpu++)
		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			((__u64 *)sum)[i] += ((__u64 *)&pc[cpu])[i];
	return 0;
}

static int dut_set_limits(struct dut *d, const struct xdpfwd_limits *l)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(d->skel->maps.limits), &zero, l, BPF_ANY) ? -errno : 0;
}

static int dut_clear_limit_stats(struct dut *d)
{
	struct xdpfwd_limit_stats zero[d->ncpu];
	__u32 slot = XDPFWD_STATS_SLOT_OTHER;

	memset(zero, 0, sizeof(zero));
	return bpf_map_update_elem(bpf_map__fd(d->skel->maps.limit_stats), &slot, zero, BPF_ANY) ?
	       -errno : 0;
}

static int dut_clear_meter(struct dut *d)
{
	int fd = bpf_map__fd(d->skel->maps.meter);
	struct xdpfwd_meter_set zero = {};
	__u32 i;

	for (i = 0; i < bpf_map__max_entries(d->skel->maps.meter); i++)
		if (bpf_map_update_elem(fd, &i, &zero, BPF_ANY))
			return -errno;
	return 0;
}

/* Key's buckets where the program looks for them (its two sets, include/xdpfwd.h); -1 if absent. */
static int meter_lookup(struct dut *d, const struct xdpfwd_limits *l, const __u8 key[16], struct xdpfwd_meter *v)
{
	__u32 w[4], idx[2], nsets = bpf_map__max_entries(d->skel->maps.meter);
	int fd = bpf_map__fd(d->skel->maps.meter), i, j;
	struct xdpfwd_meter_set set;
	__u64 h;

	memcpy(w, key, 16);
	h = xdpfwd_meter_hash(w, l->meter_seed);
	idx[0] = xdpfwd_meter_set0(h, nsets);
	idx[1] = xdpfwd_meter_set1(h, l->meter_seed, nsets);
	for (i = 0; i < 2; i++) {
		if (bpf_map_lookup_elem(fd, &idx[i], &set))
			return -1;
		for (j = 0; j < XDPFWD_METER_WAYS; j++)
			if (set.way[j].m.generation && !memcmp(set.way[j].key.addr, key, 16)) {
				*v = set.way[j].m;
				return 0;
			}
	}
	return -1;
}

/* Ways in use in the meter (filled under some limits). */
static long meter_count(struct dut *d)
{
	__u32 i, nsets = bpf_map__max_entries(d->skel->maps.meter);
	int fd = bpf_map__fd(d->skel->maps.meter), j;
	struct xdpfwd_meter_set set;
	long n = 0;

	for (i = 0; i < nsets; i++) {
		if (bpf_map_lookup_elem(fd, &i, &set))
			return -1;
		for (j = 0; j < XDPFWD_METER_WAYS; j++)
			n += !!set.way[j].m.generation;
	}
	return n;
}

/*
 * Random limits: every action (mostly ones that meter), rates small enough
 * that a few frames of a key cross them, now and then a bit rate or a huge
 * rate, keys from /1 to full length (short ones, so that sources share a
 * key), and the set bans go to drawn from the epoch's sets, whatever its mode.
 */
static void random_limits(struct rng *r, const struct universe *u, __u64 generation,
			  struct xdpfwd_limits *l)
{
	static const __u8 plen4s[] = { 32, 24, 16, 8 }, plen6s[] = { 128, 64, 48, 32 };
	unsigned int x = rnd(r, 100), i;

	memset(l, 0, sizeof(*l));
	l->action = x < 5 ? XDPFWD_LIMIT_OFF : x < 35 ? XDPFWD_LIMIT_DROP :
		    x < 80 ? XDPFWD_LIMIT_BAN : XDPFWD_LIMIT_AUDIT;
	/* Sources spread over 198.18.0.0/15 and 2001:2::/48: keys shorter than those share buckets most. */
	l->plen4 = chance(r, 50) ? 1 + rnd(r, 16) : chance(r, 70) ? plen4s[rnd(r, ARRAY_SIZE(plen4s))] :
		   1 + rnd(r, 32);
	l->plen6 = chance(r, 50) ? 1 + rnd(r, 48) : chance(r, 70) ? plen6s[rnd(r, ARRAY_SIZE(plen6s))] :
		   1 + rnd(r, 128);
	if (chance(r, 85)) {
		l->pps = chance(r, 90) ? 1 + rnd(r, 20) : XDPFWD_LIMIT_RATE_MAX - rnd(r, 1000);
		l->pkt_burst = 1 + rnd(r, 5);
	}
	if (!l->pps || chance(r, 30)) {
		l->bps = chance(r, 90) ? 1 + rnd(r, 20000) : XDPFWD_LIMIT_RATE_MAX;
		l->bit_burst = 8 * (64 + rnd(r, 2000));
	}
	for (i = 0; i < 8; i++) {
		l->auto_set = 1 + rnd(r, XDPFWD_MAX_SETS - 1);
		if (u->block >> l->auto_set & 1)
			break;
	}
	l->ban_ns = (1 + rnd(r, 5000)) * 1000000ULL;
	l->generation = generation;
	if (chance(r, 80))
		for (i = 0; i < XDPFWD_METER_SEEDS; i++)
			l->meter_seed[i] = rng_next(r);
}

/* The next frame's time: mostly a step forward, now and then a long idle, a step back, the same instant. */
static __u64 next_time(struct rng *r, __u64 t)
{
	unsigned int x = rnd(r, 1000);

	if (x < 250)
		t += 0;
	else if (x < 600)
		t += rnd(r, 1000000);
	else if (x < 950)
		t += rnd(r, 20000000);
	else if (x < 990)
		t += rnd(r, 1000) < 100 ? (1ULL << (24 + rnd(r, 20))) + rnd(r, 1000) : rnd(r, 2000000000);
	else
		t -= rnd(r, 2000000000);
	return t ? t : 1;
}

/* At the end of an epoch: the meter holds exactly the model's buckets, field by field. */
static int check_meter(struct run *run, struct dut *d, const struct model *m)
{
	struct xdpfwd_meter v = {};
	char a[INET6_ADDRSTRLEN];
	long n = meter_count(d);
	size_t i;
	int bad = 0;

	for (i = 0; i < m->nb; i++) {
		const struct model_bucket *b = &m->b[i];

		if (!meter_lookup(d, &m->cfg.limits, b->key, &v) && v.last_ns == b->last_ns &&
		    v.pkt_tokens == b->pkt && v.bit_tokens == b->bit && v.generation == b->generation &&
		    v.over == b->over && v.banned_ns == b->banned_ns)
			continue;
		inet_ntop(AF_INET6, b->key, a, sizeof(a));
		printf("MISMATCH seed 0x%016llx pass %s epoch %lu: meter key %s: program last %llu pkt %llu bit %llu gen %llu over %llu banned %llu; model %llu %llu %llu %llu %llu %llu\n",
		       (unsigned long long)run->seed, run->pass, run->epoch, a,
		       (unsigned long long)v.last_ns, (unsigned long long)v.pkt_tokens,
		       (unsigned long long)v.bit_tokens, (unsigned long long)v.generation,
		       (unsigned long long)v.over, (unsigned long long)v.banned_ns,
		       (unsigned long long)b->last_ns, (unsigned long long)b->pkt,
		       (unsigned long long)b->bit, (unsigned long long)b->generation,
		       (unsigned long long)b->over, (unsigned long long)b->banned_ns);
		bad++;
	}
	if (n < 0 || (size_t)n != m->nb) {
		printf("MISMATCH seed 0x%016llx pass %s epoch %lu: the meter holds %ld keys, model %zu\n",
		       (unsigned long long)run->seed, run->pass, run->epoch, n, m->nb);
		bad++;
	}
	return bad;
}

#define LIMIT_EPOCH_FRAMES 4000

/*
 * The flood defense against the model: random lists and limits, random
 * frames at random times (the program's test clock), frame by frame: the
 * verdict, the stats cell or the limit counter it moved, bans and failed
 * bans; at the end of each epoch every list entry (the bans among them) and
 * every bucket, field by field. Limits change within an epoch too (a new
 * generation, or the same one rewritten).
 */
static int run_limits_pass(__u64 seed, __u64 pass_seed, unsigned long frames, struct run *run)
{
	struct model m = {};
	struct list_stats ls = {};
	struct universe u = {};
	struct pools pools = {};
	struct gen g = {};
	struct xdpfwd_stats s0, s1;
	struct xdpfwd_limit_stats l0, l1;
	struct model_verdict v;
	struct frame f;
	struct dut d;
	unsigned long done = 0, n, bans = 0, failed_bans = 0;
	__u64 t, generation = 1, mp, mb, pp, pb, failed;
	int ret, err, a, r, cells;
	char why[160];

	memset(run, 0, sizeof(*run));
	run->pass = "limits";
	run->seed = seed;
	g.r.s = pass_seed;
	g.m = &m;
	g.p = &pools;
	err = dut_open(&d, 0, true);
	if (err)
		return err;
	while (done < frames) {
		model_reset(&m);
		if ((err = dut_clear(&d)) || (err = dut_clear_meter(&d)))
			goto out;
		random_meta(&g.r, &m.cfg, &u);
		random_limits(&g.r, &u, ++generation, &m.cfg.limits);
		if ((err = dut_set_meta(&d, &m.cfg)) || (err = dut_set_limits(&d, &m.cfg.limits)) ||
		    (err = random_lists(&g.r, &d, &m, &u, false, &ls, true)) ||
		    (err = pools_build(&pools, &m)))
			goto out;
		t = chance(&g.r, 10) ? -(__u64)rnd(&g.r, 2000000000) : boot_now();
		for (n = 0; n < LIMIT_EPOCH_FRAMES && done < frames; n++, done++, run->frames++) {
			if (chance(&g.r, 1)) {
				/*
				 * New limits, or (a rewrite) the same generation: buckets restart only on a new one.
				 * The meter's seeds stay the epoch's: under new seeds a key's old way stays behind
				 * (free, as its generation is old, but in use to meter_count()), which the model,
				 * knowing nothing of ways, does not mirror; tests/prog covers the ways.
				 */
				__u64 seeds[XDPFWD_METER_SEEDS];

				memcpy(seeds, m.cfg.limits.meter_seed, sizeof(seeds));
				random_limits(&g.r, &u, chance(&g.r, 80) ? ++generation : generation,
					      &m.cfg.limits);
				memcpy(m.cfg.limits.meter_seed, seeds, sizeof(seeds));
				if ((err = dut_set_limits(&d, &m.cfg.limits)))
					goto out;
			}
			t = next_time(&g.r, t);
			next_frame(&g, &f);
			model_judge(&m, f.data, f.len, t, &v);
			failed = m.ban_failed;
			model_meter(&m, &v, f.len, t);
			if ((err = dut_read_stats(&d, &s0)) || (err = dut_read_limit_stats(&d, &l0)))
				goto out;
			ret = xdp_run_at(d.prog_fd, d.ifindex, f.data, f.len, t);
			if ((err = dut_read_stats(&d, &s1)) || (err = dut_read_limit_stats(&d, &l1)))
				goto out;
			model_count(&m, &v, f.len);
			if (v.reason == XDPFWD_R_RATE_LIMIT)
				run->below++;	/* reused in the summary: frames over the limit */
			else
				run->reasons[v.action][v.reason]++;
			why[0] = '\0';
			cells = 0;
			for (a = 0; a < XDPFWD_ACT_MAX; a++) {
				for (r = 0; r < XDPFWD_R_MAX; r++) {
					pp = s1.packets[a][r] - s0.packets[a][r];
					pb = s1.bytes[a][r] - s0.bytes[a][r];
					mp = v.reason == r && v.action == a;
					if (pp != mp || pb != (mp ? f.len : 0))
						cells++;
				}
				pp = l1.packets[a] - l0.packets[a];
				pb = l1.bytes[a] - l0.bytes[a];
				mp = v.reason == XDPFWD_R_RATE_LIMIT && v.action == a;
				mb = mp ? f.len : 0;
				if (pp != mp || pb != mb)
					cells++;
			}
			if (ret != expected_ret(v.action))
				snprintf(why, sizeof(why), "verdict %s, model %s", ret_name(ret),
					 ret_name(expected_ret(v.action)));
			else if (cells)
				snprintf(why, sizeof(why), "%d counters moved otherwise than the model's %s/%s",
					 cells, model_action_names[v.action],
					 v.reason < XDPFWD_R_MAX ? model_reason_names[v.reason] : "RATE_LIMIT");
			else if (l1.bans - l0.bans != (__u64)v.banned)
				snprintf(why, sizeof(why), "bans +%llu, model +%d",
					 (unsigned long long)(l1.bans - l0.bans), v.banned);
			else if (l1.ban_failed - l0.ban_failed != m.ban_failed - failed)
				snprintf(why, sizeof(why), "failed bans +%llu, model +%llu",
					 (unsigned long long)(l1.ban_failed - l0.ban_failed),
					 (unsigned long long)(m.ban_failed - failed));
			else if (s1.ev_eligible - s0.ev_eligible !=
				 (__u64)(v.action == XDPFWD_ACT_DROP || v.action == XDPFWD_ACT_AUDIT))
				snprintf(why, sizeof(why), "ev_eligible +%llu",
					 (unsigned long long)(s1.ev_eligible - s0.ev_eligible));
			if (why[0]) {
				run->mismatches++;
				if (run->reports < MAX_REPORTS)
					printf("  limits: action %u pps %llu/%llu bps %llu/%llu keys /%u /%u auto %u ban %llu ns gen %llu, time %llu\n",
					       m.cfg.limits.action, (unsigned long long)m.cfg.limits.pps,
					       (unsigned long long)m.cfg.limits.pkt_burst,
					       (unsigned long long)m.cfg.limits.bps,
					       (unsigned long long)m.cfg.limits.bit_burst, m.cfg.limits.plen4,
					       m.cfg.limits.plen6, m.cfg.limits.auto_set,
					       (unsigned long long)m.cfg.limits.ban_ns,
					       (unsigned long long)m.cfg.limits.generation,
					       (unsigned long long)t);
				report_frame(run, &m, &f, run->frames, &v, ret, NULL, why, t);
			}
		}
		ring_buffer__consume(d.rb);
		run->mismatches += check_maps(run, &d, &m);
		run->mismatches += check_meter(run, &d, &m);
		if ((err = dut_read_limit_stats(&d, &l1)))
			goto out;
		if (l1.ban_failed != m.ban_failed || l1.bans != m.bans) {
			printf("MISMATCH seed 0x%016llx pass limits epoch %lu: bans %llu failed %llu, model %llu %llu\n",
			       (unsigned long long)seed, run->epoch, (unsigned long long)l1.bans,
			       (unsigned long long)l1.ban_failed, (unsigned long long)m.bans,
			       (unsigned long long)m.ban_failed);
			run->mismatches++;
		}
		bans += m.bans;
		failed_bans += m.ban_failed;
		/* limit_stats are cumulative; the model's restart with each epoch. */
		if ((err = dut_clear_limit_stats(&d)))
			goto out;
		run->epoch++;
	}
	if (run->mismatches)
		print_seed_hint(run);
	printf("  limits: %lu frames over the limit, %lu bans (or audits of one), %lu failed; verdicts otherwise",
	       run->below, bans, failed_bans);
	for (a = 0; a < XDPFWD_ACT_MAX * XDPFWD_R_MAX; a++)
		if (run->reasons[a / XDPFWD_R_MAX][a % XDPFWD_R_MAX])
			printf(" %s/%s %lu", model_action_names[a / XDPFWD_R_MAX],
			       model_reason_names[a % XDPFWD_R_MAX],
			       run->reasons[a / XDPFWD_R_MAX][a % XDPFWD_R_MAX]);
	printf("\n");
out:
	if (err)
		fprintf(stderr, "differential: pass limits stopped: %s\n", strerror(-err));
	pools_free(&pools);
	model_free(&m);
	dut_close(&d);
	return err;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings carry the verifier log when a load fails; the rest is chatter. */
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static __u64 env_u64(const char *name, __u64 dflt)
{
	const char *s = getenv(name);
	char *end;
	__u64 v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "differential: %s=%s is not a number; using %llu\n", name, s,
			(unsigned long long)dflt);
		return dflt;
	}
	return v;
}

int main(void)
{
	struct pass passes[] = {
		{ "plain", 0, false, 1000000, true },
		{ "drop-malformed", 1, false, 250000, true },
		{ "at-rest", 0, true, 250000, true },
	};
	const char *only = getenv("XDPFWD_PASS");
	/* Keeps members past their deadline out of the tries, to look past a failure of the walk. */
	bool expired_prefixes = !env_u64("XDPFWD_NO_EXPIRED_PREFIXES", 0);
	unsigned long frames = 0, mismatches = 0, aborted = 0;
	struct timespec t0, t1;
	struct rng seeder;
	struct run run;
	__u64 seed, frames_env;
	size_t i;
	int err = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	seed = env_u64("XDPFWD_SEED", (__u64)t0.tv_sec * NSEC_PER_SEC + t0.tv_nsec);
	frames_env = env_u64("XDPFWD_FRAMES", 0);
	printf("differential: seed 0x%016llx (XDPFWD_SEED repeats a run)\n", (unsigned long long)seed);
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);

	for (i = 0; i < ARRAY_SIZE(passes); i++) {
		struct timespec p0, p1;

		/* Each pass has its own stream, so one pass can be repeated alone. */
		seeder.s = seed ^ (0x100000001b3ULL * (i + 1));
		if (only && strcmp(only, passes[i].name))
			continue;
		if (frames_env)
			passes[i].frames = frames_env;
		passes[i].expired_prefixes = expired_prefixes;
		clock_gettime(CLOCK_MONOTONIC, &p0);
		err = run_pass(&passes[i], seed, rng_next(&seeder), &run);
		clock_gettime(CLOCK_MONOTONIC, &p1);
		frames += run.frames;
		mismatches += run.mismatches;
		aborted += run.aborted;
		printf("  %s: %lu frames in %lu epochs, %lu mismatches, %lu aborted, %.1f s\n",
		       passes[i].name, run.frames, run.epoch, run.mismatches, run.aborted,
		       (p1.tv_sec - p0.tv_sec) + (p1.tv_nsec - p0.tv_nsec) / 1e9);
		if (err)
			break;
	}
	if (!err && (!only || !strcmp(only, "limits"))) {
		struct timespec p0, p1;

		seeder.s = seed ^ (0x100000001b3ULL * (ARRAY_SIZE(passes) + 1));
		clock_gettime(CLOCK_MONOTONIC, &p0);
		err = run_limits_pass(seed, rng_next(&seeder), frames_env ? frames_env : 200000, &run);
		clock_gettime(CLOCK_MONOTONIC, &p1);
		frames += run.frames;
		mismatches += run.mismatches;
		printf("  limits: %lu frames in %lu epochs, %lu mismatches, %.1f s\n", run.frames,
		       run.epoch, run.mismatches,
		       (p1.tv_sec - p0.tv_sec) + (p1.tv_nsec - p0.tv_nsec) / 1e9);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("differential: %lu frames, %lu mismatches, %lu aborted (seed 0x%016llx, %.1f s)\n",
	       frames, mismatches, aborted, (unsigned long long)seed,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return err || mismatches || aborted ? EXIT_FAILURE : EXIT_SUCCESS;
}
