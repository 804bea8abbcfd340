// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include "xdpfwd.h"
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "pin_dir.h"
#include "pinned.h"
#include "netns.h"
#include "attach.h"
#include "instance_lock.h"
#include "lib_error.h"
#include "sets.h"
#include "capacity.h"

unsigned int pinned_map_id(int map_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return 0;
	return info.id;
}

/* A pin is ours only if it is the very map the skeleton would create. */
static int check_compatible(const struct bpf_map *map, int fd, const char *path, int any_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return lib_error_set(-EINVAL, "%s is not a BPF map (%s); remove it or use another --pin-dir", path,
				     strerror(errno));
	/*
	 * max_entries too, but for the maps an instance sizes itself (capacity.h):
	 * bpf_map__reuse_fd takes the pinned size over ours, which is right for
	 * those only.
	 */
	if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) || info.map_flags != bpf_map__map_flags(map) ||
	    (!any_size && info.max_entries != bpf_map__max_entries(map)) || strcmp(info.name, bpf_map__name(map)))
		return lib_error_set(-EINVAL, "pinned map %s ('%s': type %u, key %u, value %u bytes, %u entries) does not match the program's "
			"(type %u, key %u, value %u bytes, %u entries); nothing was changed. If the program is a new "
			"build with another layout, start it with --migrate to move the lists over; "
			"if the pin is not xdpfwd's, remove it or use another --pin-dir",
			path, info.name, info.type, info.key_size, info.value_size, info.max_entries,
			bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
			bpf_map__max_entries(map));
	return 0;
}

static int check_layout(struct xdpfwd_bpf *skel, const char *dir)
{
	struct xdpfwd_meta meta = {};
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.meta), &zero, &meta))
		return -errno;
	if (meta.magic == 0)	/* created but never stamped: a start that died before pinning finished */
		return 0;
	if (meta.magic != XDPFWD_META_MAGIC)
		return lib_error_set(-EINVAL, "%s/meta does not belong to xdpfwd; use another --pin-dir", dir);
	if (meta.layout_version != XDPFWD_LAYOUT_VERSION)
		return lib_error_set(-EPROTO, "maps pinned in %s have layout version %u, this xdpfwd uses %u; "
				     "start it with --migrate to move the lists over, or use another --pin-dir",
				     dir, meta.layout_version, XDPFWD_LAYOUT_VERSION);
	return 0;
}

/* libbpf reads the ELF image until load, so a file's image lives as long as its skeleton. */
static void *object_image;

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(n);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
			errno = EIO;
		}
		*size = n;
	} else if (!errno) {
		errno = EINVAL;
	}
	fclose(f);
	return buf;
}

/* The skeleton over another build of the same program: its maps and globals must match the skeleton's. */
static struct xdpfwd_bpf *open_object_file(const char *path)
{
	struct xdpfwd_bpf *skel = calloc(1, sizeof(*skel));
	size_t size = 0;
	int err;

	if (!skel)
		return NULL;
	free(object_image);
	object_image = read_file(path, &size);
	if (!object_image) {
		err = lib_error_set(-errno, "reading BPF object %s failed: %s", path, strerror(errno));
		goto fail;
	}
	err = xdpfwd_bpf__create_skeleton(skel);
	if (!err) {
		skel->skeleton->data = object_image;
		skel->skeleton->data_sz = size;
		err = bpf_object__open_skeleton(skel->skeleton, NULL);
	}
	if (err) {
		lib_error_set(err, "%s is not a build of xdpfwd's BPF program (%s); nothing was changed", path,
			      strerror(-err));
		goto fail;
	}
	return skel;
fail:
	xdpfwd_bpf__destroy(skel);
	errno = -err;
	return NULL;
}

void pinned_close(struct xdpfwd_bpf *skel)
{
	xdpfwd_bpf__destroy(skel);
	free(object_image);
	object_image = NULL;
}

