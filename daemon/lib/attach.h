/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attaching the program to interfaces through libxdp: with libxdp's
 * dispatcher where the kernel supports it (sharing the interface with other
 * libxdp programs), else as the interface's only program, in which case
 * a program that is not ours is never replaced without --force.
 */
#ifndef XDPFWD_ATTACH_H
#define XDPFWD_ATTACH_H

#include <errno.h>
#include <stdbool.h>
#include <linux/types.h>
#include <xdp/libxdp.h>

enum attach_kind {
	ATTACH_NONE,
	ATTACH_OURS,		/* a program that uses this instance's maps */
	ATTACH_FOREIGN,
};

enum mode_request {
	MODE_AUTO,
	MODE_NATIVE,
	MODE_SKB,
};

struct attach_info {
	enum attach_kind kind;
	__u32 prog_id;			/* what the kernel runs: ours, a foreign one or the dispatcher; 0: none */
	bool dispatcher;		/* libxdp's multi-program dispatcher is in use */
	enum xdp_attach_mode mode;
	__u32 ours_id;			/* our program's id, if attached */
	__u32 foreign_id;		/* first program that is not ours */
	char foreign_name[16];
	int nprogs;			/* programs on the interface */
};

/*
 * What runs on ifindex; "ours" means it uses the map with id our_map_id (0 matches nothing).
 * Holds no descriptor after it returns (libxdp 1.3.1's multiprog lookup leaks one a call).
 */
int attach_inspect(int ifindex, __u32 our_map_id, struct attach_info *ai);

/* The id of the program the kernel runs on ifindex (0: none) and its mode: one netlink request, no descriptor. */
int attach_query(int ifindex, __u32 *prog_id, enum xdp_attach_mode *mode);

/* attach_inspect for a program attach_query found; -ENOENT if it went away meanwhile. Prints nothing. */
int attach_describe(int ifindex, __u32 prog_id, enum xdp_attach_mode mode, __u32 our_map_id,
		    struct attach_info *ai);

/* "; the process is out of file descriptors ..." for -EMFILE/-ENFILE, else "": appended to messages. */
const char *attach_fd_hint(int err);

/*
 * The errors that mean the interface's XDP state changed since it was
 * inspected: -EEXIST or -EBUSY (another program is attached, or not the one
 * expected), -ENOENT (the expected program is gone), -ENODEV (so is the
 * interface). The functions below return them without a message: only a
 * new look says what is true now.
 */
static inline bool attach_raced(int err)
{
	return err == -EEXIST || err == -EBUSY || err == -ENOENT || err == -ENODEV;
}

/* Attaches through libxdp (which loads the program on first use), falling back from native to skb in auto mode. */
int attach_with_libxdp(struct xdp_program *xprog, int ifindex, const char *ifname,
		       enum mode_request req, enum xdp_attach_mode *used);

/* Swaps our old program for prog_fd in one netlink call: no instant without a filter. */
int attach_replace_single(int prog_fd, int ifindex, const char *ifname, const struct attach_info *ai);

/* After a new program of ours joined the dispatcher: takes the old one out. */
int attach_remove_old_from_dispatcher(int ifindex, __u32 old_id);

/* Detaches our program from ifindex, leaving other programs alone: 1 if it did, 0 if it was not there. */
int attach_detach_ours(int ifindex, const char *ifname, __u32 our_map_id);

/* --force: removes whatever is attached (a raced error, see attach_raced, without a message). */
int attach_remove_all(int ifindex, const char *ifname);

const char *attach_mode_name(enum xdp_attach_mode mode);
/* The XDPFWD_MODE_* value recorded in the ifaces map. */
__u32 attach_mode_record(enum xdp_attach_mode mode);

#endif
