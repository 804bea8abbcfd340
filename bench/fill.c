// SPDX-License-Identifier: GPL-2.0
/*
 * xfbench fill KIND DIR FILE: puts a list file (xdpfwd's format, parsed by
 * xdpfwd's own parser) into the pinned maps of a contender, with
 * bpf_map_update_batch where the map type has it: one syscall per 64k entries.
 *
 *   bare        ref.bpf.c's hash_v4/hash_v6 (exact addresses only)
 *   xdp-filter  Debian's filter_ipv4/filter_ipv6 (exact addresses only, per-CPU values)
 *   xdpfwd      block_v4_addr, block_v6_addr, block_v4_net, block_v6_net; only used
 *               when the xdpfwd under test has no `block load` of its own
 *
 * Prefixes go only where the contender can match them; the rest are counted
 * and reported, so the table can say what each contender really holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "list_parse.h"
#include "xdpfwd.h"
#include "xfbench.h"

#define CHUNK 65536
#define XDPFILT_MAP_FLAG_SRC 1	/* xdp-filter's common_kern_user.h: match as source */

enum fill_kind { FILL_BARE, FILL_XDPFILTER, FILL_XDPFWD };

struct target {
	int fd;
	__u32 key_size, value_size;
	__u8 *keys, *values;
	__u32 n;
	__u64 total;
};

static int target_open(struct target *t, const char *dir, const char *name, const void *value)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	t->fd = bpf_obj_get(path);
	if (t->fd < 0 || bpf_obj_get_info_by_fd(t->fd, &info, &len)) {
		xfb_err("map %s: %s\n", path, strerror(errno));
		return -errno;
	}
	t->key_size = info.key_size;
	t->value_size = info.value_size;
	if (info.type == BPF_MAP_TYPE_PERCPU_HASH)
		t->value_size = ((info.value_size + 7) & ~7U) * libbpf_num_possible_cpus();
	t->keys = calloc(CHUNK, t->key_size);
	t->values = calloc(CHUNK, t->value_size);
	if (!t->keys || !t->values)
		return -ENOMEM;
	/* Every entry gets the same value: fill the chunk once. */
	for (i = 0; i < CHUNK; i++)
		memcpy(t->values + (size_t)i * t->value_size, value, t->value_size);
	return 0;
}

static int target_flush(struct target *t)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	__u32 count = t->n, i;
	int err;

	if (!t->n)
		return 0;
	err = bpf_map_update_batch(t->fd, t->keys, t->values, &count, &opts);
	/* LPM tries have no batch update: one syscall per entry there. */
	if (err && (err == -EINVAL || err == -ENOTSUP || err == -524) && count == 0)
		for (err = 0, i = 0; !err && i < t->n; i++)
			err = bpf_map_update_elem(t->fd, t->keys + (size_t)i * t->key_size,
						  t->values + (size_t)i * t->value_size, BPF_ANY);
	if (err) {
		xfb_err("updating map fd %d failed: %s\n", t->fd, strerror(-err));
		return err;
	}
	t->total += t->n;
	t->n = 0;
	return 0;
}

static int target_push(struct target *t, const void *key)
{
	memcpy(t->keys + (size_t)t->n * t->key_size, key, t->key_size);
	return ++t->n == CHUNK ? target_flush(t) : 0;
}

static void target_close(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t->keys);
	free(t->values);
}

int cmd_fill(int argc, char **argv)
{
	static const char *names[][4] = {
		[FILL_BARE] = { "hash_v4", "hash_v6", NULL, NULL },
		[FILL_XDPFILTER] = { "filter_ipv4", "filter_ipv6", NULL, NULL },
		[FILL_XDPFWD] = { "block_v4_addr", "block_v6_addr", "block_v4_net", "block_v6_net" },
	};
	struct xdpfwd_prefix_set set = {};
	struct target t[4] = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 }, { .fd = -1 } };
	__u64 value[64] = {}, skipped = 0, t0;
	enum fill_kind kind;
	char err_text[256];
	size_t i;
	int err = 0, m;

	if (argc != 4)
		goto usage;
	if (!strcmp(argv[1], "bare"))
		kind = FILL_BARE;
	else if (!strcmp(argv[1], "xdp-filter"))
		kind = FILL_XDPFILTER;
	else if (!strcmp(argv[1], "xdpfwd"))
		kind = FILL_XDPFWD;
	else
		goto usage;
	if (kind == FILL_XDPFILTER)
		for (i = 0; i < 64; i++)
			value[i] = XDPFILT_MAP_FLAG_SRC;

	err = xdpfwd_listfile_read(argv[3], &set, err_text, sizeof(err_text));
	if (err) {
		xfb_err("%s\n", err_text);
		return err;
	}
	t0 = now_ns();
	for (m = 0; !err && m < 4 && names[kind][m]; m++)
		err = target_open(&t[m], argv[2], names[kind][m], value);
	for (i = 0; !err && i < set.n; i++) {
		const struct xdpfwd_prefix *p = &set.v[i];
		int v6 = p->family == 6, exact = p->prefixlen == (v6 ? 128 : 32);
		struct xdpfwd_lpm_v6_key lk = { .prefixlen = p->prefixlen };

		if (exact) {
			err = target_push(&t[v6], p->addr);
		} else if (kind == FILL_XDPFWD) {
			/* The trie key is {prefixlen, addr}; the v4 key is the v6 one cut short. */
			memcpy(lk.addr, p->addr, 16);
			err = target_push(&t[2 + v6], &lk);
		} else {
			skipped++;
		}
	}
	for (m = 0; !err && m < 4; m++)
		if (names[kind][m])
			err = target_flush(&t[m]);
	if (!err)
		printf("fill,%s,%llu,%llu,%.3f\n", argv[1], (unsigned long long)(t[0].total + t[1].total +
		       t[2].total + t[3].total), (unsigned long long)skipped, (now_ns() - t0) / 1e9);
	for (m = 0; m < 4; m++)
		target_close(&t[m]);
	xdpfwd_prefix_set_free(&set);
	return err;
usage:
	fprintf(stderr, "usage: xfbench fill bare|xdp-filter|xdpfwd DIR LIST_FILE\n");
	return -EINVAL;
}