/* The ring buffer's name: events_ and its daemon's first interface (instance_iface_id). */
static int events_pin_path(const char *dir, const char *owner, bool with_netns, char *path, size_t len)
{
	char id[INSTANCE_IFACE_ID_MAX], name[sizeof(id) + 8];
	int err;

	err = instance_iface_id(owner, with_netns, id, sizeof(id));
	if (err)
		return err;
	snprintf(name, sizeof(name), "events_%s", id);
	return pin_path(path, len, dir, name);
}

/*
 * Where a map is pinned. Every map is shared by all daemons of the pin dir
 * but the event ring buffer: each daemon drains its own, pinned under its
 * first interface's identity so a restart still reads the backlog. Returns
 * 1 for the ring buffer when there is no owner (commands never touch it).
 */
static int map_pin_path(const struct bpf_map *map, const char *dir, const char *events_owner, char *path,
			size_t len)
{
	if (bpf_map__is_internal(map))	/* .rodata/.bss: the program's own, never pinned */
		return 1;
	if (strcmp(bpf_map__name(map), "events"))
		return pin_path(path, len, dir, bpf_map__name(map));
	if (!events_owner)
		return 1;
	return events_pin_path(dir, events_owner, false, path, len);
}

/*
 * Names the ring of this daemon's interface may have had: older builds'
 * events_<name with every byte but [A-Za-z0-9_-] as '_'> (which eth0.100
 * and eth0_100, or eth0 in two namespaces, shared), and this build's name
 * with the namespace where the initial one could not be told apart. Fills
 * path with the which-th one if it differs from the current name.
 */
static int events_earlier_path(const char *dir, const char *owner, int which, char *path, size_t len)
{
	char now[PATH_MAX], name[IF_NAMESIZE + 8];
	size_t i;
	int err;

	err = events_pin_path(dir, owner, false, now, sizeof(now));
	if (err)
		return err;
	if (which == 0) {
		snprintf(name, sizeof(name), "events_%s", owner);
		for (i = 0; name[i]; i++)
			if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
				name[i] = '_';
		err = pin_path(path, len, dir, name);
	} else {
		err = events_pin_path(dir, owner, true, path, len);
	}
	if (!err && !strcmp(path, now))
		return -ENOENT;
	return err;
}

#define EVENTS_EARLIER_NAMES 2

/*
 * The ring buffer of the program running on the owner interface, pinned under
 * an earlier name: after an upgrade (or a move of the daemon), the restart
 * drains the backlog its predecessor left. Only the program attached to the
 * interface tells whose ring a shared old name was. An fd, or -ENOENT.
 */
static int events_adopt(const char *dir, const char *owner)
{
	char path[PATH_MAX];
	struct attach_info ai;
	int which, fd, ifindex = if_nametoindex(owner);

	for (which = 0; which < EVENTS_EARLIER_NAMES && ifindex; which++) {
		if (events_earlier_path(dir, owner, which, path, sizeof(path)))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (attach_inspect(ifindex, pinned_map_id(fd), &ai))
			lib_error_notice();	/* the ring stays where it is; the start goes on */
		else if (ai.kind == ATTACH_OURS) {
			lib_notice("%s: taking over the event ring buffer %s of the running program", owner, path);
			return fd;
		}
		close(fd);
	}
	return -ENOENT;
}

/* After the ring is pinned under its current name: the earlier name of the same ring goes. */
static void events_unpin_earlier(const char *dir, const char *owner, int events_fd)
{
	unsigned int id = pinned_map_id(events_fd);
	char path[PATH_MAX];
	int which, fd;

	for (which = 0; which < EVENTS_EARLIER_NAMES; which++) {
		if (events_earlier_path(dir, owner, which, path, sizeof(path)))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (pinned_map_id(fd) == id)
			unlink(path);
		close(fd);
	}
}

/* Calls fn on every map the instance pins, with its pin path; stops at the first error. */
static int for_each_pin(struct xdpfwd_bpf *skel, const char *dir, const char *events_owner,
			int (*fn)(struct bpf_map *map, const char *path, void *ctx), void *ctx)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int err;

	bpf_object__for_each_map(map, skel->obj) {
		err = map_pin_path(map, dir, events_owner, path, sizeof(path));
		if (!err)
			err = fn(map, path, ctx);
		if (err < 0)
			return err;
	}
	return 0;
}

