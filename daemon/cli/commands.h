/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands; each parses its own arguments and returns an exit status. */
#ifndef XDPFWD_COMMANDS_H
#define XDPFWD_COMMANDS_H

#include "cli_options.h"

int cmd_list(enum list_kind kind, int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_detach(int argc, char **argv);

#endif
