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

#define SET0 XDPFWD_ENTRY_F_NOT_IN_SET0
#define SET1 XDPFWD_ENTRY_F_NOT_IN_SET1

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

/* Appends every entry of one map; hidden_bit skips entries outside the live set (0: keep all). */
static int read_map(int fd, int family, int exact, __u32 hidden_bit, struct items *g)
{
	struct map_dump d;
	union list_key k;
	size_t i;
	int err;

	if (fd < 0)
		return 0;
	err = map_dump_all(fd, &d);
	if (err)
		return err;
	if (g->n + d.n > g->cap) {
		size_t cap = g->n + d.n + 64;
		struct list_item *v = realloc(g->v, cap * sizeof(*v));

		if (!v) {
			map_dump_free(&d);
			return -ENOMEM;
		}
		g->v = v;
		g->cap = cap;
	}
	for (i = 0; i < d.n; i++) {
		struct list_item *it = &g->v[g->n];

		memcpy(&it->entry, (char *)d.values + i * d.value_size, sizeof(it->entry));
		if (it->entry.flags & hidden_bit)
			continue;
		memset(&k, 0, sizeof(k));
		memcpy(&k, (char *)d.keys + i * d.key_size, d.key_size);
		key_to_prefix(&k, family, exact, &it->prefix);
		g->n++;
	}
	map_dump_free(&d);
	return 0;
}

static int read_all(const struct list_maps *m, int twin, __u32 hidden_bit, struct items *g)
{
	int err;

	err = read_map(m->v4_addr, 4, 1, hidden_bit, g);
	if (!err)
		err = read_map(twin ? m->v4_net_b : m->v4_net, 4, 0, 0, g);
	if (!err)
		err = read_map(m->v6_addr, 6, 1, hidden_bit, g);
	if (!err)
		err = read_map(twin ? m->v6_net_b : m->v6_net, 6, 0, 0, g);
	return err;
}

int list_read(const struct list_maps *m, struct list_item **items, size_t *n)
{
	struct items g = {};
	__u32 active = 0;
	int err;

	err = get_active(m, &active);
	if (!err)
		err = read_all(m, active, active ? SET1 : SET0, &g);
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

/* Sets and clears flag bits on every exact entry; deletes those having any bit of drop_if. */
static int retag_exact(const struct list_maps *m, __u32 drop_if, __u32 clear)
{
	int fds[2] = { m->v4_addr, m->v6_addr }, i, err;
	union list_key k;
	struct xdpfwd_entry e;
	struct items g = {};
	size_t j;

	for (i = 0; i < 2; i++) {
		g.n = 0;
		err = read_map(fds[i], i ? 6 : 4, 1, 0, &g);
		for (j = 0; !err && j < g.n; j++) {
			struct xdpfwd_entry *old = &g.v[j].entry;
			int fd = locate(m, &g.v[j].prefix, &k, 0);

			if (old->flags & drop_if) {
				if (bpf_map_delete_elem(fd, &k) && errno != ENOENT)
					err = -errno;
			} else if (old->flags & clear) {
				/* Re-read: the program's counters moved since the walk. */
				if (bpf_map_lookup_elem(fd, &k, &e))
					continue;
				e.flags &= ~clear;
				if (bpf_map_update_elem(fd, &k, &e, BPF_EXIST) && errno != ENOENT)
					err = -errno;
			}
		}
		if (err)
			break;
	}
	free(g.v);
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
	__u32 active = 0;
	int err;

	err = get_active(m, &active);
	if (err)
		return err;
	if (!active) {
		/* A replace died before its flip: what it staged is invisible; throw it away. */
		err = flush_twins(m);
		if (!err)
			err = retag_exact(m, SET0, SET1);
		return err;
	}
	/* Past the flip the twins are live: rebuild the primaries behind them, then flip back. */
	err = copy_twins_to_primary(m);
	if (!err)
		err = retag_exact(m, SET1, SET0);
	if (!err)
		err = set_active(m, 0);
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
	int err = 0, fd;

	*added = 0;
	err = repair_or_report(m);
	if (err)
		return err;
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
		if (bpf_map_lookup_elem(fd, &k, &saved[i]) || saved[i].expires_ns == fresh_val.expires_ns)
			continue;
		/* Re-adding sets the expiry anew (a refreshed ban), or makes the entry permanent. */
		struct xdpfwd_entry upd = saved[i];

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

/* Keys and values bound for one map, written in bulk. */
struct kv {
	char *keys, *values;
	size_t n, cap;
	__u32 key_size;
};

static int kv_push(struct kv *b, const union list_key *k, const struct xdpfwd_entry *e)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		char *keys = realloc(b->keys, cap * sizeof(*k)), *values;

		if (!keys)
			return -ENOMEM;
		b->keys = keys;
		values = realloc(b->values, cap * sizeof(*e));
		if (!values)
			return -ENOMEM;
		b->values = values;
		b->cap = cap;
	}
	memcpy(b->keys + b->n * sizeof(*k), k, sizeof(*k));
	memcpy(b->values + b->n * sizeof(*e), e, sizeof(*e));
	b->n++;
	return 0;
}

