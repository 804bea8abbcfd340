// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "sets.h"
#include "rate_limits.h"

/* A command's instance made before the flood defense has none of these pinned: their fds are -1. */
int limits_maps_get(struct xdpfwd_bpf *skel, struct limits_maps *lm)
{
	lm->limits = bpf_map__fd(skel->maps.limits);
	lm->limit_stats = bpf_map__fd(skel->maps.limit_stats);
	lm->ban_books = bpf_map__fd(skel->maps.ban_books);
	lm->sets = bpf_map__fd(skel->maps.sets);
	lm->meta = bpf_map__fd(skel->maps.meta);
	if (lm->limits < 0 || lm->limit_stats < 0)
		return lib_error_set(-ENOENT, "this instance has no flood defense maps (made by an older build); "
				     "restart its daemon with this build");
	return 0;
}

static __u64 bit_burst_of(const struct limit_conf *c, __u64 pkt_burst)
{
	__u64 b;

	if (!c->bps)
		return 0;
	if (c->pps) {
		/* The same time as the packet bucket: up to 1e12 * 1e9 before the division. */
		unsigned __int128 t = (unsigned __int128)c->bps * pkt_burst / c->pps;

		b = t > XDPFWD_LIMIT_BURST_MAX ? XDPFWD_LIMIT_BURST_MAX : (__u64)t;
	} else if (c->burst)
		b = c->burst * LIMIT_MIN_BIT_BURST;
	else
		b = c->bps;
	if (b < LIMIT_MIN_BIT_BURST)
		b = LIMIT_MIN_BIT_BURST;
	return b > XDPFWD_LIMIT_BURST_MAX ? XDPFWD_LIMIT_BURST_MAX : b;
}

int limits_from_conf(const struct limit_conf *c, struct xdpfwd_limits *out)
{
	memset(out, 0, sizeof(*out));
	if (c->action == XDPFWD_LIMIT_OFF)
		return 0;
	if (!c->pps && !c->bps) {
		if (c->given & ~(LIMIT_GIVEN_PPS | LIMIT_GIVEN_BPS))
			return lib_error_set(-EINVAL, "limits: a limit-burst, -key, -action or -ban without "
					     "limit-pps or limit-bps limits nothing; give a rate, or limit-action off");
		return 0;	/* no rate at all: off */
	}
	out->action = c->action;
	out->plen4 = c->plen4;
	out->plen6 = c->plen6;
	out->pps = c->pps;
	out->pkt_burst = c->burst ? c->burst : c->pps ? c->pps : 1;
	out->bps = c->bps;
	out->bit_burst = bit_burst_of(c, out->pkt_burst);
	out->ban_ns = c->ban_s * 1000000000ULL;
	return 0;
}

int limits_read(const struct limits_maps *lm, struct xdpfwd_limits *out)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(lm->limits, &zero, out))
		return lib_error_set(-errno, "reading the limits map failed: %s", strerror(errno));
	return 0;
}

/* The settings alone: what a change is (generation, seeds and padding aside). */
static int same_settings(const struct xdpfwd_limits *a, const struct xdpfwd_limits *b)
{
	struct xdpfwd_limits x = *a, y = *b;

	x.generation = y.generation = 0;
	x.pad = y.pad = 0;
	memset(x.meter_seed, 0, sizeof(x.meter_seed));
	memset(y.meter_seed, 0, sizeof(y.meter_seed));
	return !memcmp(&x, &y, sizeof(x));
}

int limits_apply(const struct limits_maps *lm, const struct xdpfwd_limits *want, bool *changed)
{
	struct xdpfwd_limits cur, next = *want;
	__u32 zero = 0;
	int err, id;

	if (changed)
		*changed = false;
	err = limits_read(lm, &cur);
	if (err)
		return err;
	next.auto_set = cur.auto_set;
	/* Audit makes no bans, but its events name the set one would go to. */
	if (want->action == XDPFWD_LIMIT_BAN || want->action == XDPFWD_LIMIT_AUDIT) {
		err = sets_ensure(lm->sets, lm->meta, LIST_BLOCK, LIMIT_AUTO_SET, &id);
		if (err)
			return err;
		next.auto_set = (__u8)id;
	}
	if (want->action == XDPFWD_LIMIT_OFF)
		next = (struct xdpfwd_limits){ .auto_set = cur.auto_set };
	if (same_settings(&cur, &next))
		return 0;
	next.generation = cur.generation + 1;
	/* Every bucket starts afresh under a new generation: new seeds cost nothing more (include/xdpfwd.h). */
	if (getrandom(next.meter_seed, sizeof(next.meter_seed), 0) != sizeof(next.meter_seed))
		return lib_error_set(-EIO, "drawing the meter's seeds failed: getrandom: %s; the limits stay as they were",
				     strerror(errno));
	if (bpf_map_update_elem(lm->limits, &zero, &next, BPF_ANY))
		return lib_error_set(-errno, "writing the limits map failed: %s; the limits stay as they were",
				     strerror(errno));
	if (changed)
		*changed = true;
	return 0;
}

/* Every CPU's copy of one slot; returns the CPU count, the caller frees *per. */
static int read_copies(int fd, __u32 slot, struct xdpfwd_limit_stats **per)
{
	int ncpu = libbpf_num_possible_cpus(), err;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	*per = calloc(ncpu, sizeof(**per));
	if (!*per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &slot, *per)) {
		err = -errno;
		free(*per);
		*per = NULL;
		return err;
	}
	return ncpu;
}

