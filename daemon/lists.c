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
	union list_key k, next;
	void *prev = NULL;
	struct list_item *it;

	if (fd < 0)
		return 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (g->n == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 64;
			struct list_item *v = realloc(g->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			g->v = v;
			g->cap = cap;
		}
		it = &g->v[g->n];
		/* An entry deleted between the two calls is simply not listed. */
		if (bpf_map_lookup_elem(fd, &k, &it->entry))
			continue;
		if (it->entry.flags & hidden_bit)
			continue;
		key_to_prefix(&k, family, exact, &it->prefix);
		g->n++;
	}
	return errno == ENOENT ? 0 : -errno;
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
	qsort(g.v, g.n, sizeof(*g.v), xdpfwd_prefix_cmp);
	*items = g.v;
	*n = g.n;
	return 0;
}

static int flush_map(int fd, size_t *removed)
{
	union list_key k;

	if (fd < 0)
		return 0;
	/* Always delete the first key: deleting while walking with get_next_key can skip entries. */
	while (!bpf_map_get_next_key(fd, NULL, &k)) {
		if (bpf_map_delete_elem(fd, &k) && errno != ENOENT)
			return -errno;
		(*removed)++;
	}
	return errno == ENOENT ? 0 : -errno;
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
	union list_key k, next;
	struct xdpfwd_entry e;
	size_t dummy = 0;
	void *prev;

	for (i = 0; i < 2 && !err; i++) {
		err = flush_map(pairs[i][1], &dummy);
		prev = NULL;
		while (!err && !bpf_map_get_next_key(pairs[i][0], prev, &next)) {
			k = next;
			prev = &k;
			if (bpf_map_lookup_elem(pairs[i][0], &k, &e))
				continue;
			if (bpf_map_update_elem(pairs[i][1], &k, &e, BPF_ANY))
				err = -errno;
		}
		if (!err && errno != ENOENT)
			err = -errno;
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
		if (bpf_map_lookup_elem(fd, &k, &saved[i]) || saved[i].expires_ns == expires_ns)
			continue;
		/* Re-adding sets the expiry anew (a refreshed ban), or makes the entry permanent. */
		struct xdpfwd_entry upd = saved[i];

		upd.expires_ns = expires_ns;
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

/* Stages the new set where the program does not look yet. */
static int stage(const struct list_maps *m, const struct xdpfwd_prefix_set *set, const struct items *old)
{
	struct xdpfwd_entry val, hidden = { .flags = SET0 };
	const struct list_item *was;
	union list_key k;
	size_t i;
	int fd;

	for (i = 0; i < set->n; i++) {
		was = bsearch(&set->v[i], old->v, old->n, sizeof(*old->v), xdpfwd_prefix_cmp);
		fd = locate(m, &set->v[i], &k, 1);
		if (is_exact(m, &set->v[i])) {
			/* Kept exact entries stay as they are: flags 0 is "in both sets". */
			if (!was && bpf_map_update_elem(fd, &k, &hidden, BPF_NOEXIST))
				goto fail;
			continue;
		}
		/* Loaded entries are permanent; counters carry over. */
		memset(&val, 0, sizeof(val));
		if (was) {
			val.packets = was->entry.packets;
			val.bytes = was->entry.bytes;
			val.last_hit_ns = was->entry.last_hit_ns;
		}
		if (bpf_map_update_elem(fd, &k, &val, BPF_NOEXIST))
			goto fail;
	}
	for (i = 0; i < old->n; i++) {
		const struct xdpfwd_prefix *p = &old->v[i].prefix;

		if (!is_exact(m, p) || bsearch(p, set->v, set->n, sizeof(*set->v), xdpfwd_prefix_cmp))
			continue;
		fd = locate(m, p, &k, 0);
		if (bpf_map_lookup_elem(fd, &k, &val))
			continue;
		val.flags |= SET1;
		if (bpf_map_update_elem(fd, &k, &val, BPF_EXIST) && errno != ENOENT)
			return -errno;
	}
	return 0;
fail:
	{
		int err = -errno;

		report_write_error(m, &set->v[i], "staging", err);
		return err;
	}
}

int list_replace(const struct list_maps *m, const struct xdpfwd_prefix_set *set)
{
	struct items old = {};
	int err;

	err = repair_or_report(m);
	if (err)
		return err;
	err = read_all(m, 0, SET0, &old);
	if (err) {
		pr_warn("reading the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
		goto out;
	}
	qsort(old.v, old.n, sizeof(*old.v), xdpfwd_prefix_cmp);
	err = stage(m, set, &old);
	if (err) {
		/* Nothing was flipped: drop what was staged, the old set never stopped applying. */
		list_repair(m);
		goto out;
	}
	err = set_active(m, 1);
	if (err) {
		pr_warn("switching the %slist to the new set failed: %s; the old set stays\n",
			list_kind_name(m->kind), strerror(-err));
		list_repair(m);
		goto out;
	}
	err = repair_or_report(m);
out:
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
