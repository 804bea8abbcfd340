// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "rate_limits.h"
#include "limits_config.h"

int limits_config_read(const struct limit_conf *given, const char *file, lib_report_fn report,
		       struct xdpfwd_limits *out, bool *owned)
{
	struct limit_conf c = *given, from_file;
	char err[600];
	int ret;

	memset(out, 0, sizeof(*out));
	*owned = given->given || file;
	if (!*owned)
		return 0;
	if (file) {
		limit_conf_init(&from_file);
		ret = limit_conf_read_file(file, &from_file, err, sizeof(err));
		if (ret == -ENOENT)
			lib_report(report, LIB_REPORT_DEBUG, "%s does not exist: the command line's limits apply", file);
		else if (ret)
			return lib_error_set(-EINVAL, "%s", err);
		limit_conf_merge(&c, &from_file);
	}
	return limits_from_conf(&c, out);
}
