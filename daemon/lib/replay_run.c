// SPDX-License-Identifier: GPL-2.0
/*
 * The runners of `xdpfwd replay`: one thread per CPU, each running its share
 * of a batch of frames with BPF_PROG_TEST_RUN (one call per frame: the
 * kernel's batched test runs repeat one frame, they do not take many), the
 * event ring drained by a thread of its own, and the results collected.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "xdpfwd.skel.h"
#include "lib_error.h"
#include "pinned.h"
#include "lists.h"
#include "stats.h"
#include "replay_priv.h"

#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
/* libpcap's largest snap length */
#define REPLAY_MAX_FRAME 262144

/*
 * The source address as the program reads it (Ethernet, up to two VLAN
 * tags, IPv4 or IPv6), for sharding and for naming dropped sources. The
 * verdict is the program's; this only says whose frame it was.
 */
static void frame_source(struct replay_frame *f)
{
	const __u8 *p = f->data, *end = f->data + f->len;
	__u16 proto;
	int i;

	f->family = 0;
	memset(f->src, 0, sizeof(f->src));
	if (f->len < ETH_HLEN)
		return;
	proto = p[12] << 8 | p[13];
	p += ETH_HLEN;
	for (i = 0; i < 2 && (proto == ETH_P_8021Q || proto == ETH_P_8021AD); i++) {
		if (p + 4 > end)
			return;
		proto = p[2] << 8 | p[3];
		p += 4;
	}
	if (proto == ETH_P_IP && p + 20 <= end && (p[0] >> 4) == 4) {
		f->family = 4;
		f->src[10] = f->src[11] = 0xff;
		memcpy(f->src + 12, p + 12, 4);
	} else if (proto == ETH_P_IPV6 && p + 40 <= end && (p[0] >> 4) == 6) {
		f->family = 6;
		memcpy(f->src, p + 8, 16);
	}
}

static __u32 source_hash(__u8 family, const __u8 *addr)
{
	__u32 h = 2166136261U;
	int i;

	h = (h ^ family) * 16777619U;
	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619U;
	return h ^ (h >> 16);
}

/* Which [action][reason] counter of this CPU moved: the frame's verdict in full. */
static void frame_detail(struct runner *w, struct replay_frame *f)
{
	struct replay *r = w->r;
	size_t size = sizeof(struct xdpfwd_stats);
	struct xdpfwd_stats *now = w->scratch, *before = w->stats;
	__u32 slot = XDPFWD_STATS_SLOT_OTHER;
	int a, rs;

	/* A frame over its rate limit moves only limit_stats (XDPFWD_R_RATE_LIMIT), so it is what moved nothing here. */
	f->action = f->xdp == XDP_DROP ? XDPFWD_ACT_DROP : XDPFWD_ACT_AUDIT;
	f->reason = XDPFWD_R_RATE_LIMIT;
	if (bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.stats), &slot, now))
		return;
	now = (struct xdpfwd_stats *)((char *)now + (size_t)w->cpu * size);
	before = (struct xdpfwd_stats *)((char *)before + (size_t)w->cpu * size);
	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (rs = 0; rs < XDPFWD_R_MAX; rs++)
			if (now->packets[a][rs] != before->packets[a][rs]) {
				f->action = a;
				f->reason = rs;
			}
	memcpy(before, now, size);
}

static void run_one(struct runner *w, struct replay_frame *f)
{
	const __u32 meta = sizeof(struct xdpfwd_frame_time);
	/* No ingress_ifindex: the kernel's loopback device, a slot of no interface (XDPFWD_STATS_SLOT_OTHER). */
	struct xdp_md ctx = { .data = meta, .data_end = meta + f->len };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = w->buf, .data_size_in = meta + f->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	struct xdpfwd_frame_time t = { .now_ns = f->now_ns };

	f->action = XDPFWD_ACT_PASS;
	f->reason = XDPFWD_R_MAX;
	/* The kernel refuses frames shorter than an Ethernet header; no NIC delivers one either. */
	if (f->len < ETH_HLEN) {
		f->xdp = -EINVAL;
		return;
	}
	if (f->len > REPLAY_MAX_FRAME) {
		f->xdp = -E2BIG;
		return;
	}
	memcpy(w->buf, &t, meta);
	memcpy(w->buf + meta, f->data, f->len);
	if (bpf_prog_test_run_opts(w->r->prog_fd, &opts)) {
		f->xdp = -errno;
		return;
	}
	f->xdp = opts.retval;
	if (w->r->cfg.frame_detail)
		frame_detail(w, f);
}

static void *runner_main(void *arg)
{
	struct runner *w = arg;
	struct replay *r = w->r;
	cpu_set_t set;
	size_t i;

	/* Pinned, so that with frame_detail the CPU whose counters moved is known to be this one. */
	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (;;) {
		pthread_barrier_wait(&r->go);
		if (r->stop)
			break;
		for (i = 0; i < r->batch_n; i++)
			if (r->batch[i].shard == (__u32)w->id)
				run_one(w, &r->batch[i]);
		pthread_barrier_wait(&r->done);
	}
	return NULL;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct replay *r = ctx;
	const struct xdpfwd_event *ev = data;

	if (size < sizeof(*ev))
		return 0;
	r->events++;
	if (ev->action < XDPFWD_ACT_MAX && ev->reason < XDPFWD_R_MAX)
		r->events_by[ev->action][ev->reason]++;
	return 0;
}

