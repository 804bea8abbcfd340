/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XDPFWD_STATS_H
#define XDPFWD_STATS_H

#include "xdpfwd.h"

/* Sums the per-CPU copies of the global counters. */
int stats_read(int stats_fd, struct xdpfwd_stats *sum);

/* One line: "stats pass=N drop=N blocklist=N ... events sent=N suppressed=N lost=N". */
void stats_format_line(const struct xdpfwd_stats *s, char *buf, unsigned long len);

#endif
