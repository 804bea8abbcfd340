// SPDX-License-Identifier: GPL-2.0
/*
 * xfbench live: one generator run, the contenders swapped in turn every slot,
 * an XDP_DROP floor slot on both sides of every contender slot. CPU speed on
 * these VMs drifts by 15-25% over seconds, so absolute rates from different
 * runs or far-apart slots mean little; each contender slot is compared only
 * with the floor slots next to it (bench/report.py does that from the CSV).
 *
 * Every slot: swap, let the new receiver settle, sample, wait, sample. Swaps
 * and settling fall outside the sampled window, so a slow nft -f costs time
 * but not accuracy. Bounded by --rounds, --max-seconds and the generator's
 * packet limit; SIGINT/SIGTERM end it early and still detach.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include "xfbench.h"
#include "contender.h"

struct live_opts {
	struct gen_opts gen;
	const char *rx_ns;
	const char *rx_if;
	const char *scenario;
	const char *out;
	__u32 slot_ms, settle_ms, rounds, max_seconds;
	struct contender floor;
	struct contender c[XFB_MAX_CONTENDERS];
	int n;
};

struct sample {
	__u64 packets, frames, cpu_ns, wall_ns;
};

static int sample_take(struct rxcount *rc, struct gen *g, struct sample *s)
{
	int err = rxcount_read(rc, &s->packets);

	if (err)
		xfb_err("reading %s's counters failed: %s\n", rc->ifname, strerror(-err));
	if (!err)
		err = gen_sample(g, &s->frames, &s->cpu_ns);
	s->wall_ns = now_ns();
	return err;
}

/* Sleeps ms unless SIGINT/SIGTERM arrives: then -EINTR. */
static int wait_ms(int sfd, __u32 ms)
{
	struct pollfd p = { .fd = sfd, .events = POLLIN };
	__u64 end = now_ns() + ms * 1000000ULL, now;
	struct timespec ts;

	while ((now = now_ns()) < end) {
		ts.tv_sec = (end - now) / 1000000000ULL;
		ts.tv_nsec = (end - now) % 1000000000ULL;
		if (ppoll(&p, 1, &ts, NULL) > 0) {
			xfb_err("interrupted: stopping the generator and detaching\n");
			return -EINTR;
		}
	}
	return 0;
}

static int run_slot(struct live_opts *o, struct rx_if *rx, struct rxcount *rc, struct gen *g, int sfd,
		    FILE *out, __u32 round, __u32 seq, const struct contender *c)
{
	struct sample a, b;
	int err;

	err = contender_switch(rx, c);
	if (!err)
		err = wait_ms(sfd, o->settle_ms);
	if (!err)
		err = sample_take(rc, g, &a);
	if (!err)
		err = wait_ms(sfd, o->slot_ms);
	if (!err)
		err = sample_take(rc, g, &b);
	if (err)
		return err;
	fprintf(out, "%s,%u,%u,%s,%s,%llu,%llu,%llu,%llu,%llu,%d\n", o->scenario, round, seq, c->name,
		c == &o->floor ? "floor" : "contender", (unsigned long long)(b.packets - a.packets),
		(unsigned long long)(b.frames - a.frames), (unsigned long long)(b.cpu_ns - a.cpu_ns),
		(unsigned long long)(b.wall_ns - a.wall_ns), (unsigned long long)a.wall_ns, (int)gen_tid(g));
	return 0;
}

static int run(struct live_opts *o, int sfd, FILE *out)
{
	struct rx_if rx = { .cur_fd = -1 };
	struct rxcount rc = { .sock = -1 };
	struct gen *g = NULL;
	__u64 deadline;
	__u32 r, i, seq = 0;
	int err;

	err = netns_enter(o->rx_ns);
	if (err)
		return err;
	rx.ifindex = if_nametoindex(o->rx_if);
	if (!rx.ifindex) {
		xfb_err("receiving interface %s not found in %s\n", o->rx_if, o->rx_ns);
		return -ENODEV;
	}
	err = rxcount_open(&rc, o->rx_if);
	if (err)
		return err;
	/* The receiver must run NAPI before the first frame, or veth drops it at the sender. */
	err = contender_switch(&rx, &o->floor);
	if (!err)
		err = gen_start(&o->gen, &g);
	/* Page pools fill and caches warm in the first few hundred ms; none of that is measured. */
	if (!err)
		err = wait_ms(sfd, 500);
	deadline = now_ns() + o->max_seconds * 1000000000ULL;
	for (r = 0; !err && r < o->rounds; r++) {
		/* Rotating the order each round spreads slow drifts over every contender. */
		for (i = 0; !err && i < (__u32)o->n; i++) {
			err = run_slot(o, &rx, &rc, g, sfd, out, r, seq++, &o->floor);
			if (!err)
				err = run_slot(o, &rx, &rc, g, sfd, out, r, seq++, &o->c[(i + r) % o->n]);
			if (!err && now_ns() > deadline) {
				xfb_err("scenario %s: over --max-seconds %u, stopping\n", o->scenario, o->max_seconds);
				err = -ETIME;
			}
		}
	}
	if (!err)
		err = run_slot(o, &rx, &rc, g, sfd, out, r, seq++, &o->floor);
	if (gen_stop(g) && !err)
		err = -EIO;
	contender_clear(&rx);
	rxcount_close(&rc);
	if (err)
		xfb_err("scenario %s failed: %s\n", o->scenario, strerror(-err));
	return err;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xfbench live --scenario NAME --gen-ns NS --gen-if IF --rx-ns NS --rx-if IF\n"
		"         --src ADDR [--nsrc N] [--cpu N] [--slot-ms MS] [--settle-ms MS] [--rounds N]\n"
		"         [--max-seconds S] --floor NAME=xdp:PIN --contender NAME=xdp:PIN|NAME=nft:ON:OFF...\n"
		"         [--out FILE.csv] [--good-src ADDR --good-every N]\n");
}

