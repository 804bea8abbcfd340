/* SPDX-License-Identifier: GPL-2.0 */
/* Where an xdpfwd instance keeps its pins, and making sure that place is a safe bpffs directory. */
#ifndef XDPFWD_PIN_DIR_H
#define XDPFWD_PIN_DIR_H

#include <stddef.h>

#define XDPFWD_DEFAULT_PIN_DIR "/sys/fs/bpf/xdpfwd"
#define XDPFWD_BPFFS_ROOT "/sys/fs/bpf"
#define XDPFWD_PROG_PIN "prog"

/* dir/name into buf; -ENAMETOOLONG if it does not fit. */
int pin_path(char *buf, size_t len, const char *dir, const char *name);

/* Mounts bpffs on /sys/fs/bpf if the pin dir lives there and nothing is mounted yet. */
int pin_dir_ensure_bpffs(const char *dir);

/*
 * Creates the pin dir (0700) if missing; *created says whether it did. Refuses
 * a pin dir that is not on bpffs, not a directory, not owned by root or open to others.
 */
int pin_dir_create(const char *dir, int *created);

/*
 * The daemon's way in: creates the pin dir like pin_dir_create, then holds its
 * lock (the fd) on the directory that is at the path once the lock is taken,
 * so two daemons starting at once on a fresh pin dir share one instance.
 */
int pin_dir_create_locked(const char *dir, int *created);

/* For commands that only use existing pins: 0, or -ENOENT with a message if there are none. */
int pin_dir_check(const char *dir);

/* Serialises edits of one instance's maps across processes (flock on the pin dir). */
int pin_dir_lock(const char *dir);
/* The same without waiting or messages: -EWOULDBLOCK when another process holds it. */
int pin_dir_trylock(const char *dir);
void pin_dir_unlock(int fd);

#endif
