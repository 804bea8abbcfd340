// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd sets [--json] | add|del block|allow NAME [...]`: which set, and the options add gives it. */
#include <string.h>
#include "opts_common.h"

enum {
	OPT_SET_MODE = OPT_FIRST,
	OPT_SCOPE,
	OPT_TIMEOUT,
	OPT_STATE_DIR,
};

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
		return opts_common_key(key, arg, state, &o->pin_dir);
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
					  opts_help_child, NULL, NULL };
	struct sets_parse sp = { .o = o };

	memset(o, 0, sizeof(*o));
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	o->state_dir = "/var/lib/xdpfwd";
	return opts_parse(&argp, argc, argv, &sp);
}
