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

int capacity_sized_map(const struct xdpfwd_bpf *skel, const void *map)
{
	return map == skel->maps.block_v4_addr || map == skel->maps.block_v6_addr ||
	       map == skel->maps.block_v4_net || map == skel->maps.block_v6_net;
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

int capacity_fill_read(struct xdpfwd_bpf *skel, struct capacity_fill *f, bool may_walk)
{
	struct list_counts c;
	struct list_maps m;
	int err;

	list_maps_get(skel, LIST_BLOCK, &m);
	f->max[0] = capacity_map_max(m.v4_addr);
	f->max[1] = capacity_map_max(m.v6_addr);
	err = may_walk ? list_count(&m, &c) : list_count_booked(&m, &c);
	f->entries[0] = err ? -1 : c.map_entries[LIST_MAP_V4_ADDR];
	f->entries[1] = err ? -1 : c.map_entries[LIST_MAP_V6_ADDR];
	return err;
}

__u32 capacity_target(__u32 cur, size_t need)
{
	unsigned long long n = cur ? cur : CAPACITY_MIN;

	if (need * 100 <= (unsigned long long)cur * CAPACITY_GROW_PERCENT)
		return cur;
	n *= CAPACITY_GROW_FACTOR;
	while (n < CAPACITY_MAX && need * 100 > n * CAPACITY_GROW_PERCENT)
		n *= 2;
	return n > CAPACITY_MAX ? CAPACITY_MAX : (__u32)n;
}

void capacity_count_exact(const struct xdpfwd_prefix_set *ps, size_t add[2])
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->v[i].prefixlen == (ps->v[i].family == 4 ? 32 : 128))
			add[ps->v[i].family == 6]++;
}

int capacity_grow_for(const char *dir, const struct list_maps *m, const size_t add[2], bool may_walk,
		      struct capacity_resize_report *r)
{
	struct list_counts c;
	__u32 max[2], want[2];
	size_t have[2];
	int f, err, any = 0;

	memset(r, 0, sizeof(*r));
	if (m->kind != LIST_BLOCK || (!add[0] && !add[1]))
		return 0;
	err = may_walk ? list_count(m, &c) : list_count_booked(m, &c);
	if (err)
		return err;
	have[0] = c.map_entries[LIST_MAP_V4_ADDR];
	have[1] = c.map_entries[LIST_MAP_V6_ADDR];
	max[0] = capacity_map_max(m->v4_addr);
	max[1] = capacity_map_max(m->v6_addr);
	for (f = 0; f < 2; f++) {
		want[f] = max[f] ? capacity_target(max[f], have[f] + add[f]) : 0;
		if (want[f] == max[f])
			want[f] = 0;
		any |= !!want[f];
	}
	if (!any)
		return 0;
	err = capacity_resize(dir, want, r);
	return err ? err : 1;
}

int capacity_follow(struct xdpfwd_bpf *skel, const char *dir)
{
	struct bpf_map *maps[] = { skel->maps.block_v4_addr, skel->maps.block_v6_addr };
	char path[PATH_MAX];
	int i, fd, err = 0, changed = 0;

	for (i = 0; i < 2 && !err; i++) {
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
