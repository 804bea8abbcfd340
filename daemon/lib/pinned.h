/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinned maps of one instance. The skeleton is the single description of
 * their types and sizes: pins are checked against it before they are reused,
 * so a map of another layout or another program is refused, not misread.
 */
#ifndef XDPFWD_PINNED_H
#define XDPFWD_PINNED_H

#include <linux/types.h>

struct xdpfwd_bpf;

/*
 * Opens the skeleton and makes each of its maps reuse the pin under dir, if
 * any; *found counts the shared ones. obj_path, if not NULL, is a BPF object
 * file to use instead of the embedded one (an upgrade or a test build of the
 * same source). events_owner names the daemon whose ring buffer to reuse (its
 * first interface); NULL leaves the ring buffer alone. A NULL dir reuses
 * nothing. Pins of another shape or layout: -EINVAL or -EPROTO after saying so.
 */
int pinned_open_reuse(const char *dir, const char *obj_path, const char *events_owner, struct xdpfwd_bpf **skel,
		      int *found);

/* Destroys a skeleton from pinned_open_reuse/pinned_open_all (NULL is fine). */
void pinned_close(struct xdpfwd_bpf *skel);

/* For commands: every map must be pinned already. Prints the reason on failure. */
int pinned_open_all(const char *dir, struct xdpfwd_bpf **skel);

/* After load: pins the maps that were created rather than reused (or whose pin was removed), 0600, and stamps the layout. */
int pinned_pin_new(struct xdpfwd_bpf *skel, const char *dir, const char *events_owner);

/* Pins prog_fd as dir/prog, replacing an older pin atomically. */
int pinned_pin_prog(int prog_fd, const char *dir);

/* Removes every pin of the instance and the directory. */
int pinned_remove_all(struct xdpfwd_bpf *skel, const char *dir);

/* Records an attachment in the ifaces map (mode: XDPFWD_MODE_*), with this process's netns and its stats slot. */
int pinned_record_iface(struct xdpfwd_bpf *skel, const char *name, int ifindex, __u32 mode, __u32 prog_id,
			__u32 stats_slot);

/*
 * 1 if prog_id is an xdpfwd program that no instance ever published: a start
 * killed between attaching and pinning leaves one behind, attached, its maps
 * pinned nowhere. The evidence, all of it: the program's name, BTF describing
 * struct xdpfwd_meta, every map it uses one of the skeleton's by name and
 * shape, a meta map never stamped (a published instance's always is, so an
 * instance of another pin dir stays foreign), and no other process holding
 * the program (a daemon still starting on another pin dir does).
 */
int pinned_is_orphan(struct xdpfwd_bpf *skel, __u32 prog_id);

/* Kernel id of a map (0 on error). */
unsigned int pinned_map_id(int map_fd);

#endif
