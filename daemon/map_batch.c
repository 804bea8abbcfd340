// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "map_batch.h"

/* The kernel's "operation not supported" for maps without batch ops; not in the uapi headers. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define CHUNK 8192

static int grow(struct map_dump *d, size_t want, size_t *cap)
{
	void *k, *v;
	size_t c = *cap ? *cap : CHUNK;

	while (c < want)
		c *= 2;
	if (c == *cap)
		return 0;
	k = realloc(d->keys, c * d->key_size);
	if (!k)
		return -ENOMEM;
	d->keys = k;
	v = realloc(d->values, c * d->value_size);
	if (!v)
		return -ENOMEM;
	d->values = v;
	*cap = c;
	return 0;
}

static int dump_one_by_one(int fd, struct map_dump *d, size_t *cap)
{
	char key[64], next[64];
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, d->key_size);
		prev = key;
		err = grow(d, d->n + 1, cap);
		if (err)
			return err;
		/* An entry deleted between the two calls is simply not there. */
		if (bpf_map_lookup_elem(fd, key, (char *)d->values + d->n * d->value_size))
			continue;
		memcpy((char *)d->keys + d->n * d->key_size, key, d->key_size);
		d->n++;
	}
	return errno == ENOENT ? 0 : -errno;
}

int map_dump_all(int fd, struct map_dump *d)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), count;
	/* Hash maps use a 4-byte bucket cursor, generic batch ops (LPM tries on new kernels) a whole key. */
	char batch_out[64];
	size_t cap = 0;
	void *in = NULL;
	int err;

	memset(d, 0, sizeof(*d));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	d->key_size = info.key_size;
	d->value_size = info.value_size;
	if (d->key_size > 64)
		return -E2BIG;
	for (;;) {
		err = grow(d, d->n + CHUNK, &cap);
		if (err)
			goto fail;
		count = CHUNK;
		err = bpf_map_lookup_batch(fd, in, batch_out, (char *)d->keys + d->n * d->key_size,
					   (char *)d->values + d->n * d->value_size, &count, NULL);
		if (err && errno != ENOENT) {
			err = -errno;
			/* Maps without batch lookup (LPM tries) say so before returning anything. */
			if ((err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUPP) && !in) {
				err = dump_one_by_one(fd, d, &cap);
				if (err)
					goto fail;
				return 0;
			}
			goto fail;
		}
		d->n += count;
		if (err)	/* ENOENT: that was the last batch */
			return 0;
		in = batch_out;
	}
fail:
	map_dump_free(d);
	return err;
}

void map_dump_free(struct map_dump *d)
{
	free(d->keys);
	free(d->values);
	memset(d, 0, sizeof(*d));
}

int map_update_many(int fd, const void *keys, const void *values, size_t n, __u32 key_size,
		    __u32 value_size)
{
	size_t done = 0, i;
	__u32 count;

	while (done < n) {
		count = n - done < CHUNK ? n - done : CHUNK;
		if (!bpf_map_update_batch(fd, (const char *)keys + done * key_size,
					  (const char *)values + done * value_size, &count, NULL)) {
			done += count;
			continue;
		}
		if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOTSUPP)
			return -errno;
		/* No batch support: the remaining entries one by one. */
		for (i = done; i < n; i++)
			if (bpf_map_update_elem(fd, (const char *)keys + i * key_size,
						(const char *)values + i * value_size, BPF_ANY))
				return -errno;
		return 0;
	}
	return 0;
}

int map_delete_many(int fd, const void *keys, size_t n, __u32 key_size)
{
	size_t done = 0, i;
	__u32 count;

	while (done < n) {
		count = n - done < CHUNK ? n - done : CHUNK;
		if (!bpf_map_delete_batch(fd, (const char *)keys + done * key_size, &count, NULL)) {
			done += count;
			continue;
		}
		if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOTSUPP && errno != ENOENT)
			return -errno;
		/* No batch support, or a key vanished meanwhile: finish one by one, ignoring absent keys. */
		for (i = done; i < n; i++)
			if (bpf_map_delete_elem(fd, (const char *)keys + i * key_size) && errno != ENOENT)
				return -errno;
		return 0;
	}
	return 0;
}
