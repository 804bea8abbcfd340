// SPDX-License-Identifier: GPL-2.0
/*
 * Growing (or shrinking) the blocklist's maps of a live instance (the exact
 * hashes and the block tries, any of the four), with the swap upgrades and
 * --migrate use: a map cannot change size, so new maps are made, filled,
 * and a new program using them replaces each running one in one netlink
 * call (XDP_FLAGS_REPLACE); the pins move last. However many maps change,
 * each running program is swapped once.
 *
 *   1. every running program of the instance (interfaces its ifaces map
 *      records, in this namespace, running a program that uses its maps)
 *      gets a twin: this build's program reusing every map of the running
 *      one (its .rodata and .bss too, so the same settings and interface
 *      slots) but the resized maps; the first twin's load makes them;
 *   2. the entries are copied as they are (sets, counters, deadlines);
 *   3. each interface's program is replaced by its twin (a failure swaps
 *      the ones done back: nothing changed);
 *   4. what the old programs did meanwhile is carried over: bans the flood
 *      defense wrote into the old maps after the copy are added, and
 *      the hits counted there after the copy are added to the entries'
 *      counters (a second pass over the old maps; the old programs no
 *      longer run, so it is complete);
 *   5. the maps' and program's pins are replaced (rename: a pin is there
 *      at every instant), and the interface records name the new program.
 * The caller holds the pin dir lock throughout, so the CLI's edits wait.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpfwd.h"
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "pin_dir.h"
#include "netns.h"
#include "attach.h"
#include "map_batch.h"
#include "pinned.h"
#include "capacity.h"

#define MAX_PROG_MAPS 64

/* One running program of the instance, the interfaces it runs on and its twin. */
struct running {
	__u32 id;
	int n;
	int ifindex[XDPFWD_MAX_IFACES];
	char ifname[XDPFWD_MAX_IFACES][16];
	struct attach_info ai[XDPFWD_MAX_IFACES];
	int swapped;			/* interfaces [0, swapped) run the twin */
	struct xdpfwd_bpf *twin;
};

struct resize {
	const char *dir;
	struct xdpfwd_bpf *cur;		/* the instance as pinned */
	int oldfd[CAP_MAPS];		/* the block maps now, index CAP_* */
	int newfd[CAP_MAPS];		/* the resized ones (the first twin's), -1: map kept */
	__u32 to[CAP_MAPS];		/* 0: map kept */
	struct map_dump first[CAP_MAPS];	/* what step 2 copied */
	struct running run[XDPFWD_MAX_IFACES];
	int nrun;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u32 prog_id(const struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 0;
	return info.id;
}

/* The index of a block map of skel (CAP_*), -1 for the other maps. */
static int cap_index(const struct xdpfwd_bpf *skel, const struct bpf_map *map)
{
	int i;

	for (i = 0; i < CAP_MAPS; i++)
		if (map == capacity_map(skel, i))
			return i;
	return -1;
}

/* Interfaces of this namespace running a program of the instance, grouped by program. */
static int find_running(struct resize *rs)
{
	__u32 our_map = pinned_map_id(bpf_map__fd(rs->cur->maps.stats)), key, *prev = NULL;
	int fd = bpf_map__fd(rs->cur->maps.ifaces), i, err;
	__u64 ns = netns_current();
	struct xdpfwd_iface rec;
	struct attach_info ai;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &rec))
			continue;
		if (rec.netns_ino != ns)
			return lib_error_set(-EXDEV, "interface %.16s is recorded in another network namespace: its "
					     "program would keep the old maps; run the resize there (nsenter --net=...); "
					     "nothing was changed", rec.name);
		err = attach_inspect(key, our_map, &ai);
		if (err == -ENODEV)
			continue;
		if (err)
			return err;
		if (ai.kind != ATTACH_OURS)
			continue;
		if (ai.dispatcher)
			return lib_error_set(-EOPNOTSUPP, "%.16s runs xdpfwd in libxdp's dispatcher, where this build "
					     "cannot swap its program in place, so its maps cannot change size while it "
					     "runs; nothing was changed. Bigger maps need a new instance: `xdpfwd detach "
					     "--all`, then start the daemon with a larger --capacity or --capacity-prefix "
					     "(its list files and --persist entries come back; other entries do not, and "
					     "the interfaces are unfiltered until it attaches)", rec.name);
		for (i = 0; i < rs->nrun && rs->run[i].id != ai.ours_id; i++)
			;
		if (i == rs->nrun) {
			if (rs->nrun == XDPFWD_MAX_IFACES)
				continue;
			memset(&rs->run[i], 0, sizeof(rs->run[i]));
			rs->run[i].id = ai.ours_id;
			rs->nrun++;
		}
		if (rs->run[i].n == XDPFWD_MAX_IFACES)
			continue;
		rs->run[i].ifindex[rs->run[i].n] = key;
		snprintf(rs->run[i].ifname[rs->run[i].n], 16, "%.15s", rec.name);
		rs->run[i].ai[rs->run[i].n++] = ai;
	}
	return 0;
}

