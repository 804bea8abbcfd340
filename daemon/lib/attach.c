// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "lib_error.h"
#include "attach.h"
#include "xdpfwd.h"

const char *attach_mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "none";
	}
}

__u32 attach_mode_record(enum xdp_attach_mode mode)
{
	return mode == XDP_MODE_SKB ? XDPFWD_MODE_SKB : XDPFWD_MODE_NATIVE;
}

/*
 * Everything here reads through bpf_xdp_query and descriptors we open and
 * close ourselves. libxdp 1.3.1's xdp_multiprog__get_from_ifindex() keeps one
 * program descriptor per call (xdp-tools #343, fixed after 1.3.1): the
 * watcher's 5 looks a second exhausted a 1024 limit in about 3 minutes.
 */
#define MAX_DISPATCHED 10	/* libxdp's MAX_DISPATCHER_ACTIONS */
#define DISPATCHER_NAME "xdp_dispatcher"

static void note_prog(struct attach_info *ai, int fd, __u32 our_map_id)
{
	__u32 ids[64] = {}, len = sizeof(struct bpf_prog_info);
	struct bpf_prog_info info = {};
	bool ours = false;
	__u32 i;

	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	for (i = 0; our_map_id && i < info.nr_map_ids && i < 64; i++)
		ours |= ids[i] == our_map_id;
	ai->nprogs++;
	if (ours) {
		ai->ours_id = info.id;
		ai->kind = ATTACH_OURS;
	} else if (!ai->foreign_id) {
		ai->foreign_id = info.id;
		snprintf(ai->foreign_name, sizeof(ai->foreign_name), "%s", info.name);
	}
}

/*
 * libxdp pins a dispatcher's programs as DIR/dispatch-IFINDEX-ID/progN-prog;
 * 0 if it found that directory. The directory is libxdp's bpffs one:
 * $LIBXDP_BPFFS, else /sys/fs/bpf/xdp.
 */
static int note_dispatched(struct attach_info *ai, int ifindex, __u32 dispatcher_id, __u32 our_map_id)
{
	const char *bpffs = getenv("LIBXDP_BPFFS") ?: "/sys/fs/bpf/xdp";
	char path[PATH_MAX];
	int i, fd;

	for (i = 0; i < MAX_DISPATCHED; i++) {
		snprintf(path, sizeof(path), "%s/dispatch-%d-%u/prog%d-prog", bpffs, ifindex, dispatcher_id, i);
		fd = bpf_obj_get(path);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE))
			return -errno;
		if (fd < 0)
			return i ? 0 : -ENOENT;	/* past the last one, or no pins at all */
		note_prog(ai, fd, our_map_id);
		close(fd);
	}
	return 0;
}

int attach_query(int ifindex, __u32 *prog_id, enum xdp_attach_mode *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err;

	*prog_id = 0;
	*mode = XDP_MODE_UNSPEC;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	/* Native wins over generic, as libxdp reports it; an offloaded program alone is not looked at. */
	if (q.drv_prog_id) {
		*prog_id = q.drv_prog_id;
		*mode = XDP_MODE_NATIVE;
	} else if (q.skb_prog_id) {
		*prog_id = q.skb_prog_id;
		*mode = XDP_MODE_SKB;
	}
	return 0;
}

int attach_describe(int ifindex, __u32 prog_id, enum xdp_attach_mode mode, __u32 our_map_id,
		    struct attach_info *ai)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	memset(ai, 0, sizeof(*ai));
	ai->prog_id = prog_id;
	ai->mode = mode;
	if (!prog_id)
		return 0;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;	/* -ENOENT: gone since the query */
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	if (!strcmp(info.name, DISPATCHER_NAME)) {
		ai->dispatcher = true;
		err = note_dispatched(ai, ifindex, prog_id, our_map_id);
		if (err == -ENOENT) {
			/* No pins to read its programs from: libxdp treats it as one program, so do we. */
			ai->dispatcher = false;
			err = 0;
		} else if (err) {
			goto out;
		}
	}
	if (!ai->dispatcher)
		note_prog(ai, fd, our_map_id);
	/* Ours next to another program is fine under the dispatcher; only a lone foreign program blocks us. */
	if (ai->kind != ATTACH_OURS && ai->nprogs)
		ai->kind = ATTACH_FOREIGN;
out:
	close(fd);
	return err;
}

int attach_inspect(int ifindex, __u32 our_map_id, struct attach_info *ai)
{
	enum xdp_attach_mode mode;
	__u32 id;
	int err, tries;

	/* A program replaced between the query and opening it by id: ask again. */
	for (tries = 0; tries < 3; tries++) {
		err = attach_query(ifindex, &id, &mode);
		if (!err)
			err = attach_describe(ifindex, id, mode, our_map_id, ai);
		if (err != -ENOENT)
			break;
	}
	if (err)
		return lib_error_set(err, "querying XDP programs on ifindex %d failed: %s%s", ifindex, strerror(-err),
				     attach_fd_hint(err));
	return 0;
}

