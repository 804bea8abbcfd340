// SPDX-License-Identifier: GPL-2.0
/* xdpfwd detach: takes the firewall off interfaces; with the last one the pins go too. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "netns.h"
#include "instance.h"
#include "commands.h"

/* The recorded interface with this name, or 0; the record survives renumbering, the name is what operators type. */
static __u32 recorded_ifindex(int fd, const char *name)
{
	__u32 key, next, *prev = NULL;
	struct xdpfwd_iface rec;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &rec) && !strncmp(rec.name, name, sizeof(rec.name)))
			return key;
	}
	return 0;
}

static int detach_one(struct xdpfwd_bpf *skel, const char *name, __u32 recorded)
{
	int ifaces_fd = bpf_map__fd(skel->maps.ifaces);
	__u32 map_id = pinned_map_id(bpf_map__fd(skel->maps.stats));
	int ifindex, err = 0;
	struct xdpfwd_iface rec;

	if (recorded && !bpf_map_lookup_elem(ifaces_fd, &recorded, &rec) && rec.netns_ino &&
	    rec.netns_ino != netns_current()) {
		pr_warn("%s was attached from another network namespace (net:[%llu]); run detach inside it with "
			"nsenter --net=/run/netns/NAME xdpfwd detach ... (not ip netns exec, whose private /sys "
			"hides the pins)\n", name, (unsigned long long)rec.netns_ino);
		return -EXDEV;
	}
	ifindex = if_nametoindex(name);
	if (!ifindex && !recorded) {
		pr_warn("interface %s does not exist and is not part of this instance\n", name);
		return -ENODEV;
	}
	if (ifindex) {
		err = cli_error(attach_detach_ours(ifindex, name, map_id));
		if (err < 0)
			return err;
	}
	if (recorded)
		bpf_map_delete_elem(ifaces_fd, &recorded);
	if (ifindex && (__u32)ifindex != recorded)
		bpf_map_delete_elem(ifaces_fd, &ifindex);
	if (err == 1)
		pr_info("%s: detached\n", name);
	else if (recorded)
		pr_info("%s: forgotten (it was no longer attached)\n", name);
	return 0;
}

static int parse(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_detach(argc, argv, &o->detach);

	o->pin_dir = o->detach.pin_dir;
	return err;
}

static int run(struct xdpfwd_bpf *skel, struct cmd_opts *co)
{
	const struct detach_opts *o = &co->detach;
	struct xdpfwd_iface rec;
	__u32 key, next;
	int err = 0, lock, fd, i;

	lock = pin_dir_lock(o->pin_dir);
	if (lock < 0)
		return lock;
	fd = bpf_map__fd(skel->maps.ifaces);
	if (o->all) {
		while (!err && !bpf_map_get_next_key(fd, NULL, &next)) {
			key = next;
			if (bpf_map_lookup_elem(fd, &key, &rec)) {
				bpf_map_delete_elem(fd, &key);
				continue;
			}
			err = detach_one(skel, rec.name, key);
		}
	}
	for (i = 0; i < o->n_ifaces && !err; i++)
		err = detach_one(skel, o->ifname[i], recorded_ifindex(fd, o->ifname[i]));
	if (!err && bpf_map_get_next_key(fd, NULL, &next) && errno == ENOENT) {
		err = cli_error(pinned_remove_all(skel, o->pin_dir));
		if (!err)
			pr_info("no interface left: removed the pins under %s\n", o->pin_dir);
	}
	pin_dir_unlock(lock);
	return err;
}

const struct cmd_ops cmd_detach_ops = { .parse = parse, .run = run };
