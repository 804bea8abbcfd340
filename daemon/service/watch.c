// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "instance.h"
#include "watch.h"

/* `xdpfwd detach` deletes the record first: that is the operator's word, not tampering. */
static int still_recorded(struct watch *w, int i)
{
	struct xdpfwd_iface rec;
	__u32 key = w->ifindex[i];

	return !bpf_map_lookup_elem(bpf_map__fd(w->skel->maps.ifaces), &key, &rec);
}

static void reattach(struct watch *w, int i, int ifindex)
{
	const char *name = w->o->ifname[i];
	__u32 key = w->ifindex[i];
	int err;

	err = attach_with_libxdp(w->xprog, ifindex, name, w->mode[i] == XDP_MODE_SKB ? MODE_SKB : w->o->mode,
				 &w->mode[i]);
	if (daemon_log_error(err))
		return;	/* tried again next round */
	if (ifindex != w->ifindex[i]) {
		bpf_map_delete_elem(bpf_map__fd(w->skel->maps.ifaces), &key);
		/* Same name, same slot: its counters carry on across the new ifindex. */
		err = iface_slots_update(w->skel, i, ifindex);
		if (err)
			pr_warn("%s: counting under the new ifindex %d failed: %s; its packets count as "
				"\"other interfaces\" until the next start\n", name, ifindex, strerror(-err));
	}
	w->ifindex[i] = ifindex;
	daemon_log_error(pinned_record_iface(w->skel, name, ifindex, attach_mode_record(w->mode[i]), w->prog_id,
					     w->stats_slot[i]));
	w->state[i] = WATCH_OK;
	pr_warn("%s: re-attached program %u (%s mode)\n", name, w->prog_id, attach_mode_name(w->mode[i]));
}

/* Says once why an interface cannot be checked (EMFILE says so), not every round. */
static void cannot_check(struct watch *w, int i, int err, const char *what)
{
	if (w->err[i] != err)
		pr_warn("%s: %s failed: %s%s; it is not watched until this clears\n", w->o->ifname[i], what,
			strerror(-err), attach_fd_hint(err));
	w->err[i] = err;
}

/*
 * What runs on the interface, looked at closely only when the kernel's
 * answer (one netlink request, no descriptor) names another program than
 * last time: program ids are not reused while the old program exists.
 */
static int look(struct watch *w, int i, int ifindex, struct attach_info *ai)
{
	enum xdp_attach_mode mode;
	__u32 id;
	int err;

	err = attach_query(ifindex, &id, &mode);
	if (err) {
		cannot_check(w, i, err, "querying its XDP program");
		return err;
	}
	if (id != w->seen[i].prog_id || mode != w->seen[i].mode) {
		err = attach_describe(ifindex, id, mode, w->our_map_id, &w->seen[i]);
		if (err) {
			memset(&w->seen[i], 0, sizeof(w->seen[i]));
			/* -ENOENT: replaced again while we looked; the next round sees the new one. */
			if (err != -ENOENT)
				cannot_check(w, i, err, "inspecting its XDP program");
			return err;
		}
	}
	*ai = w->seen[i];
	return 0;
}

/*
 * if_nametoindex() with a reliable errno: glibc's, when it cannot open its
 * socket (EMFILE), fails with whatever its fallbacks left (ENOENT), which
 * reads as "no such interface". 0 with *ifindex 0: there is none.
 */
static int iface_index(const char *name, int *ifindex)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	*ifindex = 0;
	/* AF_UNIX: the unit's RestrictAddressFamilies= allows it; the ioctl is the device layer's anyway. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (!ioctl(fd, SIOCGIFINDEX, &ifr))
		*ifindex = ifr.ifr_ifindex;
	else if (errno != ENODEV)
		err = -errno;
	close(fd);
	return err;
}

static void check_iface(struct watch *w, int i)
{
	const char *name = w->o->ifname[i];
	struct attach_info ai;
	int ifindex, err;

	if (w->state[i] == WATCH_RELEASED)
		return;
	if (w->state[i] != WATCH_GONE && !still_recorded(w, i)) {
		pr_info("%s: detached by `xdpfwd detach`; no longer keeping it\n", name);
		w->state[i] = WATCH_RELEASED;
		return;
	}
	err = iface_index(name, &ifindex);
	if (err) {
		cannot_check(w, i, err, "looking up the interface");
		return;
	}
	if (!ifindex) {
		if (w->state[i] != WATCH_GONE)
			pr_warn("%s: interface disappeared; xdpfwd will attach again when it returns\n", name);
		w->state[i] = WATCH_GONE;
		w->err[i] = 0;
		return;
	}
	if (look(w, i, ifindex, &ai))
		return;
	if (w->err[i])
		pr_info("%s: watched again\n", name);
	w->err[i] = 0;
	if (ai.kind == ATTACH_OURS) {
		w->state[i] = WATCH_OK;
		return;
	}
	if (ai.kind == ATTACH_FOREIGN && !ai.dispatcher) {
		if (w->state[i] != WATCH_FOREIGN)
			pr_warn("%s: program '%s' (id %u) replaced xdpfwd; leaving it (restart xdpfwd with --force to take over)\n",
				name, ai.foreign_name, ai.foreign_id);
		w->state[i] = WATCH_FOREIGN;
		return;
	}
	if (w->state[i] == WATCH_GONE)
		pr_warn("%s: interface is back (ifindex %d)\n", name, ifindex);
	else
		pr_warn("%s: xdpfwd was detached behind its back\n", name);
	reattach(w, i, ifindex);
}

/* Any of the instance's pins (program, shared maps, our ring buffer) missing? */
static int pins_missing(struct watch *w)
{
	char path[PATH_MAX];
	struct bpf_map *map;

	if (pin_path(path, sizeof(path), w->o->pin_dir, XDPFWD_PROG_PIN) || access(path, F_OK))
		return 1;
	bpf_object__for_each_map(map, w->skel->obj) {
		if (bpf_map__is_internal(map) || map == w->skel->maps.events)
			continue;
		if (pin_path(path, sizeof(path), w->o->pin_dir, bpf_map__name(map)) || access(path, F_OK))
			return 1;
	}
	return 0;
}

/*
 * Pins removed by hand are put back from the fds the daemon still holds:
 * otherwise the CLI loses the instance, and the next start would create an
 * empty map in place of the missing one.
 */
static void check_pins(struct watch *w)
{
	int created;

	if (!pins_missing(w))
		return;
	pr_warn("pins under %s were removed; pinning again\n", w->o->pin_dir);
	if (pin_dir_create(w->o->pin_dir, &created))
		return;
	if (!daemon_log_error(pinned_pin_new(w->skel, w->o->pin_dir, w->o->ifname[0])))
		daemon_log_error(pinned_pin_prog(xdp_program__fd(w->xprog), w->o->pin_dir));
}

int watch_check(struct watch *w)
{
	int i, kept = 0;

	for (i = 0; i < w->o->n_ifaces; i++) {
		check_iface(w, i);
		kept += w->state[i] != WATCH_RELEASED;
	}
	if (kept)
		check_pins(w);
	return kept;
}
