/* SPDX-License-Identifier: GPL-2.0 */
/* Words for the program's enums, as they appear in logs, status and metrics. */
#ifndef XDPFWD_NAMES_H
#define XDPFWD_NAMES_H

#include <linux/types.h>

const char *action_name(unsigned int action);
const char *reason_name(unsigned int reason);
/* "udp", "tcp", "icmp", "ipv6-icmp", ... or NULL for a number the caller prints. */
const char *proto_name(unsigned int proto);

/* A time as the program records it (common/kclock.h) as UTC "2026-11-23T17:00:00.123Z". */
void time_format_mono(__u64 mono_ns, char *buf, unsigned long len);

#endif
