/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flood defense's settings as configured: the --limit-* values with the
 * lines of a --limits-file over them (limit_conf.h), checked into what the
 * "limits" map takes (rate_limits.h). Given neither, nothing is configured
 * and the map is the caller's to leave as it finds it. Read by the daemon at
 * start and SIGHUP (service/limits_reload.h), and by `xdpfwd replay`.
 */
#ifndef XDPFWD_LIMITS_CONFIG_H
#define XDPFWD_LIMITS_CONFIG_H

#include <stdbool.h>
#include "lib_error.h"
#include "limit_conf.h"
#include "xdpfwd.h"

/*
 * given: the --limit-* values; file: the --limits-file, NULL: none (a missing
 * one is a debug report: the values given apply). 0 with *owned false:
 * nothing configured. A bad file or combination: -EINVAL, said in lib_error.
 */
int limits_config_read(const struct limit_conf *given, const char *file, lib_report_fn report,
		       struct xdpfwd_limits *out, bool *owned);

#endif
