// SPDX-License-Identifier: GPL-2.0
/*
 * xfbench load: loads the reference programs (ref.bpf.c), Debian's own
 * xdp-filter object, or an xdpfwd object file of any build (to set one
 * build's program against another's in progcost without their daemons:
 * bench/progcost-ab.sh), and pins programs and maps under a directory of the
 * harness, so later steps (fill, live, progcost) reach them by path and
 * cleanup is one rm -rf.
 *
 * xdp-filter's maps ask to be pinned by name in a global place its CLI (and
 * other tests on this machine) also use; pinning is switched off here so this
 * copy shares nothing. Its maps hold 10,000 entries, too few for the 1M
 * scenario, so the capacity can be raised before load: the program is the
 * same, only the map is larger.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ref.skel.h"
#include "xfbench.h"

static int pin_all(struct bpf_object *obj, const char *dir)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[256];
	int err;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	bpf_object__for_each_program(prog, obj) {
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_program__name(prog));
		err = bpf_program__pin(prog, path);
		if (err)
			return err;
	}
	bpf_object__for_each_map(map, obj) {
		/* .rodata, .bss and friends are nobody's business outside the object. */
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		err = bpf_map__pin(map, path);
		if (err)
			return err;
	}
	return 0;
}

/* capacity 0: the build's XDPFWD_MAX_ADDRS; else both exact hashes sized to it (issue 16). */
static int load_ref(const char *dir, __u32 capacity)
{
	struct xfb_ref *skel = xfb_ref__open();
	int err;

	if (!skel) {
		xfb_err("opening ref.bpf.o failed: %s\n", strerror(errno));
		return -errno;
	}
	if (capacity) {
		bpf_map__set_max_entries(skel->maps.hash_v4, capacity);
		bpf_map__set_max_entries(skel->maps.hash_v6, capacity);
	}
	err = xfb_ref__load(skel);
	if (err) {
		xfb_err("loading ref.bpf.o failed: %s\n", strerror(-err));
		xfb_ref__destroy(skel);
		return err;
	}
	err = pin_all(skel->obj, dir);
	xfb_ref__destroy(skel);
	return err;
}

static int load_xdp_filter(const char *path, const char *dir, __u32 max_entries)
{
	struct bpf_object *obj;
	struct bpf_map *map;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		xfb_err("opening %s failed: %s (is xdp-tools installed?)\n", path, strerror(errno));
		return -errno;
	}
	bpf_object__for_each_map(map, obj) {
		bpf_map__set_pin_path(map, NULL);
		if (max_entries && strncmp(bpf_map__name(map), "filter_ip", 9) == 0)
			bpf_map__set_max_entries(map, max_entries);
	}
	err = bpf_object__load(obj);
	if (err)
		xfb_err("loading %s failed: %s\n", path, strerror(-err));
	else
		err = pin_all(obj, dir);
	bpf_object__close(obj);
	return err;
}

/* Sets a const volatile __u64 of the object's .rodata before load, found by name in its BTF. */
static int set_rodata_u64(struct bpf_object *obj, const char *name, __u64 val)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	size_t size;
	char *data;
	int id, i;

	if (!map || !btf)
		return -ENOENT;
	data = (char *)bpf_map__initial_value(map, &size);
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!data || id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name) &&
		    vs->size == sizeof(val) && vs->offset + sizeof(val) <= size) {
			memcpy(data + vs->offset, &val, sizeof(val));
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * An xdpfwd object with the clock its daemon would give it (ns_per_jiffy, 0: coarse clock), and
 * its exact hashes sized to capacity (0: as built), as `--capacity` would (issue 16).
 */
static int load_xdpfwd(const char *path, const char *dir, __u32 ns_per_jiffy, __u32 capacity)
{
	static const char *const exact[] = { "block_v4_addr", "block_v6_addr" };
	struct bpf_object *obj;
	struct bpf_map *map;
	int err;
	size_t i;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		xfb_err("opening %s failed: %s\n", path, strerror(errno));
		return -errno;
	}
	err = set_rodata_u64(obj, "ns_per_jiffy", ns_per_jiffy);
	if (err)
		xfb_err("%s has no ns_per_jiffy in its .rodata: not an xdpfwd object?\n", path);
	for (i = 0; !err && capacity && i < sizeof(exact) / sizeof(exact[0]); i++) {
		map = bpf_object__find_map_by_name(obj, exact[i]);
		err = map ? bpf_map__set_max_entries(map, capacity) : -ENOENT;
		if (err)
			xfb_err("%s: no map %s to size: not an xdpfwd object?\n", path, exact[i]);
	}
	if (!err) {
		err = bpf_object__load(obj);
		if (err)
			xfb_err("loading %s failed: %s\n", path, strerror(-err));
	}
	if (!err)
		err = pin_all(obj, dir);
	bpf_object__close(obj);
	return err;
}

int cmd_load(int argc, char **argv)
{
	__u32 max_entries = 0, ns_per_jiffy, capacity = 0;

	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "ref")) {
		if (argc == 4 && parse_u32(argv[3], &capacity))
			return -EINVAL;
		return load_ref(argv[2], capacity);
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "xdp-filter")) {
		if (argc == 5 && parse_u32(argv[4], &max_entries))
			return -EINVAL;
		return load_xdp_filter(argv[2], argv[3], max_entries);
	}
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "xdpfwd")) {
		if (parse_u32(argv[4], &ns_per_jiffy) || (argc == 6 && parse_u32(argv[5], &capacity)))
			return -EINVAL;
		return load_xdpfwd(argv[2], argv[3], ns_per_jiffy, capacity);
	}
	fprintf(stderr, "usage: xfbench load ref DIR [CAPACITY] | xfbench load xdp-filter OBJECT DIR [MAX_ENTRIES] | "
			"xfbench load xdpfwd OBJECT DIR NS_PER_JIFFY [CAPACITY]\n");
	return -EINVAL;
}