struct reuse {
	struct xdpfwd_bpf *skel;
	const char *dir, *events_owner;
	int found;
};

/* The map takes over the pinned one at path, if there is one and it is compatible. */
static int reuse_pinned(struct bpf_map *map, const char *path, void *ctx)
{
	struct reuse *r = ctx;
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT && map == r->skel->maps.events)
		fd = events_adopt(r->dir, r->events_owner);
	if (fd < 0) {
		if (errno == ENOENT || fd == -ENOENT)
			return 0;
		return lib_error_set(-errno, "opening pinned map %s failed: %s%s", path, strerror(errno),
				     errno == EPERM || errno == EACCES ? "; run as root" : "");
	}
	err = check_compatible(map, fd, path, capacity_sized_map(r->skel, map));
	if (!err)
		err = bpf_map__reuse_fd(map, fd);
	close(fd);
	/* The clock map is newer than some instances: they are complete without it. */
	if (!err)
		r->found += map != r->skel->maps.events && map != r->skel->maps.clock;
	return err;
}

int pinned_open_reuse(const char *dir, const char *obj_path, const char *events_owner, struct xdpfwd_bpf **skelp,
		      int *found)
{
	struct reuse r = { .dir = dir, .events_owner = events_owner };
	int err;

	*found = 0;
	r.skel = obj_path ? open_object_file(obj_path) : xdpfwd_bpf__open();
	if (!r.skel) {
		err = -errno;
		if (!obj_path)
			lib_error_set(err, "opening the embedded BPF object failed: %s", strerror(-err));
		return err;
	}
	if (dir) {	/* else fresh maps, reusing nothing (a migration) */
		err = for_each_pin(r.skel, dir, events_owner, reuse_pinned, &r);
		if (!err && bpf_map__fd(r.skel->maps.meta) >= 0)
			err = check_layout(r.skel, dir);
		if (err) {
			pinned_close(r.skel);
			return err;
		}
	}
	*skelp = r.skel;
	*found = r.found;
	return 0;
}

/*
 * Maps that came after the others (the books, the flood defense's): an
 * instance made by an older build has none of them until its daemon
 * restarts.
 */
static int newer_map(const struct xdpfwd_bpf *skel, const struct bpf_map *map)
{
	return map == skel->maps.books || map == skel->maps.ban_books || map == skel->maps.limits ||
	       map == skel->maps.meter || map == skel->maps.limit_stats;
}

int pinned_open_all(const char *dir, struct xdpfwd_bpf **skelp)
{
	struct bpf_map *map;
	int found, err, want = 0;

	err = pin_dir_check(dir);
	if (err)
		return err;
	err = pinned_open_reuse(dir, NULL, NULL, skelp, &found);
	if (err)
		return err;
	/*
	 * The clock map and the newer ones came after the others: an instance
	 * made by an older build lacks them until its daemon restarts; its users
	 * count by walking, convert times from the kernel's config, and find no
	 * flood defense.
	 */
	bpf_object__for_each_map(map, (*skelp)->obj)
		want += !bpf_map__is_internal(map) && map != (*skelp)->maps.events &&
			map != (*skelp)->maps.clock && (!newer_map(*skelp, map) || bpf_map__fd(map) >= 0);
	if (found != want) {
		xdpfwd_bpf__destroy(*skelp);
		*skelp = NULL;
		return lib_error_set(-ENOENT, "%s holds %d of xdpfwd's %d maps; start the daemon once to complete "
				     "it, or remove the directory", dir, found, want);
	}
	return 0;
}

/*
 * 0 if path holds the very map this process uses, -ENOENT if nothing is
 * pinned there. Under the pin dir lock nobody else pins, so another map here
 * means a process that ignores the lock: using it would split the instance
 * (a program enforcing maps no command can see).
 */
static int pinned_check_same(const struct bpf_map *map, const char *path)
{
	unsigned int ours = pinned_map_id(bpf_map__fd(map)), theirs;
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	theirs = pinned_map_id(fd);
	close(fd);
	if (theirs == ours)
		return 0;
	return lib_error_set(-EEXIST, "%s is map id %u, not the map id %u this daemon uses: a process that ignores "
			     "the pin dir lock pinned it meanwhile; stop it (an older xdpfwd?) and start xdpfwd again",
			     path, theirs, ours);
}

