// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "entry_sets.h"
#include "lib_error.h"
#include "lists.h"
#include "map_batch.h"

const char *list_kind_name(enum list_kind kind)
{
	return kind == LIST_ALLOW ? "allow" : "block";
}

const char *list_map_name(enum list_kind kind, int map)
{
	static const char *const names[2][LIST_MAPS] = {
		{ "block_v4_addr", "block_v4_net", "block_v6_addr", "block_v6_net" },
		{ NULL, "allow_v4", NULL, "allow_v6" },
	};

	return map >= 0 && map < LIST_MAPS ? names[kind == LIST_ALLOW][map] : NULL;
}

void list_maps_get(struct xdpfwd_bpf *skel, enum list_kind kind, struct list_maps *m)
{
	m->kind = kind;
	m->meta = bpf_map__fd(skel->maps.meta);
	/* -1 when the skeleton was not loaded and no pin was found to reuse. */
	m->books = bpf_map__fd(skel->maps.books);
	m->sets = bpf_map__fd(skel->maps.sets);
	m->stats = bpf_map__fd(skel->maps.stats);
	if (kind == LIST_BLOCK) {
		m->v4_addr = bpf_map__fd(skel->maps.block_v4_addr);
		m->v6_addr = bpf_map__fd(skel->maps.block_v6_addr);
		m->v4_net = bpf_map__fd(skel->maps.block_v4_net);
		m->v6_net = bpf_map__fd(skel->maps.block_v6_net);
	} else {
		m->v4_addr = m->v6_addr = -1;
		m->v4_net = bpf_map__fd(skel->maps.allow_v4);
		m->v6_net = bpf_map__fd(skel->maps.allow_v6);
	}
}

__u64 list_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__u32 list_entry_members(const struct xdpfwd_entry *e, __u32 gen, __u64 now)
{
	return entry_members_live(e, gen, now);
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

/* The map and key of p in the hash (in_trie 0: only for a blocked /32 or /128) or in the trie. */
static int key_of(const struct list_maps *m, const struct xdpfwd_prefix *p, int in_trie, union list_key *k)
{
	memset(k, 0, sizeof(*k));
	if (p->family == 4) {
		if (!in_trie) {
			memcpy(k->v4.addr, p->addr, 4);
			return m->v4_addr;
		}
		k->lpm4.prefixlen = p->prefixlen;
		memcpy(k->lpm4.addr, p->addr, 4);
		return m->v4_net;
	}
	if (!in_trie) {
		memcpy(k->v6.addr, p->addr, 16);
		return m->v6_addr;
	}
	k->lpm6.prefixlen = p->prefixlen;
	memcpy(k->lpm6.addr, p->addr, 16);
	return m->v6_net;
}

static __u8 plen1_of(const struct xdpfwd_prefix *p, int in_trie)
{
	return in_trie ? p->prefixlen + 1 : 0;
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

/* ---- meta: the generations, the set modes, the replace marker ---- */

static int meta_get(const struct list_maps *m, struct xdpfwd_meta *meta)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->meta, &zero, meta))
		return lib_error_set(-errno, "reading the meta map failed: %s; is the instance complete?",
				     strerror(errno));
	return 0;
}

/* One map update, which the program sees entirely or not at all. */
static int meta_put(const struct list_maps *m, const struct xdpfwd_meta *meta)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(m->meta, &zero, meta, BPF_EXIST))
		return lib_error_set(-errno, "writing the meta map failed: %s", strerror(errno));
	return 0;
}

static __u32 meta_gen(const struct list_maps *m, const struct xdpfwd_meta *meta)
{
	return meta->set_gen[m->kind];
}

/* The sets whose matches the program enforces: count_set prefers them (allow sets always enforce). */
static __u32 meta_enforce(const struct list_maps *m, const struct xdpfwd_meta *meta)
{
	return m->kind == LIST_BLOCK ? meta->drop_sets | meta->scoped_sets : ~0U;
}

/* A set's name for messages: "set NAME" or "set #ID" when the sets map cannot say. */
static const char *set_label(const struct list_maps *m, int set, char *buf, size_t len)
{
	struct xdpfwd_set s;
	__u32 key = m->kind * XDPFWD_MAX_SETS + set;

	if (m->sets >= 0 && !bpf_map_lookup_elem(m->sets, &key, &s) && s.name[0])
		snprintf(buf, len, "set %.*s", (int)sizeof(s.name), s.name);
	else if (set == XDPFWD_SET_MANUAL)
		snprintf(buf, len, "set manual");
	else
		snprintf(buf, len, "set #%d", set);
	return buf;
}

/* Stamps the edited sets' updated_s (CLOCK_REALTIME), where the sets map has a record. */
static void stamp_sets(const struct list_maps *m, __u32 mask)
{
	struct xdpfwd_set s;
	__u64 now = time(NULL);
	__u32 key;
	int i;

	if (m->sets < 0)
		return;
	for (i = 0; i < XDPFWD_MAX_SETS; i++) {
		key = m->kind * XDPFWD_MAX_SETS + i;
		if (!(mask & (1U << i)) || bpf_map_lookup_elem(m->sets, &key, &s))
			continue;
		s.updated_s = now;
		bpf_map_update_elem(m->sets, &key, &s, BPF_EXIST);
	}
}

/* ---- reading the maps ---- */

struct items {
	struct list_item *v;
	size_t n, cap;
};

/* Appends one map's dump; members computed with gen at now. */
static void append_dump(const struct map_dump *d, int family, int exact, __u32 gen, __u64 now, struct items *g)
{
	union list_key k;
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct list_item *it = &g->v[g->n++];

		memcpy(&it->entry, (char *)d->values + i * d->value_size, sizeof(it->entry));
		memset(&k, 0, sizeof(k));
		memcpy(&k, (char *)d->keys + i * d->key_size, d->key_size);
		key_to_prefix(&k, family, exact, &it->prefix);
		it->in_trie = !exact;
		it->members = entry_members_live(&it->entry, gen, now);
	}
}

