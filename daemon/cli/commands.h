/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subcommands. Every one works on one instance and opens the same way:
 * parse -> privilege check -> open the instance's pins -> run -> close. That
 * opening is main.c's (run_command); a command gives its parser and its body.
 */
#ifndef XDPFWD_COMMANDS_H
#define XDPFWD_COMMANDS_H

#include "lib_error.h"
#include "cli_options.h"

struct xdpfwd_bpf;

struct cmd_opts {
	const char *pin_dir;		/* the instance; set by every parser (replay: NULL without one) */
	union {
		struct list_opts list;
		struct status_opts status;	/* status and metrics */
		struct detach_opts detach;
		struct sets_opts sets;
		struct limit_opts limit;
		struct replay_opts replay;
		struct top_opts top;
		struct resize_opts resize;
	};
};

struct cmd_ops {
	/* Fills o, o->pin_dir too; returns 0, or an exit status (EXIT_USAGE) after printing why. */
	int (*parse)(int argc, char **argv, struct cmd_opts *o);
	/*
	 * With the instance open (skel NULL when o->pin_dir is); returns 0, -errno
	 * after printing why, or EXIT_USAGE (bad input, after printing why).
	 */
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
/* The library's reports (lib_report_fn) on stderr, each at its own level (-v shows the debug ones). */
void cli_report(enum lib_report_level level, const char *msg);

/* A failed step: the library's one line when it left one, else "WHAT failed: errno text"; returns err. */
int cli_failed(int err, const char *what);

extern const struct cmd_ops cmd_block_ops, cmd_allow_ops, cmd_status_ops, cmd_metrics_ops, cmd_detach_ops,
	cmd_sets_ops, cmd_limit_ops, cmd_replay_ops, cmd_top_ops, cmd_resize_ops;

struct xdpfwd_limits;
struct ban_counts;
/*
 * The limits and their counters as `xdpfwd limit` and `xdpfwd status` show
 * them (cmd_limit.c): the settings on the current line, the counters on
 * lines of their own starting with indent.
 */
void limits_print_text(const char *indent, const struct xdpfwd_limits *l, const struct ban_counts *b);
void limits_print_json(const struct xdpfwd_limits *l, const struct ban_counts *b);
/* "packets":{"pass":{REASON:N,...},...},"bytes":{...}: the counters as `status --json` prints them. */
struct xdpfwd_stats;
void cli_print_verdicts_json(const struct xdpfwd_stats *st);

#endif