/* The private ring, drained as the daemon's consumer would: a full ring would lose events the daemon logs. */
static void *consumer_main(void *arg)
{
	struct replay *r = arg;

	while (!r->consumer_stop)
		ring_buffer__poll(r->rb, 20);
	ring_buffer__consume(r->rb);
	return NULL;
}

int replay_start(struct replay *r)
{
	cpu_set_t allowed;
	int cpu, n = 0, want, err;

	struct xdpfwd_limits l = {};
	__u32 zero = 0;

	r->shard_plen4 = 32;
	r->shard_plen6 = 128;
	if (!bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.limits), &zero, &l) && l.action) {
		r->shard_plen4 = l.plen4 && l.plen4 <= 32 ? l.plen4 : 32;
		r->shard_plen6 = l.plen6 && l.plen6 <= 128 ? l.plen6 : 128;
	}
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return lib_error_set(-errno, "replay: reading this process's CPUs failed: %s", strerror(errno));
	/*
	 * The program keeps a frame's time in one global for all CPUs
	 * (frame_time_ns): runners on several CPUs may read each other's. Under
	 * rate limits, whose buckets a few microseconds change, one runner by
	 * default; log limits (a second) do not notice.
	 */
	want = r->cfg.threads > 0 ? r->cfg.threads : l.action ? 1 : CPU_COUNT(&allowed);
	r->runners = calloc(want, sizeof(*r->runners));
	if (!r->runners)
		return lib_error_set(-ENOMEM, "replay: out of memory");
	/* One runner per CPU at most: two on one CPU would only take turns (and confuse frame_detail). */
	for (cpu = 0; cpu < CPU_SETSIZE && n < want; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		r->runners[n].r = r;
		r->runners[n].id = n;
		r->runners[n].cpu = cpu;
		r->runners[n].buf = malloc(sizeof(struct xdpfwd_frame_time) + REPLAY_MAX_FRAME);
		if (!r->runners[n].buf)
			return lib_error_set(-ENOMEM, "replay: out of memory");
		if (r->cfg.frame_detail) {
			r->runners[n].stats = calloc(r->n_cpus, sizeof(struct xdpfwd_stats));
			r->runners[n].scratch = calloc(r->n_cpus, sizeof(struct xdpfwd_stats));
			if (!r->runners[n].stats || !r->runners[n].scratch)
				return lib_error_set(-ENOMEM, "replay: out of memory");
		}
		n++;
	}
	r->n_runners = n;
	if (pthread_barrier_init(&r->go, NULL, n + 1) || pthread_barrier_init(&r->done, NULL, n + 1))
		return lib_error_set(-ENOMEM, "replay: making the runners' barriers failed");
	r->barriers = 1;
	for (n = 0; n < r->n_runners; n++) {
		err = pthread_create(&r->runners[n].thread, NULL, runner_main, &r->runners[n]);
		if (err)
			return lib_error_set(-err, "replay: starting a runner failed: %s", strerror(err));
		r->runners[n].started = 1;
	}
	r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.events), on_event, r, NULL);
	if (!r->rb)
		return lib_error_set(-errno, "replay: opening the private event ring failed: %s", strerror(errno));
	err = pthread_create(&r->consumer, NULL, consumer_main, r);
	if (err)
		return lib_error_set(-err, "replay: starting the event consumer failed: %s", strerror(err));
	r->consumer_started = 1;
	return 0;
}

static int tally_grow(struct tally *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024, i, j;
	struct replay_source *v = calloc(cap, sizeof(*v)), *o;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++) {
		o = &t->v[i];
		if (!o->frames)
			continue;
		for (j = source_hash(o->family, o->addr) % cap; v[j].frames; j = (j + 1) % cap)
			;
		v[j] = *o;
	}
	free(t->v);
	t->v = v;
	t->cap = cap;
	return 0;
}

static int tally_add(struct tally *t, const struct replay_frame *f)
{
	struct replay_source *s;
	size_t j;

	if (2 * (t->n + 1) > t->cap && tally_grow(t))
		return lib_error_set(-ENOMEM, "replay: out of memory");
	for (j = source_hash(f->family, f->src) % t->cap;; j = (j + 1) % t->cap) {
		s = &t->v[j];
		if (!s->frames) {
			s->family = f->family;
			memcpy(s->addr, f->src, 16);
			t->n++;
			break;
		}
		if (s->family == f->family && !memcmp(s->addr, f->src, 16))
			break;
	}
	s->frames++;
	s->bytes += f->len;
	return 0;
}

/*
 * The source key the limits meter (the source cut to plen4 / plen6 bits):
 * every frame of one key runs on one runner, in capture order.
 */
