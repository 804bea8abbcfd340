/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole-map reads and bulk writes with the kernel's batch operations, one
 * syscall per few thousand entries instead of one or two per entry, falling
 * back to single-element calls on maps without batch support (LPM tries).
 */
#ifndef XDPFWD_MAP_BATCH_H
#define XDPFWD_MAP_BATCH_H

#include <stddef.h>
#include <linux/types.h>

struct map_dump {
	void *keys;
	void *values;
	size_t n;
	__u32 key_size, value_size;
};

/* Every key and value of the map; free with map_dump_free. */
int map_dump_all(int fd, struct map_dump *d);
void map_dump_free(struct map_dump *d);
/* map_dump_all of n (at most 4) maps at once, one thread each; fds[i] < 0 leaves d[i] empty. */
int map_dump_many(const int *fds, struct map_dump *d, int n);

/*
 * BPF_ANY semantics: callers use it for keys they know are absent, or to
 * overwrite. Big batches into hash maps are written from one thread per CPU
 * (at most 4), each a slice of the keys; so the order of writes among keys
 * is unspecified, and a failure may leave other slices written.
 */
int map_update_many(int fd, const void *keys, const void *values, size_t n, __u32 key_size,
		    __u32 value_size);
int map_delete_many(int fd, const void *keys, size_t n, __u32 key_size);

#endif
