/* SPDX-License-Identifier: GPL-2.0 */
/* One log line per ring-buffer event, as text or as a JSON object. */
#ifndef XDPFWD_EVENT_FORMAT_H
#define XDPFWD_EVENT_FORMAT_H

#include "cli_options.h"
#include "xdpfwd.h"

#define EVENT_LINE_MAX 320

/* ifname may be NULL (unknown interface): the index is printed instead. */
void event_format(const struct xdpfwd_event *ev, const char *ifname, enum log_format fmt,
		  char *buf, unsigned long len);

#endif
