// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "map_batch.h"
#include "pinned.h"
#include "migrate.h"

int migrate_open_old(const char *dir, struct migration *m)
{
	struct dirent *de;
	DIR *d;

	memset(m, 0, sizeof(*m));
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && m->n < MIGRATE_MAX_MAPS) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, XDPFWD_PROG_PIN))
			continue;
		if (pin_path(m->path[m->n], sizeof(m->path[0]), dir, de->d_name))
			continue;
		fd = bpf_obj_get(m->path[m->n]);
		if (fd < 0)
			continue;
		/* A pin that is not a map (a stray program pin) is simply not migrated. */
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.type) {
			close(fd);
			continue;
		}
		/* Map names are at most 15 bytes; a longer pin name is not one of ours anyway. */
		snprintf(m->name[m->n], sizeof(m->name[0]), "%.15s", de->d_name);
		if (!strcmp(de->d_name, "stats"))
			m->old_stats_id = info.id;
		m->fd[m->n++] = fd;
	}
	closedir(d);
	return 0;
}

static int old_fd(const struct migration *m, const char *name)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return m->fd[i];
	return -1;
}

/* The live list maps; the _b twins are empty at rest and are not carried over. */
static int copy_list(const struct migration *m, struct bpf_map *map, size_t *copied)
{
	int from = old_fd(m, bpf_map__name(map)), err;
	struct map_dump d;
	void *zero;

	if (from < 0)
		return 0;
	err = map_dump_all(from, &d);
	if (err)
		return err;
	if (d.key_size != bpf_map__key_size(map)) {
		pr_warn("cannot migrate %s: its keys are %u bytes, this build's %u\n", bpf_map__name(map), d.key_size,
			bpf_map__key_size(map));
		map_dump_free(&d);
		return -EPROTO;
	}
	zero = calloc(d.n ? d.n : 1, bpf_map__value_size(map));
	err = zero ? map_update_many(bpf_map__fd(map), d.keys, zero, d.n, d.key_size, bpf_map__value_size(map)) :
		     -ENOMEM;
	if (!err)
		*copied += d.n;
	free(zero);
	map_dump_free(&d);
	return err;
}

int migrate_copy_entries(const struct migration *m, struct xdpfwd_bpf *skel, size_t *copied)
{
	struct bpf_map *lists[] = { skel->maps.block_v4_addr, skel->maps.block_v6_addr, skel->maps.block_v4_net,
				    skel->maps.block_v6_net, skel->maps.allow_v4, skel->maps.allow_v6 };
	size_t i;
	int err = 0;

	*copied = 0;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]) && !err; i++)
		err = copy_list(m, lists[i], copied);
	if (err)
		pr_warn("copying the old lists failed: %s; nothing was changed\n", strerror(-err));
	return err;
}

void migrate_unpin_old(const struct migration *m)
{
	int i;

	for (i = 0; i < m->n; i++)
		unlink(m->path[i]);
}

void migrate_close(struct migration *m)
{
	int i;

	for (i = 0; i < m->n; i++)
		close(m->fd[i]);
	m->n = 0;
}
