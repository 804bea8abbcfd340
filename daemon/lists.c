// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "lists.h"

void list_maps_get(struct xdpfwd_bpf *skel, enum list_kind kind, struct list_maps *m)
{
	m->kind = kind;
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

union list_key {
	struct xdpfwd_v4_key v4;
	struct xdpfwd_v6_key v6;
	struct xdpfwd_lpm_v4_key lpm4;
	struct xdpfwd_lpm_v6_key lpm6;
};

/* The map and key that hold p in this list. */
static int locate(const struct list_maps *m, const struct xdpfwd_prefix *p, union list_key *k)
{
	memset(k, 0, sizeof(*k));
	if (p->family == 4) {
		if (p->prefixlen == 32 && m->v4_addr >= 0) {
			memcpy(k->v4.addr, p->addr, 4);
			return m->v4_addr;
		}
		k->lpm4.prefixlen = p->prefixlen;
		memcpy(k->lpm4.addr, p->addr, 4);
		return m->v4_net;
	}
	if (p->prefixlen == 128 && m->v6_addr >= 0) {
		memcpy(k->v6.addr, p->addr, 16);
		return m->v6_addr;
	}
	k->lpm6.prefixlen = p->prefixlen;
	memcpy(k->lpm6.addr, p->addr, 16);
	return m->v6_net;
}

static void report_full(const struct list_maps *m, const struct xdpfwd_prefix *p, int err)
{
	char buf[XDPFWD_PREFIX_STRLEN];

	xdpfwd_prefix_format(p, buf, sizeof(buf));
	if (err == -E2BIG || err == -ENOSPC)
		pr_warn("the %slist is full: cannot add %s (limits: %d exact addresses, %d prefixes, %d allow entries per family); nothing was changed\n",
			list_kind_name(m->kind), buf, XDPFWD_MAX_ADDRS, XDPFWD_MAX_NETS, XDPFWD_MAX_ALLOW);
	else
		pr_warn("adding %s to the %slist failed: %s%s; nothing was changed\n", buf,
			list_kind_name(m->kind), strerror(-err),
			err == -EPERM || err == -EACCES ? " (run as root)" : "");
}

int list_add(const struct list_maps *m, const struct xdpfwd_prefix_set *set, size_t *added)
{
	struct xdpfwd_entry zero = {};
	union list_key k;
	size_t i, j;
	char *fresh;
	int err = 0, fd;

	*added = 0;
	fresh = calloc(set->n ? set->n : 1, 1);
	if (!fresh)
		return -ENOMEM;
	for (i = 0; i < set->n; i++) {
		fd = locate(m, &set->v[i], &k);
		/* NOEXIST keeps an existing entry's counters: adding twice is not a reset. */
		if (!bpf_map_update_elem(fd, &k, &zero, BPF_NOEXIST)) {
			fresh[i] = 1;
			(*added)++;
			continue;
		}
		if (errno == EEXIST)
			continue;
		err = -errno;
		report_full(m, &set->v[i], err);
		break;
	}
	if (err) {
		for (j = 0; j < i; j++) {
			if (!fresh[j])
				continue;
			fd = locate(m, &set->v[j], &k);
			bpf_map_delete_elem(fd, &k);
		}
		*added = 0;
	}
	free(fresh);
	return err;
}

int list_del(const struct list_maps *m, const struct xdpfwd_prefix_set *set, size_t *removed, size_t *missing)
{
	char buf[XDPFWD_PREFIX_STRLEN];
	union list_key k;
	size_t i;
	int fd;

	*removed = *missing = 0;
	for (i = 0; i < set->n; i++) {
		fd = locate(m, &set->v[i], &k);
		if (!bpf_map_delete_elem(fd, &k)) {
			(*removed)++;
			continue;
		}
		if (errno != ENOENT) {
			int err = -errno;

			xdpfwd_prefix_format(&set->v[i], buf, sizeof(buf));
			pr_warn("deleting %s from the %slist failed: %s\n", buf, list_kind_name(m->kind), strerror(-err));
			return err;
		}
		(*missing)++;
		xdpfwd_prefix_format(&set->v[i], buf, sizeof(buf));
		pr_warn("%s is not in the %slist\n", buf, list_kind_name(m->kind));
	}
	return 0;
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

struct growable {
	struct list_item *v;
	size_t n, cap;
};

static int read_map(int fd, int family, int exact, struct growable *g)
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
		key_to_prefix(&k, family, exact, &it->prefix);
		g->n++;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int cmp_item(const void *a, const void *b)
{
	const struct xdpfwd_prefix *x = &((const struct list_item *)a)->prefix;
	const struct xdpfwd_prefix *y = &((const struct list_item *)b)->prefix;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->addr, y->addr, 16);
	return c ? c : x->prefixlen - y->prefixlen;
}

int list_read(const struct list_maps *m, struct list_item **items, size_t *n)
{
	struct growable g = {};
	int err;

	err = read_map(m->v4_addr, 4, 1, &g);
	if (!err)
		err = read_map(m->v4_net, 4, 0, &g);
	if (!err)
		err = read_map(m->v6_addr, 6, 1, &g);
	if (!err)
		err = read_map(m->v6_net, 6, 0, &g);
	if (err) {
		free(g.v);
		pr_warn("reading the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
		return err;
	}
	qsort(g.v, g.n, sizeof(*g.v), cmp_item);
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

int list_flush(const struct list_maps *m, size_t *removed)
{
	int fds[4] = { m->v4_addr, m->v4_net, m->v6_addr, m->v6_net };
	int i, err;

	*removed = 0;
	for (i = 0; i < 4; i++) {
		err = flush_map(fds[i], removed);
		if (err) {
			pr_warn("flushing the %slist failed: %s\n", list_kind_name(m->kind), strerror(-err));
			return err;
		}
	}
	return 0;
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
