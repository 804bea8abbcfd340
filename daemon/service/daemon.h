/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XDPFWD_DAEMON_H
#define XDPFWD_DAEMON_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include "listen_addr.h"
#include "attach.h"
#include "lists.h"
#include "event_format.h"
#include "limit_conf.h"
#include "capacity.h"
#include "lib_error.h"
#include "xdpfwd.h"

/* What the service runs with; the command line (cli/opts_daemon.c) fills it. */
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
	const char *list_file[2];	/* --blocklist-file, --allowlist-file (by enum list_kind): set "file" */
	const char *sets_dir;		/* --sets-dir: each NAME.list is set NAME; NULL: none */
	bool watch_sets_dir;		/* and applied as it changes (inotify); --no-watch-sets-dir: SIGHUP only */
	const char *state_dir;		/* entries persisted with --persist */
	bool migrate;			/* move pinned maps of another layout to this build's */
	struct limit_conf limits;	/* --limit-*: the flood defense's settings (limit_conf.h) */
	const char *limits_file;	/* --limits-file: KEY=VALUE lines over --limit-*, read again at SIGHUP */
	struct capacity capacity;	/* --capacity, --capacity-prefix: sizes of maps this start makes */
	bool no_grow;			/* --no-grow: never grow the block maps by itself, not even for its own files */
};

/* `xdpfwd --iface ...`: load, attach or adopt, then log until SIGINT/SIGTERM. Returns an exit status. */
int daemon_run(struct daemon_opts *o);

/*
 * The service's log is stderr (the journal under systemd). The library words
 * its failures but never prints (lib_error.h): a failed call's message goes
 * to the log here, once (the record is cleared). Returns err; 0 shows nothing,
 * and neither does a failure the library left without a message (a raced
 * attach, which the caller retries). A non-negative value (an fd) passes.
 */
int daemon_log_error(int err);
/* The library's notices, as the service's other informational lines. */
void daemon_log_notice(const char *msg);
/* The library's reports (lib_report_fn), each at its own level. */
void daemon_log_report(enum lib_report_level level, const char *msg);

#endif
