/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's two ways of handing its metrics to Prometheus, both driven
 * from the event loop and neither ever blocking it:
 *
 *  --metrics-listen ADDR:PORT  a tiny HTTP server: GET /metrics, one request
 *      per connection, answered with "Connection: close". Sockets are
 *      non-blocking, a connection has 2 s to send its request and 10 s more
 *      for its answer to go out, and at most 8 are open (a new one evicts the
 *      one with the nearest deadline), so a stuck client costs a slot, never
 *      the loop. Its own epoll fd stands for all of its sockets in the loop's
 *      epoll, as the ring buffer's does.
 *  Collecting (walking the maps) happens in a forked child whose output the
 *  loop reads as it comes: one at a time, shared by every scrape waiting when
 *  it started, killed on exit. So neither many scrapers nor big lists hold
 *  the loop (repairs, signals) for the length of a collection.
 *  --metrics-textfile PATH     for node_exporter's textfile collector: PATH is
 *      rewritten through PATH.tmp and rename(), so a reader sees the old file
 *      or the new one, never half of one.
 */
#ifndef XDPFWD_METRICS_HTTP_H
#define XDPFWD_METRICS_HTTP_H

#include "daemon.h"

#define METRICS_HTTP_MAX_CONNS		8
#define METRICS_HTTP_DEADLINE_MS	2000	/* from connect to a whole request */
#define METRICS_HTTP_ANSWER_MS		10000	/* from a whole request to its answer sent */
#define METRICS_COLLECT_TIMEOUT_MS	30000	/* a collection still running then is killed */
#define METRICS_TEXTFILE_INTERVAL	10	/* seconds, when --stats-interval does not say */

struct metrics_server;
struct xdpfwd_bpf;

/*
 * Call before changing anything: binds and listens (so a port in use fails
 * the start cleanly) and checks that the textfile's directory is writable.
 * *out is NULL, and 0 returned, when neither option was given. Prints why on failure.
 */
int metrics_server_open(const struct daemon_opts *o, struct metrics_server **out);

/* The maps to report once they are loaded; nothing is served before. */
void metrics_server_set_source(struct metrics_server *ms, struct xdpfwd_bpf *skel);

/* The fd the event loop waits on for readability, or -1 (also for ms == NULL). */
int metrics_server_fd(const struct metrics_server *ms);

/* Accepts, reads and answers whatever is ready; returns at once. */
void metrics_server_process(struct metrics_server *ms);

/* Every loop tick: closes connections past their deadline, rewrites the textfile when due. */
void metrics_server_tick(struct metrics_server *ms);

/* NULL-safe. The textfile stays, with the last counters written. */
void metrics_server_close(struct metrics_server *ms);

#endif
