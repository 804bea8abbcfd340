// SPDX-License-Identifier: GPL-2.0
/* The private instance of `xdpfwd replay`: the program loaded with fresh maps, and the lists copied in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "map_batch.h"
#include "pinned.h"
#include "sets.h"
#include "replay_priv.h"

/* The daemon's configure(), but on the capture's clock instead of the instance's. */
static void configure(struct xdpfwd_bpf *skel, const struct replay_config *c)
{
	__u64 interval = c->log_rate ? 1000000000ULL / c->log_rate : 0;

	/* Each frame carries its capture time (replay_run.c): log limits, rate limits and expiry follow the capture. */
	skel->rodata->clock_from_meta = 1;
	skel->rodata->drop_malformed = c->drop_malformed;
	skel->rodata->log_enabled = c->log_enabled;
	skel->rodata->log_source_interval_ns = c->log_source_interval_ms * 1000000ULL;
	skel->rodata->log_global_interval_ns = interval;
	skel->rodata->log_global_tolerance_ns = interval * (c->log_burst ? c->log_burst - 1 : 0);
}

int replay_open(const struct replay_config *c, struct replay **out)
{
	struct replay *r = calloc(1, sizeof(*r));
	int found, err, i;

	if (!r)
		return lib_error_set(-ENOMEM, "replay: out of memory");
	r->cfg = *c;
	r->n_cpus = libbpf_num_possible_cpus();
	if (r->n_cpus <= 0) {
		free(r);
		return lib_error_set(-EIO, "replay: counting the possible CPUs failed");
	}
	/* No pin dir: every map is the private instance's own, never pinned. */
	err = pinned_open_reuse(NULL, c->bpf_object, NULL, &r->skel, &found);
	if (err) {
		free(r);
		return err;
	}
	configure(r->skel, c);
	for (i = 0, err = 0; i < CAP_MAPS && !err; i++)
		if (c->capacity[i])
			err = bpf_map__set_max_entries(capacity_map(r->skel, i), c->capacity[i]);
	if (!err)
		err = xdpfwd_bpf__load(r->skel);
	if (err) {
		lib_error_set(err, "loading the BPF program for the replay failed: %s (see -d for the verifier log)",
			      strerror(-err));
		replay_close(r);
		return err;
	}
	r->prog_fd = bpf_program__fd(r->skel->progs.xdpfwd_xdp);
	err = sets_init(bpf_map__fd(r->skel->maps.sets), bpf_map__fd(r->skel->maps.meta));
	if (err) {
		replay_close(r);
		return err;
	}
	*out = r;
	return 0;
}

struct xdpfwd_bpf *replay_skel(struct replay *r)
{
	return r->skel;
}

/* A hit of the replay is the replay's: counters and log times start from zero. */
static void clear_counters(struct map_dump *d)
{
	struct xdpfwd_entry *e;
	size_t i;

	for (i = 0; i < d->n; i++) {
		e = (struct xdpfwd_entry *)((char *)d->values + i * d->value_size);
		e->packets = e->bytes = e->last_hit_ns = e->last_log_ns = 0;
	}
}

static int copy_entries(struct bpf_map *from, struct bpf_map *to)
{
	struct map_dump d = {};
	int err;

	err = map_dump_all(bpf_map__fd(from), &d);
	if (err)
		return lib_error_set(err, "reading the live map %s failed: %s", bpf_map__name(from), strerror(-err));
	clear_counters(&d);
	err = d.n ? map_update_many(bpf_map__fd(to), d.keys, d.values, d.n, d.key_size, d.value_size) : 0;
	map_dump_free(&d);
	if (err)
		return lib_error_set(err, "copying %s into the replay's map failed: %s", bpf_map__name(from),
				     strerror(-err));
	return 0;
}

/* An array map, every key, as it is. */
static int copy_array(struct bpf_map *from, struct bpf_map *to)
{
	__u32 key, max = bpf_map__max_entries(to);
	size_t size = bpf_map__value_size(to);
	void *v = calloc(1, size);
	int err = 0;

	if (!v)
		return lib_error_set(-ENOMEM, "replay: out of memory");
	for (key = 0; key < max && !err; key++) {
		if (bpf_map_lookup_elem(bpf_map__fd(from), &key, v) ||
		    bpf_map_update_elem(bpf_map__fd(to), &key, v, BPF_ANY))
			err = lib_error_set(-errno, "copying %s[%u] into the replay's map failed: %s",
					    bpf_map__name(from), key, strerror(errno));
	}
	free(v);
	return err;
}

int replay_copy_lists(struct replay *r, struct xdpfwd_bpf *live)
{
	struct bpf_map *from[] = { live->maps.block_v4_addr, live->maps.block_v6_addr, live->maps.block_v4_net,
				   live->maps.block_v6_net, live->maps.allow_v4, live->maps.allow_v6 };
	struct bpf_map *to[] = { r->skel->maps.block_v4_addr, r->skel->maps.block_v6_addr,
				 r->skel->maps.block_v4_net, r->skel->maps.block_v6_net, r->skel->maps.allow_v4,
				 r->skel->maps.allow_v6 };
	struct list_maps m;
	size_t i;
	int err, kind;

	err = copy_array(live->maps.sets, r->skel->maps.sets);
	if (!err)
		err = copy_array(live->maps.meta, r->skel->maps.meta);
	/* The flood defense's limits; an instance an older daemon made has none (its limits are off). */
	if (!err && bpf_map__fd(live->maps.limits) >= 0)
		err = copy_array(live->maps.limits, r->skel->maps.limits);
	for (i = 0; i < sizeof(from) / sizeof(from[0]) && !err; i++)
		err = copy_entries(from[i], to[i]);
	/* A replace a killed process left half done is finished in the copy as the next writer would. */
	for (kind = LIST_BLOCK; kind <= LIST_ALLOW && !err; kind++) {
		list_maps_get(r->skel, kind, &m);
		err = list_recount(&m);
	}
	return err;
}

int replay_entries_hit(struct replay *r, struct replay_hit **hits, size_t *n)
{
	struct replay_hit *v = NULL, *nv;
	struct list_item *items;
	struct list_maps m;
	size_t i, cnt, used = 0;
	int kind, err;

	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++) {
		list_maps_get(r->skel, kind, &m);
		err = list_read(&m, ~0U, &items, &cnt);
		if (err) {
			free(v);
			return err;
		}
		nv = realloc(v, (used + cnt + 1) * sizeof(*v));
		if (!nv) {
			free(items);
			free(v);
			return lib_error_set(-ENOMEM, "replay: out of memory");
		}
		v = nv;
		for (i = 0; i < cnt; i++) {
			if (!items[i].entry.packets)
				continue;
			v[used].kind = kind;
			v[used++].item = items[i];
		}
		free(items);
	}
	*hits = v;
	*n = used;
	return 0;
}
