// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "pin_dir.h"
#include "map_batch.h"
#include "pinned.h"
#include "migrate.h"
#include "sets.h"

int migrate_open_old(const char *dir, struct migration *m)
{
	struct dirent *de;
	DIR *d;

	memset(m, 0, sizeof(*m));
	d = opendir(dir);
	if (!d)
		return lib_error_set(-errno, "opening %s to migrate its pins failed: %s", dir, strerror(errno));
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

/* An entry of layout 2 (value of every list map then). */
struct entry_v2 {
	__u64 packets, bytes, last_hit_ns, last_log_ns, expires_ns;
	__u32 flags, pad;
};

#define V2_NOT_IN_SET0	(1U << 0)	/* an exact entry hidden from exact set 0 */
#define V2_ACTIVE_TWIN	(1U << 0)	/* meta: the NAME_b tries are live */
#define V2_ACTIVE_SET1	(1U << 1)	/* meta: exact set 1 is live */

/* What the old instance's meta says (zero where it cannot). */
struct old_meta {
	__u32 layout, active_block, active_allow;
	struct xdpfwd_meta v3;		/* layout 3: the generations and set masks */
};

static void old_meta_read(const struct migration *m, struct old_meta *om)
{
	int fd = old_fd(m, "meta");
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, w[64] = {};

	memset(om, 0, sizeof(*om));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || info.value_size > sizeof(w) ||
	    bpf_map_lookup_elem(fd, &zero, w))
		return;
	om->layout = w[1];
	if (om->layout == 2 && info.value_size >= 16) {
		om->active_block = w[2];
		om->active_allow = w[3];
	}
	if (om->layout == XDPFWD_LAYOUT_VERSION && info.value_size == sizeof(om->v3))
		memcpy(&om->v3, w, sizeof(om->v3));
}

/* How the old values convert: kept (this layout), from layout 2, or unknown (zero: set manual). */
enum conv { CONV_SAME, CONV_V2, CONV_ZERO };

/*
 * One old value as this build's entry; 0 to skip it (an entry the old
 * program did not enforce: staged by a replace, or expired).
 */
static int convert(enum conv c, const void *old, __u32 hidden, int trie, __u32 prefixlen, __u64 now,
		   struct xdpfwd_entry *e)
{
	const struct entry_v2 *v2 = old;

	memset(e, 0, sizeof(*e));
	if (c == CONV_SAME) {
		memcpy(e, old, sizeof(*e));
		return 1;
	}
	/* All zero: a member of set manual alone (struct xdpfwd_entry). */
	if (c == CONV_V2) {
		if ((v2->flags & hidden) || (v2->expires_ns && v2->expires_ns <= now))
			return 0;
		/* Same clocks in layout 2: counters and deadlines keep their meaning. */
		e->packets = v2->packets;
		e->bytes = v2->bytes;
		e->last_hit_ns = v2->last_hit_ns;
		e->last_log_ns = v2->last_log_ns;
		if (v2->expires_ns) {
			e->expires_ns = v2->expires_ns;
			e->timed = 1U << XDPFWD_SET_MANUAL;
		}
	}
	if (trie)
		e->plen1 = prefixlen + 1;
	return 1;
}

