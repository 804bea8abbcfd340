// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd --iface IFACE [OPTION...]`: the daemon's options, into the service's struct daemon_opts. */
#include <stdio.h>
#include <string.h>
#include "lib_error.h"
#include "rate_limits.h"
#include "opts_daemon.h"

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

/* One flood defense setting; limit_conf.c words the error ("limit-pps '10x': use ..."), "--" added here. */
static void limit_option(struct argp_state *state, struct limit_conf *c, const char *key, const char *arg)
{
	char err[300];

	if (limit_conf_set(c, key, arg, err, sizeof(err)))
		argp_failure(state, EXIT_USAGE, 0, "--%s", err);
}

error_t opts_daemon_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct daemon_opts *o = state->input;
	__u64 v;

	switch (key) {
	case 'i':
		opts_add_iface(state, o->ifname, &o->n_ifaces, arg);
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
		else if (opts_parse_u64(arg, 1000000000ULL, &v) || v == 0)
			argp_failure(state, EXIT_USAGE, 0, "--log-rate '%s': use 1..1000000000 or 'unlimited'", arg);
		else
			o->log_rate = v;
		break;
	case OPT_LOG_BURST:
		o->log_burst = opts_u64_in(state, "--log-burst", arg, 1, 1000000000ULL, "");
		break;
	case OPT_LOG_SOURCE_INTERVAL:
		o->log_source_interval_ms = opts_u64_in(state, "--log-source-interval", arg, 0, 86400000ULL, " (ms)");
		break;
	case OPT_NO_LOG:
		o->log_enabled = false;
		break;
	case OPT_STATS_INTERVAL:
		o->stats_interval = opts_u64_in(state, "--stats-interval", arg, 0, 86400, " (seconds)");
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
		o->capacity.exact = opts_parse_capacity(arg);
		if (!o->capacity.exact)
			argp_failure(state, EXIT_USAGE, 0, "--capacity '%s': " CAPACITY_USAGE, arg);
		break;
	case OPT_CAPACITY_PREFIX:
		o->capacity.prefix = opts_parse_capacity(arg);
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
		limit_option(state, &o->limits, opts_limit_keys[key - OPT_LIMIT_PPS], arg);
		break;
	case OPT_LIMITS_FILE:
		if (!*arg)
			argp_failure(state, EXIT_USAGE, 0, "--limits-file needs a file name");
		o->limits_file = arg;
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
		return opts_common_key(key, arg, state, &o->pin_dir);
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

void opts_daemon_defaults(struct daemon_opts *o)
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

void opts_daemon_finish(struct daemon_opts *o)
{
	if (!o->log_burst)
		o->log_burst = o->log_rate ? o->log_rate : 1;
}

int cli_parse_daemon(int argc, char **argv, struct daemon_opts *o, const char *commands)
{
	static const struct argp argp = { daemon_options, opts_daemon_parse_opt, NULL, daemon_doc, opts_help_child,
					  daemon_help_filter, NULL };

	commands_doc = commands;
	opts_daemon_defaults(o);
	if (opts_parse(&argp, argc, argv, o))
		return EXIT_USAGE;
	opts_daemon_finish(o);
	return 0;
}
