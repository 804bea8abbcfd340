// SPDX-License-Identifier: GPL-2.0
/* xdpfwd metrics: one scrape on stdout, for cron jobs, ad-hoc checks and the tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "instance.h"
#include "commands.h"

static int parse(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_metrics(argc, argv, &o->status);

	o->pin_dir = o->status.pin_dir;
	return err;
}

static int run(struct xdpfwd_bpf *skel, struct cmd_opts *o)
{
	struct metrics_snapshot snap;
	int err;

	(void)o;
	err = metrics_collect(skel, &snap);
	if (err) {
		pr_warn("reading counters failed: %s\n", strerror(-err));
		return err;
	}
	err = metrics_write(stdout, &snap);
	if (!err && fflush(stdout))
		err = -EIO;
	if (err)
		pr_warn("writing the metrics to stdout failed\n");
	return err;
}

const struct cmd_ops cmd_metrics_ops = { .parse = parse, .run = run };