static void add_copies(struct xdpfwd_limit_stats *sum, const struct xdpfwd_limit_stats *per, int n)
{
	__u64 *out = (__u64 *)sum;
	const __u64 *in;
	size_t i;
	int c;

	_Static_assert(sizeof(*sum) % sizeof(__u64) == 0, "struct xdpfwd_limit_stats must be all __u64");
	for (c = 0; c < n; c++) {
		in = (const __u64 *)&per[c];
		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			out[i] += in[i];
	}
}

int limit_stats_read_slot(int fd, __u32 slot, struct xdpfwd_limit_stats *sum)
{
	struct xdpfwd_limit_stats *per;
	int n = read_copies(fd, slot, &per);

	memset(sum, 0, sizeof(*sum));
	if (n < 0)
		return lib_error_set(n, "reading the flood defense's counters (slot %u) failed: %s", slot,
				     strerror(-n));
	add_copies(sum, per, n);
	free(per);
	return 0;
}

int limit_stats_read(int fd, struct xdpfwd_limit_stats *sum)
{
	struct xdpfwd_limit_stats *per;
	__u32 slot;
	int n;

	memset(sum, 0, sizeof(*sum));
	for (slot = 0; slot < XDPFWD_STATS_SLOTS; slot++) {
		n = read_copies(fd, slot, &per);
		if (n < 0)
			return lib_error_set(n, "reading the flood defense's counters failed: %s", strerror(-n));
		add_copies(sum, per, n);
		free(per);
	}
	return 0;
}

int limit_stats_retire_slot(int fd, __u32 slot)
{
	struct xdpfwd_limit_stats *from = NULL, *retired = NULL;
	__u32 key = XDPFWD_STATS_SLOT_RETIRED;
	int n, m, c, err = 0;

	n = read_copies(fd, slot, &from);
	if (n < 0)
		return n;
	m = read_copies(fd, key, &retired);
	if (m < 0) {
		err = m;
		goto out;
	}
	for (c = 0; c < n; c++)
		add_copies(&retired[c], &from[c], 1);
	if (bpf_map_update_elem(fd, &key, retired, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	memset(from, 0, n * sizeof(*from));
	if (bpf_map_update_elem(fd, &slot, from, BPF_ANY))
		err = -errno;
out:
	free(from);
	free(retired);
	return err;
}

int ban_books_read(const struct limits_maps *lm, struct xdpfwd_ban_books *b)
{
	__u32 zero = 0;

	memset(b, 0, sizeof(*b));
	if (lm->ban_books < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(lm->ban_books, &zero, b))
		return lib_error_set(-errno, "reading the ban books failed: %s", strerror(errno));
	return 0;
}

int ban_books_write(const struct limits_maps *lm, const struct xdpfwd_ban_books *b)
{
	__u32 zero = 0;

	if (lm->ban_books < 0)
		return 0;
	if (bpf_map_update_elem(lm->ban_books, &zero, b, BPF_ANY))
		return lib_error_set(-errno, "writing the ban books failed: %s", strerror(errno));
	return 0;
}

const char *limit_action_name(__u32 action)
{
	static const char *const names[] = {
		[XDPFWD_LIMIT_OFF] = "off", [XDPFWD_LIMIT_DROP] = "drop", [XDPFWD_LIMIT_BAN] = "ban",
		[XDPFWD_LIMIT_AUDIT] = "audit",
	};

	return action < sizeof(names) / sizeof(names[0]) ? names[action] : "unknown";
}

void limit_rate_format(__u64 v, char *buf, size_t len)
{
	if (v && v % 1000000000ULL == 0)
		snprintf(buf, len, "%lluG", (unsigned long long)(v / 1000000000ULL));
	else if (v && v % 1000000ULL == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(v / 1000000ULL));
	else if (v && v % 1000ULL == 0)
		snprintf(buf, len, "%lluk", (unsigned long long)(v / 1000ULL));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static void duration_format(__u64 s, char *buf, size_t len)
{
	if (s && s % 86400 == 0)
		snprintf(buf, len, "%llud", (unsigned long long)(s / 86400));
	else if (s && s % 3600 == 0)
		snprintf(buf, len, "%lluh", (unsigned long long)(s / 3600));
	else if (s && s % 60 == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(s / 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
}

void limits_format(const struct xdpfwd_limits *l, char *buf, size_t len)
{
	char pps[32] = "off", bps[32] = "off", ban[32];

	if (l->action == XDPFWD_LIMIT_OFF) {
		snprintf(buf, len, "off");
		return;
	}
	if (l->pps)
		limit_rate_format(l->pps, pps, sizeof(pps));
	if (l->bps)
		limit_rate_format(l->bps, bps, sizeof(bps));
	duration_format(l->ban_ns / 1000000000ULL, ban, sizeof(ban));
	snprintf(buf, len, "pps=%s bps=%s burst=%llu bit-burst=%llu key=/%u,/%u action=%s ban=%s", pps, bps,
		 (unsigned long long)l->pkt_burst, (unsigned long long)l->bit_burst, l->plen4, l->plen6,
		 limit_action_name(l->action), ban);
}