static __u32 shard_of(const struct replay *r, const struct replay_frame *f)
{
	__u8 key[16];
	int plen = f->family == 4 ? 96 + r->shard_plen4 : f->family == 6 ? r->shard_plen6 : 128, i;

	memcpy(key, f->src, 16);
	for (i = 0; i < 16; i++)
		if (plen < (i + 1) * 8)
			key[i] &= plen <= i * 8 ? 0 : (__u8)(0xff << ((i + 1) * 8 - plen));
	return source_hash(f->family, key) % r->n_runners;
}

/* The first frame is "now" on the boot clock, the others as far after it as the capture says (never 0: real clock). */
static __u64 frame_clock(struct replay *r, __u64 ts_ns)
{
	if (!r->start_boot_ns) {
		r->start_boot_ns = list_boottime_ns();
		r->first_ts_ns = ts_ns;
	}
	return r->start_boot_ns + (ts_ns > r->first_ts_ns ? ts_ns - r->first_ts_ns : 0);
}

int replay_run(struct replay *r, struct replay_frame *f, size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		frame_source(&f[i]);
		f[i].shard = r->n_runners > 1 ? shard_of(r, &f[i]) : 0;
		f[i].now_ns = frame_clock(r, f[i].ts_ns);
	}
	r->batch = f;
	r->batch_n = n;
	pthread_barrier_wait(&r->go);
	pthread_barrier_wait(&r->done);
	for (i = 0; i < n; i++) {
		if (f[i].xdp < 0) {
			if (f[i].xdp != -EINVAL || f[i].len >= ETH_HLEN)
				return lib_error_set(f[i].xdp, "running a frame through the program failed: %s",
						     strerror(-f[i].xdp));
			r->refused++;
			continue;
		}
		r->frames++;
		r->bytes += f[i].len;
		if (f[i].xdp == XDP_DROP) {
			err = tally_add(&r->dropped, &f[i]);
			if (err)
				return err;
		}
	}
	return 0;
}

static void stop_threads(struct replay *r)
{
	int i;

	/* Runners wait at the barrier for all of them: only a full set can be told to stop (and joined). */
	if (r->barriers && r->n_runners && r->runners[r->n_runners - 1].started) {
		r->stop = 1;
		pthread_barrier_wait(&r->go);
		for (i = 0; i < r->n_runners; i++) {
			pthread_join(r->runners[i].thread, NULL);
			r->runners[i].started = 0;
		}
	}
	if (r->consumer_started) {
		r->consumer_stop = 1;
		pthread_join(r->consumer, NULL);
		r->consumer_started = 0;
	}
}

static int by_frames(const void *a, const void *b)
{
	const struct replay_source *x = a, *y = b;

	if (x->frames != y->frames)
		return x->frames < y->frames ? 1 : -1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static int limit_stats_sum(struct replay *r, struct xdpfwd_limit_stats *sum)
{
	struct xdpfwd_limit_stats *v = calloc(r->n_cpus, sizeof(*v));
	__u32 slot;
	int cpu, a;

	if (!v)
		return lib_error_set(-ENOMEM, "replay: out of memory");
	memset(sum, 0, sizeof(*sum));
	for (slot = 0; slot < XDPFWD_STATS_SLOTS; slot++) {
		if (bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.limit_stats), &slot, v))
			continue;
		for (cpu = 0; cpu < r->n_cpus; cpu++) {
			for (a = 0; a < XDPFWD_ACT_MAX; a++) {
				sum->packets[a] += v[cpu].packets[a];
				sum->bytes[a] += v[cpu].bytes[a];
			}
			sum->bans += v[cpu].bans;
			sum->ban_failed += v[cpu].ban_failed;
		}
	}
	free(v);
	return 0;
}

int replay_finish(struct replay *r, struct replay_results *res)
{
	size_t i, n = 0;
	int err;

	stop_threads(r);
	memset(res, 0, sizeof(*res));
	err = stats_read(bpf_map__fd(r->skel->maps.stats), &res->stats);
	if (err)
		return lib_error_set(err, "reading the replay's counters failed: %s", strerror(-err));
	err = limit_stats_sum(r, &res->limited);
	if (err)
		return err;
	res->frames = r->frames;
	res->bytes = r->bytes;
	res->refused = r->refused;
	res->events = r->events;
	memcpy(res->events_by, r->events_by, sizeof(res->events_by));
	for (i = 0; i < r->dropped.cap; i++)
		if (r->dropped.v[i].frames)
			r->dropped.v[n++] = r->dropped.v[i];
	qsort(r->dropped.v, n, sizeof(*r->dropped.v), by_frames);
	res->dropped = r->dropped.v;
	res->n_dropped = n;
	r->dropped.cap = n;
	return 0;
}

void replay_close(struct replay *r)
{
	int i;

	if (!r)
		return;
	stop_threads(r);
	if (r->barriers && !(r->n_runners && r->runners[0].started)) {
		pthread_barrier_destroy(&r->go);
		pthread_barrier_destroy(&r->done);
	}
	ring_buffer__free(r->rb);
	for (i = 0; i < r->n_runners; i++) {
		free(r->runners[i].stats);
		free(r->runners[i].scratch);
		free(r->runners[i].buf);
	}
	free(r->runners);
	free(r->dropped.v);
	pinned_close(r->skel);
	free(r);
}
