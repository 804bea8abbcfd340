/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's options that `replay` takes too (a replay rehearses what a
 * daemon would run): their keys, their table rows, and the daemon's parser of
 * them, which opts_replay.c hands those keys to.
 */
#ifndef XDPFWD_OPTS_DAEMON_H
#define XDPFWD_OPTS_DAEMON_H

#include "opts_common.h"

enum {
	OPT_LOG_FORMAT = OPT_FIRST,
	OPT_LOG_RATE,
	OPT_LOG_BURST,
	OPT_LOG_SOURCE_INTERVAL,
	OPT_NO_LOG,
	OPT_STATS_INTERVAL,
	OPT_METRICS_LISTEN,
	OPT_METRICS_ALLOW_REMOTE,
	OPT_METRICS_TEXTFILE,
	OPT_DROP_MALFORMED,
	OPT_FORCE,
	OPT_BPF_OBJECT,
	OPT_BLOCKLIST_FILE,
	OPT_ALLOWLIST_FILE,
	OPT_STATE_DIR,
	OPT_MIGRATE,
	OPT_CAPACITY,
	OPT_CAPACITY_PREFIX,
	OPT_NO_GROW,
	OPT_SETS_DIR,
	OPT_NO_WATCH_SETS_DIR,
	/* In opts_limit_keys' order: the parser indexes it with key - OPT_LIMIT_PPS. */
	OPT_LIMIT_PPS,
	OPT_LIMIT_BPS,
	OPT_LIMIT_BURST,
	OPT_LIMIT_KEY,
	OPT_LIMIT_ACTION,
	OPT_LIMIT_BAN,
	OPT_LIMITS_FILE,
	OPT_DAEMON_END,		/* replay's own keys start here */
};

#define LOG_LIMIT_OPTIONS \
	{ "log-rate", OPT_LOG_RATE, "N", 0, "At most N drop events per second in all (default 100; 'unlimited')", 0 }, \
	{ "log-burst", OPT_LOG_BURST, "N", 0, "Events allowed in a burst above the rate (default: the rate)", 0 }, \
	{ "log-source-interval", OPT_LOG_SOURCE_INTERVAL, "MS", \
	  0, "At most one event per source per MS milliseconds (default 1000; 0: no per-source limit)", 0 }, \
	{ "no-log", OPT_NO_LOG, NULL, 0, "Send no drop events at all", 0 }
#define DROP_MALFORMED_OPTION \
	{ "drop-malformed", OPT_DROP_MALFORMED, NULL, 0, "Drop frames with truncated or invalid IP headers (default: pass)", 0 }
#define LIST_FILE_OPTIONS \
	{ "sets-dir", OPT_SETS_DIR, "DIR", 0, \
	  "Each DIR/NAME.list is set NAME, made exactly that file (plus its --persist entries) at start and " \
	  "on SIGHUP; '# xdpfwd-set: kind= mode= scope= timeout= format=' lines give its options", 0 }, \
	{ "blocklist-file", OPT_BLOCKLIST_FILE, "FILE", 0, \
	  "The file of block set 'file': made exactly FILE plus its --persist entries, at start and on SIGHUP", 0 }, \
	{ "allowlist-file", OPT_ALLOWLIST_FILE, "FILE", 0, "The file of allow set 'file', the same way", 0 }, \
	{ "state-dir", OPT_STATE_DIR, "DIR", 0, "Where --persist keeps entries (default /var/lib/xdpfwd)", 0 }
#define LIMIT_OPTIONS \
	{ "limit-pps", OPT_LIMIT_PPS, "N", 0, \
	  "Flood defense: at most N packets per second from each source key (k, M, G are decimal: 10k = " \
	  "10000); the excess is dropped or banned (--limit-action)", 0 }, \
	{ "limit-bps", OPT_LIMIT_BPS, "N", 0, "Flood defense: at most N bits per second from each source key " \
	  "(k, M, G decimal)", 0 }, \
	{ "limit-burst", OPT_LIMIT_BURST, "N", 0, \
	  "Packets a source key may send at once above the rate (default: one second's worth, the pps)", 0 }, \
	{ "limit-key", OPT_LIMIT_KEY, "/V4,/V6", 0, \
	  "What one source is: the IPv4 and IPv6 source cut to these lengths (default /32,/128; /24,/64: " \
	  "each IPv4 /24 and IPv6 /64)", 0 }, \
	{ "limit-action", OPT_LIMIT_ACTION, "ACTION", 0, \
	  "Over the limit: ban (default: drop and add the key to block set auto for --limit-ban), drop (the " \
	  "excess only) or audit (count and log, pass)", 0 }, \
	{ "limit-ban", OPT_LIMIT_BAN, "DURATION", 0, "How long a ban lasts (90s, 10m, 2h, 7d; default 10m)", 0 }, \
	{ "limits-file", OPT_LIMITS_FILE, "FILE", 0, \
	  "limit-pps=N, limit-action=ACTION ... lines (the option names above without dashes) over the " \
	  "command line's limits, read again on SIGHUP; a missing FILE adds nothing", 0 }
#define BPF_OBJECT_OPTION \
	{ "bpf-object", OPT_BPF_OBJECT, "FILE", 0, \
	  "Load this build of the XDP program instead of the built-in one (upgrades without a new binary)", 0 }

/* The daemon's defaults: what `xdpfwd --iface IFACE` alone runs with. */
void opts_daemon_defaults(struct daemon_opts *o);
/* After a parse: the defaults that depend on other options (--log-burst: the rate's, 1 when unlimited). */
void opts_daemon_finish(struct daemon_opts *o);
/* The daemon's argp parser; replay calls it with state->input pointing at its daemon_opts. */
error_t opts_daemon_parse_opt(int key, char *arg, struct argp_state *state);

#endif