/* Every entry of the four maps, dumped side by side (each family's hash before its trie). */
static int read_all(const struct list_maps *m, __u32 gen, __u64 now, struct items *g)
{
	int fds[4] = { m->v4_addr, m->v4_net, m->v6_addr, m->v6_net };
	struct map_dump d[4];
	size_t total = g->n;
	int i, err;

	err = map_dump_many(fds, d, 4);
	if (err)
		return lib_error_set(err, "reading the %slist's maps failed: %s", list_kind_name(m->kind),
				     strerror(-err));
	for (i = 0; i < 4; i++)
		total += d[i].n;
	if (total > g->cap) {
		struct list_item *v = realloc(g->v, (total + 1) * sizeof(*v));

		if (!v) {
			err = lib_error_set(-ENOMEM, "reading the %slist: out of memory", list_kind_name(m->kind));
			goto out;
		}
		g->v = v;
		g->cap = total + 1;
	}
	for (i = 0; i < 4; i++)
		append_dump(&d[i], i < 2 ? 4 : 6, !(i & 1), gen, now, g);
out:
	for (i = 0; i < 4; i++)
		map_dump_free(&d[i]);
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

/* Keeps the items with a live member in mask. */
static void keep_members(struct items *g, __u32 mask)
{
	size_t i, n = 0;

	for (i = 0; i < g->n; i++)
		if (g->v[i].members & mask)
			g->v[n++] = g->v[i];
	g->n = n;
}

int list_read(const struct list_maps *m, __u32 set_mask, struct list_item **items, size_t *n)
{
	struct xdpfwd_meta meta;
	struct items g = {};
	int err;

	err = meta_get(m, &meta);
	if (!err)
		err = read_all(m, meta_gen(m, &meta), list_boottime_ns(), &g);
	if (err) {
		free(g.v);
		return err;
	}
	keep_members(&g, set_mask);
	/* list_item starts with its prefix, so the prefix order sorts items too. */
	if (g.n)
		qsort(g.v, g.n, sizeof(*g.v), xdpfwd_prefix_cmp);
	one_per_prefix(&g);
	*items = g.v;
	*n = g.n;
	return 0;
}

/* ---- bulk writes: keys (at the map's key size) and values bound for one map ---- */

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
		if (e || b->values) {
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
	b->keys = b->values = NULL;
	b->n = b->cap = 0;
}

/* The four maps of a list, in read_all's order (index: family * 2 + in_trie). */
#define MAPS 4

static int map_index(const struct xdpfwd_prefix *p, int in_trie)
{
	return (p->family == 6) * 2 + !!in_trie;
}

static int map_fd(const struct list_maps *m, int i)
{
	int fds[MAPS] = { m->v4_addr, m->v4_net, m->v6_addr, m->v6_net };

	return fds[i];
}

/* Writes (put) then deletes (del) per map; one batch array of each per map. */
struct batch {
	struct kv put[MAPS], del[MAPS];
};

static void batch_init(struct batch *b)
{
	__u32 ks[MAPS] = { sizeof(struct xdpfwd_v4_key), sizeof(struct xdpfwd_lpm_v4_key),
			   sizeof(struct xdpfwd_v6_key), sizeof(struct xdpfwd_lpm_v6_key) };
	int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < MAPS; i++)
		b->put[i].key_size = b->del[i].key_size = ks[i];
}

static void batch_free(struct batch *b)
{
	int i;

	for (i = 0; i < MAPS; i++) {
		kv_free(&b->put[i]);
		kv_free(&b->del[i]);
	}
}

/* it's entry rewritten with e (NULL: deleted). */
static int batch_push(const struct list_maps *m, struct batch *b, const struct list_item *it,
		      const struct xdpfwd_entry *e)
{
	union list_key k;
	int i = map_index(&it->prefix, it->in_trie);

	key_of(m, &it->prefix, it->in_trie, &k);
	return e ? kv_push(&b->put[i], &k, e) : kv_push(&b->del[i], &k, NULL);
}

static int batch_apply(const struct list_maps *m, const struct batch *b)
{
	int i, err = 0;

	for (i = 0; i < MAPS && !err; i++)
		if (map_fd(m, i) >= 0)
			err = kv_write(map_fd(m, i), &b->put[i]);
	for (i = 0; i < MAPS && !err; i++)
		if (map_fd(m, i) >= 0)
			err = kv_delete(map_fd(m, i), &b->del[i]);
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
	if (bpf_map_lookup_elem(m->books, &key, b))
		return lib_error_set(-errno, "reading the %slist's counts from the books map failed: %s",
				     list_kind_name(m->kind), strerror(errno));
	return 0;
}

static int books_put(const struct list_maps *m, struct xdpfwd_books *b, __u32 state)
{
	__u32 key = books_key(m);

	if (m->books < 0)
		return 0;
	b->state = state;
	if (bpf_map_update_elem(m->books, &key, b, BPF_ANY))
		return lib_error_set(-errno, "writing the %slist's counts to the books map failed: %s; "
				     "`xdpfwd status --recount` counts afresh", list_kind_name(m->kind),
				     strerror(errno));
	return 0;
}

/* The counter an entry of p stored in the hash or the trie counts in. */
static __u64 *books_slot(struct xdpfwd_books *b, const struct xdpfwd_prefix *p, int in_trie)
{
	int f = p->family == 6;

	if (!in_trie)
		return &b->hashed[f];
	return full_length(p) ? &b->trie_addrs[f] : &b->trie_prefixes[f];
}

/* Decrements without going below zero; 1 if it would have (the books missed an entry bpftool added). */
static int books_dec(__u64 *n)
{
	if (!*n)
		return 1;
	(*n)--;
	return 0;
}

