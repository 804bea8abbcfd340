// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpfwd.h"
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "pin_dir.h"
#include "pinned.h"
#include "lists.h"
#include "list_parse.h"
#include "capacity.h"

const char *capacity_map_name(enum capacity_map i)
{
	static const char *const names[CAP_MAPS] = { "block_v4_addr", "block_v6_addr", "block_v4_net",
						     "block_v6_net" };

	return i < CAP_MAPS ? names[i] : "?";
}

struct bpf_map *capacity_map(const struct xdpfwd_bpf *skel, enum capacity_map i)
{
	switch (i) {
	case CAP_V4_ADDR:
		return skel->maps.block_v4_addr;
	case CAP_V6_ADDR:
		return skel->maps.block_v6_addr;
	case CAP_V4_NET:
		return skel->maps.block_v4_net;
	case CAP_V6_NET:
		return skel->maps.block_v6_net;
	default:
		return NULL;
	}
}

int capacity_sized_map(const struct xdpfwd_bpf *skel, const void *map)
{
	int i;

	for (i = 0; i < CAP_MAPS; i++)
		if (map == capacity_map(skel, i))
			return 1;
	return 0;
}

static int set_size(struct bpf_map *map, __u32 n)
{
	int err;

	/* A reused pin keeps its size; libbpf took it from the pin. */
	if (!n || bpf_map__fd(map) >= 0)
		return 0;
	err = bpf_map__set_max_entries(map, n);
	if (err)
		return lib_error_set(err, "sizing map %s for %u entries failed: %s", bpf_map__name(map), n,
				     strerror(-err));
	return 0;
}

int capacity_apply(struct xdpfwd_bpf *skel, const struct capacity *c)
{
	__u32 exact = c && c->exact ? c->exact : CAPACITY_EXACT_DEFAULT, prefix = c ? c->prefix : 0;
	int err;

	err = set_size(skel->maps.block_v4_addr, exact);
	if (!err)
		err = set_size(skel->maps.block_v6_addr, exact);
	if (!err)
		err = set_size(skel->maps.block_v4_net, prefix);
	if (!err)
		err = set_size(skel->maps.block_v6_net, prefix);
	return err;
}

__u32 capacity_map_max(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}

/* The books count per list map (LIST_MAP_*), in another order. */
static const int book[CAP_MAPS] = { LIST_MAP_V4_ADDR, LIST_MAP_V6_ADDR, LIST_MAP_V4_NET, LIST_MAP_V6_NET };

int capacity_fill_read(struct xdpfwd_bpf *skel, struct capacity_fill *f, bool may_walk)
{
	struct list_counts c;
	struct list_maps m;
	int err, i;

	list_maps_get(skel, LIST_BLOCK, &m);
	err = may_walk ? list_count(&m, &c) : list_count_booked(&m, &c);
	for (i = 0; i < CAP_MAPS; i++) {
		f->max[i] = capacity_map_max(bpf_map__fd(capacity_map(skel, i)));
		f->entries[i] = err ? -1 : c.map_entries[book[i]];
	}
	return err;
}

__u32 capacity_target(__u32 cur, size_t need)
{
	unsigned long long n = cur ? cur : CAPACITY_MIN;

	if (need * 100 <= (unsigned long long)cur * CAPACITY_GROW_PERCENT)
		return cur;
	n *= n >= CAPACITY_GROW_BIG ? 2 : CAPACITY_GROW_FACTOR;
	while (n < CAPACITY_MAX && need * 100 > n * CAPACITY_GROW_PERCENT)
		n *= 2;
	return n > CAPACITY_MAX ? CAPACITY_MAX : (__u32)n;
}

void capacity_count(const struct xdpfwd_prefix_set *ps, size_t add[CAP_MAPS])
{
	size_t i;
	int v6;

	for (i = 0; i < ps->n; i++) {
		v6 = ps->v[i].family == 6;
		if (ps->v[i].prefixlen == (v6 ? 128 : 32))
			add[v6 ? CAP_V6_ADDR : CAP_V4_ADDR]++;
		else
			add[v6 ? CAP_V6_NET : CAP_V4_NET]++;
	}
}

int capacity_grow_for(const char *dir, const struct list_maps *m, const size_t add[CAP_MAPS], bool may_walk,
		      struct capacity_resize_report *r)
{
	const int fds[CAP_MAPS] = { m->v4_addr, m->v6_addr, m->v4_net, m->v6_net };
	struct list_counts c;
	__u32 max, want[CAP_MAPS];
	int i, err, any = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < CAP_MAPS; i++)
		any |= !!add[i];
	if (m->kind != LIST_BLOCK || !any)
		return 0;
	err = may_walk ? list_count(m, &c) : list_count_booked(m, &c);
	if (err)
		return err;
	for (i = 0, any = 0; i < CAP_MAPS; i++) {
		max = capacity_map_max(fds[i]);
		want[i] = max ? capacity_target(max, c.map_entries[book[i]] + add[i]) : 0;
		if (want[i] == max)
			want[i] = 0;
		any |= !!want[i];
	}
	if (!any)
		return 0;
	err = capacity_resize(dir, want, r);
	return err ? err : 1;
}

int capacity_follow(struct xdpfwd_bpf *skel, const char *dir)
{
	struct bpf_map *maps[CAP_MAPS];
	char path[PATH_MAX];
	int i, fd, err = 0, changed = 0;

	for (i = 0; i < CAP_MAPS; i++)
		maps[i] = capacity_map(skel, i);
	for (i = 0; i < CAP_MAPS && !err; i++) {
		if (pin_path(path, sizeof(path), dir, bpf_map__name(maps[i])))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;	/* a removed pin is the watch's to put back */
		if (pinned_map_id(fd) != pinned_map_id(bpf_map__fd(maps[i]))) {
			err = bpf_map__reuse_fd(maps[i], fd);
			if (err)
				lib_error_set(err, "taking the resized %s failed: %s; restart the daemon",
					      bpf_map__name(maps[i]), strerror(-err));
			changed = 1;
		}
		close(fd);
	}
	return err ? err : changed;
}
