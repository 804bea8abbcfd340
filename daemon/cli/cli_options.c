// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "pin_dir.h"
#include "lib_error.h"
#include "rate_limits.h"
#include "capacity.h"
#include "cli_options.h"
#include "version.h"

const char *argp_program_version = "xdpfwd " XDPFWD_VERSION;
const char *argp_program_bug_address = "the xdpfwd issue tracker";

/* Decimal only, no sign, no trailing junk: "10x", "-1" and "" are errors, not 10, huge or 0. */
static int parse_u64(const char *s, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/*
 * A map size: N, Nk (x1024) or NM (x1048576), within CAPACITY_MIN..CAPACITY_MAX;
 * 0 on a bad one.
 */
static __u32 parse_capacity(const char *s)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'M')
		mul = 1024 * 1024, end++;
	if (errno || *end || v > CAPACITY_MAX || v * mul < CAPACITY_MIN || v * mul > CAPACITY_MAX)
		return 0;
	return (__u32)(v * mul);
}

#define CAPACITY_USAGE "use a count from 64 to 256M (k = 1024, M = 1048576: 64k, 1M)"

/* --iface for the daemon and detach: a valid name (the kernel's rules), at most once each. */
static void add_iface(struct argp_state *state, char (*names)[IF_NAMESIZE], int *n, const char *arg)
{
	int j;

	if (*n >= XDPFWD_MAX_IFACES)
		argp_failure(state, EXIT_USAGE, 0, "at most %d interfaces", XDPFWD_MAX_IFACES);
	if (!*arg || strlen(arg) >= IF_NAMESIZE || strchr(arg, '/'))
		argp_failure(state, EXIT_USAGE, 0, "'%s' is not a valid interface name", arg);
	for (j = 0; j < *n; j++)
		if (!strcmp(names[j], arg))
			argp_failure(state, EXIT_USAGE, 0, "interface %s given twice", arg);
	snprintf(names[(*n)++], IF_NAMESIZE, "%s", arg);
}

enum {
	OPT_LOG_FORMAT = 0x100,
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
	OPT_ALL,
	OPT_TIMEOUT,
	OPT_BPF_OBJECT,
	OPT_BLOCKLIST_FILE,
	OPT_ALLOWLIST_FILE,
	OPT_STATE_DIR,
	OPT_PERSIST,
	OPT_MIGRATE,
	OPT_CAPACITY,
	OPT_CAPACITY_PREFIX,
	OPT_CAPACITY_V4,
	OPT_CAPACITY_V6,
	OPT_NO_GROW,
	OPT_USAGE,
	OPT_RECOUNT,
	OPT_SET,
	OPT_ALL_SETS,
	OPT_MASK4,
	OPT_MASK6,
	OPT_FORMAT,
	OPT_MIN_SCORE,
	OPT_SKIP_INVALID,
	OPT_SET_MODE,
	OPT_SCOPE,
	OPT_SETS_DIR,
	OPT_NO_WATCH_SETS_DIR,
	OPT_LIMIT_PPS,
	OPT_LIMIT_BPS,
	OPT_LIMIT_BURST,
	OPT_LIMIT_KEY,
	OPT_LIMIT_ACTION,
	OPT_LIMIT_BAN,
	OPT_LIMITS_FILE,
	OPT_PPS,
	OPT_BPS,
	OPT_BURST,
	OPT_KEY,
	OPT_ACTION,
	OPT_BAN,
	OPT_TOP,
	OPT_WRITE_DROPPED,
	OPT_WRITE_PASSED,
	OPT_THREADS,
};

/*
 * Help and version for every command, in place of argp's own (ARGP_NO_HELP),
 * which offers only -? for help: operators type -h. -? still works.
 */
static const struct argp_option help_options[] = {
	{ "help", 'h', NULL, 0, "Give this help list", -1 },
	{ NULL, '?', NULL, OPTION_ALIAS, NULL, 0 },
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	{ "version", 'V', NULL, 0, "Print program version", -1 },
	{},
};

