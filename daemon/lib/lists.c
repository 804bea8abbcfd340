// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "lists.h"
#include "map_batch.h"

const char *list_kind_name(enum list_kind kind)
{
	return kind == LIST_ALLOW ? "allow" : "block";
}

#define TWIN XDPFWD_ACTIVE_TWIN

/* The flag that hides an exact entry from exact set `set` (0 or 1). */
static __u32 hidden_from(int set)
{
	return set ? XDPFWD_ENTRY_F_NOT_IN_SET1 : XDPFWD_ENTRY_F_NOT_IN_SET0;
}

/* The exact set the program reads under this active_block (always 0 for the allowlist). */
static int live_set(__u32 active)
{
	return !!(active & XDPFWD_ACTIVE_SET1);
}

void list_maps_get(struct xdpfwd_bpf *skel, enum list_kind kind, struct list_maps *m)
{
	m->kind = kind;
	m->meta = bpf_map__fd(skel->maps.meta);
	/* -1 when the skeleton was not loaded and no books pin was found to reuse. */
	m->books = bpf_map__fd(skel->maps.books);
	if (kind == LIST_BLOCK) {
		m->v4_addr = bpf_map__fd(skel->maps.block_v4_addr);
		m->v6_addr = bpf_map__fd(skel->maps.block_v6_addr);
		m->v4_net = bpf_map__fd(skel->maps.block_v4_net);
		m->v6_net = bpf_map__fd(skel->maps.block_v6_net);
		m->v4_net_b = bpf_map__fd(skel->maps.block_v4_net_b);
		m->v6_net_b = bpf_map__fd(skel->maps.block_v6_net_b);
	} else {
		m->v4_addr = m->v6_addr = -1;
		m->v4_net = bpf_map__fd(skel->maps.allow_v4);
		m->v6_net = bpf_map__fd(skel->maps.allow_v6);
		m->v4_net_b = bpf_map__fd(skel->maps.allow_v4_b);
		m->v6_net_b = bpf_map__fd(skel->maps.allow_v6_b);
	}
}

__u64 list_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A list file's CLOCK_REALTIME deadline as the program's CLOCK_BOOTTIME one (0 stays never). */
static __u64 entry_expiry_ns(const struct xdpfwd_prefix *p, __u64 fallback_ns)
{
	__s64 left;

	if (!p->expires_at)
		return fallback_ns;
	left = (__s64)p->expires_at - (__s64)time(NULL);
	return list_boottime_ns() + (left > 0 ? (__u64)left * 1000000000ULL : 1);
}

union list_key {
	struct xdpfwd_v4_key v4;
	struct xdpfwd_v6_key v6;
	struct xdpfwd_lpm_v4_key lpm4;
	struct xdpfwd_lpm_v6_key lpm6;
};

static int full_length(const struct xdpfwd_prefix *p)
{
	return p->prefixlen == (p->family == 4 ? 32 : 128);
}

/* Does p belong in the exact-address hash? (A blocked /32 or /128; the allowlist has no hash.) */
static int is_exact(const struct list_maps *m, const struct xdpfwd_prefix *p)
{
	return m->v4_addr >= 0 && full_length(p);
}

/* The map and key of p in the hash (in_trie 0: only for a blocked /32 or /128) or in the trie (or its twin). */
static int key_of(const struct list_maps *m, const struct xdpfwd_prefix *p, int in_trie, int twin,
		  union list_key *k)
{
	memset(k, 0, sizeof(*k));
	if (p->family == 4) {
		if (!in_trie) {
			memcpy(k->v4.addr, p->addr, 4);
			return m->v4_addr;
		}
		k->lpm4.prefixlen = p->prefixlen;
		memcpy(k->lpm4.addr, p->addr, 4);
		return twin ? m->v4_net_b : m->v4_net;
	}
	if (!in_trie) {
		memcpy(k->v6.addr, p->addr, 16);
		return m->v6_addr;
	}
	k->lpm6.prefixlen = p->prefixlen;
	memcpy(k->lpm6.addr, p->addr, 16);
	return twin ? m->v6_net_b : m->v6_net;
}

/* Where xdpfwd puts p: the hash for exact blocked addresses (one inlined lookup per packet), else the trie. */
static int locate(const struct list_maps *m, const struct xdpfwd_prefix *p, union list_key *k, int twin)
{
	return key_of(m, p, !is_exact(m, p), twin, k);
}

static int get_active(const struct list_maps *m, __u32 *active)
{
	struct xdpfwd_meta meta;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->meta, &zero, &meta))
		return -errno;
	*active = m->kind == LIST_BLOCK ? meta.active_block : meta.active_allow;
	return 0;
}

/* The flip: one map update, which the program sees entirely or not at all. */
static int set_active(const struct list_maps *m, __u32 active)
{
	struct xdpfwd_meta meta;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->meta, &zero, &meta))
		return -errno;
	if (m->kind == LIST_BLOCK)
		meta.active_block = active;
	else
		meta.active_allow = active;
	return bpf_map_update_elem(m->meta, &zero, &meta, BPF_EXIST) ? -errno : 0;
}

