/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line parsing for the daemon and every subcommand: what each command's
 * parser fills, and the parsers (argp), one file each: opts_daemon.c, opts_list.c
 * (block, allow), opts_sets.c, opts_limit.c, opts_status.c (status, metrics),
 * opts_top.c, opts_detach.c, opts_resize.c, opts_replay.c; what they share is
 * opts_common.c's. Nothing here touches the kernel. The daemon's options are the
 * service's (struct daemon_opts, daemon.h): the CLI only fills them.
 */
#ifndef XDPFWD_CLI_OPTIONS_H
#define XDPFWD_CLI_OPTIONS_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include "addr.h"
#include "list_parse.h"
#include "lists.h"
#include "sets.h"
#include "daemon.h"
#include "limit_conf.h"
#include "xdpfwd.h"

#define EXIT_USAGE 2

enum list_op {
	LIST_ADD,
	LIST_DEL,
	LIST_SHOW,
	LIST_FLUSH,
	LIST_LOAD,
	LIST_SAVE,
};

struct list_opts {
	const char *pin_dir;
	enum list_kind kind;
	enum list_op op;
	bool json;
	bool force;
	const char *set;			/* --set NAME; "manual" without */
	bool set_given;
	bool all_sets;				/* flush --all-sets */
	int mask[2];				/* add, del --mask4/--mask6 N ([0] IPv4); -1: none */
	bool timeout_given;			/* without: the set's default timeout */
	__u64 timeout_s;			/* add --timeout; 0: permanent */
	bool persist;				/* add/del: also in the state dir's file */
	const char *state_dir;
	const char *file;			/* load, save: path, or "-" for stdin / stdout */
	struct xdpfwd_listfile_opts read;	/* load: --format, --min-score, --skip-invalid */
	struct xdpfwd_prefix_set prefixes;	/* validated, sorted, de-duplicated */
};

struct status_opts {
	const char *pin_dir;
	bool json;
	bool recount;				/* status --recount: count the lists afresh first */
};

enum sets_op {
	SETS_SHOW,
	SETS_ADD,
	SETS_DEL,
};

/* xdpfwd sets [--json] | sets add KIND NAME [--mode M] [--scope S] [--timeout D] | sets del KIND NAME */
struct sets_opts {
	const char *pin_dir;
	enum sets_op op;
	bool json;
	enum list_kind kind;
	const char *name;
	/* add: what was given; an existing set keeps the options not given */
	struct set_options set;
	bool mode_given, scope_given, timeout_given;
	const char *state_dir;			/* del: the set's --persist file there is put aside */
	bool state_dir_given;
};

enum limit_op {
	LIMIT_SHOW,
	LIMIT_SET,
	LIMIT_OFF,
};

/* xdpfwd limit [--json] | limit set [--pps N] [--bps N] [--burst N] [--key /V4,/V6] [--action A] [--ban D] | limit off */
struct limit_opts {
	const char *pin_dir;
	enum limit_op op;
	bool json;
	struct limit_conf conf;			/* set: the settings given (conf.given), over the running ones */
};

struct detach_opts {
	const char *pin_dir;
	char ifname[XDPFWD_MAX_IFACES][IF_NAMESIZE];
	int n_ifaces;
	bool all;
};

/* xdpfwd resize [--capacity N] [--capacity-v4 N] [--capacity-v6 N] [--capacity-prefix N] */
struct resize_opts {
	const char *pin_dir;
	__u32 capacity[CAP_MAPS];	/* per block map (CAP_*); none: grow those past the threshold */
	bool json;
};

/* xdpfwd replay CAPTURE [--pin-dir DIR | list files] [...]: see cmd_replay.c. */
struct replay_opts {
	const char *pin_dir;			/* the instance whose lists are copied; NULL: list files */
	bool pin_dir_given;
	const char *capture;
	/* What a daemon would run with: list files, sets dir, state dir, log limits, --drop-malformed, program. */
	struct daemon_opts d;
	bool json, verbose;
	unsigned int top;
	const char *write_dropped, *write_passed;
	int threads;				/* 0: one per CPU */
};

/* xdpfwd top [--interval S] [--once | --json] */
#define TOP_INTERVAL_MIN_MS 100
#define TOP_INTERVAL_MAX_MS 60000
#define TOP_INTERVAL_TEXT "0.1 to 60"
struct top_opts {
	const char *pin_dir;
	unsigned int interval_ms;
	bool once;
	bool json;
};

/* Each returns 0, or EXIT_USAGE after printing why (argp prints --help and exits itself). */
/* commands: the subcommands' lines --help lists (main.c writes them from its command table). */
int cli_parse_daemon(int argc, char **argv, struct daemon_opts *o, const char *commands);
int cli_parse_list(enum list_kind kind, int argc, char **argv, struct list_opts *o);
int cli_parse_status(int argc, char **argv, struct status_opts *o);
/* metrics takes status's options but --json. */
int cli_parse_metrics(int argc, char **argv, struct status_opts *o);
int cli_parse_sets(int argc, char **argv, struct sets_opts *o);
int cli_parse_detach(int argc, char **argv, struct detach_opts *o);
int cli_parse_limit(int argc, char **argv, struct limit_opts *o);
int cli_parse_replay(int argc, char **argv, struct replay_opts *o);
int cli_parse_top(int argc, char **argv, struct top_opts *o);
int cli_parse_resize(int argc, char **argv, struct resize_opts *o);

#endif
