// SPDX-License-Identifier: GPL-2.0
/* The pieces every command's parser shares (opts_common.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capacity.h"
#include "log.h"
#include "opts_common.h"
#include "version.h"

const char *argp_program_version = "xdpfwd " XDPFWD_VERSION;
const char *argp_program_bug_address = "the xdpfwd issue tracker";

const char *const opts_limit_keys[OPTS_N_LIMIT_KEYS] = {
	"limit-pps", "limit-bps", "limit-burst", "limit-key", "limit-action", "limit-ban",
};

int opts_parse_u64(const char *s, __u64 max, __u64 *out)
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

__u32 opts_parse_capacity(const char *s)
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

void opts_add_iface(struct argp_state *state, char (*names)[IF_NAMESIZE], int *n, const char *arg)
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

__u64 opts_u64_in(struct argp_state *state, const char *opt, const char *arg, __u64 min, __u64 max,
		  const char *unit)
{
	__u64 v = 0;

	if (opts_parse_u64(arg, max, &v) || v < min)
		argp_failure(state, EXIT_USAGE, 0, "%s '%s': use %llu..%llu%s", opt, arg, (unsigned long long)min,
			     (unsigned long long)max, unit);
	return v;
}

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
const struct argp_child opts_help_child[] = { { &help_argp, 0, NULL, -1 }, {} };

error_t opts_common_key(int key, char *arg, struct argp_state *state, const char **pin_dir)
{
	switch (key) {
	case 'p':
		*pin_dir = arg;
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

int opts_parse(const struct argp *argp, int argc, char **argv, void *input)
{
	/* argp's default exit code for usage errors is 64; the project promises 2. */
	argp_err_exit_status = EXIT_USAGE;
	return argp_parse(argp, argc, argv, ARGP_NO_HELP, NULL, input) ? EXIT_USAGE : 0;
}
