/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's one loop: signals through a signalfd, a periodic timerfd, the
 * ring buffer's epoll fd and the caller's sources (the sets dir's inotify fd),
 * all waited on together. No work happens in
 * signal handlers because there are none.
 */
#ifndef XDPFWD_EVENT_LOOP_H
#define XDPFWD_EVENT_LOOP_H

#include <stdbool.h>
#include "ringbuf_consumer.h"

struct metrics_server;

#define EVENT_LOOP_TICK_MS 100
#define EVENT_LOOP_TICKS_PER_SEC (1000 / EVENT_LOOP_TICK_MS)

/*
 * Work done every so many ticks, one row of the caller's table each. Ticks
 * the loop slept through count (a timerfd's expirations), so a slow round
 * does not stretch the intervals.
 */
struct periodic_task {
	const char *what;		/* for the reader and a debugger */
	unsigned int every;		/* in ticks; 0: never */
	bool at_start;			/* due at the first tick as well */
	int (*run)(void *ctx);		/* returns 1 to stop the loop */
};

#define EVENT_LOOP_MAX_TASKS 12

/* A descriptor waited on with the loop's own (the sets dir watcher's inotify fd): ready() when readable. */
struct event_source {
	const char *what;		/* for the reader and a debugger */
	int fd;				/* -1: none */
	void (*ready)(void *ctx);
};

#define EVENT_LOOP_MAX_SOURCES 2

struct event_loop_cfg {
	struct consumer *consumer;	/* drained at every wakeup */
	/* --metrics-listen / --metrics-textfile sockets, served from the loop; NULL: neither. */
	struct metrics_server *metrics;
	const struct periodic_task *tasks;	/* run in table order at a tick */
	int n_tasks;				/* at most EVENT_LOOP_MAX_TASKS */
	const struct event_source *sources;	/* run when readable, before the ring is drained */
	int n_sources;				/* at most EVENT_LOOP_MAX_SOURCES */
	/* Called on SIGHUP to re-read files; may be NULL. */
	void (*on_reload)(void *ctx);
	void *ctx;			/* for the tasks and on_reload */
};

/* Blocks SIGINT, SIGTERM and SIGHUP for the whole process; call before any thread exists. */
int event_loop_block_signals(void);

/* Runs until SIGINT or SIGTERM; returns 0 then, or -errno. */
int event_loop_run(const struct event_loop_cfg *cfg);

#endif
