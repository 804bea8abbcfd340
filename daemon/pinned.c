// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpfwd.h"
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin.h"
#include "pinned.h"
#include "netns.h"

unsigned int pinned_map_id(int map_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return 0;
	return info.id;
}

/* A pin is ours only if it is the very map the skeleton would create. */
static int check_compatible(const struct bpf_map *map, int fd, const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		pr_warn("%s is not a BPF map (%s); remove it or use another --pin-dir\n", path, strerror(errno));
		return -EINVAL;
	}
	/* max_entries too: bpf_map__reuse_fd would silently take the pinned size over ours. */
	if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) || info.map_flags != bpf_map__map_flags(map) ||
	    info.max_entries != bpf_map__max_entries(map) || strcmp(info.name, bpf_map__name(map))) {
		pr_warn("pinned map %s ('%s': type %u, key %u, value %u bytes, %u entries) does not match the program's "
			"(type %u, key %u, value %u bytes, %u entries); nothing was changed. If the program is a new "
			"build with another layout, start it with --migrate to move the lists over; "
			"if the pin is not xdpfwd's, remove it or use another --pin-dir\n",
			path, info.name, info.type, info.key_size, info.value_size, info.max_entries,
			bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
			bpf_map__max_entries(map));
		return -EINVAL;
	}
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
	if (meta.magic != XDPFWD_META_MAGIC) {
		pr_warn("%s/meta does not belong to xdpfwd; use another --pin-dir\n", dir);
		return -EINVAL;
	}
	if (meta.layout_version != XDPFWD_LAYOUT_VERSION) {
		pr_warn("maps pinned in %s have layout version %u, this xdpfwd uses %u; "
			"start it with --migrate to move the lists over, or use another --pin-dir\n",
			dir, meta.layout_version, XDPFWD_LAYOUT_VERSION);
		return -EPROTO;
	}
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
		err = -errno;
		pr_warn("reading BPF object %s failed: %s\n", path, strerror(-err));
		goto fail;
	}
	err = xdpfwd_bpf__create_skeleton(skel);
	if (!err) {
		skel->skeleton->data = object_image;
		skel->skeleton->data_sz = size;
		err = bpf_object__open_skeleton(skel->skeleton, NULL);
	}
	if (err) {
		pr_warn("%s is not a build of xdpfwd's BPF program (%s); nothing was changed\n", path, strerror(-err));
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

/*
 * Where a map is pinned. Every map is shared by all daemons of the pin dir
 * but the event ring buffer: each daemon drains its own, pinned as
 * events_<its first interface> so a restart still reads the backlog. Returns
 * 1 for the ring buffer when there is no owner (commands never touch it).
 */
static int map_pin_path(const struct bpf_map *map, const char *dir, const char *events_owner, char *path,
			size_t len)
{
	char name[64];
	size_t i;

	if (strcmp(bpf_map__name(map), "events"))
		return pin_path(path, len, dir, bpf_map__name(map));
	if (!events_owner)
		return 1;
	snprintf(name, sizeof(name), "events_%s", events_owner);
	/* bpffs names take no dots (eth0.100), and interface names may hold other odd bytes. */
	for (i = 0; name[i]; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			name[i] = '_';
	return pin_path(path, len, dir, name);
}

int pinned_open_reuse(const char *dir, const char *obj_path, const char *events_owner, struct xdpfwd_bpf **skelp,
		      int *found)
{
	struct xdpfwd_bpf *skel;
	struct bpf_map *map;
	char path[PATH_MAX];
	int err = 0, fd;

	*found = 0;
	skel = obj_path ? open_object_file(obj_path) : xdpfwd_bpf__open();
	if (!skel) {
		err = -errno;
		if (!obj_path)
			pr_warn("opening the embedded BPF object failed: %s\n", strerror(-err));
		return err;
	}
	if (!dir) {	/* fresh maps, reusing nothing (a migration) */
		*skelp = skel;
		return 0;
	}
	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = map_pin_path(map, dir, events_owner, path, sizeof(path));
		if (err == 1)
			continue;
		if (err)
			goto fail;
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			pr_warn("opening pinned map %s failed: %s%s\n", path, strerror(-err),
				err == -EPERM || err == -EACCES ? "; run as root" : "");
			goto fail;
		}
		err = check_compatible(map, fd, path);
		if (!err)
			err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err)
			goto fail;
		*found += map != skel->maps.events;
	}
	if (bpf_map__fd(skel->maps.meta) >= 0) {
		err = check_layout(skel, dir);
		if (err)
			goto fail;
	}
	*skelp = skel;
	return 0;
fail:
	pinned_close(skel);
	return err;
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
	 * The books map came after the others: an instance made by an older build
	 * has none until its daemon restarts, and its users count by walking.
	 */
	bpf_object__for_each_map(map, (*skelp)->obj)
		want += !bpf_map__is_internal(map) && map != (*skelp)->maps.events &&
			(map != (*skelp)->maps.books || bpf_map__fd(map) >= 0);
	if (found != want) {
		pr_warn("%s holds %d of xdpfwd's %d maps; start the daemon once to complete it, or remove the directory\n",
			dir, found, want);
		xdpfwd_bpf__destroy(*skelp);
		*skelp = NULL;
		return -ENOENT;
	}
	return 0;
}

int pinned_pin_new(struct xdpfwd_bpf *skel, const char *dir, const char *events_owner)
{
	struct xdpfwd_meta meta = {};
	struct bpf_map *map;
	char path[PATH_MAX];
	__u32 zero = 0;
	int err;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = map_pin_path(map, dir, events_owner, path, sizeof(path));
		if (err == 1)
			continue;
		if (err)
			return err;
		if (access(path, F_OK) == 0)
			continue;
		/* bpf_obj_pin, not bpf_map__pin: libbpf skips maps it believes pinned, even after an rm. */
		if (bpf_obj_pin(bpf_map__fd(map), path)) {
			err = -errno;
			pr_warn("pinning map %s failed: %s\n", path, strerror(-err));
			return err;
		}
		if (chmod(path, 0600)) {
			err = -errno;
			pr_warn("chmod 0600 %s failed: %s\n", path, strerror(-err));
			return err;
		}
	}
	/* Keep the active-set flags: a replace may be in flight, and the program reads them. */
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.meta), &zero, &meta))
		memset(&meta, 0, sizeof(meta));
	meta.magic = XDPFWD_META_MAGIC;
	meta.layout_version = XDPFWD_LAYOUT_VERSION;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.meta), &zero, &meta, BPF_ANY)) {
		err = -errno;
		pr_warn("stamping %s/meta failed: %s\n", dir, strerror(-err));
		return err;
	}
	return 0;
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
	if (bpf_obj_pin(prog_fd, tmp)) {
		err = -errno;
		pr_warn("pinning program at %s failed: %s\n", tmp, strerror(-err));
		return err;
	}
	/* rename keeps a pinned program at the path at every instant (bpffs forbids dots in names). */
	if (chmod(tmp, 0600) || rename(tmp, path)) {
		err = -errno;
		pr_warn("installing program pin %s failed: %s\n", path, strerror(-err));
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
	if (!err && rmdir(dir) && errno != ENOENT)
		err = -errno;
	if (err)
		pr_warn("removing pins under %s failed: %s\n", dir, strerror(-err));
	return err;
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
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.ifaces), &key, &rec, BPF_ANY)) {
		pr_warn("recording %s in the ifaces map failed: %s\n", name, strerror(errno));
		return -errno;
	}
	return 0;
}