static error_t help_parse_opt(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	switch (key) {
	case 'h':
	case '?':
		argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP);
		break;
	case OPT_USAGE:
		argp_state_help(state, state->out_stream, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		break;
	case 'V':
		fprintf(state->out_stream, "%s\n", argp_program_version);
		exit(EXIT_SUCCESS);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp help_argp = { help_options, help_parse_opt, NULL, NULL, NULL, NULL, NULL };
static const struct argp_child help_child[] = { { &help_argp, 0, NULL, -1 }, {} };

/* argp_parse with the help above instead of argp's. */
static error_t parse(const struct argp *argp, int argc, char **argv, void *input)
{
	return argp_parse(argp, argc, argv, ARGP_NO_HELP, NULL, input);
}

#define PIN_DIR_OPTION \
	{ "pin-dir", 'p', "DIR", 0, "Where the instance's maps and program are pinned (default " \
	  XDPFWD_DEFAULT_PIN_DIR ")", 0 }
#define VERBOSE_OPTION { "verbose", 'v', NULL, 0, "Show debug output, including libbpf's and libxdp's", 0 }

/* Options the daemon and `replay` share: a replay rehearses what a daemon would run. */
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

static const struct argp_option daemon_options[] = {
	{ "iface", 'i', "IFACE", 0, "Interface to protect (repeat for several; they share one blocklist)", 0 },
	{ "mode", 'm', "MODE", 0, "auto (native, else generic), native or skb (default auto)", 0 },
	PIN_DIR_OPTION,
	{ "log-format", OPT_LOG_FORMAT, "FMT", 0, "text (default) or json, one event per line on stdout", 0 },
	LOG_LIMIT_OPTIONS,
	{ "stats-interval", OPT_STATS_INTERVAL, "SECONDS", 0, "Print a counters line every SECONDS (default 0: never)", 0 },
	{ "metrics-listen", OPT_METRICS_LISTEN, "ADDR:PORT", 0,
	  "Serve Prometheus metrics at http://ADDR:PORT/metrics (127.0.0.1:PORT, [::1]:PORT; loopback only "
	  "unless --metrics-allow-remote)", 0 },
	{ "metrics-allow-remote", OPT_METRICS_ALLOW_REMOTE, NULL, 0,
	  "Let --metrics-listen use an address that is not loopback (the metrics carry no secrets, but name "
	  "interfaces and list sizes)", 0 },
	{ "metrics-textfile", OPT_METRICS_TEXTFILE, "PATH", 0,
	  "Rewrite PATH atomically with the metrics every --stats-interval seconds (default 10), for "
	  "node_exporter's textfile collector (name it *.prom)", 0 },
	DROP_MALFORMED_OPTION,
	{ "force", OPT_FORCE, NULL, 0, "Replace an XDP program that xdpfwd does not own", 0 },
	LIST_FILE_OPTIONS,
	{ "no-watch-sets-dir", OPT_NO_WATCH_SETS_DIR, NULL, 0,
	  "Apply the --sets-dir files at start and on SIGHUP only (default: also as they change, seen with "
	  "inotify: each changed file applied about 0.3 s after the last change)", 0 },
	LIMIT_OPTIONS,
	{ "migrate", OPT_MIGRATE, NULL, 0,
	  "If the pinned maps have another layout than this build's, copy their entries into new maps "
	  "(entries keep their sets, counters and deadlines) instead of refusing", 0 },
	{ "capacity", OPT_CAPACITY, "N", 0,
	  "Exact addresses each blocklist hash holds (per family) when this start makes the maps (default "
	  "1M; an instance's pins keep their size); grown x4 past 75% full", 0 },
	{ "capacity-prefix", OPT_CAPACITY_PREFIX, "N", 0,
	  "Prefixes each block trie holds (per family) when this start makes the maps (default 256k); grown x4 "
	  "past 75% full", 0 },
	{ "no-grow", OPT_NO_GROW, NULL, 0,
	  "Never grow the exact hashes or the tries by itself (`xdpfwd resize` still does)", 0 },
	BPF_OBJECT_OPTION,
	VERBOSE_OPTION,
	{},
};

/* The settings' names, in OPT_LIMIT_PPS's order and OPT_PPS's: limit_conf_set's keys. */
static const char *const limit_keys[] = {
	"limit-pps", "limit-bps", "limit-burst", "limit-key", "limit-action", "limit-ban",
};

/* One flood defense setting; limit_conf.c words the error ("limit-pps '10x': use ..."), "--" added here. */
static void limit_option(struct argp_state *state, struct limit_conf *c, const char *key, const char *arg)
{
	char err[300];

	if (limit_conf_set(c, key, arg, err, sizeof(err)))
		argp_failure(state, EXIT_USAGE, 0, "--%s", err);
}

static error_t daemon_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct daemon_opts *o = state->input;
	__u64 v;

	switch (key) {
	case 'i':
		add_iface(state, o->ifname, &o->n_ifaces, arg);
		break;
	case 'm':
		if (!strcmp(arg, "auto"))
			o->mode = MODE_AUTO;
		else if (!strcmp(arg, "native") || !strcmp(arg, "drv"))
			o->mode = MODE_NATIVE;
		else if (!strcmp(arg, "skb") || !strcmp(arg, "generic"))
			o->mode = MODE_SKB;
		else
			argp_failure(state, EXIT_USAGE, 0, "--mode '%s': use auto, native or skb", arg);
		break;
	case 'p':
		o->pin_dir = arg;
		break;
	case OPT_LOG_FORMAT:
		if (!strcmp(arg, "text"))
			o->log_format = LOG_FORMAT_TEXT;
		else if (!strcmp(arg, "json"))
			o->log_format = LOG_FORMAT_JSON;
		else
			argp_failure(state, EXIT_USAGE, 0, "--log-format '%s': use text or json", arg);
		break;
	case OPT_LOG_RATE:
		if (!strcmp(arg, "unlimited"))
			o->log_rate = 0;
		else if (parse_u64(arg, 1000000000ULL, &v) || v == 0)
			argp_failure(state, EXIT_USAGE, 0, "--log-rate '%s': use 1..1000000000 or 'unlimited'", arg);
		else
			o->log_rate = v;
		break;
	case OPT_LOG_BURST:
		if (parse_u64(arg, 1000000000ULL, &v) || v == 0)
			argp_failure(state, EXIT_USAGE, 0, "--log-burst '%s': use 1..1000000000", arg);
		o->log_burst = v;
		break;
	case OPT_LOG_SOURCE_INTERVAL:
		if (parse_u64(arg, 86400000ULL, &v))
			argp_failure(state, EXIT_USAGE, 0, "--log-source-interval '%s': use 0..86400000 (ms)", arg);
		o->log_source_interval_ms = v;
		break;
	case OPT_NO_LOG:
		o->log_enabled = false;
		break;
	case OPT_STATS_INTERVAL:
		if (parse_u64(arg, 86400, &v))
			argp_failure(state, EXIT_USAGE, 0, "--stats-interval '%s': use 0..86400 (seconds)", arg);
		o->stats_interval = v;
		break;
	case OPT_METRICS_LISTEN: {
		char why[160];

		if (listen_addr_parse(arg, &o->metrics_addr, why, sizeof(why)))
			argp_failure(state, EXIT_USAGE, 0, "--metrics-listen %s", why);
		o->metrics_listen = true;
		break;
	}
	case OPT_METRICS_ALLOW_REMOTE:
		o->metrics_allow_remote = true;
		break;
	case OPT_METRICS_TEXTFILE:
		if (!*arg)
			argp_failure(state, EXIT_USAGE, 0, "--metrics-textfile needs a file name");
		o->metrics_textfile = arg;
		break;
	case OPT_DROP_MALFORMED:
		o->drop_malformed = true;
		break;
	case OPT_FORCE:
		o->force = true;
		break;
	case OPT_BPF_OBJECT:
		o->bpf_object = arg;
		break;
	case OPT_MIGRATE:
		o->migrate = true;
		break;
	case OPT_CAPACITY:
		o->capacity.exact = parse_capacity(arg);
		if (!o->capacity.exact)
			argp_failure(state, EXIT_USAGE, 0, "--capacity '%s': " CAPACITY_USAGE, arg);
		break;
	case OPT_CAPACITY_PREFIX:
		o->capacity.prefix = parse_capacity(arg);
		if (!o->capacity.prefix)
			argp_failure(state, EXIT_USAGE, 0, "--capacity-prefix '%s': " CAPACITY_USAGE, arg);
		break;
	case OPT_NO_GROW:
		o->no_grow = true;
		break;
	case OPT_BLOCKLIST_FILE:
		o->list_file[LIST_BLOCK] = arg;
		break;
	case OPT_ALLOWLIST_FILE:
		o->list_file[LIST_ALLOW] = arg;
		break;
	case OPT_STATE_DIR:
		o->state_dir = arg;
		break;
	case OPT_SETS_DIR:
		o->sets_dir = arg;
		break;
	case OPT_NO_WATCH_SETS_DIR:
		o->watch_sets_dir = false;
		break;
	case OPT_LIMIT_PPS:
	case OPT_LIMIT_BPS:
	case OPT_LIMIT_BURST:
	case OPT_LIMIT_KEY:
	case OPT_LIMIT_ACTION:
	case OPT_LIMIT_BAN:
		limit_option(state, &o->limits, limit_keys[key - OPT_LIMIT_PPS], arg);
		break;
	case OPT_LIMITS_FILE:
		if (!*arg)
			argp_failure(state, EXIT_USAGE, 0, "--limits-file needs a file name");
		o->limits_file = arg;
		break;
	case 'v':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case ARGP_KEY_ARG:
		argp_failure(state, EXIT_USAGE, 0, "unexpected argument '%s' (interfaces go after --iface)", arg);
		break;
	case ARGP_KEY_END:
		if (!o->n_ifaces)
			argp_failure(state, EXIT_USAGE, 0, "no interface given: use --iface IFACE");
		/* With a --limits-file the combination is checked once the file is read (the daemon's start). */
		if (o->limits.given && !o->limits_file) {
			struct xdpfwd_limits l;

			if (limits_from_conf(&o->limits, &l))
				argp_failure(state, EXIT_USAGE, 0, "%s", lib_error());
		}
		/* Anyone who can connect learns interface names, list sizes and traffic: opt in to that. */
		if (o->metrics_listen && !o->metrics_addr.loopback && !o->metrics_allow_remote) {
			char where[64];

			listen_addr_format(&o->metrics_addr, where, sizeof(where));
			argp_failure(state, EXIT_USAGE, 0, "--metrics-listen %s is not a loopback address; "
				     "add --metrics-allow-remote to serve metrics beyond this host", where);
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char daemon_doc[] =
	"xdpfwd: XDP blocklist firewall.\n\n"
	"xdpfwd --iface IFACE [OPTION...]  attach (or adopt) and log drops until SIGINT/SIGTERM;\n"
	"  the firewall stays attached after exit (remove it with `xdpfwd detach --iface IFACE`).\n\n"
	"Commands (each takes --pin-dir and -h, --help):\n"
	"\vExit status: 0 success, 1 failure, 2 bad usage or input (nothing changed).";

/* The command list main.c's table writes (cli_parse_daemon), after daemon_doc's first part. */
static const char *commands_doc = "";

static char *daemon_help_filter(int key, const char *text, void *input)
{
	char *doc;

	(void)input;
	if (key != ARGP_KEY_HELP_PRE_DOC || !text || asprintf(&doc, "%s%s", text, commands_doc) < 0)
		return (char *)text;
	return doc;	/* argp frees it */
}

/* argp's default exit code for usage errors is 64; the project promises 2. */
static void use_exit_usage(void)
{
	argp_err_exit_status = EXIT_USAGE;
}

static void daemon_defaults(struct daemon_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = MODE_AUTO;
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	o->state_dir = "/var/lib/xdpfwd";
	o->log_enabled = true;
	o->watch_sets_dir = true;
	o->log_rate = 100;
	o->log_source_interval_ms = 1000;
	limit_conf_init(&o->limits);
}

int cli_parse_daemon(int argc, char **argv, struct daemon_opts *o, const char *commands)
{
	static const struct argp argp = { daemon_options, daemon_parse_opt, NULL, daemon_doc, help_child,
					  daemon_help_filter, NULL };

	commands_doc = commands;
	daemon_defaults(o);
	use_exit_usage();
	if (parse(&argp, argc, argv, o))
		return EXIT_USAGE;
	if (!o->log_burst)
		o->log_burst = o->log_rate ? o->log_rate : 1;
	return 0;
}

/* ---- block / allow ---- */

static const struct argp_option list_options[] = {
	PIN_DIR_OPTION,
	{ "set", OPT_SET, "NAME", 0,
	  "The named set to work on (default manual); add and load create it. list: only its entries", 0 },
	{ "all-sets", OPT_ALL_SETS, NULL, 0, "flush: every set of the list, not just one", 0 },
	{ "json", 'j', NULL, 0, "list: print a JSON array", 0 },
	{ "force", OPT_FORCE, NULL, 0, "add, load: accept a /0 prefix (matches every source)", 0 },
	{ "timeout", OPT_TIMEOUT, "DURATION", 0,
	  "add: the entries expire after DURATION (90, 90s, 10m, 2h, 7d; at most 3650d); re-adding refreshes it. "
	  "Without it the set's default timeout applies (xdpfwd sets add ... --timeout)",
	  0 },
	{ "mask4", OPT_MASK4, "N", 0,
	  "add, del: an IPv4 address stands for its /N (host bits cleared: a ban of the whole network)", 0 },
	{ "mask6", OPT_MASK6, "N", 0,
	  "add, del: an IPv6 address stands for its /N (--mask6 64: the source's whole /64)", 0 },
	{ "format", OPT_FORMAT, "FMT", 0, "load: auto (default), plain, spamhaus, netset or ipsum", 0 },
	{ "min-score", OPT_MIN_SCORE, "N", 0, "load: ipsum entries need a count of at least N (default 1)", 0 },
	{ "skip-invalid", OPT_SKIP_INVALID, NULL, 0,
	  "load: skip bad lines (counted, the first ones shown) instead of rejecting the file", 0 },
	{ "persist", OPT_PERSIST, NULL, 0,
	  "add, del: also record the change in the state dir (one file per set), so it survives a reboot", 0 },
	{ "state-dir", OPT_STATE_DIR, "DIR", 0, "Where --persist keeps entries (default /var/lib/xdpfwd)", 0 },
	VERBOSE_OPTION,
	{},
};

struct list_parse {
	struct list_opts *o;
	bool have_op;
	const char **args;		/* ADDR arguments, parsed at the end when every --mask is known */
	size_t nargs;
};

/* ADDR[/LEN]; with --mask4/--mask6 an address longer than the mask is cut to it, host bits cleared. */
static void list_add_arg(struct argp_state *state, struct list_opts *o, const char *arg)
{
	struct xdpfwd_prefix p;
	char err[160];
	int mask, i;

	if (xdpfwd_prefix_parse(arg, &p, err, sizeof(err)))
		argp_error(state, "%s%s", err,
			     strstr(err, "host bits") && (o->mask[0] < 0 || o->mask[1] < 0) ?
			     " (to ban the address's network, give the address alone with --mask4 N or --mask6 N)" :
			     "");
	mask = o->mask[p.family == 6];
	if (mask >= 0 && p.prefixlen > mask) {
		for (i = 0; i < 16; i++) {
			if (i * 8 >= mask)
				p.addr[i] = 0;
			else if (i * 8 + 8 > mask)
				p.addr[i] &= (__u8)(0xff00 >> (mask - i * 8));
		}
		p.prefixlen = mask;
	}
	/* De-duplicated once at the end: a scan per argument is quadratic for big lists. */
	if (xdpfwd_prefix_set_push(&o->prefixes, &p) < 0)
		argp_failure(state, 1, ENOMEM, "out of memory");
}

static void list_load_file(struct argp_state *state, struct list_opts *o)
{
	const char *path = strcmp(o->file, "-") ? o->file : "/dev/stdin";
	char err[600];
	size_t i;

	/* A bad line rejects the whole file, before anything is written: exit 2 like any bad input. */
	if (xdpfwd_listfile_read_opts(path, &o->prefixes, &o->read, err, sizeof(err)))
		argp_failure(state, EXIT_USAGE, 0, "%s; nothing was changed", err);
	if (!o->read.skipped)
		return;
	for (i = 0; i < o->read.nmsgs; i++)
		pr_warn("%s (skipped)\n", o->read.msgs[i]);
	pr_warn("%s: skipped %zu invalid line%s (--skip-invalid), loading the %zu good ones\n",
		strcmp(o->file, "-") ? o->file : "standard input", o->read.skipped, o->read.skipped == 1 ? "" : "s",
		o->read.entries);
}

static int parse_mask(struct argp_state *state, const char *opt, const char *arg, int max)
{
	__u64 v;

	if (parse_u64(arg, max, &v) || v == 0)
		argp_failure(state, EXIT_USAGE, 0, "%s '%s': use a prefix length 1..%d", opt, arg, max);
	return (int)v;
}

static const char *const list_op_words[] = {
	[LIST_ADD] = "add", [LIST_DEL] = "del", [LIST_SHOW] = "list", [LIST_FLUSH] = "flush",
	[LIST_LOAD] = "load", [LIST_SAVE] = "save",
};

/* The options that go with only some commands, refused elsewhere rather than ignored. */
static void list_check_combinations(struct argp_state *state, const struct list_opts *o, const struct list_parse *lp)
{
	const char *op = list_op_words[o->op];

	if (o->timeout_given && o->op != LIST_ADD)
		argp_error(state, "--timeout goes with add");
	if (o->persist && o->op != LIST_ADD && o->op != LIST_DEL)
		argp_error(state, "--persist goes with add or del");
	if ((o->mask[0] >= 0 || o->mask[1] >= 0) && o->op != LIST_ADD && o->op != LIST_DEL)
		argp_error(state, "--mask4 and --mask6 go with add or del");
	if (o->all_sets && o->op != LIST_FLUSH)
		argp_error(state, "--all-sets goes with flush (%s works on one set: --set NAME)", op);
	if (o->all_sets && o->set_given)
		argp_error(state, "flush: give --set NAME or --all-sets, not both");
	if ((o->read.format || o->read.min_score || o->read.skip_invalid) && o->op != LIST_LOAD)
		argp_error(state, "--format, --min-score and --skip-invalid go with load");
	if (o->json && o->op != LIST_SHOW)
		argp_error(state, "--json goes with list");
	if (lp->nargs && o->op != LIST_ADD && o->op != LIST_DEL)
		argp_error(state, "unexpected argument '%s'", lp->args[0]);
}

static error_t list_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct list_parse *lp = state->input;
	struct list_opts *o = lp->o;
	size_t i;

	switch (key) {
	case 'p':
		o->pin_dir = arg;
		break;
	case 'j':
		o->json = true;
		break;
	case OPT_FORCE:
		o->force = true;
		break;
	case OPT_PERSIST:
		o->persist = true;
		break;
	case OPT_STATE_DIR:
		o->state_dir = arg;
		break;
	case OPT_SET: {
		char err[200];

		if (set_name_check(arg, err, sizeof(err)))
			argp_failure(state, EXIT_USAGE, 0, "--set: %s", err);
		o->set = arg;
		o->set_given = true;
		break;
	}
	case OPT_ALL_SETS:
		o->all_sets = true;
		break;
	case OPT_MASK4:
		o->mask[0] = parse_mask(state, "--mask4", arg, 32);
		break;
	case OPT_MASK6:
		o->mask[1] = parse_mask(state, "--mask6", arg, 128);
		break;
	case OPT_FORMAT: {
		char err[200];

		if (xdpfwd_list_format_parse(arg, &o->read.format, err, sizeof(err)))
			argp_failure(state, EXIT_USAGE, 0, "--format: %s", err);
		break;
	}
	case OPT_MIN_SCORE: {
		__u64 v;

		if (parse_u64(arg, 1000000, &v) || v == 0)
			argp_failure(state, EXIT_USAGE, 0, "--min-score '%s': use 1..1000000", arg);
		o->read.min_score = v;
		break;
	}
	case OPT_SKIP_INVALID:
		o->read.skip_invalid = 1;
		break;
	case OPT_TIMEOUT: {
		char err[160];

		if (xdpfwd_duration_parse(arg, &o->timeout_s, err, sizeof(err)))
			argp_failure(state, EXIT_USAGE, 0, "--timeout: %s", err);
		o->timeout_given = true;
		break;
	}
	case 'v':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case ARGP_KEY_ARG:
		if (!lp->have_op) {
			lp->have_op = true;
			for (i = 0; i < sizeof(list_op_words) / sizeof(list_op_words[0]); i++)
				if (!strcmp(arg, list_op_words[i]))
					break;
			if (i == sizeof(list_op_words) / sizeof(list_op_words[0])) {
				if (!strcmp(arg, "delete"))
					i = LIST_DEL;
				else if (!strcmp(arg, "show"))
					i = LIST_SHOW;
				else
					argp_error(state, "unknown command '%s': use add, del, list, flush, load or save",
						   arg);
			}
			o->op = i;
			break;
		}
		if ((o->op == LIST_LOAD || o->op == LIST_SAVE) && !o->file) {
			o->file = arg;
			break;
		}
		lp->args[lp->nargs++] = arg;
		break;
	case ARGP_KEY_END:
		if (!lp->have_op)
			argp_error(state, "missing command: add, del, list, flush, load or save");
		list_check_combinations(state, o, lp);
		for (i = 0; i < lp->nargs; i++)
			list_add_arg(state, o, lp->args[i]);
		if ((o->op == LIST_ADD || o->op == LIST_DEL) && !o->prefixes.n)
			argp_error(state, "no address given");
		if (o->op == LIST_LOAD && !o->file)
			argp_error(state, "no file given (use - for standard input)");
		if (o->op == LIST_SAVE && !o->file)
			o->file = "-";
		/* A file's entries come sorted and unique already; arguments are sorted here. */
		if (o->op == LIST_LOAD)
			list_load_file(state, o);
		else
			xdpfwd_prefix_set_sort_unique(&o->prefixes);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int check_catch_all(const struct list_opts *o)
{
	size_t i;
	char buf[XDPFWD_PREFIX_STRLEN];

	if ((o->op != LIST_ADD && o->op != LIST_LOAD) || o->force)
		return 0;
	for (i = 0; i < o->prefixes.n; i++) {
		if (o->prefixes.v[i].prefixlen)
			continue;
		xdpfwd_prefix_format(&o->prefixes.v[i], buf, sizeof(buf));
		pr_warn("%s matches every %s source; add --force if you mean it\n",
			buf, o->prefixes.v[i].family == 4 ? "IPv4" : "IPv6");
		return EXIT_USAGE;
	}
	return 0;
}

int cli_parse_list(enum list_kind kind, int argc, char **argv, struct list_opts *o)
{
	static const char doc[] =
		"Edit or show a list. Every entry belongs to one or more named sets; without --set the set is "
		"manual.\v"
		"ADDR is an IPv4 or IPv6 address or a prefix ADDR/LEN with no host bits set "
		"(198.18.0.0/15, 2001:2::/48). add and del validate every ADDR before changing anything. "
		"del removes the entries from the set only: an entry stays while another set holds it. "
		"load replaces one set with the entries of FILE (plain lines with # comments, Spamhaus DROP, "
		"FireHOL netset or ipsum) in one step: the program sees the old set or the new one, never both "
		"or neither, and every other set is untouched. save writes a set as a file load reads back.";
	static const struct argp argp = { list_options, list_parse_opt,
					  "add [--set NAME] [--timeout DURATION] [--mask4 N] [--mask6 N] ADDR[/LEN]...\n"
					  "del [--set NAME] ADDR[/LEN]...\n"
					  "list [--set NAME] [--json]\n"
					  "flush [--set NAME | --all-sets]\n"
					  "load [--set NAME] [--format FMT] [--min-score N] [--skip-invalid] FILE|-\n"
					  "save [--set NAME] [FILE|-]", doc,
					  help_child, NULL, NULL };
	struct list_parse lp = { .o = o };
	int err;

	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	o->state_dir = "/var/lib/xdpfwd";
	o->set = SET_MANUAL_NAME;
	o->mask[0] = o->mask[1] = -1;
	lp.args = calloc(argc > 0 ? argc : 1, sizeof(*lp.args));
	if (!lp.args) {
		pr_warn("out of memory\n");
		return 1;
	}
	use_exit_usage();
	err = parse(&argp, argc, argv, &lp) ? EXIT_USAGE : 0;
	free(lp.args);
	return err ? err : check_catch_all(o);
}

/* ---- sets ---- */

static const struct argp_option sets_options[] = {
	PIN_DIR_OPTION,
	{ "json", 'j', NULL, 0, "Print a JSON array (the list of sets)", 0 },
	{ "mode", OPT_SET_MODE, "MODE", 0,
	  "add: enforce (default: matches drop) or audit (matches are counted and logged, and pass); block sets only",
	  0 },
	{ "scope", OPT_SCOPE, "SCOPE", 0,
	  "add: drop members' packets only to these ports: tcp:22,443, udp:53, tcp,udp:53 (at most 8 ports), "
	  "or none; block sets only", 0 },
	{ "timeout", OPT_TIMEOUT, "DURATION", 0,
	  "add: the default timeout of an add into the set without --timeout (none: permanent)", 0 },
	{ "state-dir", OPT_STATE_DIR, "DIR", 0,
	  "del: the set's --persist file there is put aside, so no start makes the set again "
	  "(default /var/lib/xdpfwd)", 0 },
	VERBOSE_OPTION,
	{},
};

struct sets_parse {
	struct sets_opts *o;
	int nargs;
};

static error_t sets_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct sets_parse *sp = state->input;
	struct sets_opts *o = sp->o;
	char err[300];

	switch (key) {
	case 'p':
		o->pin_dir = arg;
		break;
	case 'j':
		o->json = true;
		break;
	case OPT_SET_MODE:
		if (!strcmp(arg, "enforce"))
			o->set.mode = XDPFWD_SET_ENFORCE;
		else if (!strcmp(arg, "audit"))
			o->set.mode = XDPFWD_SET_AUDIT;
		else
			argp_failure(state, EXIT_USAGE, 0, "--mode '%s': use enforce or audit", arg);
		o->mode_given = true;
		break;
	case OPT_SCOPE:
		if (strcmp(arg, "none") &&
		    set_scope_text_parse(arg, &o->set.scope_protos, &o->set.nports, o->set.ports, err, sizeof(err)))
			argp_failure(state, EXIT_USAGE, 0, "--scope: %s", err);
		o->scope_given = true;
		break;
	case OPT_TIMEOUT: {
		__u64 v = 0;

		if (strcmp(arg, "none") && xdpfwd_duration_parse(arg, &v, err, sizeof(err)))
			argp_failure(state, EXIT_USAGE, 0, "--timeout: %s (or none)", err);
		o->set.timeout_s = v;
		o->timeout_given = true;
		break;
	}
	case OPT_STATE_DIR:
		o->state_dir = arg;
		o->state_dir_given = true;
		break;
	case 'v':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case ARGP_KEY_ARG:
		switch (sp->nargs++) {
		case 0:
			if (!strcmp(arg, "add"))
				o->op = SETS_ADD;
			else if (!strcmp(arg, "del") || !strcmp(arg, "delete"))
				o->op = SETS_DEL;
			else if (!strcmp(arg, "list") || !strcmp(arg, "show"))
				o->op = SETS_SHOW;
			else
				argp_error(state, "unknown command '%s': use add or del (or nothing to list the sets)",
					   arg);
			break;
		case 1:
			if (o->op == SETS_SHOW)
				argp_error(state, "unexpected argument '%s'", arg);
			if (!strcmp(arg, "block"))
				o->kind = LIST_BLOCK;
			else if (!strcmp(arg, "allow"))
				o->kind = LIST_ALLOW;
			else
				argp_error(state, "'%s' is not a list: use block or allow", arg);
			break;
		case 2:
			if (set_name_check(arg, err, sizeof(err)))
				argp_failure(state, EXIT_USAGE, 0, "%s", err);
			o->name = arg;
			break;
		default:
			argp_error(state, "unexpected argument '%s'", arg);
		}
		break;
	case ARGP_KEY_END:
		if (o->op != SETS_SHOW && !o->name)
			argp_error(state, "say which set: %s block|allow NAME", o->op == SETS_ADD ? "add" : "del");
		if (o->op != SETS_ADD && (o->mode_given || o->scope_given || o->timeout_given))
			argp_error(state, "--mode, --scope and --timeout go with add");
		if (o->json && o->op != SETS_SHOW)
			argp_error(state, "--json goes with the list of sets (no add or del)");
		if (o->state_dir_given && o->op != SETS_DEL)
			argp_error(state, "--state-dir goes with del");
		/* Said here too, before the instance is opened; the library refuses the same. */
		if (o->kind == LIST_ALLOW && o->mode_given && o->set.mode == XDPFWD_SET_AUDIT)
			argp_failure(state, EXIT_USAGE, 0, "allow set %s: an allow set cannot be in audit mode "
				     "(only block sets can); leave out --mode", o->name);
		if (o->kind == LIST_ALLOW && o->set.scope_protos)
			argp_failure(state, EXIT_USAGE, 0, "allow set %s: an allow set cannot have a scope "
				     "(only block sets can); leave out --scope", o->name);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_parse_sets(int argc, char **argv, struct sets_opts *o)
{
	static const struct argp argp = { sets_options, sets_parse_opt,
					  "[--json]\n"
					  "add block|allow NAME [--mode enforce|audit] [--scope SCOPE|none] "
					  "[--timeout DURATION|none]\n"
					  "del block|allow NAME [--state-dir DIR]",
					  "List the named sets, create one or change its options, or delete one.\v"
					  "add creates the set, or changes the options given of an existing one (the others "
					  "stay). del empties the set (entries other sets hold stay) and frees its name; set "
					  "manual cannot be deleted; its --persist file in the state dir is put aside (.FILE.removed).",
					  help_child, NULL, NULL };
	struct sets_parse sp = { .o = o };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	o->state_dir = "/var/lib/xdpfwd";
	use_exit_usage();
	return parse(&argp, argc, argv, &sp) ? EXIT_USAGE : 0;
}

/* ---- status, metrics: a pin dir and maybe --json ---- */

static const struct argp_option status_options[] = {
	PIN_DIR_OPTION,
	{ "json", 'j', NULL, 0, "Print one JSON object", 0 },
	{ "recount", OPT_RECOUNT, NULL, 0,
	  "Count the list entries afresh (walks the lists) and store the counts, after edits made with bpftool", 0 },
	VERBOSE_OPTION,
	{},
};

static const struct argp_option metrics_options[] = {
	PIN_DIR_OPTION,
	VERBOSE_OPTION,
	{},
};

static error_t status_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct status_opts *o = state->input;

	switch (key) {
	case 'p':
		o->pin_dir = arg;
		break;
	case 'j':
		o->json = true;
		break;
	case OPT_RECOUNT:
		o->recount = true;
		break;
	case 'v':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_parse_status(int argc, char **argv, struct status_opts *o)
{
	static const struct argp argp = { status_options, status_parse_opt, NULL,
					  "Show interfaces, program, list sizes and counters.", help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	use_exit_usage();
	return parse(&argp, argc, argv, o) ? EXIT_USAGE : 0;
}

/* metrics takes status's options less --json, so it shares the parser and options struct. */
int cli_parse_metrics(int argc, char **argv, struct status_opts *o)
{
	static const struct argp argp = { metrics_options, status_parse_opt, NULL,
					  "Print the counters, list sizes and interfaces in the Prometheus text "
					  "exposition format (what the daemon's --metrics-listen serves).",
					  help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	use_exit_usage();
	return parse(&argp, argc, argv, o) ? EXIT_USAGE : 0;
}

/* ---- top: a pin dir, --interval, --once or --json ---- */

/* Keys of their own, apart from the shared enum, so other commands' options can be added beside them. */
#define OPT_TOP_INTERVAL 0x300
#define OPT_TOP_ONCE 0x301

static const struct argp_option top_options[] = {
	PIN_DIR_OPTION,
	{ "interval", OPT_TOP_INTERVAL, "S", 0,
	  "Seconds between samples, " TOP_INTERVAL_TEXT " (default 1); the rates are over this interval", 0 },
	{ "once", OPT_TOP_ONCE, NULL, 0,
	  "Print one frame as plain text and exit (takes two samples one interval apart: rates need both)", 0 },
	{ "json", 'j', NULL, 0, "Print one JSON object per interval, one a line, until interrupted", 0 },
	VERBOSE_OPTION,
	{},
};

/* "1", "0.5", "2.25": plain decimal seconds in range, no sign, exponent or junk. */
static int parse_interval(const char *arg, unsigned int *ms)
{
	double v;
	char *end;

	if (!arg || *arg < '0' || *arg > '9' || strspn(arg, "0123456789.") != strlen(arg))
		return -EINVAL;
	errno = 0;
	v = strtod(arg, &end);
	if (errno || *end || v * 1000 < TOP_INTERVAL_MIN_MS || v * 1000 > TOP_INTERVAL_MAX_MS)
		return -ERANGE;
	*ms = (unsigned int)(v * 1000 + 0.5);
	return 0;
}

static error_t top_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct top_opts *o = state->input;

	switch (key) {
	case 'p':
		o->pin_dir = arg;
		break;
	case OPT_TOP_INTERVAL:
		if (parse_interval(arg, &o->interval_ms))
			argp_failure(state, EXIT_USAGE, 0, "--interval '%s': give seconds, " TOP_INTERVAL_TEXT, arg);
		break;
	case OPT_TOP_ONCE:
		o->once = true;
		break;
	case 'j':
		o->json = true;
		break;
	case 'v':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (o->once && o->json)
			argp_error(state, "--once and --json: give one (--json prints every interval, --once one text frame)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_parse_top(int argc, char **argv, struct top_opts *o)
{
	static const struct argp argp = { top_options, top_parse_opt, NULL,
					  "Watch the firewall live: rates per interface, events, how full the lists "
					  "and sets are, and the blocklist entries dropping the most. Keys: q quit, "
					  "s cycle the sort (rate, total, last hit), p pause. Read-only.",
					  help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	o->interval_ms = 1000;
	use_exit_usage();
	return parse(&argp, argc, argv, o) ? EXIT_USAGE : 0;
}

/* ---- detach ---- */

static const struct argp_option detach_options[] = {
	{ "iface", 'i', "IFACE", 0, "Interface to remove the firewall from (repeatable)", 0 },
	{ "all", OPT_ALL, NULL, 0, "Every interface of the instance", 0 },
	PIN_DIR_OPTION,
	VERBOSE_OPTION,
	{},
};

static error_t detach_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct detach_opts *o = state->input;

	switch (key) {
	case 'i':
		add_iface(state, o->ifname, &o->n_ifaces, arg);
		break;
	case OPT_ALL:
		o->all = true;
		break;
	case 'p':
		o->pin_dir = arg;
		break;
	case 'v':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!o->n_ifaces && !o->all)
			argp_error(state, "say which interface: --iface IFACE, or --all");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_parse_detach(int argc, char **argv, struct detach_opts *o)
{
	static const struct argp argp = { detach_options, detach_parse_opt, NULL,
					  "Remove the firewall from interfaces; the pins go with the last one.",
					  help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	use_exit_usage();
	return parse(&argp, argc, argv, o) ? EXIT_USAGE : 0;
}

/* ---- resize ---- */

static const struct argp_option resize_options[] = {
	{ "capacity", OPT_CAPACITY, "N", 0, "Both exact hashes to N entries (k = 1024, M = 1048576)", 0 },
	{ "capacity-v4", OPT_CAPACITY_V4, "N", 0, "The IPv4 hash (block_v4_addr) to N entries", 0 },
	{ "capacity-v6", OPT_CAPACITY_V6, "N", 0, "The IPv6 hash (block_v6_addr) to N entries", 0 },
	{ "capacity-prefix", OPT_CAPACITY_PREFIX, "N", 0,
	  "Both block tries (block_v4_net, block_v6_net) to N prefixes (a ceiling: a trie allocates per "
	  "entry)", 0 },
	{ "json", 'j', NULL, 0, "Print one JSON object (what was done)", 0 },
	PIN_DIR_OPTION,
	VERBOSE_OPTION,
	{},
};

static error_t resize_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct resize_opts *o = state->input;
	__u32 v;

	switch (key) {
	case OPT_CAPACITY:
	case OPT_CAPACITY_V4:
	case OPT_CAPACITY_V6:
	case OPT_CAPACITY_PREFIX:
		v = parse_capacity(arg);
		if (!v)
			argp_failure(state, EXIT_USAGE, 0, "--%s '%s': " CAPACITY_USAGE,
				     key == OPT_CAPACITY ? "capacity" : key == OPT_CAPACITY_V4 ? "capacity-v4" :
				     key == OPT_CAPACITY_V6 ? "capacity-v6" : "capacity-prefix", arg);
		if (key == OPT_CAPACITY_PREFIX) {
			o->capacity[CAP_V4_NET] = v;
			o->capacity[CAP_V6_NET] = v;
			break;
		}
		if (key != OPT_CAPACITY_V6)
			o->capacity[CAP_V4_ADDR] = v;
		if (key != OPT_CAPACITY_V4)
			o->capacity[CAP_V6_ADDR] = v;
		break;
	case 'j':
		o->json = true;
		break;
	case 'p':
		o->pin_dir = arg;
		break;
	case 'v':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_parse_resize(int argc, char **argv, struct resize_opts *o)
{
	static const struct argp argp = { resize_options, resize_parse_opt, NULL,
					  "Grow or shrink the blocklist's exact hashes and tries of a running "
					  "instance, without a moment unfiltered; without a size, grows those past "
					  "75% full (as the daemon does by itself); a map given no size keeps its "
					  "own.",
					  help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	use_exit_usage();
	return parse(&argp, argc, argv, o) ? EXIT_USAGE : 0;
}

/* ---- limit ---- */

static const struct argp_option limit_options[] = {
	PIN_DIR_OPTION,
	{ "json", 'j', NULL, 0, "Print one JSON object (the limits and their counters)", 0 },
	{ "pps", OPT_PPS, "N", 0, "set: packets per second per source key (k, M, G decimal; 0: none)", 0 },
	{ "bps", OPT_BPS, "N", 0, "set: bits per second per source key (k, M, G decimal; 0: none)", 0 },
	{ "burst", OPT_BURST, "N", 0, "set: packets at once above the rate (default: one second's worth)", 0 },
	{ "key", OPT_KEY, "/V4,/V6", 0, "set: the source key's lengths (/32,/128; /24,/64)", 0 },
	{ "action", OPT_ACTION, "ACTION", 0, "set: ban, drop or audit", 0 },
	{ "ban", OPT_BAN, "DURATION", 0, "set: how long a ban lasts (90s, 10m, 2h, 7d)", 0 },
	VERBOSE_OPTION,
	{},
};

static error_t limit_parse_opt(int key, char *arg, struct argp_state *state)
{
	static const char *const words[] = { "--pps", "--bps", "--burst", "--key", "--action", "--ban" };
	struct limit_opts *o = state->input;
	char err[300];
	size_t skip;

	switch (key) {
	case 'p':
		o->pin_dir = arg;
		break;
	case 'j':
		o->json = true;
		break;
	case OPT_PPS:
	case OPT_BPS:
	case OPT_BURST:
	case OPT_KEY:
	case OPT_ACTION:
	case OPT_BAN:
		if (limit_conf_set(&o->conf, limit_keys[key - OPT_PPS], arg, err, sizeof(err))) {
			/* The message names the daemon's option ("limit-pps '10x': ..."): here it is --pps. */
			skip = strlen(limit_keys[key - OPT_PPS]);
			argp_failure(state, EXIT_USAGE, 0, "%s%s", words[key - OPT_PPS],
				     strncmp(err, limit_keys[key - OPT_PPS], skip) ? err : err + skip);
		}
		break;
	case 'v':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0 && !strcmp(arg, "set"))
			o->op = LIMIT_SET;
		else if (state->arg_num == 0 && !strcmp(arg, "off"))
			o->op = LIMIT_OFF;
		else if (state->arg_num == 0 && (!strcmp(arg, "show") || !strcmp(arg, "list")))
			o->op = LIMIT_SHOW;
		else if (state->arg_num == 0)
			argp_error(state, "unknown command '%s': use set or off (or nothing to show the limits)", arg);
		else
			argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (o->conf.given && o->op != LIMIT_SET)
			argp_error(state, "--pps, --bps, --burst, --key, --action and --ban go with set");
		if (o->op == LIMIT_SET && !o->conf.given)
			argp_error(state, "set: say what to change (--pps N, --bps N, --burst N, --key /V4,/V6, "
				   "--action A, --ban D)");
		if (o->json && o->op != LIMIT_SHOW)
			argp_error(state, "--json goes with showing the limits (no set or off)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_parse_limit(int argc, char **argv, struct limit_opts *o)
{
	static const struct argp argp = { limit_options, limit_parse_opt,
					  "[--json]\n"
					  "set [--pps N] [--bps N] [--burst N] [--key /V4,/V6] [--action ban|drop|audit] "
					  "[--ban DURATION]\n"
					  "off",
					  "Show the flood defense's limits and counters, or change them in the running "
					  "instance (no new program, no restart).\v"
					  "set changes the settings given and keeps the others (from the defaults when the "
					  "limits are off: action ban, key /32,/128, ban 10m); every source's bucket starts "
					  "afresh. off stops metering; bans already made stay until they expire (xdpfwd block "
					  "flush --set auto lifts them). A daemon with --limit-* options or a --limits-file "
					  "makes the limits its own again at its next start or SIGHUP.",
					  help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	use_exit_usage();
	return parse(&argp, argc, argv, o) ? EXIT_USAGE : 0;
}

/* ---- replay ---- */

static const struct argp_option replay_options[] = {
	{ "pin-dir", 'p', "DIR", 0, "Copy the lists of the instance pinned in DIR (the default, "
	  XDPFWD_DEFAULT_PIN_DIR ", unless list files are given); the instance is only read", 0 },
	LIST_FILE_OPTIONS,
	{ "json", 'j', NULL, 0, "Print the results as one JSON object (with --verbose: a JSON line per frame first)", 0 },
	{ "verbose", 'v', NULL, 0, "Print every frame's verdict: action and reason (one more syscall per frame)", 0 },
	{ "top", OPT_TOP, "N", 0, "Show the N sources dropped most and the N entries hit most (default 10; 0: none)", 0 },
	{ "write-dropped", OPT_WRITE_DROPPED, "FILE", 0, "Write the dropped frames to FILE, a pcap (tcpdump -r FILE)", 0 },
	{ "write-passed", OPT_WRITE_PASSED, "FILE", 0, "Write the passed frames (audited ones too) to FILE, a pcap", 0 },
	{ "threads", OPT_THREADS, "N", 0, "Run frames on N threads, one per CPU (default: every CPU this process may use; one when rate limits are on)", 0 },
	DROP_MALFORMED_OPTION,
	LOG_LIMIT_OPTIONS,
	LIMIT_OPTIONS,
	BPF_OBJECT_OPTION,
	{ "debug", 'd', NULL, 0, "Show debug output, including libbpf's (the verifier log)", 0 },
	{},
};

static error_t replay_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct replay_opts *o = state->input;
	__u64 v;
	error_t r;

	switch (key) {
	case 'p':
		o->pin_dir = arg;
		o->pin_dir_given = true;
		break;
	case 'j':
		o->json = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'd':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case OPT_TOP:
		if (parse_u64(arg, 1000000, &v))
			argp_failure(state, EXIT_USAGE, 0, "--top '%s': use 0..1000000", arg);
		o->top = v;
		break;
	case OPT_WRITE_DROPPED:
		o->write_dropped = arg;
		break;
	case OPT_WRITE_PASSED:
		o->write_passed = arg;
		break;
	case OPT_THREADS:
		if (parse_u64(arg, 1024, &v) || !v)
			argp_failure(state, EXIT_USAGE, 0, "--threads '%s': use 1..1024", arg);
		o->threads = v;
		break;
	/* What a daemon would be started with: the daemon's own parser takes them. */
	case OPT_SETS_DIR:
	case OPT_BLOCKLIST_FILE:
	case OPT_ALLOWLIST_FILE:
	case OPT_STATE_DIR:
	case OPT_DROP_MALFORMED:
	case OPT_LOG_RATE:
	case OPT_LOG_BURST:
	case OPT_LOG_SOURCE_INTERVAL:
	case OPT_NO_LOG:
	case OPT_BPF_OBJECT:
	case OPT_LIMIT_PPS:
	case OPT_LIMIT_BPS:
	case OPT_LIMIT_BURST:
	case OPT_LIMIT_KEY:
	case OPT_LIMIT_ACTION:
	case OPT_LIMIT_BAN:
	case OPT_LIMITS_FILE:
		state->input = &o->d;
		r = daemon_parse_opt(key, arg, state);
		state->input = o;
		return r;
	case ARGP_KEY_ARG:
		if (o->capture)
			argp_error(state, "unexpected argument '%s' (one capture at a time)", arg);
		o->capture = arg;
		break;
	case ARGP_KEY_END:
		if (!o->capture)
			argp_error(state, "no capture given: xdpfwd replay CAPTURE (a pcap or pcapng file)");
		if (o->pin_dir_given && (o->d.list_file[LIST_BLOCK] || o->d.list_file[LIST_ALLOW] || o->d.sets_dir))
			argp_error(state, "the lists come from --pin-dir or from list files, not both");
		if (o->write_dropped && o->write_passed && !strcmp(o->write_dropped, o->write_passed))
			argp_error(state, "--write-dropped and --write-passed name the same file");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_parse_replay(int argc, char **argv, struct replay_opts *o)
{
	static const struct argp argp = { replay_options, replay_parse_opt, "CAPTURE",
					  "Run every frame of a capture (pcap or pcapng, Ethernet or Linux cooked) "
					  "through the XDP program the daemon attaches, on a private copy of the lists, "
					  "and say what it would have done: frames and bytes per action and reason, the "
					  "sources dropped most, the entries hit most, the frames that would be logged.\v"
					  "Nothing live is touched: not the pinned maps, their counters, nor the event "
					  "ring. Needs root (it loads a program). Exit status: 0 done, 1 failure, 2 bad "
					  "usage or a corrupt capture (the message names the byte offset).",
					  help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	daemon_defaults(&o->d);
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	o->top = 10;
	use_exit_usage();
	if (parse(&argp, argc, argv, o))
		return EXIT_USAGE;
	if (!o->d.log_burst)
		o->d.log_burst = o->d.log_rate ? o->d.log_rate : 1;
	if (o->d.list_file[LIST_BLOCK] || o->d.list_file[LIST_ALLOW] || o->d.sets_dir)
		o->pin_dir = NULL;
	return 0;
}
