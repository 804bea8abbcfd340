/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XDPFWD_NETNS_H
#define XDPFWD_NETNS_H

#include <linux/types.h>

/*
 * Identity of the caller's network namespace (its nsfs inode). An ifindex
 * only means something inside one namespace, so records of attachments carry it.
 */
__u64 netns_current(void);

#endif
