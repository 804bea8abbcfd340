// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "kclock.h"
#include "top_scan.h"

/* Entries per batch call: one syscall per few thousand entries, buffers of ~300 KB. */
#define BATCH 4096
/* A hash bucket holds a few entries; a batch smaller than a bucket fails with ENOSPC. */
#define BATCH_MIN 64
/* A trie entry costs two syscalls (next key, lookup) where a hash entry costs 1/BATCH of one. */
#define TRIE_COST 16
/* Candidates an eviction compares: bounded work per admission, a fair pick among the idle. */
#define EVICT_LOOK 16

static const __u32 key_size[TOP_MAPS] = {
	[TOP_MAP_V4_ADDR] = sizeof(struct xdpfwd_v4_key),
	[TOP_MAP_V6_ADDR] = sizeof(struct xdpfwd_v6_key),
	[TOP_MAP_V4_NET] = sizeof(struct xdpfwd_lpm_v4_key),
	[TOP_MAP_V6_NET] = sizeof(struct xdpfwd_lpm_v6_key),
};

static int is_hash(int map)
{
	return map == TOP_MAP_V4_ADDR || map == TOP_MAP_V6_ADDR;
}

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned int bucket_of(int map, const __u8 *key)
{
	__u32 h = 2166136261u ^ (__u32)map;
	__u32 i;

	for (i = 0; i < key_size[map]; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % TOP_CANDIDATE_BUCKETS;
}

static int find(const struct top_scan *s, int map, const __u8 *key)
{
	int i;

	for (i = s->heads[bucket_of(map, key)]; i >= 0; i = s->cand[i].next)
		if (s->cand[i].map == map && !memcmp(s->cand[i].key, key, key_size[map]))
			return i;
	return -1;
}

static void remove_cand(struct top_scan *s, int idx)
{
	struct top_cand *c = &s->cand[idx];
	int *link = &s->heads[bucket_of(c->map, c->key)];

	while (*link != idx)
		link = &s->cand[*link].next;
	*link = c->next;
	memset(c, 0, sizeof(*c));
	c->next = s->free_head;
	s->free_head = idx;
	s->n_cand--;
}

/*
 * Makes room in a full table: the candidate with the fewest packets over the
 * last interval among the next EVICT_LOOK (a fresh one has no interval yet
 * and stays). -1 if all of those are fresh.
 */
static int evict_one(struct top_scan *s)
{
	int i, k, best = -1;

	for (k = 0; k < EVICT_LOOK; k++) {
		i = s->victim;
		s->victim = (s->victim + 1) % TOP_CANDIDATES;
		if (!s->cand[i].used || s->cand[i].fresh)
			continue;
		if (best < 0 || s->cand[i].d_packets < s->cand[best].d_packets)
			best = i;
	}
	if (best >= 0)
		remove_cand(s, best);
	return best;
}

static void admit(struct top_scan *s, int map, const __u8 *key, const struct xdpfwd_entry *e)
{
	struct top_cand *c;
	unsigned int b;
	int idx;

	if (find(s, map, key) >= 0)
		return;
	if (s->free_head < 0 && evict_one(s) < 0)
		return;
	idx = s->free_head;
	c = &s->cand[idx];
	s->free_head = c->next;
	c->used = 1;
	c->fresh = 1;
	c->map = map;
	memcpy(c->key, key, key_size[map]);
	c->e = *e;
	c->d_packets = c->d_bytes = 0;
	b = bucket_of(map, key);
	c->next = s->heads[b];
	s->heads[b] = idx;
	s->n_cand++;
}

int top_scan_init(struct top_scan *s, const int fds[TOP_MAPS])
{
	int i;

	memset(s, 0, sizeof(*s));
	memcpy(s->fds, fds, sizeof(s->fds));
	for (i = 0; i < TOP_CANDIDATE_BUCKETS; i++)
		s->heads[i] = -1;
	for (i = 0; i < TOP_CANDIDATES; i++)
		s->cand[i].next = i + 1 < TOP_CANDIDATES ? i + 1 : -1;
	s->free_head = 0;
	s->budget = TOP_SCAN_MIN;
	s->pass_start_ns = mono_now();
	/* Zeroed: valgrind does not model what a batch lookup writes. */
	s->keys = calloc(BATCH, TOP_KEY_MAX);
	s->values = calloc(BATCH, sizeof(struct xdpfwd_entry));
	if (!s->keys || !s->values) {
		top_scan_free(s);
		return -ENOMEM;
	}
	return 0;
}

void top_scan_maps(struct top_scan *s, const int fds[TOP_MAPS])
{
	memcpy(s->fds, fds, sizeof(s->fds));
	s->map = 0;
	s->started = 0;
	s->token = 0;
	s->pass_start_ns = mono_now();
}

void top_scan_free(struct top_scan *s)
{
	free(s->keys);
	free(s->values);
	s->keys = s->values = NULL;
}

void top_scan_reread(struct top_scan *s)
{
	struct xdpfwd_entry e;
	int i;

	for (i = 0; i < TOP_CANDIDATES; i++) {
		struct top_cand *c = &s->cand[i];

		if (!c->used)
			continue;
		if (bpf_map_lookup_elem(s->fds[c->map], c->key, &e)) {
			remove_cand(s, i);	/* deleted or expired: nothing more to show */
			continue;
		}
		/* Counters going back: the entry was deleted and made again; count it from zero. */
		c->d_packets = e.packets >= c->e.packets ? e.packets - c->e.packets : e.packets;
		c->d_bytes = e.bytes >= c->e.bytes ? e.bytes - c->e.bytes : e.bytes;
		c->e = e;
		c->fresh = 0;
	}
}

static void consider(struct top_scan *s, int map, const __u8 *key, const struct xdpfwd_entry *e,
		     __u64 recent_mono_ns)
{
	if (e->last_hit_ns && kclock_to_monotonic(e->last_hit_ns) >= recent_mono_ns)
		admit(s, map, key, e);
}

/* One batch of a hash map from the cursor; *done at its end. Returns entries read or -errno. */
static long read_hash(struct top_scan *s, long max, int *done, __u64 recent_mono_ns)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = max < BATCH_MIN ? BATCH_MIN : max > BATCH ? BATCH : (__u32)max, out = 0, i;
	struct xdpfwd_entry *v = s->values;
	__u8 *k = s->keys;
	int err;

	err = bpf_map_lookup_batch(s->fds[s->map], s->started ? &s->token : NULL, &out, k, v, &count, &opts);
	err = err ? -errno : 0;
	if (err == -ENOSPC && count < BATCH) {
		/* A bucket longer than the small batch asked for: the whole buffer holds any real one. */
		count = BATCH;
		err = bpf_map_lookup_batch(s->fds[s->map], s->started ? &s->token : NULL, &out, k, v, &count,
					   &opts);
		err = err ? -errno : 0;
	}
	if (err && err != -ENOENT)
		return err;
	*done = err == -ENOENT;
	s->token = out;
	s->started = 1;
	for (i = 0; i < count; i++)
		consider(s, s->map, k + (size_t)i * key_size[s->map], &v[i], recent_mono_ns);
	return count;
}

