// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd block|allow add|del|list|flush|load|save`: the options, the ADDR arguments, a load's file. */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "opts_common.h"

enum {
	OPT_SET = OPT_FIRST,
	OPT_ALL_SETS,
	OPT_FORCE,
	OPT_TIMEOUT,
	OPT_MASK4,
	OPT_MASK6,
	OPT_FORMAT,
	OPT_MIN_SCORE,
	OPT_SKIP_INVALID,
	OPT_PERSIST,
	OPT_STATE_DIR,
};

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

	if (opts_parse_u64(arg, max, &v) || v == 0)
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
	case OPT_MIN_SCORE:
		o->read.min_score = opts_u64_in(state, "--min-score", arg, 1, 1000000, "");
		break;
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
		return opts_common_key(key, arg, state, &o->pin_dir);
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
					  opts_help_child, NULL, NULL };
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
	err = opts_parse(&argp, argc, argv, &lp);
	free(lp.args);
	return err ? err : check_catch_all(o);
}