/* The map pinned at path, unless it is there already. */
static int pin_map(struct bpf_map *map, const char *path, void *ctx)
{
	int err;

	(void)ctx;
	err = pinned_check_same(map, path);
	if (err != -ENOENT)
		return err;
	/* bpf_obj_pin, not bpf_map__pin: libbpf skips maps it believes pinned, even after an rm. */
	if (bpf_obj_pin(bpf_map__fd(map), path))
		return lib_error_set(-errno, "pinning map %s failed: %s", path, strerror(errno));
	if (chmod(path, 0600))
		return lib_error_set(-errno, "chmod 0600 %s failed: %s", path, strerror(errno));
	return 0;
}

int pinned_pin_new(struct xdpfwd_bpf *skel, const char *dir, const char *events_owner)
{
	struct xdpfwd_meta meta = {};
	__u32 zero = 0;
	int err;

	err = for_each_pin(skel, dir, events_owner, pin_map, NULL);
	if (err)
		return err;
	if (events_owner)
		events_unpin_earlier(dir, events_owner, bpf_map__fd(skel->maps.events));
	/* Keep the generations, set masks and replace marker: a replace may be in flight, and the program reads them. */
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.meta), &zero, &meta))
		memset(&meta, 0, sizeof(meta));
	meta.magic = XDPFWD_META_MAGIC;
	meta.layout_version = XDPFWD_LAYOUT_VERSION;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.meta), &zero, &meta, BPF_ANY))
		return lib_error_set(-errno, "stamping %s/meta failed: %s", dir, strerror(errno));
	/* A new instance (or one migrated from layout 2) gets set "manual" of each kind; existing records stay. */
	return sets_init(bpf_map__fd(skel->maps.sets), bpf_map__fd(skel->maps.meta));
}

int pinned_pin_prog(int prog_fd, const char *dir)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int err;

	err = pin_path(path, sizeof(path), dir, XDPFWD_PROG_PIN);
	if (!err)
		err = pin_path(tmp, sizeof(tmp), dir, XDPFWD_PROG_PIN "_new");
	if (err)
		return err;
	unlink(tmp);
	if (bpf_obj_pin(prog_fd, tmp))
		return lib_error_set(-errno, "pinning program at %s failed: %s", tmp, strerror(errno));
	/* rename keeps a pinned program at the path at every instant (bpffs forbids dots in names). */
	if (chmod(tmp, 0600) || rename(tmp, path)) {
		err = lib_error_set(-errno, "installing program pin %s failed: %s", path, strerror(errno));
		unlink(tmp);
		return err;
	}
	return 0;
}

int pinned_remove_all(struct xdpfwd_bpf *skel, const char *dir)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map) || map == skel->maps.events)
			continue;
		if (pin_path(path, sizeof(path), dir, bpf_map__name(map)) == 0 &&
		    unlink(path) && errno != ENOENT)
			err = -errno;
	}
	/* Every daemon's ring buffer, events_<iface>. */
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "events_", 7) && pin_path(path, sizeof(path), dir, de->d_name) == 0 &&
		    unlink(path) && errno != ENOENT)
			err = -errno;
	if (d)
		closedir(d);
	if (pin_path(path, sizeof(path), dir, XDPFWD_PROG_PIN) == 0 && unlink(path) && errno != ENOENT)
		err = -errno;
	if (!err)
		err = instance_lock_remove_all(dir, true);
	if (!err && rmdir(dir) && errno != ENOENT)
		err = -errno;
	if (err)
		lib_error_set(err, "removing pins under %s failed: %s", dir, strerror(-err));
	return err;
}