/* Up to max entries of a trie from the cursor, one key at a time (tries have no batch ops). */
static long read_trie(struct top_scan *s, long max, int *done, __u64 recent_mono_ns)
{
	int fd = s->fds[s->map];
	__u8 next[TOP_KEY_MAX];
	struct xdpfwd_entry e;
	long n = 0;

	*done = 0;
	while (n < max) {
		if (bpf_map_get_next_key(fd, s->started ? s->last_key : NULL, next)) {
			if (errno != ENOENT)
				return -errno;
			*done = 1;
			break;
		}
		memcpy(s->last_key, next, key_size[s->map]);
		s->started = 1;
		n++;
		if (!bpf_map_lookup_elem(fd, next, &e))
			consider(s, s->map, next, &e, recent_mono_ns);
	}
	return n;
}

int top_scan_slice(struct top_scan *s, int full, __u64 recent_mono_ns)
{
	long left = full ? LONG_MAX : s->budget, n;
	int done;

	while (left > 0) {
		done = 1;
		n = 0;
		if (s->fds[s->map] >= 0) {
			n = is_hash(s->map) ? read_hash(s, left, &done, recent_mono_ns) :
					      read_trie(s, left / TRIE_COST + 1, &done, recent_mono_ns);
			if (n < 0)
				return (int)n;
		}
		s->scanned_total += n;
		left -= is_hash(s->map) ? n : n * TRIE_COST;
		if (done) {
			s->map++;
			s->started = 0;
		}
		if (s->map >= TOP_MAPS) {
			/* A pass ends a slice: a small instance is read once per sample, not several times. */
			__u64 end = mono_now();

			s->pass_s = (double)(end - s->pass_start_ns) / 1e9;
			s->pass_start_ns = end;
			s->map = 0;
			break;
		}
	}
	return 0;
}

void top_scan_forget(struct top_scan *s, __u64 idle_mono_ns)
{
	int i;

	for (i = 0; i < TOP_CANDIDATES; i++) {
		struct top_cand *c = &s->cand[i];

		if (c->used && !c->fresh && !c->d_packets && kclock_to_monotonic(c->e.last_hit_ns) < idle_mono_ns)
			remove_cand(s, i);
	}
}

void top_scan_prefix(const struct top_cand *c, struct xdpfwd_prefix *p)
{
	__u32 plen;	/* the LPM key's first field, copied out: the key bytes need not be aligned */

	memset(p, 0, sizeof(*p));
	switch (c->map) {
	case TOP_MAP_V4_ADDR:
		p->family = 4;
		p->prefixlen = 32;
		memcpy(p->addr, c->key, 4);
		break;
	case TOP_MAP_V6_ADDR:
		p->family = 6;
		p->prefixlen = 128;
		memcpy(p->addr, c->key, 16);
		break;
	case TOP_MAP_V4_NET:
		p->family = 4;
		memcpy(&plen, c->key, sizeof(plen));
		p->prefixlen = plen;
		memcpy(p->addr, c->key + 4, 4);
		break;
	default:
		p->family = 6;
		memcpy(&plen, c->key, sizeof(plen));
		p->prefixlen = plen;
		memcpy(p->addr, c->key + 4, 16);
		break;
	}
}