/* Writes b to fd; keys were pushed as whole unions, so they are repacked to the map's key size. */
static int kv_apply(int fd, struct kv *b, int delete)
{
	size_t i;
	int err;

	if (!b->n)
		return 0;
	for (i = 0; i < b->n; i++)
		memmove(b->keys + i * b->key_size, b->keys + i * sizeof(union list_key), b->key_size);
	err = delete ? map_delete_many(fd, b->keys, b->n, b->key_size) :
		       map_update_many(fd, b->keys, b->values, b->n, b->key_size, sizeof(struct xdpfwd_entry));
	/* Back to union stride, so the batch can be applied again to another map. */
	for (i = b->n; i-- > 0;)
		memmove(b->keys + i * sizeof(union list_key), b->keys + i * b->key_size, b->key_size);
	return err;
}

static void kv_free(struct kv *b)
{
	free(b->keys);
	free(b->values);
}

/*
 * What a replace writes, per family (index 0: IPv4, 1: IPv6):
 * exact_new  absent exact entries, staged hidden from the live set;
 * exact_gone exact entries leaving, marked absent from the next set;
 * trie_next  the whole next trie content (the twin's);
 * trie_new / trie_gone  how the primary trie differs from it.
 */
struct replace_plan {
	struct kv exact_new[2], exact_gone[2], exact_retime[2], trie_next[2], trie_new[2], trie_gone[2];
};

static void plan_free(struct replace_plan *p)
{
	int f;

	for (f = 0; f < 2; f++) {
		kv_free(&p->exact_new[f]);
		kv_free(&p->exact_gone[f]);
		kv_free(&p->exact_retime[f]);
		kv_free(&p->trie_next[f]);
		kv_free(&p->trie_new[f]);
		kv_free(&p->trie_gone[f]);
	}
}

static void plan_init(struct replace_plan *p)
{
	__u32 ks[2][2] = { { sizeof(struct xdpfwd_v4_key), sizeof(struct xdpfwd_lpm_v4_key) },
			   { sizeof(struct xdpfwd_v6_key), sizeof(struct xdpfwd_lpm_v6_key) } };
	int f;

	memset(p, 0, sizeof(*p));
	for (f = 0; f < 2; f++) {
		p->exact_new[f].key_size = p->exact_gone[f].key_size = p->exact_retime[f].key_size = ks[f][0];
		p->trie_next[f].key_size = p->trie_new[f].key_size = p->trie_gone[f].key_size = ks[f][1];
	}
}

/* One merge over the sorted old and new sets sorts every entry into the plan. */
static int plan_build(const struct list_maps *m, const struct items *old, const struct xdpfwd_prefix_set *set,
		      struct replace_plan *p)
{
	const struct xdpfwd_entry hidden = { .flags = SET0 }, zero = {};
	size_t i = 0, j = 0;
	union list_key k;
	int err = 0, c;

