// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd top`: a pin dir, --interval, --once or --json. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "opts_common.h"

enum {
	OPT_INTERVAL = OPT_FIRST,
	OPT_ONCE,
};

static const struct argp_option top_options[] = {
	PIN_DIR_OPTION,
	{ "interval", OPT_INTERVAL, "S", 0,
	  "Seconds between samples, " TOP_INTERVAL_TEXT " (default 1); the rates are over this interval", 0 },
	{ "once", OPT_ONCE, NULL, 0,
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
	case OPT_INTERVAL:
		if (parse_interval(arg, &o->interval_ms))
			argp_failure(state, EXIT_USAGE, 0, "--interval '%s': give seconds, " TOP_INTERVAL_TEXT, arg);
		break;
	case OPT_ONCE:
		o->once = true;
		break;
	case 'j':
		o->json = true;
		break;
	case ARGP_KEY_END:
		if (o->once && o->json)
			argp_error(state, "--once and --json: give one (--json prints every interval, --once one text frame)");
		break;
	default:
		return opts_common_key(key, arg, state, &o->pin_dir);
	}
	return 0;
}

int cli_parse_top(int argc, char **argv, struct top_opts *o)
{
	static const struct argp argp = { top_options, top_parse_opt, NULL,
					  "Watch the firewall live: rates per interface, events, how full the lists "
					  "and sets are, and the blocklist entries dropping the most. Keys: q quit, "
					  "s cycle the sort (rate, total, last hit), p pause. Read-only.",
					  opts_help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	o->interval_ms = 1000;
	return opts_parse(&argp, argc, argv, o);
}
