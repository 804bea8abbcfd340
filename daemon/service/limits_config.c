// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "log.h"
#include "pin_dir.h"
#include "limit_conf.h"
#include "rate_limits.h"
#include "lib_error.h"
#include "limits_config.h"

int limits_config_read(const struct daemon_opts *o, struct xdpfwd_limits *out, bool *owned)
{
	struct limit_conf c = o->limits, file;
	char err[600];
	int ret;

	memset(out, 0, sizeof(*out));
	*owned = o->limits.given || o->limits_file;
	if (!*owned)
		return 0;
	if (o->limits_file) {
		limit_conf_init(&file);
		ret = limit_conf_read_file(o->limits_file, &file, err, sizeof(err));
		if (ret == -ENOENT)
			pr_debug("%s does not exist: the command line's limits apply\n", o->limits_file);
		else if (ret) {
			pr_warn("%s\n", err);
			return -EINVAL;
		}
		limit_conf_merge(&c, &file);
	}
	return daemon_log_error(limits_from_conf(&c, out));
}

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

	if (limits_config_read(o, &l, &owned)) {
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