static void key_to_prefix(const union list_key *k, int family, int exact, struct xdpfwd_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	if (family == 4 && exact) {
		p->prefixlen = 32;
		memcpy(p->addr, k->v4.addr, 4);
	} else if (family == 4) {
		p->prefixlen = k->lpm4.prefixlen;
		memcpy(p->addr, k->lpm4.addr, 4);
	} else if (exact) {
		p->prefixlen = 128;
		memcpy(p->addr, k->v6.addr, 16);
	} else {
		p->prefixlen = k->lpm6.prefixlen;
		memcpy(p->addr, k->lpm6.addr, 16);
	}
}

struct items {
	struct list_item *v;
	size_t n, cap;
};

/* Appends the entries of one map's dump; hidden_bit skips entries outside the live set (0: keep all). */
static void append_dump(const struct map_dump *d, int family, int exact, __u32 hidden_bit, struct items *g)
{
	union list_key k;
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct list_item *it = &g->v[g->n];

		memcpy(&it->entry, (char *)d->values + i * d->value_size, sizeof(it->entry));
		if (it->entry.flags & hidden_bit)
			continue;
		memset(&k, 0, sizeof(k));
		memcpy(&k, (char *)d->keys + i * d->key_size, d->key_size);
		key_to_prefix(&k, family, exact, &it->prefix);
		it->in_trie = !exact;
		g->n++;
	}
}

/* The four maps of the list (the twins' tries if twin), dumped side by side. */
static int read_all(const struct list_maps *m, int twin, __u32 hidden_bit, struct items *g)
{
	int fds[4] = { m->v4_addr, twin ? m->v4_net_b : m->v4_net, m->v6_addr, twin ? m->v6_net_b : m->v6_net };
	struct map_dump d[4];
	size_t total = g->n;
	int i, err;

	err = map_dump_many(fds, d, 4);
	if (err)
		return err;
	for (i = 0; i < 4; i++)
		total += d[i].n;
	if (total > g->cap) {
		struct list_item *v = realloc(g->v, (total + 1) * sizeof(*v));

		if (!v) {
			err = -ENOMEM;
			goto out;
		}
		g->v = v;
		g->cap = total + 1;
	}
	/* Exact entries only carry NOT_IN_SET bits. */
	for (i = 0; i < 4; i++)
		append_dump(&d[i], i < 2 ? 4 : 6, !(i & 1), i & 1 ? 0 : hidden_bit, g);
out:
	for (i = 0; i < 4; i++)
		map_dump_free(&d[i]);
	return err;
}

/* The entries the program sees: the twins' tries past a replace's flip, no exact entry the live set hides. */
static int read_live(const struct list_maps *m, struct items *g, __u32 *hidden)
{
	__u32 active = 0;
	int err;

	err = get_active(m, &active);
	*hidden = hidden_from(live_set(active));
	if (!err)
		err = read_all(m, active & TWIN, *hidden, g);
	return err;
}

/*
 * A sorted list keeps one item per prefix. Twice is possible only for a
 * blocked address that bpftool wrote into the trie while the hash had it: the
 * program finds the hash's entry first, so that is the one listed.
 */
static void one_per_prefix(struct items *g)
{
	size_t i, last = 0;

	for (i = 1; i < g->n; i++) {
		if (xdpfwd_prefix_cmp(&g->v[last].prefix, &g->v[i].prefix))
			g->v[++last] = g->v[i];
		else if (!g->v[i].in_trie)
			g->v[last] = g->v[i];
	}
	if (g->n)
		g->n = last + 1;
}