static int parse(int argc, char **argv, struct live_opts *o)
{
	static const struct option opts[] = {
		{ "scenario", 1, NULL, 'S' }, { "gen-ns", 1, NULL, 'g' }, { "gen-if", 1, NULL, 'G' },
		{ "rx-ns", 1, NULL, 'r' }, { "rx-if", 1, NULL, 'R' }, { "src", 1, NULL, 's' },
		{ "nsrc", 1, NULL, 'n' }, { "cpu", 1, NULL, 'c' }, { "slot-ms", 1, NULL, 'l' },
		{ "settle-ms", 1, NULL, 'e' }, { "rounds", 1, NULL, 'k' }, { "max-seconds", 1, NULL, 'm' },
		{ "floor", 1, NULL, 'f' }, { "contender", 1, NULL, 'C' }, { "out", 1, NULL, 'o' },
		{ "good-src", 1, NULL, 'x' }, { "good-every", 1, NULL, 'y' }, {},
	};
	__u32 cpu = 1;
	int opt, err = 0;

	o->gen.nsrc = 1;
	o->slot_ms = 200;
	o->settle_ms = 20;
	o->rounds = 20;
	o->max_seconds = 300;
	o->floor.prog_fd = -1;
	while (!err && (opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			o->scenario = optarg;
			break;
		case 'g':
			o->gen.netns = optarg;
			break;
		case 'G':
			o->gen.ifname = optarg;
			break;
		case 'r':
			o->rx_ns = optarg;
			break;
		case 'R':
			o->rx_if = optarg;
			break;
		case 's':
			o->gen.src = optarg;
			break;
		case 'n':
			err = parse_u32(optarg, &o->gen.nsrc);
			break;
		case 'c':
			err = parse_u32(optarg, &cpu);
			break;
		case 'l':
			err = parse_u32(optarg, &o->slot_ms);
			break;
		case 'e':
			err = parse_u32(optarg, &o->settle_ms);
			break;
		case 'k':
			err = parse_u32(optarg, &o->rounds);
			break;
		case 'm':
			err = parse_u32(optarg, &o->max_seconds);
			break;
		case 'f':
			err = contender_parse(optarg, &o->floor);
			break;
		case 'C':
			if (o->n == XFB_MAX_CONTENDERS)
				err = -E2BIG;
			else
				err = contender_parse(optarg, &o->c[o->n++]);
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'x':
			o->gen.good_src = optarg;
			break;
		case 'y':
			err = parse_u32(optarg, &o->gen.good_every);
			break;
		default:
			err = -EINVAL;
		}
	}
	o->gen.cpu = cpu;
	if (!err && (!o->scenario || !o->gen.netns || !o->gen.ifname || !o->rx_ns || !o->rx_if || !o->gen.src ||
		     o->floor.prog_fd < 0 || !o->n || !o->slot_ms || o->slot_ms > 10000))
		err = -EINVAL;
	if (err)
		usage();
	/* Generous for 20 Mpps, and still a hard bound if every timer failed. */
	o->gen.max_packets = o->max_seconds * 20000000ULL > 0xffffffffULL ? 0xffffffffU :
			     o->max_seconds * 20000000U;
	return err;
}

int cmd_live(int argc, char **argv)
{
	struct live_opts o = {};
	sigset_t set;
	FILE *out = stdout;
	int err, sfd;

	err = parse(argc, argv, &o);
	if (err)
		return err;
	/* Block before any thread exists, so the generator thread inherits the mask too. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return -errno;
	if (o.out) {
		out = fopen(o.out, "ae");
		if (!out) {
			err = -errno;
			xfb_err("%s: %s\n", o.out, strerror(-err));
			close(sfd);
			return err;
		}
	}
	err = run(&o, sfd, out);
	if (out != stdout)
		fclose(out);
	close(sfd);
	return err;
}