/* The part of an internal map's name that says which one it is (".rodata", ".bss"). */
static const char *map_kind(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? dot : name;
}

/* fd of the map of program prog_fd whose name matches map's, or -ENOENT. */
static int prog_map_fd(const __u32 *ids, __u32 n, const struct bpf_map *map)
{
	const char *want = bpf_map__name(map);
	struct bpf_map_info info;
	__u32 i, len;
	int fd;

	for (i = 0; i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    (bpf_map__is_internal(map) ? !strcmp(map_kind(info.name), map_kind(want)) :
		     !strncmp(info.name, want, BPF_OBJ_NAME_LEN - 1)))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/*
 * This build's program over the maps of running program id (0: the pinned
 * maps, for an instance no program runs), but the resized block maps.
 */
static int make_twin(struct resize *rs, __u32 id, struct xdpfwd_bpf **twin)
{
	__u32 ids[MAX_PROG_MAPS], len;
	struct bpf_prog_info info = {};
	struct xdpfwd_bpf *skel;
	struct bpf_map *map;
	int pfd = -1, fd, f, err = 0;

	skel = xdpfwd_bpf__open();
	if (!skel)
		return lib_error_set(-errno, "opening the embedded BPF object failed: %s", strerror(errno));
	if (id) {
		pfd = bpf_prog_get_fd_by_id(id);
		info.nr_map_ids = MAX_PROG_MAPS;
		info.map_ids = (__u64)(unsigned long)ids;
		len = sizeof(info);
		if (pfd < 0 || bpf_obj_get_info_by_fd(pfd, &info, &len)) {
			err = lib_error_set(-errno, "reading running program %u failed: %s; nothing was changed", id,
					    strerror(errno));
			goto out;
		}
	}
	bpf_object__for_each_map(map, skel->obj) {
		f = cap_index(skel, map);
		if (f >= 0 && rs->to[f]) {
			/* Resized: the first twin makes it, the others share it. */
			err = rs->newfd[f] >= 0 ? bpf_map__reuse_fd(map, rs->newfd[f]) :
			      bpf_map__set_max_entries(map, rs->to[f]);
			if (err)
				break;
			continue;
		}
		fd = f >= 0 ? dup(rs->oldfd[f]) : id ? prog_map_fd(ids, info.nr_map_ids, map) : -ENOENT;
		/* Maps only user space uses (ifaces, books, clock) are not the program's: the pinned ones. */
		if (fd < 0 && !bpf_map__is_internal(map) && map != skel->maps.events)
			fd = dup(bpf_map__fd(bpf_object__find_map_by_name(rs->cur->obj, bpf_map__name(map))));
		if (fd < 0 && !id)
			continue;	/* no program runs: a fresh configuration and ring are as good as any */
		if (fd < 0) {
			err = lib_error_set(-EPROTO, "running program %u has no map %s: it is another build of "
					    "xdpfwd; restart the daemon with this build first; nothing was changed",
					    id, bpf_map__name(map));
			break;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err)
			break;
	}
	if (!err) {
		err = xdpfwd_bpf__load(skel);
		if (err)
			lib_error_set(err, "loading the program for the resized maps failed: %s; nothing was changed",
				      strerror(-err));
	}
	for (f = 0; !err && f < CAP_MAPS; f++)
		if (rs->to[f] && rs->newfd[f] < 0)
			rs->newfd[f] = dup(bpf_map__fd(capacity_map(skel, f)));
out:
	if (pfd >= 0)
		close(pfd);
	if (err && !lib_error()[0])
		lib_error_set(err, "preparing the resized maps failed: %s; nothing was changed", strerror(-err));
	if (err) {
		xdpfwd_bpf__destroy(skel);
		return err;
	}
	*twin = skel;
	return 0;
}

/* Step 3, undone on failure: every interface back to the program it ran. */
static int swap_all(struct resize *rs)
{
	struct attach_info back;
	int i, j, err = 0, fd;

	for (i = 0; i < rs->nrun && !err; i++) {
		struct running *r = &rs->run[i];

		for (j = 0; j < r->n && !err; j++) {
			err = attach_replace_single(bpf_program__fd(r->twin->progs.xdpfwd_xdp), r->ifindex[j],
						    r->ifname[j], &r->ai[j]);
			if (err == -ENODEV) {
				err = 0;	/* gone: its daemon attaches the pinned program when it is back */
				continue;
			}
			if (!err)
				r->swapped = j + 1;
		}
	}
	if (!err)
		return 0;
	if (!lib_error()[0])
		lib_error_set(err, "an interface's XDP program changed during the resize: %s; try again",
			      strerror(-err));
	for (i = 0; i < rs->nrun; i++)
		for (j = 0; j < rs->run[i].swapped; j++) {
			fd = bpf_prog_get_fd_by_id(rs->run[i].id);
			back = rs->run[i].ai[j];
			back.ours_id = prog_id(rs->run[i].twin->progs.xdpfwd_xdp);
			if (fd >= 0) {
				attach_replace_single(fd, rs->run[i].ifindex[j], rs->run[i].ifname[j], &back);
				close(fd);
			}
		}
	return err;
}

static const struct map_dump *sort_dump;

static int cmp_key(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	__u32 ks = sort_dump->key_size;

	return memcmp((char *)sort_dump->keys + i * ks, (char *)sort_dump->keys + j * ks, ks);
}

/*
 * Step 4 for one map: what the old programs wrote into the old map after
 * the copy. New keys (bans) are added; an entry whose counters moved gets
 * the difference added to its copy (the new program counts there already).
 * *late counts the new keys. Keys compare as bytes, exact addresses and
 * trie keys (struct xdpfwd_lpm_v*_key, no padding) alike: both dumps read
 * the same old map, so a prefix's key has the same bytes in each; and a
 * trie's lookup with a key it holds returns that key's own entry.
 */
static int carry_over(int oldfd, int newfd, const struct map_dump *first, size_t *late)
{
	struct map_dump now = {};
	size_t *idx = NULL, i, lo, hi, mid;
	__u32 ks;
	int err, c;

	err = map_dump_all(oldfd, &now);
	if (err)
		return err;
	ks = now.key_size;
	idx = malloc((first->n ? first->n : 1) * sizeof(*idx));
	if (!idx) {
		map_dump_free(&now);
		return -ENOMEM;
	}
	for (i = 0; i < first->n; i++)
		idx[i] = i;
	sort_dump = first;
	qsort(idx, first->n, sizeof(*idx), cmp_key);
	for (i = 0; i < now.n; i++) {
		const void *key = (char *)now.keys + i * ks;
		const struct xdpfwd_entry *o = (struct xdpfwd_entry *)now.values + i, *f;
		struct xdpfwd_entry e;

		for (lo = 0, hi = first->n, c = 1; lo < hi;) {
			mid = (lo + hi) / 2;
			c = memcmp((char *)first->keys + idx[mid] * ks, key, ks);
			if (!c)
				break;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (c) {
			if (!bpf_map_update_elem(newfd, key, o, BPF_NOEXIST))
				(*late)++;
			continue;
		}
		f = (struct xdpfwd_entry *)first->values + idx[mid];
		if (!memcmp(f, o, sizeof(*o)) || bpf_map_lookup_elem(newfd, key, &e))
			continue;
		e.packets += o->packets - f->packets;
		e.bytes += o->bytes - f->bytes;
		if (o->last_hit_ns > e.last_hit_ns)
			e.last_hit_ns = o->last_hit_ns;
		if (o->last_log_ns > e.last_log_ns)
			e.last_log_ns = o->last_log_ns;
		bpf_map_update_elem(newfd, key, &e, BPF_EXIST);
	}
	free(idx);
	map_dump_free(&now);
	return 0;
}

/* Pins fd at dir/name, replacing what is there in one rename. */
static int repin(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX], tmp[PATH_MAX], tmpname[32];
	int err;

	snprintf(tmpname, sizeof(tmpname), "%.15s_new", name);
	err = pin_path(path, sizeof(path), dir, name);
	if (!err)
		err = pin_path(tmp, sizeof(tmp), dir, tmpname);
	if (err)
		return err;
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp) || chmod(tmp, 0600) || rename(tmp, path)) {
		err = lib_error_set(-errno, "pinning the resized map at %s failed: %s", path, strerror(errno));
		unlink(tmp);
	}
	return err;
}

