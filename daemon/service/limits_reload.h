/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When the daemon's flood defense settings (lib/limits_config.h: its
 * --limit-* options with the lines of its --limits-file over them) apply:
 * read at start and again at SIGHUP, written to the instance's "limits" map
 * (lib/rate_limits.h). A daemon given neither owns no settings and leaves
 * the map as it finds it (`xdpfwd limit set` on a hand-run instance stays);
 * one given either makes the map its settings at start and at every SIGHUP.
 */
#ifndef XDPFWD_LIMITS_RELOAD_H
#define XDPFWD_LIMITS_RELOAD_H

#include "daemon.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;

/* Pin dir lock held. `when`: "start" or "SIGHUP", for the log line saying what now applies. */
int limits_config_apply(struct xdpfwd_bpf *skel, const struct xdpfwd_limits *l, const char *when);

/* SIGHUP: read again and apply; a bad file keeps the running limits and says why. */
void limits_config_reload(struct xdpfwd_bpf *skel, const struct daemon_opts *o);

#endif