/* A deadline moves the next one only earlier: the sweep finds the exact one when it walks. */
static void books_deadline(struct xdpfwd_books *b, __u64 expires_ns)
{
	if (expires_ns && (!b->next_expiry_ns || expires_ns < b->next_expiry_ns))
		b->next_expiry_ns = expires_ns;
}

static void books_sets(struct xdpfwd_books *b, __u32 members, int delta)
{
	int i;

	for (i = 0; i < XDPFWD_MAX_SETS; i++)
		if (members & (1U << i)) {
			if (delta > 0)
				b->set_entries[i]++;
			else if (b->set_entries[i])
				b->set_entries[i]--;
		}
}

/*
 * Counts one listed item. A trie-resident /32 or /128 that the hash also
 * holds with a live member is listed once, from the hash (one_per_prefix), so
 * it is counted there; such twins come only from bpftool, so this lookup is
 * rare.
 */
static void books_count(const struct list_maps *m, const struct list_item *it, __u32 gen, __u64 now,
			struct xdpfwd_books *b)
{
	struct xdpfwd_entry e;
	union list_key k;

	if (!it->members)
		return;
	if (it->in_trie && is_exact(m, &it->prefix) &&
	    !bpf_map_lookup_elem(key_of(m, &it->prefix, 0, &k), &k, &e) && entry_members_live(&e, gen, now))
		return;
	(*books_slot(b, &it->prefix, it->in_trie))++;
	books_sets(b, it->members, 1);
	if (it->entry.timed & it->members)
		books_deadline(b, it->entry.expires_ns);
}

/* What `list` would show, counted by walking every map. */
static int count_live(const struct list_maps *m, struct xdpfwd_books *b)
{
	struct xdpfwd_meta meta;
	struct items g = {};
	__u64 now = list_boottime_ns();
	size_t i;
	int err;

	memset(b, 0, sizeof(*b));
	err = meta_get(m, &meta);
	if (!err)
		err = read_all(m, meta_gen(m, &meta), now, &g);
	for (i = 0; !err && i < g.n; i++)
		books_count(m, &g.v[i], meta_gen(m, &meta), now, b);
	free(g.v);
	return err;
}

/* ---- finishing an interrupted replace ---- */

/*
 * Every entry's generations of the replaced set made equal to the one the
 * program reads now: the old membership while set_gen still has the bit
 * the marker recorded (a replace that died before its flip: what it staged
 * goes), the new one after the flip (it completes). Entries no set holds
 * then are deleted. Counters are kept; deadlines of kept entries that the
 * dead replace had not rewritten yet stay the old ones.
 */
static int repair_walk(const struct list_maps *m, const struct xdpfwd_meta *meta)
{
	__u32 r = meta->replacing, gen = meta_gen(m, meta), bit = 1U << XDPFWD_REPLACING_SET(r);
	int live = !!(gen & bit), err;
	struct items g = {};
	struct batch b;
	size_t i;

	batch_init(&b);
	err = read_all(m, gen, list_boottime_ns(), &g);
	for (i = 0; !err && i < g.n; i++) {
		struct list_item *it = &g.v[i];
		struct xdpfwd_entry e = it->entry;
		__u32 members;

		entry_member_put(&e, XDPFWD_REPLACING_SET(r), !!(entry_gen_real(&e, live) & bit));
		members = entry_members_gen(&e, gen);
		entry_settle(&e, members, meta_enforce(m, meta));
		if (!memcmp(&e, &it->entry, sizeof(e)))
			continue;
		err = batch_push(m, &b, it, members ? &e : NULL);
	}
	if (err == -ENOMEM)
		lib_error_set(err, "finishing an interrupted replace of the %slist: out of memory",
			      list_kind_name(m->kind));
	if (!err) {
		err = batch_apply(m, &b);
		if (err)
			lib_error_set(err, "finishing an interrupted replace of the %slist failed: %s",
				      list_kind_name(m->kind), strerror(-err));
	}
	batch_free(&b);
	free(g.v);
	return err;
}

int list_repair(const struct list_maps *m)
{
	struct xdpfwd_meta meta;
	int err;

	err = meta_get(m, &meta);
	if (err || !meta.replacing || XDPFWD_REPLACING_KIND(meta.replacing) != (__u32)m->kind)
		return err;
	err = repair_walk(m, &meta);
	if (!err) {
		/* The generations stay as they are: either one reads the set as it now is. */
		meta.replacing = 0;
		err = meta_put(m, &meta);
	}
	return err;
}

/* ---- a set's mode changed: where its entries count ---- */

/*
 * count_set of one entry chosen anew with the enforcing sets of now: the
 * entry is read again right before its write, so only hits of that short
 * window are lost (as join_at's); 1 if it moved, 0 if not (or gone).
 */
static int resettle_one(const struct list_maps *m, const struct list_item *it, __u32 gen, __u32 enforce)
{
	struct xdpfwd_entry e;
	union list_key k;
	int fd = key_of(m, &it->prefix, it->in_trie, &k);
	__u8 want;

	if (bpf_map_lookup_elem(fd, &k, &e))
		return errno == ENOENT ? 0 : -errno;
	want = entry_count_set(entry_members_gen(&e, gen), enforce);
	if (want == e.count_set)
		return 0;
	e.count_set = want;
	if (bpf_map_update_elem(fd, &k, &e, BPF_EXIST))
		return errno == ENOENT ? 0 : -errno;
	return 1;
}