/* Step 5: the resized maps' pins, the program's pin (if it named a replaced program) and the records. */
static int publish(struct resize *rs)
{
	int fd = bpf_map__fd(rs->cur->maps.ifaces), f, i, err = 0, pfd;
	__u32 key, *prev = NULL, pid = 0;
	struct xdpfwd_iface rec;
	char path[PATH_MAX];

	for (f = 0; f < CAP_MAPS && !err; f++)
		if (rs->newfd[f] >= 0)
			err = repin(rs->newfd[f], rs->dir, capacity_map_name(f));
	if (!pin_path(path, sizeof(path), rs->dir, XDPFWD_PROG_PIN) && (pfd = bpf_obj_get(path)) >= 0) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(pfd, &info, &len))
			pid = info.id;
		close(pfd);
	}
	for (i = 0; i < rs->nrun && !err; i++)
		if (rs->run[i].id == pid || (!pid && i == 0))
			err = pinned_pin_prog(bpf_program__fd(rs->run[i].twin->progs.xdpfwd_xdp), rs->dir);
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &rec))
			continue;
		for (i = 0; i < rs->nrun; i++)
			if (rec.prog_id == rs->run[i].id) {
				rec.prog_id = prog_id(rs->run[i].twin->progs.xdpfwd_xdp);
				bpf_map_update_elem(fd, &key, &rec, BPF_EXIST);
				break;
			}
	}
	return err;
}