int list_read(const struct list_maps *m, struct list_item **items, size_t *n)
{
	struct items g = {};
	__u32 hidden;
	int err;

	err = read_live(m, &g, &hidden);
	if (err) {
		free(g.v);
		pr_warn("reading the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
		return err;
	}
	/* list_item starts with its prefix, so the prefix order sorts items too. */
	if (g.n)
		qsort(g.v, g.n, sizeof(*g.v), xdpfwd_prefix_cmp);
	one_per_prefix(&g);
	*items = g.v;
	*n = g.n;
	return 0;
}

static int flush_map(int fd, size_t *removed)
{
	struct map_dump d;
	int err;

	if (fd < 0)
		return 0;
	/* Every key at once, then deleted in bulk: walking while deleting can skip entries. */
	err = map_dump_all(fd, &d);
	if (!err)
		err = map_delete_many(fd, d.keys, d.n, d.key_size);
	if (!err)
		*removed += d.n;
	map_dump_free(&d);
	return err;
}

/* Deletes every exact entry that carries `bit`: both maps dumped side by side, then bulk deletes. */
static int delete_exact_flagged(const struct list_maps *m, __u32 bit)
{
	int fds[2] = { m->v4_addr, m->v6_addr }, i, err;
	struct map_dump d[2];
	size_t j, n;

	err = map_dump_many(fds, d, 2);
	for (i = 0; i < 2 && !err; i++) {
		/* Compact the matching keys to the front of the dump's key array. */
		for (j = n = 0; j < d[i].n; j++) {
			const struct xdpfwd_entry *e = (void *)((char *)d[i].values + j * d[i].value_size);

			if (e->flags & bit)
				memmove((char *)d[i].keys + n++ * d[i].key_size, (char *)d[i].keys + j * d[i].key_size,
					d[i].key_size);
		}
		err = map_delete_many(fds[i], d[i].keys, n, d[i].key_size);
	}
	map_dump_free(&d[0]);
	map_dump_free(&d[1]);
	return err;
}

/* Copies every entry of the twins into the (emptied) live tries. */
static int copy_twins_to_primary(const struct list_maps *m)
{
	int pairs[2][2] = { { m->v4_net_b, m->v4_net }, { m->v6_net_b, m->v6_net } }, i, err = 0;
	struct map_dump d;
	size_t dummy = 0;

	for (i = 0; i < 2 && !err; i++) {
		err = flush_map(pairs[i][1], &dummy);
		if (!err)
			err = map_dump_all(pairs[i][0], &d);
		if (err)
			break;
		err = map_update_many(pairs[i][1], d.keys, d.values, d.n, d.key_size, d.value_size);
		map_dump_free(&d);
	}
	return err;
}

static int flush_twins(const struct list_maps *m)
{
	size_t dummy = 0;
	int err = flush_map(m->v4_net_b, &dummy);

	return err ? err : flush_map(m->v6_net_b, &dummy);
}

int list_repair(const struct list_maps *m)
{
	__u32 active = 0, hidden;
	int err;

	err = get_active(m, &active);
	if (err)
		return err;
	hidden = hidden_from(live_set(active));
	if (!(active & TWIN)) {
		/*
		 * At rest, or a replace died before its flip: exact entries hidden
		 * from the live set are what it staged, invisible; throw them and
		 * the twins away. (Its other writes only touched the idle set's bit.)
		 */
		err = flush_twins(m);
		if (!err && m->v4_addr >= 0)
			err = delete_exact_flagged(m, hidden);
		return err;
	}
	/*
	 * Past the flip the twins and the new exact set are live: rebuild the
	 * primaries behind the twins, drop the exact entries the new set hides
	 * (the old set's leaving ones), then flip the tries back.
	 */
	err = copy_twins_to_primary(m);
	if (!err && m->v4_addr >= 0)
		err = delete_exact_flagged(m, hidden);
	if (!err)
		err = set_active(m, active & ~TWIN);
	if (!err)
		err = flush_twins(m);
	return err;
}

static int repair_or_report(const struct list_maps *m)
{
	int err = list_repair(m);

	if (err)
		pr_warn("finishing an interrupted replace of the %slist failed: %s\n", list_kind_name(m->kind),
			strerror(-err));
	return err;
}

/* ---- the books: each list's counts, kept by every edit (see struct xdpfwd_books) ---- */

static __u32 books_key(const struct list_maps *m)
{
	return m->kind == LIST_BLOCK ? XDPFWD_BOOKS_BLOCK : XDPFWD_BOOKS_ALLOW;
}

/* -ENOENT without a books map. */
static int books_get(const struct list_maps *m, struct xdpfwd_books *b)
{
	__u32 key = books_key(m);

	if (m->books < 0)
		return -ENOENT;
	return bpf_map_lookup_elem(m->books, &key, b) ? -errno : 0;
}

static int books_put(const struct list_maps *m, struct xdpfwd_books *b, __u32 state)
{
	__u32 key = books_key(m);
	int err = 0;

	if (m->books < 0)
		return 0;
	b->state = state;
	if (bpf_map_update_elem(m->books, &key, b, BPF_ANY))
		err = -errno;
	if (err)
		pr_warn("writing the %slist's counts to the books map failed: %s; `xdpfwd status --recount` counts afresh\n",
			list_kind_name(m->kind), strerror(-err));
	return err;
}

/* The counter an entry of p stored in the hash or the trie counts in. */
static __u64 *books_slot(struct xdpfwd_books *b, const struct xdpfwd_prefix *p, int in_trie)
{
	int f = p->family == 6;

	if (!in_trie)
		return &b->hashed[f];
	return full_length(p) ? &b->trie_addrs[f] : &b->trie_prefixes[f];
}

/* A deadline moves the next one only earlier: the sweep finds the exact one when it walks. */
static void books_deadline(struct xdpfwd_books *b, __u64 expires_ns)
{
	if (expires_ns && (!b->next_expiry_ns || expires_ns < b->next_expiry_ns))
		b->next_expiry_ns = expires_ns;
}

/*
 * Counts one live item. A trie-resident /32 or /128 that the live hash set
 * also holds is listed once, from the hash (one_per_prefix), so it is counted
 * there; such twins come only from bpftool, so this lookup is rare.
 */
static void books_count(const struct list_maps *m, const struct list_item *it, __u32 hidden,
			struct xdpfwd_books *b)
{
	struct xdpfwd_entry e;
	union list_key k;

	if (it->in_trie && is_exact(m, &it->prefix) &&
	    !bpf_map_lookup_elem(key_of(m, &it->prefix, 0, 0, &k), &k, &e) && !(e.flags & hidden))
		return;
	(*books_slot(b, &it->prefix, it->in_trie))++;
	books_deadline(b, it->entry.expires_ns);
}

/* What `list` would show, counted by walking every map. */
static int count_live(const struct list_maps *m, struct xdpfwd_books *b)
{
	struct items g = {};
	__u32 hidden;
	size_t i;
	int err;

	memset(b, 0, sizeof(*b));
	err = read_live(m, &g, &hidden);
	for (i = 0; !err && i < g.n; i++)
		books_count(m, &g.v[i], hidden, b);
	free(g.v);
	if (err)
		pr_warn("counting the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
	return err;
}

/*
 * Every edit starts here, under the pin dir lock: *b gets the counts before
 * the edit, and the stored ones are marked inexact until books_commit. Counts
 * found inexact mean that an edit died: only then is an interrupted replace
 * finished and every map walked to count afresh, so that an edit of a list at
 * rest touches nothing but what it changes (a block add with a million
 * entries: one lookup and two writes of the books besides its own calls,
 * instead of dumping both exact-address hashes to look for a replace's
 * leftovers: 0.3 s).
 * Without a books map, every edit repairs first, as older builds did.
 */
static int books_begin(const struct list_maps *m, struct xdpfwd_books *b)
{
	int err;

	memset(b, 0, sizeof(*b));
	if (m->books < 0)
		return repair_or_report(m);
	err = books_get(m, b);
	if (!err && b->state != XDPFWD_BOOKS_EXACT) {
		err = repair_or_report(m);
		if (!err)
			err = count_live(m, b);
	}
	if (!err)
		err = books_put(m, b, 0);
	return err;
}

static int books_commit(const struct list_maps *m, struct xdpfwd_books *b)
{
	return books_put(m, b, XDPFWD_BOOKS_EXACT);
}

int list_recount(const struct list_maps *m)
{
	struct xdpfwd_books b = {};
	int err = repair_or_report(m);

	if (!err && m->books >= 0)
		err = count_live(m, &b);
	if (!err)
		err = books_commit(m, &b);
	return err;
}

int list_count(const struct list_maps *m, struct list_counts *c)
{
	struct xdpfwd_books b;
	int err = books_get(m, &b);

	if (err && err != -ENOENT) {
		pr_warn("reading the %slist's counts from the books map failed: %s\n", list_kind_name(m->kind),
			strerror(-err));
		return err;
	}
	/* count_live says why it failed. */
	if (err == -ENOENT || b.state != XDPFWD_BOOKS_EXACT)
		err = count_live(m, &b);
	if (err)
		return err;
	c->addrs = b.hashed[0] + b.hashed[1] + b.trie_addrs[0] + b.trie_addrs[1];
	c->prefixes = b.trie_prefixes[0] + b.trie_prefixes[1];
	return 0;
}

static void report_write_error(const struct list_maps *m, const struct xdpfwd_prefix *p, const char *what,
			       int err)
{
	char buf[XDPFWD_PREFIX_STRLEN];

	xdpfwd_prefix_format(p, buf, sizeof(buf));
	if (err == -E2BIG || err == -ENOSPC)
		pr_warn("the %slist is full: cannot add %s (limits: %d exact addresses, %d prefixes, %d allow entries per family); nothing was changed\n",
			list_kind_name(m->kind), buf, XDPFWD_MAX_ADDRS, XDPFWD_MAX_NETS, XDPFWD_MAX_ALLOW);
	else
		pr_warn("%s %s in the %slist failed: %s%s; nothing was changed\n", what, buf,
			list_kind_name(m->kind), strerror(-err),
			err == -EPERM || err == -EACCES ? " (run as root)" : "");
}

/* What list_add did to one prefix, so that a failure can undo it. */
struct add_undo {
	int done;		/* 0 untouched, ADD_CREATED, or ADD_UPDATED (old value in saved) */
	int in_trie;
	struct xdpfwd_entry saved;
};

enum { ADD_CREATED = 1, ADD_UPDATED };

/* An existing entry re-added: a new expiry (a refreshed ban, or permanent), counters kept. */
static struct xdpfwd_entry refreshed(const struct xdpfwd_entry *old, __u64 expires_ns)
{
	struct xdpfwd_entry e = *old;

	/*
	 * Visible in the live set; at rest the idle set's bit means nothing:
	 * clearing it too spares the next replace a write.
	 */
	e.flags &= ~(XDPFWD_ENTRY_F_NOT_IN_SET0 | XDPFWD_ENTRY_F_NOT_IN_SET1);
	e.expires_ns = expires_ns;
	return e;
}

/*
 * A blocked /32 or /128 that bpftool wrote into the trie is updated there
 * rather than doubled in the hash. An LPM lookup returns the longest match,
 * which may be a covering prefix's value: only an update with BPF_EXIST,
 * which needs the exact key, tells. It rewrites the entry (hits counted
 * between the two calls are lost: a rare entry, a short window). Returns 1
 * if the entry was there, 0 if not.
 */
static int add_in_trie(const struct list_maps *m, const struct xdpfwd_prefix *p, __u64 expires_ns,
		       struct add_undo *u)
{
	struct xdpfwd_entry upd;
	union list_key k;
	int fd = key_of(m, p, 1, 0, &k);

	if (bpf_map_lookup_elem(fd, &k, &u->saved))
		return errno == ENOENT ? 0 : -errno;
	upd = refreshed(&u->saved, expires_ns);
	if (bpf_map_update_elem(fd, &k, &upd, BPF_EXIST))
		return errno == ENOENT ? 0 : -errno;
	u->in_trie = 1;
	u->done = ADD_UPDATED;
	return 1;
}

/* Adds or refreshes one prefix where it lives (b counts it); 1 if it was new. */
static int add_one(const struct list_maps *m, const struct xdpfwd_prefix *p, __u64 expires_ns, __u32 hidden,
		   struct add_undo *u, struct xdpfwd_books *b)
{
	struct xdpfwd_entry fresh = { .expires_ns = expires_ns }, upd;
	union list_key k;
	int fd, err;

	books_deadline(b, expires_ns);
	u->in_trie = !is_exact(m, p);
	if (!u->in_trie) {
		err = add_in_trie(m, p, expires_ns, u);
		if (err)
			return err < 0 ? err : 0;
	}
	fd = key_of(m, p, u->in_trie, 0, &k);
	/* NOEXIST keeps an existing entry's counters: adding twice is not a reset. */
	if (!bpf_map_update_elem(fd, &k, &fresh, BPF_NOEXIST)) {
		u->done = ADD_CREATED;
		(*books_slot(b, p, u->in_trie))++;
		return 1;
	}
	if (errno != EEXIST)
		return -errno;
	if (bpf_map_lookup_elem(fd, &k, &u->saved) ||
	    (u->saved.expires_ns == expires_ns && !(u->saved.flags & hidden)))
		return 0;
	upd = refreshed(&u->saved, expires_ns);
	if (bpf_map_update_elem(fd, &k, &upd, BPF_EXIST))
		return -errno;
	u->done = ADD_UPDATED;
	return 0;
}

int list_add(const struct list_maps *m, const struct xdpfwd_prefix_set *set, __u64 expires_ns, size_t *added)
{
	struct xdpfwd_books b, before;
	struct add_undo *undo;
	union list_key k;
	__u32 active = 0, hidden;
	size_t i, j;
	int err, fd, undone = 1;

	*added = 0;
	err = books_begin(m, &b);
	if (!err)
		err = get_active(m, &active);
	if (err)
		return err;
	before = b;
	hidden = hidden_from(live_set(active));
	undo = calloc(set->n + 1, sizeof(*undo));
	if (!undo)
		return -ENOMEM;
	for (i = 0; i < set->n; i++) {
		err = add_one(m, &set->v[i], entry_expiry_ns(&set->v[i], expires_ns), hidden, &undo[i], &b);
		if (err < 0)
			break;
		*added += err;
		err = 0;
	}
	if (err) {
		report_write_error(m, &set->v[i], "adding", err);
		for (j = 0; j < i; j++) {
			fd = key_of(m, &set->v[j], undo[j].in_trie, 0, &k);
			if (undo[j].done == ADD_CREATED && bpf_map_delete_elem(fd, &k))
				undone = 0;
			else if (undo[j].done == ADD_UPDATED && bpf_map_update_elem(fd, &k, &undo[j].saved, BPF_EXIST))
				undone = 0;
		}
		*added = 0;
		/* Counts that an incomplete undo made wrong stay marked inexact: the next edit counts afresh. */
		if (undone)
			books_commit(m, &before);
	} else {
		err = books_commit(m, &b);
	}
	free(undo);
	return err;
}

/* Deletes p's entry from the hash (in_trie 0) or the trie, uncounting it; 1 if it was there. */
static int del_at(const struct list_maps *m, const struct xdpfwd_prefix *p, int in_trie, struct xdpfwd_books *b,
		  int *drift)
{
	union list_key k;
	__u64 *n;

	if (bpf_map_delete_elem(key_of(m, p, in_trie, 0, &k), &k))
		return errno == ENOENT ? 0 : -errno;
	n = books_slot(b, p, in_trie);
	/* Below zero: the books missed an entry added behind xdpfwd's back. */
	if (*n)
		(*n)--;
	else
		*drift = 1;
	return 1;
}

int list_del(const struct list_maps *m, const struct xdpfwd_prefix_set *set, size_t *removed, size_t *missing)
{
	char buf[XDPFWD_PREFIX_STRLEN];
	struct xdpfwd_books b;
	size_t i;
	int err, in_hash, in_trie, drift = 0, commit_err;

	*removed = *missing = 0;
	err = books_begin(m, &b);
	if (err)
		return err;
	for (i = 0; i < set->n; i++) {
		const struct xdpfwd_prefix *p = &set->v[i];

		/* A blocked address is looked for in the trie too, where bpftool may have put it. */
		in_hash = is_exact(m, p) ? del_at(m, p, 0, &b, &drift) : 0;
		in_trie = in_hash < 0 ? 0 : del_at(m, p, 1, &b, &drift);
		xdpfwd_prefix_format(p, buf, sizeof(buf));
		if (in_hash < 0 || in_trie < 0) {
			err = in_hash < 0 ? in_hash : in_trie;
			pr_warn("deleting %s from the %slist failed: %s\n", buf, list_kind_name(m->kind), strerror(-err));
			break;
		}
		if (in_hash || in_trie) {
			(*removed)++;
			continue;
		}
		(*missing)++;
		pr_warn("%s is not in the %slist\n", buf, list_kind_name(m->kind));
	}
	/* Deletions are not undone on failure: the books count what was done either way. */
	if (drift && count_live(m, &b))
		return err;	/* left inexact: the next edit counts afresh */
	commit_err = books_commit(m, &b);
	return err ? err : commit_err;
}

int list_flush(const struct list_maps *m, size_t *removed)
{
	int fds[4] = { m->v4_addr, m->v4_net, m->v6_addr, m->v6_net };
	struct xdpfwd_books b;
	int i, err;

	*removed = 0;
	err = books_begin(m, &b);
	for (i = 0; i < 4 && !err; i++) {
		err = flush_map(fds[i], removed);
		if (err)
			pr_warn("flushing the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
	}
	/* A flush that failed halfway leaves the counts inexact: the next edit counts afresh. */
	if (!err) {
		memset(&b, 0, sizeof(b));
		err = books_commit(m, &b);
	}
	return err;
}

/* Keys (at the map's key size) and values bound for one map, written in bulk. */
struct kv {
	char *keys, *values;
	size_t n, cap;
	__u32 key_size;
};

/* e NULL: a batch of keys to delete, no values. */
static int kv_push(struct kv *b, const union list_key *k, const struct xdpfwd_entry *e)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		char *keys = realloc(b->keys, cap * b->key_size), *values;

		if (!keys)
			return -ENOMEM;
		b->keys = keys;
		if (e) {
			values = realloc(b->values, cap * sizeof(*e));
			if (!values)
				return -ENOMEM;
			b->values = values;
		}
		b->cap = cap;
	}
	/* Every key variant starts the union, so its first key_size bytes are the map's key. */
	memcpy(b->keys + b->n * b->key_size, k, b->key_size);
	if (e)
		memcpy(b->values + b->n * sizeof(*e), e, sizeof(*e));
	b->n++;
	return 0;
}

static int kv_write(int fd, const struct kv *b)
{
	return map_update_many(fd, b->keys, b->values, b->n, b->key_size, sizeof(struct xdpfwd_entry));
}

static int kv_delete(int fd, const struct kv *b)
{
	return map_delete_many(fd, b->keys, b->n, b->key_size);
}

static void kv_free(struct kv *b)
{
	free(b->keys);
	free(b->values);
}

/*
 * What a replace writes, per family (index 0: IPv4, 1: IPv6). Exact entries
 * (E is the live exact set, N = 1 - E the next one):
 * exact_new     absent entries (or ones a replace that died before its flip
 *               staged), written once with NOT_IN_SET(E) before the flip;
 *               after it that bit only hides them from the then idle set E
 * exact_unhide  kept entries carrying NOT_IN_SET(N) from an earlier replace:
 *               that bit cleared before the flip
 * exact_hide    leaving entries, marked NOT_IN_SET(N) before the flip
 *               (those that already carry it need no write)
 * exact_gone    leaving entries, deleted after the flip (keys only)
 * exact_retime  kept entries with the file's new expiry, written after the flip
 * Tries: trie_next is the whole next content (the twin's); trie_new and
 * trie_gone are how the primary differs from it.
 */
struct replace_plan {
	struct kv exact_new[2], exact_unhide[2], exact_hide[2], exact_gone[2], exact_retime[2];
	struct kv trie_next[2], trie_new[2], trie_gone[2];
};

#define PLAN_EXACT(p, f) { &(p)->exact_new[f], &(p)->exact_unhide[f], &(p)->exact_hide[f], \
			   &(p)->exact_gone[f], &(p)->exact_retime[f] }
