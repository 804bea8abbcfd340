// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd limit [--json] | set [--pps N] ... | off`: the flood defense's settings at run time. */
#include <string.h>
#include "opts_common.h"

enum {
	/* In opts_limit_keys' order: the parser indexes it with key - OPT_PPS. */
	OPT_PPS = OPT_FIRST,
	OPT_BPS,
	OPT_BURST,
	OPT_KEY,
	OPT_ACTION,
	OPT_BAN,
};

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
	case 'j':
		o->json = true;
		break;
	case OPT_PPS:
	case OPT_BPS:
	case OPT_BURST:
	case OPT_KEY:
	case OPT_ACTION:
	case OPT_BAN:
		if (limit_conf_set(&o->conf, opts_limit_keys[key - OPT_PPS], arg, err, sizeof(err))) {
			/* The message names the daemon's option ("limit-pps '10x': ..."): here it is --pps. */
			skip = strlen(opts_limit_keys[key - OPT_PPS]);
			argp_failure(state, EXIT_USAGE, 0, "%s%s", words[key - OPT_PPS],
				     strncmp(err, opts_limit_keys[key - OPT_PPS], skip) ? err : err + skip);
		}
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
		return opts_common_key(key, arg, state, &o->pin_dir);
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
					  opts_help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	return opts_parse(&argp, argc, argv, o);
}
