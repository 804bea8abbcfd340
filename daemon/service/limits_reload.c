// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "log.h"
#include "pin_dir.h"
#include "rate_limits.h"
#include "lib_error.h"
#include "limits_config.h"
#include "limits_reload.h"

int limits_config_apply(struct xdpfwd_bpf *skel, const struct xdpfwd_limits *l, const char *when)
{
	struct xdpfwd_limits now;
	struct limits_maps lm;
	char line[256];
	bool changed;
	int err;

	err = limits_maps_get(skel, &lm);
	if (err && l->action == XDPFWD_LIMIT_OFF) {
		lib_error_clear();
		return 0;	/* nothing asked of a program without the flood defense */
	}
	if (!err)
		err = limits_apply(&lm, l, &changed);
	if (!err)
		err = limits_read(&lm, &now);
	if (daemon_log_error(err))
		return err;
	limits_format(&now, line, sizeof(line));
	pr_info("flood defense (%s): %s%s\n", when, line, changed ? "" : " (unchanged)");
	return 0;
}

void limits_config_reload(struct xdpfwd_bpf *skel, const struct daemon_opts *o)
{
	struct xdpfwd_limits l;
	bool owned;
	int lock;

	if (daemon_log_error(limits_config_read(&o->limits, o->limits_file, daemon_log_report, &l, &owned))) {
		pr_warn("SIGHUP: the running limits stay as they are\n");
		return;
	}
	if (!owned)
		return;
	lock = pin_dir_lock(o->pin_dir);
	if (lock < 0)
		return;
	limits_config_apply(skel, &l, "SIGHUP");
	pin_dir_unlock(lock);
}
