/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xdpfwd replay`: frames of a capture through the very XDP program the
 * daemon attaches, with BPF_PROG_TEST_RUN, on a private copy of the lists.
 * The copy is a second instance of the program that is never pinned nor
 * attached: its own maps (copied from a live instance's pins, or filled
 * from list files by the caller through its skeleton), its own counters,
 * its own event ring, which this file drains. Nothing live is written.
 *
 * The program runs on the capture's clock: each frame carries its capture
 * time in its XDP metadata (struct xdpfwd_frame_time), shifted so that the
 * first frame is "now" on the boot clock: the lists' deadlines are read as
 * of the replay, log and rate limits see the capture's spacing of frames.
 *
 * Frames run on several threads, one per CPU (each its own test runs); a
 * source's frames all go to one thread in capture order, so what depends on
 * the order of one source's frames (its log limit) sees them as they came.
 * The library never prints; failures leave one line in lib_error().
 */
#ifndef XDPFWD_REPLAY_H
#define XDPFWD_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "capacity.h"
#include "lists.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;
struct replay;

struct replay_config {
	const char *bpf_object;		/* NULL: the embedded program */
	bool drop_malformed;
	bool log_enabled;
	__u64 log_rate, log_burst;	/* events per second (0: unlimited), burst */
	__u64 log_source_interval_ms;
	int threads;			/* 0: one per CPU this process may use */
	/*
	 * Action and reason of every frame, not only its XDP verdict: one more
	 * syscall per frame (the runner's CPU's counters are read after each run).
	 */
	bool frame_detail;
	/* The block maps' sizes, index CAP_* (a live instance's: they may have grown); 0: the build's. */
	__u32 capacity[CAP_MAPS];
};

/* The verdict of one frame; the caller fills data, len and ts_ns. */
struct replay_frame {
	const __u8 *data;
	__u32 len;
	__u64 ts_ns;
	__u64 now_ns;		/* internal: the program's clock for it */
	int xdp;		/* XDP_PASS, XDP_DROP; -errno when the kernel would not run it */
	__u8 action, reason;	/* enum xdpfwd_action, xdpfwd_reason (XDPFWD_R_RATE_LIMIT too): frame_detail only */
	__u8 family;		/* of the source (4, 6; 0: none parsed), as user space reads the headers */
	__u8 src[16];		/* IPv4 as ::ffff:a.b.c.d */
	__u32 shard;		/* internal */
};

/* Loads the private instance: the program with its own fresh maps, set "manual" of each kind. */
int replay_open(const struct replay_config *c, struct replay **out);
/* The private instance's skeleton: its maps take list files as the daemon's do (set_files_apply). */
struct xdpfwd_bpf *replay_skel(struct replay *r);
/*
 * Copies a live instance's lists into the private one: sets, their options
 * and modes (meta), every entry with its memberships and deadlines, counters
 * zeroed. Reads the pins only; the caller holds the pin dir lock.
 */
int replay_copy_lists(struct replay *r, struct xdpfwd_bpf *live);
/* Starts the runners and the event consumer. */
int replay_start(struct replay *r);
/* Runs n frames (any n; a batch of a few thousand keeps every runner busy) and fills their verdicts. */
int replay_run(struct replay *r, struct replay_frame *f, size_t n);

struct replay_source {
	__u8 family;
	__u8 addr[16];
	__u64 frames, bytes;
};

struct replay_results {
	struct xdpfwd_stats stats;	/* the private counters, every CPU summed */
	struct xdpfwd_limit_stats limited;	/* the flood defense's (reason rate_limit), summed */
	__u64 frames, bytes;		/* run */
	__u64 refused;			/* frames the kernel would not run (shorter than an Ethernet header) */
	__u64 events;			/* events read from the private ring: the frames that would be logged */
	__u64 events_by[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	struct replay_source *dropped;	/* sources of dropped frames, most frames first */
	size_t n_dropped;
};

/*
 * Stops the runners, drains the ring and sums the counters; call once, after
 * the last replay_run. res->dropped lives until replay_close.
 */
int replay_finish(struct replay *r, struct replay_results *res);

struct replay_hit {
	enum list_kind kind;
	struct list_item item;	/* entry.packets, entry.bytes: this replay's hits */
};

/* The list entries this replay hit, most packets first; caller frees *hits. */
int replay_entries_hit(struct replay *r, struct replay_hit **hits, size_t *n);

/* Frees everything (NULL is fine); the private instance goes with it. */
void replay_close(struct replay *r);

#endif
