/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP program's clock (see struct xdpfwd_entry): jiffies64 * ns_per_jiffy
 * when the kernel's HZ can be read from its config, else CLOCK_MONOTONIC.
 * The daemon sets the program's ns_per_jiffy from kclock_ns_per_jiffy(), and
 * everything that prints a time converts with kclock_to_monotonic(), so both
 * sides agree as long as they read the same kernel config.
 */
#ifndef XDPFWD_KCLOCK_H
#define XDPFWD_KCLOCK_H

#include <linux/types.h>

/* 1e9 / CONFIG_HZ from /proc/config.gz or /boot/config-$(uname -r); 0 if neither says. */
__u64 kclock_ns_per_jiffy(void);

/* An xdpfwd-clock time as CLOCK_MONOTONIC nanoseconds. */
__u64 kclock_to_monotonic(__u64 t);

#endif