static void resize_free(struct resize *rs)
{
	int i, f;

	for (i = 0; i < rs->nrun; i++)
		xdpfwd_bpf__destroy(rs->run[i].twin);
	for (f = 0; f < CAP_MAPS; f++) {
		if (rs->newfd[f] >= 0)
			close(rs->newfd[f]);
		map_dump_free(&rs->first[f]);
	}
	pinned_close(rs->cur);
}

/*
 * The sizes asked for, checked against what the maps hold: a trie too is
 * refused a size its entries would fill past the threshold (the daemon
 * would grow it back at once).
 */
static int plan(struct resize *rs, const __u32 want[CAP_MAPS], struct capacity_resize_report *r)
{
	const char *name;
	int f, err;

	for (f = 0; f < CAP_MAPS; f++) {
		name = capacity_map_name(f);
		rs->oldfd[f] = bpf_map__fd(capacity_map(rs->cur, f));
		r->from[f] = r->to[f] = capacity_map_max(rs->oldfd[f]);
		err = map_dump_all(rs->oldfd[f], &rs->first[f]);
		if (err)
			return lib_error_set(err, "reading %s failed: %s; nothing was changed", name,
					     strerror(-err));
		r->entries[f] = rs->first[f].n;
		if (!want[f] || want[f] == r->from[f])
			continue;
		if (want[f] < CAPACITY_MIN || want[f] > CAPACITY_MAX)
			return lib_error_set(-ERANGE, "%s: %u entries is out of range (%u..%u); nothing was changed",
					     name, want[f], CAPACITY_MIN, CAPACITY_MAX);
		if (rs->first[f].n * 100 > (size_t)want[f] * CAPACITY_GROW_PERCENT)
			return lib_error_set(-ENOSPC, "%s holds %zu entries: %u would be %zu%% full, past the %d%% "
					     "at which the daemon grows it; give at least %u; nothing was changed",
					     name, rs->first[f].n, want[f], rs->first[f].n * 100 / want[f],
					     CAPACITY_GROW_PERCENT,
					     (__u32)((rs->first[f].n * 100 + CAPACITY_GROW_PERCENT - 1) /
						     CAPACITY_GROW_PERCENT));
		rs->to[f] = r->to[f] = want[f];
	}
	return 0;
}

