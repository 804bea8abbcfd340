// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "map_batch.h"

/* The kernel's "operation not supported" for maps without batch ops; not in the uapi headers. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define CHUNK 8192
/* Batches at least this big are split over several threads (see for_slices). */
#define PARALLEL_MIN (4 * CHUNK)
#define MAX_THREADS 4
#define MAX_DUMPS 4

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

/* One job of several run side by side (run_workers); embedded first in each kind of job. */
struct worker {
	void (*run)(struct worker *w);	/* sets err */
	int err;
	int started;
	pthread_t thread;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->run(w);
	return NULL;
}

/*
 * Runs every job on a thread of its own but the last, which runs on this one
 * (as does any whose thread cannot start: slower, never lost). Returns the
 * first job's error.
 */
static int run_workers(struct worker **w, int n)
{
	int i, err = 0;

	for (i = 0; i < n; i++) {
		w[i]->started = i < n - 1 && !pthread_create(&w[i]->thread, NULL, worker_main, w[i]);
		if (!w[i]->started)
			w[i]->run(w[i]);
	}
	for (i = 0; i < n; i++) {
		if (w[i]->started)
			pthread_join(w[i]->thread, NULL);
		if (!err)
			err = w[i]->err;
	}
	return err;
}

struct dump_job {
	struct worker w;	/* first: the job is its worker */
	int fd;
	struct map_dump *d;
};

static void run_dump(struct worker *w)
{
	struct dump_job *j = (struct dump_job *)w;

	w->err = map_dump_all(j->fd, j->d);
}

/* The kernel walks every bucket of a hash map to dump it: maps dumped side by side take about the time of the biggest. */
int map_dump_many(const int *fds, struct map_dump *d, int n)
{
	struct dump_job j[MAX_DUMPS];
	struct worker *w[MAX_DUMPS];
	int i, nw = 0, err;

	if (n > MAX_DUMPS)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		j[i] = (struct dump_job){ .w.run = run_dump, .fd = fds[i], .d = &d[i] };
		if (fds[i] >= 0)	/* no map: an empty dump */
			w[nw++] = &j[i].w;
	}
	err = run_workers(w, nw);
	if (err)
		for (i = 0; i < n; i++)
			map_dump_free(&d[i]);
	return err;
}

void map_dump_free(struct map_dump *d)
{
	free(d->keys);
	free(d->values);
	memset(d, 0, sizeof(*d));
}

static int update_serial(int fd, const char *keys, const char *values, size_t n, __u32 key_size,
			 __u32 value_size)
{
	size_t done = 0, i;
	__u32 count;

	while (done < n) {
		count = n - done < CHUNK ? n - done : CHUNK;
		if (!bpf_map_update_batch(fd, keys + done * key_size, values + done * value_size, &count, NULL)) {
			done += count;
			continue;
		}
		if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOTSUPP)
			return -errno;
		/* No batch support: the remaining entries one by one. */
		for (i = done; i < n; i++)
			if (bpf_map_update_elem(fd, keys + i * key_size, values + i * value_size, BPF_ANY))
				return -errno;
		return 0;
	}
	return 0;
}

static int delete_serial(int fd, const char *keys, size_t n, __u32 key_size)
{
	size_t done = 0, i;
	__u32 count;

	while (done < n) {
		count = n - done < CHUNK ? n - done : CHUNK;
		if (!bpf_map_delete_batch(fd, keys + done * key_size, &count, NULL)) {
			done += count;
			continue;
		}
		if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOTSUPP && errno != ENOENT)
			return -errno;
		/* No batch support, or a key vanished meanwhile: finish one by one, ignoring absent keys. */
		for (i = done; i < n; i++)
			if (bpf_map_delete_elem(fd, keys + i * key_size) && errno != ENOENT)
				return -errno;
		return 0;
	}
	return 0;
}

/* One thread's share of a bulk write: a contiguous slice of the keys (and values). */
struct slice {
	struct worker w;	/* first: the slice is its worker */
	int fd;
	const char *keys, *values;	/* values NULL: delete */
	size_t n;
	__u32 key_size, value_size;
};

static void run_slice(struct worker *w)
{
	struct slice *s = (struct slice *)w;

	w->err = s->values ? update_serial(s->fd, s->keys, s->values, s->n, s->key_size, s->value_size) :
			     delete_serial(s->fd, s->keys, s->n, s->key_size);
}

/*
 * Most of a big load is the kernel inserting into a hash map, one bucket lock
 * at a time: writers on other CPUs rarely meet, so slices written from one
 * thread per CPU finish sooner (a million new addresses: 1.7 times faster on
 * a 2-CPU VM; the kernel's element allocation does not scale further). Tries
 * have one lock for the whole map and gain nothing; they, small batches and
 * one CPU stay on this thread.
 */
static int for_slices(int fd, const void *keys, const void *values, size_t n, __u32 key_size,
		      __u32 value_size)
{
	struct slice s[MAX_THREADS] = {};
	struct worker *w[MAX_THREADS];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t per, off = 0;
	int t, nt = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;

	if (n < PARALLEL_MIN || nt == 1 || bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_HASH)
		nt = 1;
	per = (n + nt - 1) / nt;
	for (t = 0; t < nt; t++) {
		s[t] = (struct slice){ .w.run = run_slice, .fd = fd, .keys = (const char *)keys + off * key_size,
				       .values = values ? (const char *)values + off * value_size : NULL,
				       .n = n - off < per ? n - off : per, .key_size = key_size,
				       .value_size = value_size };
		off += s[t].n;
		w[t] = &s[t].w;
	}
	return run_workers(w, nt);
}

int map_update_many(int fd, const void *keys, const void *values, size_t n, __u32 key_size,
		    __u32 value_size)
{
	return for_slices(fd, keys, values, n, key_size, value_size);
}

int map_delete_many(int fd, const void *keys, size_t n, __u32 key_size)
{
	return for_slices(fd, keys, NULL, n, key_size, 0);
}
