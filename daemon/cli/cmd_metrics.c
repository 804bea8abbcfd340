// SPDX-License-Identifier: GPL-2.0
/* xdpfwd metrics: one scrape on stdout, for cron jobs, ad-hoc checks and the tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "privs.h"
#include "pinned.h"
#include "metrics.h"
#include "commands.h"

int cmd_metrics(int argc, char **argv)
{
	struct metrics_snapshot snap;
	struct xdpfwd_bpf *skel = NULL;
	struct status_opts o;
	int err;

	err = cli_parse_metrics(argc, argv, &o);
	if (err)
		return err;
	err = privs_check("xdpfwd metrics");
	if (!err)
		err = pinned_open_all(o.pin_dir, &skel);
	if (err)
		goto out;
	err = metrics_collect(skel, &snap);
	if (err) {
		pr_warn("reading counters failed: %s\n", strerror(-err));
		goto out;
	}
	err = metrics_write(stdout, &snap);
	if (!err && fflush(stdout))
		err = -1;
	if (err)
		pr_warn("writing the metrics to stdout failed\n");
out:
	xdpfwd_bpf__destroy(skel);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