const char *attach_fd_hint(int err)
{
	if (err == -EMFILE)
		return "; the process is out of file descriptors (raise LimitNOFILE= / ulimit -n)";
	if (err == -ENFILE)
		return "; the system is out of file descriptors (fs.file-max)";
	return "";
}

static int attach_mode(struct xdp_program *xprog, int ifindex, enum xdp_attach_mode mode)
{
	return xdp_program__attach(xprog, ifindex, mode, 0);
}

int attach_with_libxdp(struct xdp_program *xprog, int ifindex, const char *ifname,
		       enum mode_request req, enum xdp_attach_mode *used)
{
	int err;

	*used = req == MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	err = attach_mode(xprog, ifindex, *used);
	if (err == -EOPNOTSUPP && req == MODE_AUTO) {
		lib_notice("%s: the driver has no native XDP support; using generic (skb) mode, which is slower",
			   ifname);
		*used = XDP_MODE_SKB;
		err = attach_mode(xprog, ifindex, *used);
	}
	if (!err || attach_raced(err))
		return err;
	if (err == -EOPNOTSUPP && req == MODE_NATIVE)
		return lib_error_set(err, "attaching to %s in native mode failed: the driver does not support native XDP; try --mode skb",
				     ifname);
	if (err == -EPERM || err == -EACCES)
		return lib_error_set(err, "attaching to %s failed: %s; run as root (CAP_BPF, CAP_NET_ADMIN)", ifname,
				     strerror(-err));
	return lib_error_set(err, "attaching to %s in %s mode failed: %s%s", ifname, attach_mode_name(*used),
			     strerror(-err), req == MODE_NATIVE ? "; try --mode skb" : "");
}

static __u32 mode_flags(enum xdp_attach_mode mode)
{
	return mode == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE :
	       mode == XDP_MODE_HW ? XDP_FLAGS_HW_MODE : XDP_FLAGS_DRV_MODE;
}

int attach_replace_single(int prog_fd, int ifindex, const char *ifname, const struct attach_info *ai)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	int old_fd, err;

	old_fd = bpf_prog_get_fd_by_id(ai->ours_id);
	if (old_fd < 0) {
		err = -errno;
		if (!attach_raced(err))	/* -ENOENT: it is gone, detached and freed */
			lib_error_set(err, "%s: opening the attached program (id %u) failed: %s", ifname, ai->ours_id,
				      strerror(-err));
		return err;
	}
	opts.old_prog_fd = old_fd;
	/* REPLACE fails if someone swapped the program since we looked, instead of clobbering theirs. */
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_REPLACE | mode_flags(ai->mode), &opts);
	close(old_fd);
	if (err && !attach_raced(err))
		lib_error_set(err, "%s: replacing program %u failed: %s; the old program stays attached",
			      ifname, ai->ours_id, strerror(-err));
	return err;
}

static struct xdp_program *find_in_dispatcher(struct xdp_multiprog *mp, __u32 id)
{
	struct xdp_program *p;

	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
		if (xdp_program__id(p) == id)
			return p;
	return NULL;
}

int attach_remove_old_from_dispatcher(int ifindex, __u32 old_id)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	int err = libxdp_get_error(mp);

	if (err)
		return err;
	p = find_in_dispatcher(mp, old_id);
	err = p ? xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0) : 0;
	xdp_multiprog__close(mp);
	return err;
}

int attach_detach_ours(int ifindex, const char *ifname, __u32 our_map_id)
{
	struct attach_info ai;
	int err;

	err = attach_inspect(ifindex, our_map_id, &ai);
	if (err)
		return err;
	if (ai.kind != ATTACH_OURS) {
		lib_notice("%s: xdpfwd is not attached; nothing to detach", ifname);
		return 0;
	}
	if (ai.dispatcher) {
		err = attach_remove_old_from_dispatcher(ifindex, ai.ours_id);
	} else {
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
		int fd = bpf_prog_get_fd_by_id(ai.ours_id);

		opts.old_prog_fd = fd;
		err = fd < 0 ? -errno : bpf_xdp_detach(ifindex, XDP_FLAGS_REPLACE | mode_flags(ai.mode), &opts);
		if (fd >= 0)
			close(fd);
	}
	if (err)
		return lib_error_set(err, "%s: detaching xdpfwd failed: %s", ifname, strerror(-err));
	return 1;
}

int attach_remove_all(int ifindex, const char *ifname)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	int err = libxdp_get_error(mp);

	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	err = xdp_multiprog__detach(mp);
	xdp_multiprog__close(mp);
	if (err && !attach_raced(err))	/* replaced meanwhile: the caller looks again */
		lib_error_set(err, "%s: removing the existing XDP program failed: %s", ifname, strerror(-err));
	return err;
}
