/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's one loop: signals through a signalfd, a periodic timerfd and
 * the ring buffer's epoll fd, all waited on together. No work happens in
 * signal handlers because there are none.
 */
#ifndef XDPFWD_EVENT_LOOP_H
#define XDPFWD_EVENT_LOOP_H

#include <stdio.h>
#include "ringbuf_consumer.h"

struct metrics_server;

#define EVENT_LOOP_TICK_MS 100

struct event_loop_cfg {
	struct consumer *consumer;
	int stats_fd;
	unsigned int stats_interval;	/* seconds, 0: no stats lines */
	FILE *out;
	/* Called every tick (EVENT_LOOP_TICK_MS) for housekeeping; returns 1 to stop the loop. May be NULL. */
	int (*on_tick)(void *ctx);
	/* Called on SIGHUP to re-read files; may be NULL. */
	void (*on_reload)(void *ctx);
	void *ctx;
	/* --metrics-listen / --metrics-textfile, served from the loop; NULL: neither. */
	struct metrics_server *metrics;
};

/* Blocks SIGINT, SIGTERM and SIGHUP for the whole process; call before any thread exists. */
int event_loop_block_signals(void);

/* Runs until SIGINT or SIGTERM; returns 0 then, or -errno. */
int event_loop_run(const struct event_loop_cfg *cfg);

#endif
