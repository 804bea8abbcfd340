/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subcommands. Every one works on one instance and opens the same way:
 * parse -> privilege check -> open the instance's pins -> run -> close. That
 * opening is main.c's (run_command); a command gives its parser and its body.
 */
#ifndef XDPFWD_COMMANDS_H
#define XDPFWD_COMMANDS_H

#include "cli_options.h"

struct xdpfwd_bpf;

struct cmd_opts {
	const char *pin_dir;		/* the instance; set by every parser */
	union {
		struct list_opts list;
		struct status_opts status;	/* status and metrics */
		struct detach_opts detach;
		struct sets_opts sets;
		struct top_opts top;
	};
};

struct cmd_ops {
	/* Fills o, o->pin_dir too; returns 0, or an exit status (EXIT_USAGE) after printing why. */
	int (*parse)(int argc, char **argv, struct cmd_opts *o);
	/* With the instance open; returns 0 or -errno after printing why. */
	int (*run)(struct xdpfwd_bpf *skel, struct cmd_opts *o);
	/* NULL, or frees what parse allocated (called after a failed parse too). */
	void (*done)(struct cmd_opts *o);
};

/*
 * Shows the message of a failed library call (lib_error.h) on stderr, once,
 * as the commands printed it before the library stopped printing; returns
 * err. 0, a non-negative result and a failure without a message show nothing.
 */
int cli_error(int err);

/* A failed step: the library's one line when it left one, else "WHAT failed: errno text"; returns err. */
int cli_failed(int err, const char *what);

extern const struct cmd_ops cmd_block_ops, cmd_allow_ops, cmd_status_ops, cmd_metrics_ops, cmd_detach_ops,
	cmd_sets_ops, cmd_top_ops;

#endif
