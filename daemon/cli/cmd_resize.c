// SPDX-License-Identifier: GPL-2.0
/* xdpfwd resize: the blocklist's exact hashes and tries to another size, under the pin dir lock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "instance.h"
#include "commands.h"

static int parse(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_resize(argc, argv, &o->resize);

	o->pin_dir = o->resize.pin_dir;
	return err;
}

/* Without sizes: those past the threshold grow, as the daemon would grow them. */
static int wanted(struct xdpfwd_bpf *skel, const struct resize_opts *o, __u32 want[CAP_MAPS])
{
	struct capacity_fill f;
	int i, err, any = 0;

	for (i = 0; i < CAP_MAPS; i++) {
		want[i] = o->capacity[i];
		any |= !!want[i];
	}
	if (any)
		return 0;
	err = cli_error(capacity_fill_read(skel, &f, true));
	for (i = 0; !err && i < CAP_MAPS; i++)
		want[i] = capacity_target(f.max[i], f.entries[i]);
	return err;
}

static void report(const struct capacity_resize_report *r, int json)
{
	int i;

	if (json) {
		printf("{\"resized\":%s,\"maps\":{", r->resized ? "true" : "false");
		for (i = 0; i < CAP_MAPS; i++)
			printf("%s\"%s\":{\"from\":%u,\"to\":%u,\"entries\":%zu}", i ? "," : "",
			       capacity_map_name(i), r->from[i], r->to[i], r->entries[i]);
		printf("},\"late\":%zu,\"programs\":%d,\"old_prog_id\":%u,\"new_prog_id\":%u,\"ms\":%.1f}\n",
		       r->late, r->programs, r->old_prog_id, r->new_prog_id, r->ms);
		return;
	}
	for (i = 0; i < CAP_MAPS; i++)
		printf("%s: %u -> %u entries (holds %zu)\n", capacity_map_name(i), r->from[i], r->to[i],
		       r->entries[i]);
	if (!r->resized) {
		printf("nothing to do: the sizes are those already\n");
		return;
	}
	if (r->programs)
		printf("program %u swapped for %u in place%s; %zu ban%s made during the copy carried over; took "
		       "%.1f ms\n", r->old_prog_id, r->new_prog_id, r->programs > 1 ? " (and the other daemons')" : "",
		       r->late, r->late == 1 ? "" : "s", r->ms);
	else
		printf("no program runs: the new maps are pinned for the next start; took %.1f ms\n", r->ms);
}

static int run(struct xdpfwd_bpf *skel, struct cmd_opts *o)
{
	struct capacity_resize_report r;
	__u32 want[CAP_MAPS];
	int lock, err;

	/* The CLI's edits and the daemon's tasks wait until the new maps are the pinned ones. */
	lock = pin_dir_lock(o->pin_dir);
	if (lock < 0)
		return lock;
	err = wanted(skel, &o->resize, want);
	if (!err)
		err = cli_error(capacity_resize(o->pin_dir, want, &r));
	pin_dir_unlock(lock);
	if (!err)
		report(&r, o->resize.json);
	return err;
}

const struct cmd_ops cmd_resize_ops = { .parse = parse, .run = run };