#define PLAN_TRIE(p, f) { &(p)->trie_next[f], &(p)->trie_new[f], &(p)->trie_gone[f] }

static void plan_free(struct replace_plan *p)
{
	int f, i;

	for (f = 0; f < 2; f++) {
		struct kv *e[] = PLAN_EXACT(p, f), *t[] = PLAN_TRIE(p, f);

		for (i = 0; i < 5; i++)
			kv_free(e[i]);
		for (i = 0; i < 3; i++)
			kv_free(t[i]);
	}
}

static void plan_init(struct replace_plan *p)
{
	__u32 ks[2][2] = { { sizeof(struct xdpfwd_v4_key), sizeof(struct xdpfwd_lpm_v4_key) },
			   { sizeof(struct xdpfwd_v6_key), sizeof(struct xdpfwd_lpm_v6_key) } };
	int f, i;

	memset(p, 0, sizeof(*p));
	for (f = 0; f < 2; f++) {
		struct kv *e[] = PLAN_EXACT(p, f), *t[] = PLAN_TRIE(p, f);

		for (i = 0; i < 5; i++)
			e[i]->key_size = ks[f][0];
		for (i = 0; i < 3; i++)
			t[i]->key_size = ks[f][1];
	}
}

/*
 * Where one prefix goes: o is its entry in the list now (NULL: absent), n
 * the prefix in the new set (NULL: leaving). now and next are the
 * NOT_IN_SET bits of the live exact set E and of the next one.
 */