/* A map of the program's that is one of the skeleton's by name and shape; internal maps (.bss, ...) pass. */
static bool same_as_skeleton_map(struct xdpfwd_bpf *skel, const struct bpf_map_info *info)
{
	struct bpf_map *map;

	if (strchr(info->name, '.'))
		return true;
	bpf_object__for_each_map(map, skel->obj)
		if (!bpf_map__is_internal(map) && !strcmp(info->name, bpf_map__name(map)))
			return info->type == bpf_map__type(map) && info->key_size == bpf_map__key_size(map) &&
			       info->value_size == bpf_map__value_size(map) &&
			       (capacity_sized_map(skel, map) || info->max_entries == bpf_map__max_entries(map));
	return false;
}

static bool btf_has_struct(__u32 btf_id, const char *name)
{
	struct btf *btf = btf_id ? btf__load_from_kernel_by_id(btf_id) : NULL;
	bool found = btf && btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT) >= 0;

	btf__free(btf);
	return found;
}

/* Whether an fd of fdinfo file path is program prog_id (the kernel prints "prog_id:\tN" for BPF programs). */
static bool fdinfo_is_prog(const char *path, __u32 prog_id)
{
	char line[128];
	unsigned int id;
	bool found = false;
	FILE *f = fopen(path, "re");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "prog_id: %u", &id) == 1 && id == prog_id;
	if (f)
		fclose(f);
	return found;
}

/*
 * Whether a process other than this one holds an fd of the program: a start
 * still under way does (its loader), a start killed before pinning does not.
 * Processes this one may not inspect are not seen.
 */
static bool prog_held_elsewhere(__u32 prog_id)
{
	char path[PATH_MAX];
	struct dirent *p, *f;
	bool held = false;
	DIR *procs, *fds;
	int self = getpid();

	procs = opendir("/proc");
	while (procs && !held && (p = readdir(procs))) {
		if (!isdigit((unsigned char)p->d_name[0]) || atoi(p->d_name) == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo", p->d_name);
		fds = opendir(path);
		while (fds && !held && (f = readdir(fds))) {
			if (!isdigit((unsigned char)f->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", p->d_name, f->d_name);
			held = fdinfo_is_prog(path, prog_id);
		}
		if (fds)
			closedir(fds);
	}
	if (procs)
		closedir(procs);
	return held;
}

int pinned_is_orphan(struct xdpfwd_bpf *skel, __u32 prog_id)
{
	struct bpf_prog_info info = {};
	struct bpf_map_info minfo;
	struct xdpfwd_meta meta;
	__u32 ids[64] = {}, len = sizeof(info), mlen, zero = 0, i;
	int fd, mfd, meta_seen = 0, stamped = 0, alike = 1;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return 0;
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || strcmp(info.name, XDPFWD_PROG_NAME) ||
	    info.type != BPF_PROG_TYPE_XDP || !btf_has_struct(info.btf_id, "xdpfwd_meta"))
		alike = 0;
	close(fd);
	for (i = 0; alike && i < info.nr_map_ids && i < 64; i++) {
		mfd = bpf_map_get_fd_by_id(ids[i]);
		memset(&minfo, 0, sizeof(minfo));
		mlen = sizeof(minfo);
		if (mfd < 0 || bpf_obj_get_info_by_fd(mfd, &minfo, &mlen)) {
			alike = 0;
		} else if (!same_as_skeleton_map(skel, &minfo)) {
			alike = 0;
		} else if (!strcmp(minfo.name, "meta")) {
			meta_seen = 1;
			stamped = bpf_map_lookup_elem(mfd, &zero, &meta) || meta.magic != 0;
		}
		if (mfd >= 0)
			close(mfd);
	}
	return alike && meta_seen && !stamped && !prog_held_elsewhere(prog_id);
}

int pinned_record_iface(struct xdpfwd_bpf *skel, const char *name, int ifindex, __u32 mode, __u32 prog_id,
			__u32 stats_slot)
{
	struct xdpfwd_iface rec = {
		.mode = mode,
		.prog_id = prog_id,
		.netns_ino = netns_current(),
		.stats_slot = stats_slot,
	};
	__u32 key = ifindex;

	snprintf(rec.name, sizeof(rec.name), "%s", name);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.ifaces), &key, &rec, BPF_ANY))
		return lib_error_set(-errno, "recording %s in the ifaces map failed: %s", name, strerror(errno));
	return 0;
}
