// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "log.h"
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

static bool prog_uses_map(__u32 prog_id, __u32 map_id)
{
	__u32 ids[64] = {}, len;
	struct bpf_prog_info info;
	bool found = false;
	int fd, i;

	if (!map_id)
		return false;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		for (i = 0; i < (int)info.nr_map_ids && i < 64; i++)
			found |= ids[i] == map_id;
	close(fd);
	return found;
}

static void note_prog(struct attach_info *ai, struct xdp_program *p, __u32 our_map_id)
{
	__u32 id = xdp_program__id(p);

	ai->nprogs++;
	if (prog_uses_map(id, our_map_id)) {
		ai->ours_id = id;
		ai->kind = ATTACH_OURS;
	} else if (!ai->foreign_id) {
		ai->foreign_id = id;
		snprintf(ai->foreign_name, sizeof(ai->foreign_name), "%s", xdp_program__name(p));
	}
}

int attach_inspect(int ifindex, __u32 our_map_id, struct attach_info *ai)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int err;

	memset(ai, 0, sizeof(*ai));
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err) {
		if (err == -ENOENT)
			return 0;
		pr_warn("querying XDP programs on ifindex %d failed: %s\n", ifindex, strerror(-err));
		return err;
	}
	ai->mode = xdp_multiprog__attach_mode(mp);
	ai->dispatcher = !xdp_multiprog__is_legacy(mp);
	if (ai->dispatcher) {
		for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
			note_prog(ai, p, our_map_id);
	} else if (xdp_multiprog__main_prog(mp)) {
		note_prog(ai, xdp_multiprog__main_prog(mp), our_map_id);
	}
	/* Ours next to another program is fine under the dispatcher; only a lone foreign program blocks us. */
	if (ai->kind != ATTACH_OURS && ai->nprogs)
		ai->kind = ATTACH_FOREIGN;
	xdp_multiprog__close(mp);
	return 0;
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
		pr_info("%s: the driver has no native XDP support; using generic (skb) mode, which is slower\n",
			ifname);
		*used = XDP_MODE_SKB;
		err = attach_mode(xprog, ifindex, *used);
	}
	if (!err || attach_raced(err))
		return err;
	if (err == -EOPNOTSUPP && req == MODE_NATIVE)
		pr_warn("attaching to %s in native mode failed: the driver does not support native XDP; try --mode skb\n",
			ifname);
	else if (err == -EPERM || err == -EACCES)
		pr_warn("attaching to %s failed: %s; run as root (CAP_BPF, CAP_NET_ADMIN)\n", ifname, strerror(-err));
	else
		pr_warn("attaching to %s in %s mode failed: %s%s\n", ifname, attach_mode_name(*used),
			strerror(-err), req == MODE_NATIVE ? "; try --mode skb" : "");
	return err;
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
			pr_warn("%s: opening the attached program (id %u) failed: %s\n", ifname, ai->ours_id,
				strerror(-err));
		return err;
	}
	opts.old_prog_fd = old_fd;
	/* REPLACE fails if someone swapped the program since we looked, instead of clobbering theirs. */
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_REPLACE | mode_flags(ai->mode), &opts);
	close(old_fd);
	if (err && !attach_raced(err))
		pr_warn("%s: replacing program %u failed: %s; the old program stays attached\n",
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
		pr_info("%s: xdpfwd is not attached; nothing to detach\n", ifname);
		return 0;
	}
	if (ai.dispatcher) {
		err = attach_remove_old_from_dispatcher(ifindex, ai.ours_id);
	} else {
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
		int fd = bpf_prog_get_fd_by_id(ai.ours_id);

		if (fd < 0)
			return -errno;
		opts.old_prog_fd = fd;
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_REPLACE | mode_flags(ai.mode), &opts);
		close(fd);
	}
	if (err) {
		pr_warn("%s: detaching xdpfwd failed: %s\n", ifname, strerror(-err));
		return err;
	}
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
		pr_warn("%s: removing the existing XDP program failed: %s\n", ifname, strerror(-err));
	return err;
}
