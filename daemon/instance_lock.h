/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One daemon per interface and pin dir. The lock is an abstract unix socket
 * name: released by the kernel however the holder dies (kill -9 included),
 * nothing to clean up, and scoped to the network namespace like the
 * interface name it guards.
 */
#ifndef XDPFWD_INSTANCE_LOCK_H
#define XDPFWD_INSTANCE_LOCK_H

/* Returns the fd holding the lock, or -EBUSY (after saying who holds it) or another -errno. */
int instance_lock_iface(const char *pin_dir, const char *ifname);

#endif
