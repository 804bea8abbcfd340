// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd resize`: a size per block map, or none (grow those past the threshold). */
#include <string.h>
#include "opts_common.h"

enum {
	OPT_CAPACITY = OPT_FIRST,
	OPT_CAPACITY_PREFIX,
	OPT_CAPACITY_V4,
	OPT_CAPACITY_V6,
};

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
		v = opts_parse_capacity(arg);
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
	default:
		return opts_common_key(key, arg, state, &o->pin_dir);
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
					  opts_help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	return opts_parse(&argp, argc, argv, o);
}
