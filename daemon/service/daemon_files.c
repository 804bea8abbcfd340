// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "daemon_files.h"

void daemon_files_config(const struct daemon_opts *o, struct set_files_config *c)
{
	memset(c, 0, sizeof(*c));
	c->list_file[LIST_BLOCK] = o->list_file[LIST_BLOCK];
	c->list_file[LIST_ALLOW] = o->list_file[LIST_ALLOW];
	c->sets_dir = o->sets_dir;
	c->state_dir = o->state_dir;
	c->report = daemon_log_report;
}
