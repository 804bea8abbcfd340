// SPDX-License-Identifier: GPL-2.0
/*
 * The generator: one BPF_PROG_TEST_RUN call in live-frames mode runs gen.bpf.c
 * on a frame template and transmits the result out of the sending veth. The
 * call costs ~20 ms to set up, so there is one call per scenario, as long as
 * the scenario, and a signal ends it.
 *
 * The thread is pinned, and the receiving veth's NAPI runs in its softirq on
 * the same CPU, so the thread's CPU time is generator plus receiver cost
 * (this kernel does not split off IRQ time). Dividing packets by that CPU
 * time rather than by wall time keeps other processes' turns on the CPU out
 * of the rate.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gen.skel.h"
#include "xfbench.h"

struct gen {
	struct gen_opts o;
	struct xfb_gen *skel;
	pthread_t thread;
	clockid_t clock;
	__u8 frame[XFB_FRAME_MAX];
	__u32 frame_len;
	int ifindex_err;
	int err;
	pthread_mutex_t lock;
	pthread_cond_t ready;
	int started;
	int done;		/* the test run has returned */
	int stopping;		/* gen_stop() asked for the end */
	unsigned int restarts;	/* test runs interrupted by something else, and started again */
	pid_t tid;		/* the generator thread, for telling its perf samples apart */
};

/* Only there so the signal interrupts the test run; the kernel checks signal_pending(). */
static void on_stop_signal(int sig)
{
	(void)sig;
}

static void *gen_thread(void *arg)
{
	struct gen *g = arg;
	struct xdp_md md = {};
	cpu_set_t set;
	int err;

	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = g->frame,
		.data_size_in = g->frame_len,
		.ctx_in = &md,
		.ctx_size_in = sizeof(md),
		.repeat = g->o.max_packets,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);

	/* The kernel wants the context to describe the frame: data_end is its length. */
	md.data_end = g->frame_len;
	g->tid = gettid();
	CPU_ZERO(&set);
	CPU_SET(g->o.cpu, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (!err)
		err = netns_enter(g->o.netns);
	if (!err) {
		md.ingress_ifindex = if_nametoindex(g->o.ifname);
		if (!md.ingress_ifindex)
			err = -ENODEV;
	}
	pthread_mutex_lock(&g->lock);
	g->started = err ? err : 1;
	pthread_cond_signal(&g->ready);
	pthread_mutex_unlock(&g->lock);
	if (err) {
		g->err = err;
		return NULL;
	}
	/*
	 * EINTR is the normal end when gen_stop() sent its signal. Anything else
	 * that makes signal_pending() true for a moment (seen: about one run in
	 * three of a whole bench, cause not found) would end the scenario early:
	 * start again; the receiver's counters make the gap invisible.
	 */
	for (;;) {
		err = bpf_prog_test_run_opts(bpf_program__fd(g->skel->progs.xfb_gen), &opts);
		if (!err || errno != EINTR || __atomic_load_n(&g->stopping, __ATOMIC_ACQUIRE) ||
		    g->restarts >= 100)
			break;
		g->restarts++;
	}
	g->err = err && errno != EINTR ? -errno : 0;
	__atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int src_base(const char *src, __u32 *base)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, src, &a4) == 1) {
		*base = ntohl(a4.s_addr);
		return 0;
	}
	if (inet_pton(AF_INET6, src, &a6) == 1) {
		*base = ntohl(a6.s6_addr32[3]);
		return 0;
	}
	return -EINVAL;
}

int gen_start(const struct gen_opts *o, struct gen **out)
{
	struct frame_opts fo = { .src = o->src };
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct gen *g;
	__u32 base;
	int err;

	if (!o->nsrc || (o->nsrc & (o->nsrc - 1))) {
		xfb_err("--nsrc %u: use a power of two\n", o->nsrc);
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->o = *o;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->ready, NULL);
	err = frame_build(&fo, g->frame, &g->frame_len);
	if (!err)
		err = src_base(o->src, &base);
	if (err)
		goto fail;
	g->skel = xfb_gen__open();
	if (!g->skel) {
		err = -errno;
		goto fail;
	}
	g->skel->rodata->src_base = base;
	g->skel->rodata->src_mask = o->nsrc - 1;
	if (o->good_src) {
		if (!o->good_every || (o->good_every & (o->good_every - 1)) ||
		    src_base(o->good_src, &base)) {
			xfb_err("--good-src %s --good-every %u: use an address and a power of two\n",
				o->good_src, o->good_every);
			err = -EINVAL;
			goto fail;
		}
		g->skel->rodata->good_src = base;
		g->skel->rodata->good_mask = o->good_every - 1;
	}
	err = xfb_gen__load(g->skel);
	if (err) {
		xfb_err("loading the generator program failed: %s\n", strerror(-err));
		goto fail;
	}
	/* No SA_RESTART: the test run must come back with EINTR, not be restarted. */
	sigaction(SIGUSR1, &sa, NULL);
	err = -pthread_create(&g->thread, NULL, gen_thread, g);
	if (err)
		goto fail;
	pthread_mutex_lock(&g->lock);
	while (!g->started)
		pthread_cond_wait(&g->ready, &g->lock);
	pthread_mutex_unlock(&g->lock);
	if (g->started < 0) {
		err = g->started;
		pthread_join(g->thread, NULL);
		xfb_err("starting the generator on %s in %s failed: %s\n", o->ifname, o->netns, strerror(-err));
		goto fail;
	}
	err = -pthread_getcpuclockid(g->thread, &g->clock);
	if (err) {
		gen_stop(g);
		return err;
	}
	*out = g;
	return 0;
fail:
	xfb_gen__destroy(g->skel);
	free(g);
	return err;
}

int gen_sample(struct gen *g, __u64 *frames, __u64 *cpu_ns)
{
	struct timespec ts;

	if (__atomic_load_n(&g->done, __ATOMIC_ACQUIRE)) {
		xfb_err("the generator stopped early: %s\n", g->err ? strerror(-g->err) : "packet limit reached");
		return -ESRCH;
	}
	if (clock_gettime(g->clock, &ts)) {
		xfb_err("reading the generator's CPU clock failed: %s\n", strerror(errno));
		return -errno;
	}
	*cpu_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec + ksoftirqd_ns(g->o.cpu);
	*frames = __atomic_load_n(&g->skel->bss->frames, __ATOMIC_RELAXED);
	return 0;
}

pid_t gen_tid(const struct gen *g)
{
	return g->tid;
}

int gen_stop(struct gen *g)
{
	int err;

	if (!g)
		return 0;
	__atomic_store_n(&g->stopping, 1, __ATOMIC_RELEASE);
	/* Repeat the signal: one sent just before the thread entered the syscall would be lost. */
	do {
		struct timespec t;

		pthread_kill(g->thread, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 50000000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		err = pthread_timedjoin_np(g->thread, NULL, &t);
	} while (err == ETIMEDOUT);
	if (g->restarts)
		xfb_err("note: the generator's test run was interrupted %u times and started again\n", g->restarts);
	err = g->err;
	if (err)
		xfb_err("the generator's test run failed: %s\n", strerror(-err));
	xfb_gen__destroy(g->skel);
	free(g);
	return err;
}