	while (!err && (i < old->n || j < set->n)) {
		const struct list_item *o = i < old->n ? &old->v[i] : NULL;
		const struct xdpfwd_prefix *n = j < set->n ? &set->v[j] : NULL;
		const struct xdpfwd_prefix *cur;
		struct xdpfwd_entry val;
		int f;

		c = !o ? 1 : !n ? -1 : xdpfwd_prefix_cmp(&o->prefix, n);
		cur = c <= 0 ? &o->prefix : n;
		f = cur->family == 6;
		locate(m, cur, &k, 0);
		if (is_exact(m, cur)) {
			if (c < 0) {
				val = o->entry;
				val.flags |= SET1;
				err = kv_push(&p->exact_gone[f], &k, &val);
			} else if (c > 0) {
				val = hidden;
				val.expires_ns = entry_expiry_ns(n, 0);
				err = kv_push(&p->exact_new[f], &k, &val);
			} else if (o->entry.expires_ns != entry_expiry_ns(n, 0)) {
				/* Kept exact entries stay (flags 0 is "in both sets"), with the file's expiry. */
				val = o->entry;
				val.expires_ns = entry_expiry_ns(n, 0);
				err = kv_push(&p->exact_retime[f], &k, &val);
			}
		} else if (c < 0) {
			err = kv_push(&p->trie_gone[f], &k, &zero);
		} else {
			/* Counters carry over; the expiry is the file's. */
			memset(&val, 0, sizeof(val));
			val.expires_ns = entry_expiry_ns(n, 0);
			if (c == 0) {
				val.packets = o->entry.packets;
				val.bytes = o->entry.bytes;
				val.last_hit_ns = o->entry.last_hit_ns;
			}
			err = kv_push(&p->trie_next[f], &k, &val);
			if (!err && c > 0)
				err = kv_push(&p->trie_new[f], &k, &val);
		}
		i += c <= 0;
		j += c >= 0;
	}
	return err;
}

int list_replace(const struct list_maps *m, const struct xdpfwd_prefix_set *set)
{
	int exact_fd[2] = { m->v4_addr, m->v6_addr }, net[2] = { m->v4_net, m->v6_net };
	int twin[2] = { m->v4_net_b, m->v6_net_b }, f, err;
	struct replace_plan p;
	struct items old = {};

	plan_init(&p);
	err = repair_or_report(m);
	if (err)
		return err;
	err = read_all(m, 0, SET0, &old);
	if (err) {
		pr_warn("reading the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
		goto out;
	}
	if (old.n)
		qsort(old.v, old.n, sizeof(*old.v), xdpfwd_prefix_cmp);
	err = plan_build(m, &old, set, &p);
	if (err)
		goto out;

	/* Stage where the program does not look yet. */
	for (f = 0; f < 2 && !err; f++) {
		err = kv_apply(twin[f], &p.trie_next[f], 0);
		if (!err && exact_fd[f] >= 0)
			err = kv_apply(exact_fd[f], &p.exact_new[f], 0);
		if (!err && exact_fd[f] >= 0)
			err = kv_apply(exact_fd[f], &p.exact_gone[f], 0);
	}
	if (err) {
		pr_warn("staging the new %slist failed: %s%s; the old list stays\n", list_kind_name(m->kind),
			strerror(-err), err == -E2BIG || err == -ENOMEM ? " (too many entries?)" : "");
		list_repair(m);
		goto out;
	}
	err = set_active(m, 1);
	if (err) {
		pr_warn("switching the %slist to the new set failed: %s; the old list stays\n",
			list_kind_name(m->kind), strerror(-err));
		list_repair(m);
		goto out;
	}

	/* The twins are live now: bring the primaries to the same set behind them, then flip back. */
	for (f = 0; f < 2 && !err; f++) {
		struct kv *clear = &p.exact_new[f];

		err = kv_apply(net[f], &p.trie_gone[f], 1);
		if (!err)
			err = kv_apply(net[f], &p.trie_new[f], 0);
		if (!err && exact_fd[f] >= 0)
			err = kv_apply(exact_fd[f], &p.exact_gone[f], 1);
		if (!err && exact_fd[f] >= 0)
			err = kv_apply(exact_fd[f], &p.exact_retime[f], 0);
		if (!err && exact_fd[f] >= 0 && clear->n) {
			struct xdpfwd_entry *e = (struct xdpfwd_entry *)clear->values;
			size_t j;

			/* In force in both sets from now on; their expiry stays. */
			for (j = 0; j < clear->n; j++)
				e[j].flags = 0;
			err = kv_apply(exact_fd[f], clear, 0);
		}
	}
	if (!err)
		err = set_active(m, 0);
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
	/* A replace in flight owns the maps; expired entries already stopped matching anyway. */
	err = get_active(m, &active);
	if (err || active)
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
