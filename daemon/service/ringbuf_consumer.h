/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drains the program's event ring buffer into log lines on stdout. The
 * program wakes us only once a backlog builds up, so the event loop also
 * drains on a short timer.
 */
#ifndef XDPFWD_RINGBUF_CONSUMER_H
#define XDPFWD_RINGBUF_CONSUMER_H

#include <stdio.h>
#include "event_format.h"

/*
 * Space freed before the producer is told: small against the ring (1 MiB),
 * so a flood's producer finds room again soon, and large against a record
 * (48 bytes), so it reads a new position once per ~1,300 events.
 */
#define CONSUMER_PUBLISH_BYTES (64u << 10)

struct consumer;

/*
 * sets_fd: the instance's "sets" map, where the names of the sets events
 * carry by id are looked up (once per id until consumer_forget_sets); -1:
 * events name no set.
 */
struct consumer *consumer_new(int events_fd, int sets_fd, enum log_format fmt, FILE *out);
/* The "limits" map, for a ban event's duration (struct xdpfwd_limits' ban_ns); without it none is shown. */
void consumer_set_limits(struct consumer *c, int limits_fd);
/* Readable (poll, epoll) while events wait. */
int consumer_fd(const struct consumer *c);
/*
 * Consumes what is queued, at most one ring's worth so that a flood cannot keep
 * the caller here; returns the records read (those of another layout are
 * skipped, not printed). More may wait when it returns: consumer_fd() then
 * stays readable.
 */
int consumer_drain(struct consumer *c);
/* The format of its lines, which other lines on the same stream (stats) follow too. */
enum log_format consumer_log_format(const struct consumer *c);
/* Interface names may change; forget the cached ones. */
void consumer_forget_names(struct consumer *c);
/* Set ids may be freed and given to new sets (a reload, `xdpfwd sets del`); forget the cached names. */
void consumer_forget_sets(struct consumer *c);
void consumer_free(struct consumer *c);

#endif
