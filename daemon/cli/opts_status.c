// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd status` and `xdpfwd metrics`: a pin dir, and for status --json and --recount. */
#include <string.h>
#include "opts_common.h"

enum {
	OPT_RECOUNT = OPT_FIRST,
};

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
	case 'j':
		o->json = true;
		break;
	case OPT_RECOUNT:
		o->recount = true;
		break;
	default:
		return opts_common_key(key, arg, state, &o->pin_dir);
	}
	return 0;
}

int cli_parse_status(int argc, char **argv, struct status_opts *o)
{
	static const struct argp argp = { status_options, status_parse_opt, NULL,
					  "Show interfaces, program, list sizes and counters.", opts_help_child, NULL,
					  NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	return opts_parse(&argp, argc, argv, o);
}

/* metrics takes status's options less --json, so it shares the parser and options struct. */
int cli_parse_metrics(int argc, char **argv, struct status_opts *o)
{
	static const struct argp argp = { metrics_options, status_parse_opt, NULL,
					  "Print the counters, list sizes and interfaces in the Prometheus text "
					  "exposition format (what the daemon's --metrics-listen serves).",
					  opts_help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	return opts_parse(&argp, argc, argv, o);
}
