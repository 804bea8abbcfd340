/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line parsing for the daemon and every subcommand; nothing here touches the kernel. */
#ifndef XDPFWD_CLI_OPTIONS_H
#define XDPFWD_CLI_OPTIONS_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include "addr.h"
#include "listfile.h"
#include "attach.h"
#include "listen_addr.h"
#include "xdpfwd.h"

#define EXIT_USAGE 2

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

struct daemon_opts {
	char ifname[XDPFWD_MAX_IFACES][IF_NAMESIZE];
	int ifindex[XDPFWD_MAX_IFACES];
	int n_ifaces;
	enum mode_request mode;
	const char *pin_dir;
	enum log_format log_format;
	bool log_enabled;
	__u64 log_rate;			/* events per second, 0: unlimited */
	__u64 log_burst;
	__u64 log_source_interval_ms;	/* 0: no per-source limit */
	unsigned int stats_interval;	/* seconds, 0: off */
	bool metrics_listen;		/* serve GET /metrics on metrics_addr */
	bool metrics_allow_remote;	/* accept a metrics_addr that is not loopback */
	struct listen_addr metrics_addr;
	const char *metrics_textfile;	/* rewrite this file for node_exporter, NULL: off */
	bool drop_malformed;
	bool force;
	const char *bpf_object;		/* another build of the program (upgrades, tests) */
	const char *list_file[2];	/* --blocklist-file, --allowlist-file (by enum list_kind) */
	const char *state_dir;		/* entries persisted with --persist */
	bool migrate;			/* move pinned maps of another layout to this build's */
};

enum list_kind {
	LIST_BLOCK,
	LIST_ALLOW,
};

enum list_op {
	LIST_ADD,
	LIST_DEL,
	LIST_SHOW,
	LIST_FLUSH,
	LIST_LOAD,
};

struct list_opts {
	const char *pin_dir;
	enum list_kind kind;
	enum list_op op;
	bool json;
	bool force;
	__u64 timeout_s;			/* add --timeout; 0: permanent */
	bool persist;				/* add/del: also in the state dir's file */
	const char *state_dir;
	const char *file;			/* load: path, or "-" for stdin */
	struct xdpfwd_prefix_set prefixes;	/* validated, sorted, de-duplicated */
};

struct status_opts {
	const char *pin_dir;
	bool json;
	bool recount;				/* status --recount: count the lists afresh first */
};

struct detach_opts {
	const char *pin_dir;
	char ifname[XDPFWD_MAX_IFACES][IF_NAMESIZE];
	int n_ifaces;
	bool all;
};

/* Each returns 0, or EXIT_USAGE after printing why (argp prints --help and exits itself). */
int cli_parse_daemon(int argc, char **argv, struct daemon_opts *o);
int cli_parse_list(enum list_kind kind, int argc, char **argv, struct list_opts *o);
int cli_parse_status(int argc, char **argv, struct status_opts *o);
/* metrics takes status's options but --json. */
int cli_parse_metrics(int argc, char **argv, struct status_opts *o);
int cli_parse_detach(int argc, char **argv, struct detach_opts *o);

const char *list_kind_name(enum list_kind kind);

#endif
