/* SPDX-License-Identifier: GPL-2.0 */
/* Times the program records, in the words people read. */
#ifndef XDPFWD_TIME_FORMAT_H
#define XDPFWD_TIME_FORMAT_H

#include <linux/types.h>

/* A time as the program records it (common/kclock.h) as UTC "2026-11-23T17:00:00.123Z". */
void time_format_mono(__u64 mono_ns, char *buf, unsigned long len);

#endif