static int plan_entry(const struct list_maps *m, const struct list_item *o, const struct xdpfwd_prefix *n,
		      __u32 now, __u32 next, struct replace_plan *p)
{
	const struct xdpfwd_prefix *cur = n ? n : &o->prefix;
	const struct xdpfwd_entry *carry = NULL;
	struct xdpfwd_entry val;
	union list_key k;
	int f = cur->family == 6, err = 0;

	/*
	 * A blocked address that bpftool wrote into the trie is an entry of the
	 * old set like any other: it leaves the trie, and if the new set has it,
	 * it comes back in the hash, as new there, with its counters.
	 */
	if (o && o->in_trie && is_exact(m, cur)) {
		key_of(m, cur, 1, 0, &k);
		err = kv_push(&p->trie_gone[f], &k, NULL);
		if (err || !n)
			return err;
		carry = &o->entry;
		o = NULL;
	}
	locate(m, cur, &k, 0);
	if (!is_exact(m, cur)) {
		if (!n)
			return kv_push(&p->trie_gone[f], &k, NULL);
		/* Counters carry over; the expiry is the file's. */
		memset(&val, 0, sizeof(val));
		val.expires_ns = entry_expiry_ns(n, 0);
		if (o) {
			val.packets = o->entry.packets;
			val.bytes = o->entry.bytes;
			val.last_hit_ns = o->entry.last_hit_ns;
		}
		err = kv_push(&p->trie_next[f], &k, &val);
		if (!err && !o)
			err = kv_push(&p->trie_new[f], &k, &val);
		return err;
	}
	if (!n) {
		val = o->entry;
		val.flags |= next;
		err = kv_push(&p->exact_gone[f], &k, NULL);
		if (!err && !(o->entry.flags & next))
			err = kv_push(&p->exact_hide[f], &k, &val);
		return err;
	}
	/* An entry hidden from the live set was staged by a replace that died before its flip: not in force. */
	if (!o || (o->entry.flags & now)) {
		val = (struct xdpfwd_entry){ .flags = now, .expires_ns = entry_expiry_ns(n, 0) };
		if (carry) {
			val.packets = carry->packets;
			val.bytes = carry->bytes;
			val.last_hit_ns = carry->last_hit_ns;
		}
		return kv_push(&p->exact_new[f], &k, &val);
	}
	/*
	 * Kept. Rewritten from the values read before, so hits between that
	 * read and the write are not counted (a short window, and only for these).
	 */
	val = o->entry;
	val.flags &= ~next;
	if (o->entry.flags & next)
		err = kv_push(&p->exact_unhide[f], &k, &val);
	val.expires_ns = entry_expiry_ns(n, 0);
	if (!err && o->entry.expires_ns != val.expires_ns)
		err = kv_push(&p->exact_retime[f], &k, &val);
	return err;
}

