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

static int is_exact(const struct list_maps *m, const struct xdpfwd_prefix *p)
{
	return m->v4_addr >= 0 && p->prefixlen == (p->family == 4 ? 32 : 128);
}

/* The map and key that hold p: the hash for exact blocked addresses, else the trie (or its twin). */
static int locate(const struct list_maps *m, const struct xdpfwd_prefix *p, union list_key *k, int twin)
{
	memset(k, 0, sizeof(*k));
	if (p->family == 4) {
		if (is_exact(m, p)) {
			memcpy(k->v4.addr, p->addr, 4);
			return m->v4_addr;
		}
		k->lpm4.prefixlen = p->prefixlen;
		memcpy(k->lpm4.addr, p->addr, 4);
		return twin ? m->v4_net_b : m->v4_net;
	}
	if (is_exact(m, p)) {
		memcpy(k->v6.addr, p->addr, 16);
		return m->v6_addr;
	}
	k->lpm6.prefixlen = p->prefixlen;
	memcpy(k->lpm6.addr, p->addr, 16);
	return twin ? m->v6_net_b : m->v6_net;
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

int list_read(const struct list_maps *m, struct list_item **items, size_t *n)
{
	struct items g = {};
	__u32 active = 0;
	int err;

	err = get_active(m, &active);
	if (!err)
		err = read_all(m, active & TWIN, hidden_from(live_set(active)), &g);
	if (err) {
		free(g.v);
		pr_warn("reading the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
		return err;
	}
	/* list_item starts with its prefix, so the prefix order sorts items too. */
	if (g.n)
		qsort(g.v, g.n, sizeof(*g.v), xdpfwd_prefix_cmp);
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

int list_add(const struct list_maps *m, const struct xdpfwd_prefix_set *set, __u64 expires_ns, size_t *added)
{
	struct xdpfwd_entry fresh_val = { .expires_ns = expires_ns }, *saved;
	union list_key k;
	size_t i, j;
	char *state;	/* 0 untouched, 1 created, 2 updated (old value in saved[]) */
	__u32 active = 0, hidden;
	int err = 0, fd;

	*added = 0;
	err = repair_or_report(m);
	if (!err)
		err = get_active(m, &active);
	if (err)
		return err;
	hidden = hidden_from(live_set(active));
	state = calloc(set->n + 1, 1);
	saved = calloc(set->n + 1, sizeof(*saved));
	if (!state || !saved) {
		free(state);
		free(saved);
		return -ENOMEM;
	}
	for (i = 0; i < set->n && !err; i++) {
		fd = locate(m, &set->v[i], &k, 0);
		fresh_val.expires_ns = entry_expiry_ns(&set->v[i], expires_ns);
		/* NOEXIST keeps an existing entry's counters: adding twice is not a reset. */
		if (!bpf_map_update_elem(fd, &k, &fresh_val, BPF_NOEXIST)) {
			state[i] = 1;
			(*added)++;
			continue;
		}
		if (errno != EEXIST) {
			err = -errno;
			report_write_error(m, &set->v[i], "adding", err);
			break;
		}
		if (bpf_map_lookup_elem(fd, &k, &saved[i]) ||
		    (saved[i].expires_ns == fresh_val.expires_ns && !(saved[i].flags & hidden)))
			continue;
		/*
		 * Re-adding sets the expiry anew (a refreshed ban), or makes the entry
		 * permanent, and makes it visible in the live set. At rest the idle
		 * set's bit means nothing: clearing it too spares the next replace a write.
		 */
		struct xdpfwd_entry upd = saved[i];

		upd.flags &= ~(XDPFWD_ENTRY_F_NOT_IN_SET0 | XDPFWD_ENTRY_F_NOT_IN_SET1);
		upd.expires_ns = fresh_val.expires_ns;
		if (bpf_map_update_elem(fd, &k, &upd, BPF_EXIST)) {
			err = -errno;
			report_write_error(m, &set->v[i], "updating", err);
			break;
		}
		state[i] = 2;
	}
	if (err) {
		for (j = 0; j < i; j++) {
			fd = locate(m, &set->v[j], &k, 0);
			if (state[j] == 1)
				bpf_map_delete_elem(fd, &k);
			else if (state[j] == 2)
				bpf_map_update_elem(fd, &k, &saved[j], BPF_EXIST);
		}
		*added = 0;
	}
	free(state);
	free(saved);
	return err;
}

int list_del(const struct list_maps *m, const struct xdpfwd_prefix_set *set, size_t *removed, size_t *missing)
{
	char buf[XDPFWD_PREFIX_STRLEN];
	union list_key k;
	size_t i;
	int fd, err;

	*removed = *missing = 0;
	err = repair_or_report(m);
	if (err)
		return err;
	for (i = 0; i < set->n; i++) {
		fd = locate(m, &set->v[i], &k, 0);
		if (!bpf_map_delete_elem(fd, &k)) {
			(*removed)++;
			continue;
		}
		xdpfwd_prefix_format(&set->v[i], buf, sizeof(buf));
		if (errno != ENOENT) {
			err = -errno;
			pr_warn("deleting %s from the %slist failed: %s\n", buf, list_kind_name(m->kind), strerror(-err));
			return err;
		}
		(*missing)++;
		pr_warn("%s is not in the %slist\n", buf, list_kind_name(m->kind));
	}
	return 0;
}

int list_flush(const struct list_maps *m, size_t *removed)
{
	int fds[4] = { m->v4_addr, m->v4_net, m->v6_addr, m->v6_net };
	int i, err;

	*removed = 0;
	err = repair_or_report(m);
	for (i = 0; i < 4 && !err; i++) {
		err = flush_map(fds[i], removed);
		if (err)
			pr_warn("flushing the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
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
	struct xdpfwd_entry val;
	union list_key k;
	int f = cur->family == 6, err = 0;

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

/* Do exact entries come or go? */
static int plan_exact_changes(const struct replace_plan *p)
{
	return p->exact_new[0].n || p->exact_new[1].n || p->exact_gone[0].n || p->exact_gone[1].n;
}

int list_replace(const struct list_maps *m, const struct xdpfwd_prefix_set *set)
{
	int exact_fd[2] = { m->v4_addr, m->v6_addr }, net[2] = { m->v4_net, m->v6_net };
	int twin[2] = { m->v4_net_b, m->v6_net_b }, f, err;
	struct replace_plan p;
	struct items old = {};
	__u32 active = 0, next;

	plan_init(&p);
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
out:
	plan_free(&p);
	free(old.v);
	return err;
}

int list_expire(const struct list_maps *m, size_t *removed)
{
	__u64 now = list_boottime_ns();
	struct items g = {};
	union list_key k;
	__u32 active = 0;
	size_t i;
	int err;

	*removed = 0;
	/* A replace past its flip owns the maps; expired entries already stopped matching anyway. */
	err = get_active(m, &active);
	if (err || (active & TWIN))
		return err;
	err = read_all(m, 0, 0, &g);
	for (i = 0; !err && i < g.n; i++) {
		if (!g.v[i].entry.expires_ns || g.v[i].entry.expires_ns > now)
			continue;
		if (!bpf_map_delete_elem(locate(m, &g.v[i].prefix, &k, 0), &k))
			(*removed)++;
	}
	free(g.v);
	return err;
}

long list_map_count(int fd)
{
	union list_key k, next;
	void *prev = NULL;
	long n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return errno == ENOENT ? n : -errno;
}
