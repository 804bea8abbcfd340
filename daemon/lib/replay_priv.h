/* SPDX-License-Identifier: GPL-2.0 */
/* Inside replay: the private instance (replay_load.c) and the runners over it (replay_run.c). */
#ifndef XDPFWD_REPLAY_PRIV_H
#define XDPFWD_REPLAY_PRIV_H

#include <pthread.h>
#include "replay.h"

struct runner {
	struct replay *r;
	pthread_t thread;
	int id, cpu;
	int started;
	void *stats;		/* frame_detail: the stats slot as last read, every CPU */
	void *scratch;
	__u8 *buf;		/* the frame behind its struct xdpfwd_frame_time */
};

/* Sources of dropped frames: open addressing, grown at half full. */
struct tally {
	struct replay_source *v;
	size_t n, cap;
};

struct replay {
	struct xdpfwd_bpf *skel;
	struct replay_config cfg;
	int prog_fd;
	int n_cpus;			/* possible CPUs: the length of a per-CPU value */
	struct runner *runners;
	int n_runners;
	pthread_barrier_t go, done;
	int barriers;
	struct replay_frame *batch;
	size_t batch_n;
	int stop;
	struct ring_buffer *rb;
	pthread_t consumer;
	int consumer_started;
	volatile int consumer_stop;
	__u64 events, events_by[XDPFWD_ACT_MAX][XDPFWD_R_MAX];
	__u64 frames, bytes, refused;
	struct tally dropped;
	__u64 first_ts_ns, start_boot_ns;	/* the capture's clock, mapped onto the boot clock */
	__u8 shard_plen4, shard_plen6;		/* the limits' source keys: a key's frames on one runner */
};

#endif