/*
 * The old entries by prefix: open addressing with linear probing over
 * indexes into the items (plus one; 0 is empty). A million old entries
 * come in hash order; sorting them for a merge took longer than this.
 */
struct old_index {
	__u32 *slot;
	size_t mask;
};

/* MurmurHash3's finaliser: every input bit moves about half of the output bits. */
static __u64 mix64(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

static size_t prefix_slot(const struct old_index *ix, const struct xdpfwd_prefix *p)
{
	__u64 a, b;

	memcpy(&a, p->addr, 8);
	memcpy(&b, p->addr + 8, 8);
	return mix64(a ^ mix64(b ^ ((__u64)p->family << 8 | p->prefixlen))) & ix->mask;
}

static int index_build(struct old_index *ix, const struct items *old)
{
	size_t i, s, size = 16;

	while (size < 2 * old->n)
		size *= 2;
	ix->mask = size - 1;
	ix->slot = calloc(ix->mask + 1, sizeof(*ix->slot));
	if (!ix->slot)
		return -ENOMEM;
	/*
	 * In read order, each family's hash before its trie: a blocked address
	 * found in both resolves to its hash entry (it comes first on the probe
	 * path), and the trie's copy is left over as an old entry that goes.
	 */
	for (i = 0; i < old->n; i++) {
		for (s = prefix_slot(ix, &old->v[i].prefix); ix->slot[s]; s = (s + 1) & ix->mask)
			;
		ix->slot[s] = i + 1;
	}
	return 0;
}

/* The index of p among the old items, or -1. */
static long index_find(const struct old_index *ix, const struct items *old, const struct xdpfwd_prefix *p)
{
	size_t s;

	for (s = prefix_slot(ix, p); ix->slot[s]; s = (s + 1) & ix->mask)
		if (!xdpfwd_prefix_cmp(&old->v[ix->slot[s] - 1].prefix, p))
			return ix->slot[s] - 1;
	return -1;
}

/* Every prefix of the new set, then every old one it does not have, into the plan; live is E. */
static int plan_build(const struct list_maps *m, const struct items *old, const struct xdpfwd_prefix_set *set,
		      int live, struct replace_plan *p)
{
	__u32 now = hidden_from(live), next = hidden_from(!live);
	struct old_index ix;
	char *kept = calloc(old->n + 1, 1);
	size_t i;
	long o;
	int err;

	err = kept ? index_build(&ix, old) : -ENOMEM;
	if (err) {
		free(kept);
		return err;
	}
	for (i = 0; i < set->n && !err; i++) {
		o = index_find(&ix, old, &set->v[i]);
		if (o >= 0)
			kept[o] = 1;
		err = plan_entry(m, o >= 0 ? &old->v[o] : NULL, &set->v[i], now, next, p);
	}
	for (i = 0; i < old->n && !err; i++)
		if (!kept[i])
			err = plan_entry(m, &old->v[i], NULL, now, next, p);
	free(ix.slot);
	free(kept);
	return err;
}

/*
 * The counts after a replace, from the new set: blocked addresses go to the
 * hash, everything else to the trie. Deadlines are computed here a moment
 * before the plan computes them again, so the books' next one is at most a
 * second late (a realtime second ticking in between): the program stops
 * matching at the entry's own deadline, the sweep only reclaims the memory.
 */
static void books_of_set(const struct list_maps *m, const struct xdpfwd_prefix_set *set, struct xdpfwd_books *b)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < set->n; i++) {
		(*books_slot(b, &set->v[i], !is_exact(m, &set->v[i])))++;
		books_deadline(b, entry_expiry_ns(&set->v[i], 0));
	}
}