int list_resettle(const struct list_maps *m, __u32 changed, size_t *moved)
{
	struct xdpfwd_meta meta;
	struct items g = {};
	__u32 gen, enforce, members;
	size_t i;
	int err, r;

	*moved = 0;
	/* A replace a killed writer left is finished first: it settles what it rewrites. */
	err = list_repair(m);
	if (!err)
		err = meta_get(m, &meta);
	if (err)
		return err;
	gen = meta_gen(m, &meta);
	enforce = meta_enforce(m, &meta);
	err = read_all(m, gen, list_boottime_ns(), &g);
	for (i = 0; !err && i < g.n; i++) {
		members = entry_members_gen(&g.v[i].entry, gen);
		if (!(members & changed) || entry_count_set(members, enforce) == g.v[i].entry.count_set)
			continue;
		r = resettle_one(m, &g.v[i], gen, enforce);
		if (r < 0) {
			char buf[XDPFWD_PREFIX_STRLEN];

			xdpfwd_prefix_format(&g.v[i].prefix, buf, sizeof(buf));
			err = lib_error_set(r, "moving the counters of %s of the %slist to the set now chosen failed: "
					    "%s; change the set's mode again to retry", buf,
					    list_kind_name(m->kind), strerror(-r));
		}
		*moved += r > 0;
	}
	free(g.v);
	return err;
}

/*
 * Every edit starts here, under the pin dir lock: *meta and *b get the
 * state before the edit, and the stored counts are marked inexact until
 * books_commit. A replace marker of this list means a replace died: it is
 * finished first (the only walk an edit makes besides its own). Counts
 * found inexact mean that an edit died: only then is every map walked to
 * count afresh, so that an edit of a list at rest touches nothing but what
 * it changes.
 */
static int books_begin(const struct list_maps *m, struct xdpfwd_meta *meta, struct xdpfwd_books *b)
{
	int err, repaired = 0;

	memset(b, 0, sizeof(*b));
	err = meta_get(m, meta);
	if (!err && meta->replacing && XDPFWD_REPLACING_KIND(meta->replacing) == (__u32)m->kind) {
		err = list_repair(m);
		repaired = 1;
		if (!err)
			err = meta_get(m, meta);
	}
	if (err)
		return err;
	err = books_get(m, b);
	if (err == -ENOENT)
		return 0;	/* no books map: nothing to keep */
	if (!err && (b->state != XDPFWD_BOOKS_EXACT || repaired))
		err = count_live(m, b);
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
	int err = list_repair(m);

	if (!err && m->books >= 0)
		err = count_live(m, &b);
	if (!err)
		err = books_commit(m, &b);
	return err;
}

static int count_from(const struct list_maps *m, struct list_counts *c, bool may_walk)
{
	struct xdpfwd_books b;
	int err = books_get(m, &b), i;

	if (err && err != -ENOENT)
		return err;
	if (err == -ENOENT || b.state != XDPFWD_BOOKS_EXACT) {
		if (!may_walk)
			return -EAGAIN;
		err = count_live(m, &b);
	}
	if (err)
		return err;
	c->addrs = b.hashed[0] + b.hashed[1] + b.trie_addrs[0] + b.trie_addrs[1];
	c->prefixes = b.trie_prefixes[0] + b.trie_prefixes[1];
	for (i = 0; i < XDPFWD_MAX_SETS; i++)
		c->set_entries[i] = b.set_entries[i];
	c->map_entries[LIST_MAP_V4_ADDR] = b.hashed[0];
	c->map_entries[LIST_MAP_V6_ADDR] = b.hashed[1];
	c->map_entries[LIST_MAP_V4_NET] = b.trie_addrs[0] + b.trie_prefixes[0];
	c->map_entries[LIST_MAP_V6_NET] = b.trie_addrs[1] + b.trie_prefixes[1];
	return 0;
}

int list_count(const struct list_maps *m, struct list_counts *c)
{
	return count_from(m, c, true);
}

int list_count_booked(const struct list_maps *m, struct list_counts *c)
{
	return count_from(m, c, false);
}

/* ---- add and del: one entry at a time, proportional to the edit ---- */

