/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XDPFWD_DAEMON_H
#define XDPFWD_DAEMON_H

#include "cli_options.h"

/* `xdpfwd --iface ...`: load, attach or adopt, then log until SIGINT/SIGTERM. Returns an exit status. */
int daemon_run(struct daemon_opts *o);

#endif