static __u64 boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The entries the old program enforced, into one list map of this build. In
 * layout 2 that is the live one of a trie and its twin (NAME_b, live while
 * meta's active flags say so) and the exact entries the live exact set does
 * not hide; the idle twin and staged entries are a replace's, not copied.
 */
static int copy_list(const struct migration *m, const struct old_meta *om, struct bpf_map *map, size_t *copied)
{
	const char *name = bpf_map__name(map);
	char twin[32];
	int trie = bpf_map__type(map) == BPF_MAP_TYPE_LPM_TRIE, from, err;
	__u32 active = !strncmp(name, "allow", 5) ? om->active_allow : om->active_block, hidden = 0;
	__u64 now = boottime_ns();
	struct map_dump d;
	enum conv c;
	void *vals;
	size_t i, n = 0;

	snprintf(twin, sizeof(twin), "%s_b", name);
	from = old_fd(m, om->layout == 2 && trie && (active & V2_ACTIVE_TWIN) ? twin : name);
	if (from < 0)
		return 0;
	if (om->layout == 2 && !trie)
		hidden = V2_NOT_IN_SET0 << !!(om->active_block & V2_ACTIVE_SET1);
	err = map_dump_all(from, &d);
	if (err)
		return lib_error_set(err, "reading the old map %s failed: %s; nothing was changed", name,
				     strerror(-err));
	if (d.key_size != bpf_map__key_size(map)) {
		lib_error_set(-EPROTO, "cannot migrate %s: its keys are %u bytes, this build's %u; nothing was changed",
			      name, d.key_size, bpf_map__key_size(map));
		map_dump_free(&d);
		return -EPROTO;
	}
	c = om->layout == XDPFWD_LAYOUT_VERSION && d.value_size == sizeof(struct xdpfwd_entry) ? CONV_SAME :
	    om->layout == 2 && d.value_size == sizeof(struct entry_v2) ? CONV_V2 : CONV_ZERO;
	vals = calloc(d.n ? d.n : 1, sizeof(struct xdpfwd_entry));
	if (!vals) {
		map_dump_free(&d);
		return lib_error_set(-ENOMEM, "migrating %s: out of memory", name);
	}
	for (i = 0; i < d.n; i++) {
		const char *key = (char *)d.keys + i * d.key_size;
		__u32 plen = 0;

		if (trie)
			memcpy(&plen, key, sizeof(plen));
		if (!convert(c, (char *)d.values + i * d.value_size, hidden, trie, plen, now,
			     (struct xdpfwd_entry *)vals + n))
			continue;
		/* Compacted in place: key n is never ahead of key i. */
		memmove((char *)d.keys + n * d.key_size, key, d.key_size);
		n++;
	}
	err = map_update_many(bpf_map__fd(map), d.keys, vals, n, d.key_size, sizeof(struct xdpfwd_entry));
	if (err)
		lib_error_set(err, "copying the old %s failed: %s; nothing was changed", name, strerror(-err));
	else
		*copied += n;
	free(vals);
	map_dump_free(&d);
	return err;
}

/* From an instance of this layout (a build with other capacities): the sets and their generations too. */
static int copy_sets(const struct migration *m, const struct old_meta *om, struct xdpfwd_bpf *skel)
{
	int from = old_fd(m, "sets"), to = bpf_map__fd(skel->maps.sets), err = 0;
	struct xdpfwd_meta meta = {};
	struct xdpfwd_set s;
	__u32 key, zero = 0;

	/*
	 * From an older layout: set manual of each kind now, enforcing, so the
	 * entries copied into it drop from the program's first packet on (the
	 * swap comes before the pins, and with them pinned_pin_new's sets_init).
	 */
	if (om->layout != XDPFWD_LAYOUT_VERSION || om->v3.magic != XDPFWD_META_MAGIC)
		return sets_init(to, bpf_map__fd(skel->maps.meta));
	for (key = 0; from >= 0 && key < XDPFWD_KINDS * XDPFWD_MAX_SETS && !err; key++)
		if (!bpf_map_lookup_elem(from, &key, &s) && bpf_map_update_elem(to, &key, &s, BPF_ANY))
			err = -errno;
	if (!err && bpf_map_lookup_elem(bpf_map__fd(skel->maps.meta), &zero, &meta))
		err = -errno;
	if (!err) {
		memcpy(meta.set_gen, om->v3.set_gen, sizeof(meta.set_gen));
		meta.drop_sets = om->v3.drop_sets;
		meta.scoped_sets = om->v3.scoped_sets;
		meta.audit_sets = om->v3.audit_sets;
		/* A replace the old instance left half done: the next writer finishes it (list_repair). */
		meta.replacing = om->v3.replacing;
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.meta), &zero, &meta, BPF_ANY))
			err = -errno;
	}
	if (err)
		lib_error_set(err, "copying the old sets failed: %s; nothing was changed", strerror(-err));
	return err;
}

int migrate_copy_entries(const struct migration *m, struct xdpfwd_bpf *skel, size_t *copied)
{
	struct bpf_map *lists[] = { skel->maps.block_v4_addr, skel->maps.block_v6_addr, skel->maps.block_v4_net,
				    skel->maps.block_v6_net, skel->maps.allow_v4, skel->maps.allow_v6 };
	struct old_meta om;
	size_t i;
	int err;

	*copied = 0;
	old_meta_read(m, &om);
	err = copy_sets(m, &om, skel);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]) && !err; i++)
		err = copy_list(m, &om, lists[i], copied);
	return err;
}

void migrate_old_capacity(const struct migration *m, __u32 max[CAP_MAPS])
{
	struct bpf_map_info info;
	__u32 len;
	int f, fd;

	for (f = 0; f < CAP_MAPS; f++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		fd = old_fd(m, capacity_map_name(f));
		max[f] = fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.max_entries : 0;
	}
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
