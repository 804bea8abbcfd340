// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd detach (--iface IFACE)... | --all`. */
#include <string.h>
#include "opts_common.h"

enum {
	OPT_ALL = OPT_FIRST,
};

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
		opts_add_iface(state, o->ifname, &o->n_ifaces, arg);
		break;
	case OPT_ALL:
		o->all = true;
		break;
	case ARGP_KEY_END:
		if (!o->n_ifaces && !o->all)
			argp_error(state, "say which interface: --iface IFACE, or --all");
		break;
	default:
		return opts_common_key(key, arg, state, &o->pin_dir);
	}
	return 0;
}

int cli_parse_detach(int argc, char **argv, struct detach_opts *o)
{
	static const struct argp argp = { detach_options, detach_parse_opt, NULL,
					  "Remove the firewall from interfaces; the pins go with the last one.",
					  opts_help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	return opts_parse(&argp, argc, argv, o);
}
