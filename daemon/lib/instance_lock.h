/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One daemon per interface and instance. The lock is an flock on a directory
 * inside the pin dir, named after the interface's identity: only root can
 * create or open anything in the pin dir (0700 root, on bpffs), the kernel
 * releases the lock however its holder dies (kill -9 included), and being
 * inside the pin dir keys it by the directory itself, not by how --pin-dir is
 * spelled (DIR, DIR/, a path through a symlink, a bind mount).
 */
#ifndef XDPFWD_INSTANCE_LOCK_H
#define XDPFWD_INSTANCE_LOCK_H

#include <stdbool.h>
#include <stddef.h>

/* The prefix of the lock directories in the pin dir ("lock_" + instance_iface_id with the netns). */
#define INSTANCE_LOCK_PREFIX "lock_"

/* Room for instance_iface_id(): a 15-byte name all escaped, "@" and a 64-bit number. */
#define INSTANCE_IFACE_ID_MAX (3 * 15 + 22)

/*
 * An interface's identity in this network namespace, spelled for a bpffs
 * name: the name with every byte but [A-Za-z0-9_-] as %XX (bpffs refuses '.',
 * and eth0.100 and eth0_100 must differ), then "@" and the namespace's inode
 * number when with_netns or when the caller is not in the initial network
 * namespace. So names of distinct interfaces never collide, and those of the
 * common case (a plain name in the host's namespace) read as themselves.
 */
int instance_iface_id(const char *ifname, bool with_netns, char *buf, size_t len);

/*
 * Takes the lock of ifname in the existing pin dir. Returns the fd holding
 * it, or -EBUSY (after saying who holds it) or another -errno.
 */
int instance_lock_iface(const char *pin_dir, const char *ifname);

/*
 * Removes the lock directories of the pin dir: all of them when the instance
 * goes away (with_held: a daemon still holding one is exiting, its last
 * interface detached), else only those no daemon holds.
 */
int instance_lock_remove_all(const char *pin_dir, bool with_held);

#endif