static int write_error(const struct list_maps *m, int set, const struct xdpfwd_prefix *p, const char *what,
		       int err)
{
	char buf[XDPFWD_PREFIX_STRLEN], sb[64];

	xdpfwd_prefix_format(p, buf, sizeof(buf));
	set_label(m, set, sb, sizeof(sb));
	if (err == -E2BIG || err == -ENOSPC) {
		union list_key k;
		int exact = is_exact(m, p), fd = key_of(m, p, !exact, &k);
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		bpf_obj_get_info_by_fd(fd, &info, &len);
		return lib_error_set(err, "the %slist is full: cannot add %s to %s (map %s holds %u entries); "
				     "nothing was changed. %s", list_kind_name(m->kind), buf, sb, info.name,
				     info.max_entries, m->v4_addr < 0 ? "The allowlist's size is the build's" :
				     "Run `xdpfwd resize` to grow it (the daemon also grows it by itself past 75% full)");
	}
	return lib_error_set(err, "%s %s in %s of the %slist failed: %s%s; nothing was changed", what, buf, sb,
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

/* The state an edit works with. */
struct edit {
	int set;
	__u32 gen, enforce;
	__u64 now;
};

/*
 * An existing entry joins (or stays in) the set, until expires_ns. Timed
 * memberships already expired are dropped on the way (they match nothing
 * since their deadline); those sets' books lose the entry. Returns whether
 * the set is new to the entry.
 */
static int join(const struct edit *ed, struct xdpfwd_entry *e, const struct xdpfwd_prefix *p, int in_trie,
		__u64 expires_ns, struct xdpfwd_books *b)
{
	__u32 gone = entry_expire(e, ed->now), bit = 1U << ed->set;
	int was = !!(entry_members_gen(e, ed->gen) & bit);

	/* An expired membership of the set itself was still counted: it leaves, and joins again below. */
	books_sets(b, gone, -1);
	if (gone & bit)
		was = 0;
	entry_member_put(e, ed->set, 1);
	entry_time_set(e, ed->set, expires_ns);
	entry_settle(e, entry_members_gen(e, ed->gen), ed->enforce);
	e->plen1 = plen1_of(p, in_trie);
	return !was;
}

/*
 * Rewrites the entry of p at (fd, k), if that exact key is there, as it
 * joins the set; 1 if it was there, 0 if not. An LPM lookup returns the
 * longest match, which may be a covering prefix's value: only an update
 * with BPF_EXIST, which needs the exact key, tells. Hits counted between
 * the lookup and the update are lost (a short window).
 */
static int join_at(const struct edit *ed, int fd, const union list_key *k, const struct xdpfwd_prefix *p,
		   int in_trie, __u64 expires_ns, struct add_undo *u, struct xdpfwd_books *b, size_t *added)
{
	struct xdpfwd_entry upd;
	struct xdpfwd_books nb = *b;
	int fresh;

	if (bpf_map_lookup_elem(fd, k, &u->saved))
		return errno == ENOENT ? 0 : -errno;
	upd = u->saved;
	fresh = join(ed, &upd, p, in_trie, expires_ns, &nb);
	if (memcmp(&upd, &u->saved, sizeof(upd)) && bpf_map_update_elem(fd, k, &upd, BPF_EXIST))
		return errno == ENOENT ? 0 : -errno;
	u->in_trie = in_trie;
	u->done = ADD_UPDATED;
	*b = nb;
	if (fresh) {
		b->set_entries[ed->set]++;
		(*added)++;
	}
	if (upd.timed)
		books_deadline(b, upd.expires_ns);
	return 1;
}

/* Adds p to the set where it lives, or creates its entry (b counts it). */
static int add_one(const struct list_maps *m, const struct edit *ed, const struct xdpfwd_prefix *p,
		   __u64 expires_ns, struct add_undo *u, struct xdpfwd_books *b, size_t *added)
{
	struct xdpfwd_entry fresh;
	union list_key k;
	int fd, err, in_trie = !is_exact(m, p);

	/* A blocked /32 or /128 that bpftool wrote into the trie is updated there rather than doubled. */
	if (!in_trie) {
		fd = key_of(m, p, 1, &k);
		err = join_at(ed, fd, &k, p, 1, expires_ns, u, b, added);
		if (err)
			return err < 0 ? err : 0;
	}
	fd = key_of(m, p, in_trie, &k);
	entry_init(&fresh, ed->set, expires_ns, plen1_of(p, in_trie));
	/* NOEXIST keeps an existing entry's counters and other sets: adding twice is not a reset. */
	if (!bpf_map_update_elem(fd, &k, &fresh, BPF_NOEXIST)) {
		u->done = ADD_CREATED;
		u->in_trie = in_trie;
		(*books_slot(b, p, in_trie))++;
		b->set_entries[ed->set]++;
		books_deadline(b, expires_ns);
		(*added)++;
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	err = join_at(ed, fd, &k, p, in_trie, expires_ns, u, b, added);
	/* Deleted between the two calls (another writer ignoring the lock): say so rather than loop. */
	return err < 0 ? err : err ? 0 : -EAGAIN;
}

static int edit_start(const struct list_maps *m, int set, struct edit *ed, struct xdpfwd_meta *meta,
		      struct xdpfwd_books *b)
{
	int err;

	if (set < 0 || set >= XDPFWD_MAX_SETS)
		return lib_error_set(-EINVAL, "set id %d is out of range (0-%d)", set, XDPFWD_MAX_SETS - 1);
	err = books_begin(m, meta, b);
	if (err)
		return err;
	ed->set = set;
	ed->gen = meta_gen(m, meta);
	ed->enforce = meta_enforce(m, meta);
	ed->now = list_boottime_ns();
	return 0;
}

int list_add(const struct list_maps *m, int set, const struct xdpfwd_prefix_set *ps, __u64 expires_ns,
	     size_t *added)
{
	struct xdpfwd_books b, before;
	struct xdpfwd_meta meta;
	struct add_undo *undo;
	struct edit ed;
	union list_key k;
	size_t i, j;
	int err, fd, undone = 1;

	*added = 0;
	err = edit_start(m, set, &ed, &meta, &b);
	if (err)
		return err;
	before = b;
	undo = calloc(ps->n + 1, sizeof(*undo));
	if (!undo)
		return lib_error_set(-ENOMEM, "adding to the %slist: out of memory", list_kind_name(m->kind));
	for (i = 0; i < ps->n; i++) {
		err = add_one(m, &ed, &ps->v[i], entry_expiry_ns(&ps->v[i], expires_ns), &undo[i], &b, added);
		if (err)
			break;
	}
	if (err) {
		write_error(m, set, &ps->v[i], "adding", err);
		for (j = 0; j <= i && j < ps->n; j++) {
			fd = key_of(m, &ps->v[j], undo[j].in_trie, &k);
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
		stamp_sets(m, 1U << set);
	}
	free(undo);
	return err;
}

/*
 * Takes p's entry at the hash (in_trie 0) or the trie out of the set,
 * deleting it when no set holds it any more; 1 if the set held it. For a
 * trie, the exact key is checked by the write itself (see join_at).
 */
static int del_at(const struct list_maps *m, const struct edit *ed, const struct xdpfwd_prefix *p, int in_trie,
		  struct xdpfwd_books *b, int *drift)
{
	struct xdpfwd_entry e;
	union list_key k;
	__u32 members, gone;
	int fd = key_of(m, p, in_trie, &k);

	if (bpf_map_lookup_elem(fd, &k, &e))
		return errno == ENOENT ? 0 : -errno;
	gone = entry_expire(&e, ed->now);
	if (!((entry_members_gen(&e, ed->gen) | gone) & (1U << ed->set)))
		return 0;
	entry_member_put(&e, ed->set, 0);
	members = entry_members_gen(&e, ed->gen);
	entry_settle(&e, members, ed->enforce);
	if (!members ? bpf_map_delete_elem(fd, &k) : bpf_map_update_elem(fd, &k, &e, BPF_EXIST))
		return errno == ENOENT ? 0 : -errno;
	books_sets(b, (gone | (1U << ed->set)), -1);
	if (!members)
		*drift |= books_dec(books_slot(b, p, in_trie));
	return 1;
}

int list_del(const struct list_maps *m, int set, const struct xdpfwd_prefix_set *ps, size_t *removed,
	     size_t *missing)
{
	char buf[XDPFWD_PREFIX_STRLEN], sb[64];
	struct xdpfwd_meta meta;
	struct xdpfwd_books b;
	struct edit ed;
	size_t i;
	int err, in_hash, in_trie, drift = 0, commit_err;

	*removed = *missing = 0;
	err = edit_start(m, set, &ed, &meta, &b);
	if (err)
		return err;
	for (i = 0; i < ps->n; i++) {
		const struct xdpfwd_prefix *p = &ps->v[i];

		/* A blocked address is looked for in the trie too, where bpftool may have put it. */
		in_hash = is_exact(m, p) ? del_at(m, &ed, p, 0, &b, &drift) : 0;
		in_trie = in_hash < 0 ? 0 : del_at(m, &ed, p, 1, &b, &drift);
		xdpfwd_prefix_format(p, buf, sizeof(buf));
		if (in_hash < 0 || in_trie < 0) {
			err = in_hash < 0 ? in_hash : in_trie;
			lib_error_set(err, "deleting %s from %s of the %slist failed: %s; the prefixes before it "
				      "were deleted", buf, set_label(m, set, sb, sizeof(sb)), list_kind_name(m->kind),
				      strerror(-err));
			break;
		}
		if (in_hash || in_trie) {
			(*removed)++;
			continue;
		}
		(*missing)++;
		lib_notice("%s is not in %s of the %slist", buf, set_label(m, set, sb, sizeof(sb)),
			   list_kind_name(m->kind));
	}
	if (*removed)
		stamp_sets(m, 1U << set);
	/* Deletions are not undone on failure: the books count what was done either way. */
	if (drift && count_live(m, &b))
		return err;	/* left inexact: the next edit counts afresh */
	commit_err = books_commit(m, &b);
	return err ? err : commit_err;
}

/* ---- walks: flush and the expiry sweep ---- */

int list_flush(const struct list_maps *m, __u32 set_mask, size_t *removed)
{
	struct xdpfwd_meta meta;
	struct xdpfwd_books b;
	struct items g = {};
	struct batch bt;
	__u64 now = list_boottime_ns();
	size_t i;
	int err, drift = 0;

	*removed = 0;
	batch_init(&bt);
	err = books_begin(m, &meta, &b);
	if (!err)
		err = read_all(m, meta_gen(m, &meta), now, &g);
	for (i = 0; !err && i < g.n; i++) {
		struct list_item *it = &g.v[i];
		struct xdpfwd_entry e = it->entry;
		__u32 members = entry_members_gen(&e, meta_gen(m, &meta)), out = members & set_mask;
		int j;

		if (!out)
			continue;
		for (j = 0; j < XDPFWD_MAX_SETS; j++)
			if (out & (1U << j))
				entry_member_put(&e, j, 0);
		members &= ~set_mask;
		entry_settle(&e, members, meta_enforce(m, &meta));
		err = batch_push(m, &bt, it, members ? &e : NULL);
		books_sets(&b, out, -1);
		if (!members)
			drift |= books_dec(books_slot(&b, &it->prefix, it->in_trie));
		*removed += __builtin_popcount(out);
	}
	if (err == -ENOMEM)
		lib_error_set(err, "flushing the %slist: out of memory", list_kind_name(m->kind));
	else if (!err && (err = batch_apply(m, &bt)))
		lib_error_set(err, "flushing the %slist failed: %s; run the flush again", list_kind_name(m->kind),
			      strerror(-err));
	/* A flush that failed halfway leaves the counts inexact: the next edit counts afresh. */
	if (!err && drift)
		err = count_live(m, &b);
	if (!err)
		err = books_commit(m, &b);
	if (!err)
		stamp_sets(m, set_mask);
	batch_free(&bt);
	free(g.v);
	return err;
}

static int expire(const struct list_maps *m, int always, size_t *removed)
{
	__u64 now = list_boottime_ns();
	struct xdpfwd_meta meta;
	struct xdpfwd_books b;
	struct items g = {};
	struct batch bt;
	__u32 edited = 0;
	size_t i;
	int err;

	*removed = 0;
	/* Nothing due (or no timed entry at all): one lookup, no walk. */
	err = books_get(m, &b);
	if (!always && !err && b.state == XDPFWD_BOOKS_EXACT && (!b.next_expiry_ns || b.next_expiry_ns > now))
		return 0;
	batch_init(&bt);
	err = books_begin(m, &meta, &b);
	if (!err)
		err = read_all(m, meta_gen(m, &meta), now, &g);
	if (err)
		goto out;
	for (i = 0; i < g.n && !err; i++) {
		struct list_item *it = &g.v[i];
		struct xdpfwd_entry e = it->entry;
		__u32 gone = entry_expire(&e, now), members;

		if (!gone)
			continue;
		edited |= gone;
		members = entry_members_gen(&e, meta_gen(m, &meta));
		entry_settle(&e, members, meta_enforce(m, &meta));
		err = batch_push(m, &bt, it, members ? &e : NULL);
		*removed += !members;
	}
	if (!err)
		err = batch_apply(m, &bt);
	if (err) {
		lib_error_set(err, "removing the expired entries of the %slist failed: %s", list_kind_name(m->kind),
			      strerror(-err));
		goto out;
	}
	/* Counted afresh: what stays, and the exact next deadline. */
	err = count_live(m, &b);
	if (!err)
		err = books_commit(m, &b);
	if (!err)
		stamp_sets(m, edited);
out:
	batch_free(&bt);
	free(g.v);
	return err;
}

int list_expire(const struct list_maps *m, size_t *removed)
{
	return expire(m, 0, removed);
}

int list_sweep(const struct list_maps *m, size_t *removed)
{
	return expire(m, 1, removed);
}

/* ---- replace: one set, atomically, through its idle generation ---- */

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
	 * path), and the trie's copy is an old entry of its own.
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

/*
 * What a replace of set S writes (g: the generation the program reads for
 * S now, i = 1 - g the idle one). Only the live generation's bit of a set
 * has meaning; the idle one is made right by the set's next replace, so an
 * entry created by a replace is written once:
 * stage   before the flip, into S's idle generation only: new entries (no
 *         member in generation g: invisible), the idle bit of entries
 *         joining S or kept in it set, of all others cleared
 * settle  after the flip: entries joining or leaving S (count_set, timed)
 *         and kept ones whose deadline changes, with both generations alike
 *         (their final value); leaving entries no other set holds deleted
 */
struct replace_plan {
	struct batch stage, settle;
	long slot_delta[2][3];		/* books_slot's counters: [family][hashed, trie_addrs, trie_prefixes] */
	size_t in_set;
	__u64 next_expiry_ns;
};

/* Which of books_slot's counters an entry counts in: 0 hashed, 1 trie_addrs, 2 trie_prefixes. */
static int slot_index(const struct xdpfwd_prefix *p, int in_trie)
{
	return !in_trie ? 0 : full_length(p) ? 1 : 2;
}

/* A stage item for a prefix that has no entry yet: where it goes. */
static struct list_item fresh_item(const struct list_maps *m, const struct xdpfwd_prefix *p)
{
	struct list_item it = { .prefix = *p, .in_trie = !is_exact(m, p) };

	it.prefix.expires_at = 0;
	return it;
}

/*
 * One prefix: o its old item (NULL: absent), n in the new set (NULL:
 * leaving); carry, for a new entry, the counters of the one it replaces.
 */
static int plan_entry(const struct list_maps *m, const struct edit *ed, int g, const struct list_item *o,
		      const struct xdpfwd_prefix *n, const struct xdpfwd_entry *carry, struct replace_plan *p)
{
	__u32 bit = 1U << ed->set;
	struct xdpfwd_entry staged, final;
	struct list_item it;
	__u64 deadline;
	int err;

	if (!n) {
		int live_in = !!(entry_gen_real(&o->entry, g) & bit), idle_in = !!(entry_gen_real(&o->entry, !g) & bit);

		/* Not in the new set: its idle bit cleared (a stale one too: see struct replace_plan). */
		if (!idle_in && !live_in)
			return 0;
		err = 0;
		if (idle_in) {
			staged = o->entry;
			entry_gen_set_real(&staged, !g, entry_gen_real(&staged, !g) & ~bit);
			err = batch_push(m, &p->stage, o, &staged);
		}
		if (err || !live_in)
			return err;
		/* Leaving: deleted after the flip, or settled if another set holds it. */
		final = o->entry;
		entry_member_put(&final, ed->set, 0);
		entry_settle(&final, entry_members_gen(&final, ed->gen), ed->enforce);
		err = batch_push(m, &p->settle, o, entry_members_gen(&final, ed->gen) ? &final : NULL);
		if (!err && !entry_members_gen(&final, ed->gen))
			p->slot_delta[o->prefix.family == 6][slot_index(&o->prefix, o->in_trie)]--;
		return err;
	}
	deadline = entry_expiry_ns(n, 0);
	p->in_set++;
	if (deadline && (!p->next_expiry_ns || deadline < p->next_expiry_ns))
		p->next_expiry_ns = deadline;
	if (!o) {
		it = fresh_item(m, n);
		entry_init(&final, ed->set, deadline, plen1_of(n, it.in_trie));
		if (carry) {
			final.packets = carry->packets;
			final.bytes = carry->bytes;
			final.last_hit_ns = carry->last_hit_ns;
		}
		/*
		 * Staged with no member in the generation the program reads now,
		 * S alone in the idle one: skipped until the flip, complete after
		 * it (the live generation's bit is left as it is: one write).
		 */
		staged = final;
		entry_gen_set_real(&staged, g, 0);
		entry_gen_set_real(&staged, !g, bit);
		p->slot_delta[n->family == 6][slot_index(n, it.in_trie)]++;
		return batch_push(m, &p->stage, &it, &staged);
	}
	final = o->entry;
	entry_member_put(&final, ed->set, 1);
	entry_time_set(&final, ed->set, deadline);
	entry_settle(&final, entry_members_gen(&final, ed->gen) | bit, ed->enforce);
	final.plen1 = plen1_of(&o->prefix, o->in_trie);
	if (entry_gen_real(&o->entry, g) & bit) {
		/* Kept: its idle bit set if an earlier replace left it clear; a new deadline after the flip. */
		err = 0;
		if (!(entry_gen_real(&o->entry, !g) & bit)) {
			staged = o->entry;
			entry_gen_set_real(&staged, !g, entry_gen_real(&staged, !g) | bit);
			err = batch_push(m, &p->stage, o, &staged);
		}
		if (!err && (final.timed != o->entry.timed || final.expires_ns != o->entry.expires_ns))
			err = batch_push(m, &p->settle, o, &final);
		return err;
	}
	/*
	 * Joining: S in the idle generation; its deadline may be set now too
	 * (`timed` only matters for member sets, and S is none yet in the
	 * live generation), at the cost of extending the others' shared one.
	 * After the flip its count_set is chosen anew (settle).
	 */
	staged = o->entry;
	entry_gen_set_real(&staged, !g, entry_gen_real(&staged, !g) | bit);
	staged.timed = final.timed;
	staged.expires_ns = final.expires_ns;
	err = batch_push(m, &p->stage, o, &staged);
	return err ? err : batch_push(m, &p->settle, o, &final);
}

/* Every prefix of the new set, then every old member of S it does not have. */
static int plan_build(const struct list_maps *m, const struct edit *ed, int g, const struct items *old,
		      const struct xdpfwd_prefix_set *ps, struct replace_plan *p)
{
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
	for (i = 0; i < ps->n && !err; i++) {
		/* A prefix twice in the set (an unsorted caller) is planned once. */
		if (i && !xdpfwd_prefix_cmp(&ps->v[i - 1], &ps->v[i]))
			continue;
		o = index_find(&ix, old, &ps->v[i]);
		if (o >= 0 && kept[o])
			continue;
		if (o >= 0)
			kept[o] = 1;
		/*
		 * A blocked address that bpftool wrote into the trie, held by this
		 * set alone: it moves to the hash, where xdpfwd keeps addresses,
		 * with its counters (staged there, its trie entry leaving).
		 */
		if (o >= 0 && old->v[o].in_trie && is_exact(m, &ps->v[i]) &&
		    entry_members_gen(&old->v[o].entry, ed->gen) == 1U << ed->set) {
			err = plan_entry(m, ed, g, &old->v[o], NULL, NULL, p);
			if (!err)
				err = plan_entry(m, ed, g, NULL, &ps->v[i], &old->v[o].entry, p);
			continue;
		}
		err = plan_entry(m, ed, g, o >= 0 ? &old->v[o] : NULL, &ps->v[i], NULL, p);
	}
	for (i = 0; i < old->n && !err; i++)
		if (!kept[i])
			err = plan_entry(m, ed, g, &old->v[i], NULL, NULL, p);
	free(ix.slot);
	free(kept);
	return err;
}

int list_replace(const struct list_maps *m, int set, const struct xdpfwd_prefix_set *ps)
{
	struct xdpfwd_books b;
	struct xdpfwd_meta meta;
	struct replace_plan p;
	struct items old = {};
	struct edit ed;
	char sb[64];
	int err, g, f, k;

	memset(&p, 0, sizeof(p));
	batch_init(&p.stage);
	batch_init(&p.settle);
	err = edit_start(m, set, &ed, &meta, &b);
	if (err)
		goto out;
	set_label(m, set, sb, sizeof(sb));
	if (meta.replacing) {
		/* Another kind's: its maps are not at hand here. */
		err = lib_error_set(-EBUSY, "an interrupted replace of the %slist is pending, so %s of the %slist "
				    "cannot be replaced now; `xdpfwd status --recount` finishes it",
				    list_kind_name(XDPFWD_REPLACING_KIND(meta.replacing)), sb, list_kind_name(m->kind));
		goto out;
	}
	g = !!(ed.gen & (1U << set));
	err = read_all(m, ed.gen, ed.now, &old);
	if (!err) {
		err = plan_build(m, &ed, g, &old, ps, &p);
		if (err)
			lib_error_set(err, "replacing %s of the %slist: out of memory", sb, list_kind_name(m->kind));
	}
	if (err)
		goto out;

	/* The marker first: a process killed from here on leaves it for the next writer (list_repair). */
	meta.replacing = XDPFWD_REPLACING(m->kind, set, g);
	err = meta_put(m, &meta);
	if (!err)
		err = batch_apply(m, &p.stage);
	if (err) {
		lib_error_set(err, "staging the new %s of the %slist failed: %s%s; the old set stays", sb,
			      list_kind_name(m->kind), strerror(-err),
			      err == -E2BIG || err == -ENOSPC ? " (a map is full: the old and the new entries share it "
			      "until the switch; `xdpfwd resize` grows the exact hashes)" :
			      err == -ENOMEM ? " (out of kernel memory?)" : "");
		goto undo;
	}
	/* The flip: the set's bit of set_gen, in one write. */
	meta.set_gen[m->kind] ^= 1U << set;
	err = meta_put(m, &meta);
	if (err) {
		lib_error_set(err, "switching %s of the %slist to the new entries failed: %s; the old set stays", sb,
			      list_kind_name(m->kind), strerror(-err));
		meta.set_gen[m->kind] ^= 1U << set;
		goto undo;
	}
	/* Past the flip the new set applies whatever happens; the repair walk can finish the rest. */
	ed.gen = meta.set_gen[m->kind];
	err = batch_apply(m, &p.settle);
	if (!err) {
		meta.replacing = 0;
		err = meta_put(m, &meta);
	}
	if (err) {
		/* Past the flip the new set is in force: the repair walk completes it. */
		err = list_repair(m);
		if (!err)
			err = count_live(m, &b);
		if (!err)
			err = books_commit(m, &b);
		if (!err)
			stamp_sets(m, 1U << set);
		goto out;
	}
	/* The counts: entries created and deleted, and the set's own count. */
	for (f = 0; f < 2; f++)
		for (k = 0; k < 3; k++) {
			__u64 *slot = k == 0 ? &b.hashed[f] : k == 1 ? &b.trie_addrs[f] : &b.trie_prefixes[f];
			long d = p.slot_delta[f][k];

			*slot = d < 0 && (__u64)-d > *slot ? 0 : *slot + d;
		}
	b.set_entries[set] = p.in_set;
	books_deadline(&b, p.next_expiry_ns);
	err = books_commit(m, &b);
	stamp_sets(m, 1U << set);
	goto out;
undo:
	/* Back before the flip, forward after it; the marker says which. */
	if (!list_repair(m) && !count_live(m, &b))
		books_commit(m, &b);
out:
	batch_free(&p.stage);
	batch_free(&p.settle);
	free(old.v);
	return err;
}
