/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfbench: the benchmark harness's one binary. Each subcommand is one file;
 * this header is what they share.
 */
#ifndef XFBENCH_H
#define XFBENCH_H

#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>

#define XFB_MAX_CONTENDERS	16
#define XFB_FRAME_MAX		256

#define xfb_err(...) fprintf(stderr, "xfbench: " __VA_ARGS__)

/* Subcommands (main.c dispatches). Each returns 0 or a negative errno. */
int cmd_live(int argc, char **argv);
int cmd_progcost(int argc, char **argv);
int cmd_fill(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_evstats(int argc, char **argv);
int cmd_jitlines(int argc, char **argv);

/* frames.c: a UDP frame from src to the receiver's address, with up to two VLAN tags. */
struct frame_opts {
	const char *src;	/* IPv4 or IPv6 text; the family follows from it */
	int vlans;		/* 0..2 802.1Q tags */
};
int frame_build(const struct frame_opts *o, __u8 *buf, __u32 *len);

/* netns.c: enter a named network namespace (/run/netns/NAME) on the calling thread. */
int netns_enter(const char *name);

/* rxcount.c: frames a veth's NAPI consumed, all queues, from its ethtool counters. */
struct rxcount {
	int sock;
	char ifname[16];
	__u32 n_stats;
	int idx[64];		/* indices of rx_queue_*_xdp_packets */
	int n_idx;
	__u64 *buf;
};
int rxcount_open(struct rxcount *rc, const char *ifname);
int rxcount_read(struct rxcount *rc, __u64 *packets);
void rxcount_close(struct rxcount *rc);

/* gen.c: the live-frames generator thread. */
struct gen;
struct gen_opts {
	const char *netns;	/* namespace of the sending veth */
	const char *ifname;	/* the sending veth */
	int cpu;		/* generator and receiver run here */
	const char *src;	/* first source address */
	__u32 nsrc;		/* sources, a power of two */
	__u32 max_packets;	/* hard bound, whatever else happens */
	const char *good_src;	/* the flood scenario's well-behaved source, or NULL */
	__u32 good_every;	/* ... sends one frame in this many (a power of two) */
};
int gen_start(const struct gen_opts *o, struct gen **out);
/* Frames sent so far and the CPU time the generator's thread used (receiver's NAPI included). */
int gen_sample(struct gen *g, __u64 *frames, __u64 *cpu_ns);
pid_t gen_tid(const struct gen *g);
/* Stops the run (signal), joins the thread; 0 if the run ended cleanly. */
int gen_stop(struct gen *g);

/* util.c */
__u64 now_ns(void);
void sleep_ns(__u64 ns);
int parse_u32(const char *s, __u32 *out);
/* CPU time of the CPU's ksoftirqd: NAPI work the kernel deferred there. */
__u64 ksoftirqd_ns(int cpu);

#endif /* XFBENCH_H */