/* Do exact entries come or go? */
static int plan_exact_changes(const struct replace_plan *p)
{
	return p->exact_new[0].n || p->exact_new[1].n || p->exact_gone[0].n || p->exact_gone[1].n;
}

int list_replace(const struct list_maps *m, const struct xdpfwd_prefix_set *set)
{
	int exact_fd[2] = { m->v4_addr, m->v6_addr }, net[2] = { m->v4_net, m->v6_net };
	int twin[2] = { m->v4_net_b, m->v6_net_b }, f, err;
	struct xdpfwd_books b = {};
	struct replace_plan p;
	struct items old = {};
	__u32 active = 0, next;

	plan_init(&p);
	/* Inexact from here until the new set is complete: a kill in between shows in the books. */
	err = books_get(m, &b);
	if (!err)
		err = books_put(m, &b, 0);
	else if (err == -ENOENT)
		err = 0;
	if (!err)
		err = get_active(m, &active);
	/* A replace killed past its flip is finished first; one killed before it is undone below. */
	if (!err && (active & TWIN)) {
		err = repair_or_report(m);
		if (!err)
			err = get_active(m, &active);
	}
	if (!err)
		err = flush_twins(m);
	if (err)
		return err;
	/* Everything, staged leftovers too: plan_build sorts them out (saves list_repair's walk). */
	err = read_all(m, 0, 0, &old);
	if (err) {
		pr_warn("reading the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
		goto out;
	}
	err = plan_build(m, &old, set, live_set(active), &p);
	if (err)
		goto out;
	/*
	 * The exact set flips to the other bit only if exact entries come or go:
	 * otherwise both sets would be the same, and the stale bits that kept
	 * entries carry need no clearing. The allowlist has no exact set.
	 */
	next = active & XDPFWD_ACTIVE_SET1;
	if (plan_exact_changes(&p))
		next ^= XDPFWD_ACTIVE_SET1;
	else
		p.exact_unhide[0].n = p.exact_unhide[1].n = 0;

	/* Stage where the program does not look yet: the twins, and bits of the idle exact set. */
	for (f = 0; f < 2 && !err; f++) {
		err = kv_write(twin[f], &p.trie_next[f]);
		if (!err && exact_fd[f] >= 0)
			err = kv_write(exact_fd[f], &p.exact_new[f]);
		if (!err && exact_fd[f] >= 0)
			err = kv_write(exact_fd[f], &p.exact_unhide[f]);
		if (!err && exact_fd[f] >= 0)
			err = kv_write(exact_fd[f], &p.exact_hide[f]);
	}
	if (err) {
		pr_warn("staging the new %slist failed: %s%s; the old list stays\n", list_kind_name(m->kind),
			strerror(-err), err == -E2BIG || err == -ENOMEM ? " (too many entries?)" : "");
		list_repair(m);
		goto out;
	}
	/* The flip: the twins and the next exact set, in one write. */
	err = set_active(m, TWIN | next);
	if (err) {
		pr_warn("switching the %slist to the new set failed: %s; the old list stays\n",
			list_kind_name(m->kind), strerror(-err));
		list_repair(m);
		goto out;
	}

	/* The twins are live now: bring the primaries to the same set behind them, then flip them back. */
	for (f = 0; f < 2 && !err; f++) {
		err = kv_delete(net[f], &p.trie_gone[f]);
		if (!err)
			err = kv_write(net[f], &p.trie_new[f]);
		if (!err && exact_fd[f] >= 0)
			err = kv_delete(exact_fd[f], &p.exact_gone[f]);
		if (!err && exact_fd[f] >= 0)
			err = kv_write(exact_fd[f], &p.exact_retime[f]);
	}
	if (!err)
		err = set_active(m, next);
	if (!err)
		err = flush_twins(m);
	/* Past the flip the new set applies whatever happens; the generic repair can finish the rest. */
	if (err)
		err = repair_or_report(m);
	if (!err) {
		books_of_set(m, set, &b);
		err = books_commit(m, &b);
	}
out:
	plan_free(&p);
	free(old.v);
	return err;
}

int list_expire(const struct list_maps *m, size_t *removed)
{
	__u64 now = list_boottime_ns();
	struct xdpfwd_books b;
	struct items g = {};
	union list_key k;
	size_t i;
	int err;

	*removed = 0;
	/* Nothing due (or no timed entry at all): one lookup, no walk. */
	err = books_get(m, &b);
	if (!err && b.state == XDPFWD_BOOKS_EXACT && (!b.next_expiry_ns || b.next_expiry_ns > now))
		return 0;
	err = books_begin(m, &b);
	if (!err)
		err = read_all(m, 0, 0, &g);
	if (err)
		goto out;
	/* The walk counts what stays, and finds the exact next deadline. */
	memset(&b, 0, sizeof(b));
	for (i = 0; i < g.n; i++) {
		const struct list_item *it = &g.v[i];

		if (it->entry.expires_ns && it->entry.expires_ns <= now &&
		    !bpf_map_delete_elem(key_of(m, &it->prefix, it->in_trie, 0, &k), &k))
			(*removed)++;
		else
			books_count(m, it, 0, &b);
	}
	err = books_commit(m, &b);
out:
	free(g.v);
	return err;
}