/* Whether plan() resized any map. */
static int any_resized(const struct resize *rs)
{
	int f;

	for (f = 0; f < CAP_MAPS; f++)
		if (rs->to[f])
			return 1;
	return 0;
}

int capacity_resize(const char *dir, const __u32 want[CAP_MAPS], struct capacity_resize_report *r)
{
	struct resize rs = { .dir = dir };
	__u64 t0 = now_ns();
	int err, i, f;

	memset(r, 0, sizeof(*r));
	for (f = 0; f < CAP_MAPS; f++)
		rs.newfd[f] = -1;
	err = pinned_open_all(dir, &rs.cur);
	if (err)
		return err;
	err = plan(&rs, want, r);
	if (err || !any_resized(&rs))
		goto out;
	err = find_running(&rs);
	for (i = 0; !err && i < (rs.nrun ? rs.nrun : 1); i++)
		err = make_twin(&rs, rs.nrun ? rs.run[i].id : 0, &rs.run[i].twin);
	if (!rs.nrun && rs.run[0].twin)
		rs.nrun = 0;	/* only made the maps: no program to swap */
	for (f = 0; !err && f < CAP_MAPS; f++)
		if (rs.newfd[f] >= 0) {
			err = map_update_many(rs.newfd[f], rs.first[f].keys, rs.first[f].values, rs.first[f].n,
					      rs.first[f].key_size, rs.first[f].value_size);
			if (err)
				lib_error_set(err, "copying the entries into the resized maps failed: %s; nothing "
					      "was changed", strerror(-err));
		}
	if (!err)
		err = swap_all(&rs);
	if (err)
		goto out;
	/* The old programs no longer run: what they wrote since the copy is final. */
	for (f = 0; f < CAP_MAPS; f++)
		if (rs.newfd[f] >= 0)
			carry_over(rs.oldfd[f], rs.newfd[f], &rs.first[f], &r->late);
	err = publish(&rs);
	r->programs = rs.nrun;
	if (rs.nrun) {
		r->old_prog_id = rs.run[0].id;
		r->new_prog_id = prog_id(rs.run[0].twin->progs.xdpfwd_xdp);
	}
	r->resized = 1;
out:
	r->ms = (now_ns() - t0) / 1e6;
	if (!rs.nrun && rs.run[0].twin)
		xdpfwd_bpf__destroy(rs.run[0].twin), rs.run[0].twin = NULL;
	resize_free(&rs);
	return err;
}
