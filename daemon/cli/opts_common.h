/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every command's argp parser (opts_*.c) shares: -h/--help, --usage and
 * -V in place of argp's own, exit status 2 on bad usage, the --pin-dir and
 * --verbose options, and the checks of numbers, map sizes and interface names.
 */
#ifndef XDPFWD_OPTS_COMMON_H
#define XDPFWD_OPTS_COMMON_H

#include <argp.h>
#include "cli_options.h"
#include "pin_dir.h"

/*
 * Keys of long-only options: above every character, so argp never takes one
 * for a short option. Each command's argp is its own, so commands number their
 * keys from OPT_FIRST independently; only the help child's --usage is shared.
 */
enum {
	OPT_USAGE = 0x100,
	OPT_FIRST,
};

#define PIN_DIR_OPTION \
	{ "pin-dir", 'p', "DIR", 0, "Where the instance's maps and program are pinned (default " \
	  XDPFWD_DEFAULT_PIN_DIR ")", 0 }
#define VERBOSE_OPTION { "verbose", 'v', NULL, 0, "Show debug output, including libbpf's and libxdp's", 0 }

/* -h, --help, -?, --usage, -V, --version: every command's argp names it as its child. */
extern const struct argp_child opts_help_child[];

/* argp_parse with the help above and exit status 2 on bad usage; returns 0 or EXIT_USAGE. */
int opts_parse(const struct argp *argp, int argc, char **argv, void *input);

/*
 * For a parser's default case: -p DIR into *pin_dir, -v debug output, and an
 * argument refused (commands that take some handle ARGP_KEY_ARG first), as
 * most commands take them; ARGP_ERR_UNKNOWN for any other key.
 */
error_t opts_common_key(int key, char *arg, struct argp_state *state, const char **pin_dir);

/* Decimal only, no sign, no trailing junk: "10x", "-1" and "" are errors, not 10, huge or 0. */
int opts_parse_u64(const char *s, __u64 max, __u64 *out);

/* A bounded count, or exit 2 with "OPT 'ARG': use MIN..MAX" and then unit (" (ms)" or ""). */
__u64 opts_u64_in(struct argp_state *state, const char *opt, const char *arg, __u64 min, __u64 max,
		  const char *unit);

/*
 * A map size: N, Nk (x1024) or NM (x1048576), within CAPACITY_MIN..CAPACITY_MAX;
 * 0 on a bad one.
 */
__u32 opts_parse_capacity(const char *s);
#define CAPACITY_USAGE "use a count from 64 to 256M (k = 1024, M = 1048576: 64k, 1M)"

/* --iface for the daemon and detach: a valid name (the kernel's rules), at most once each. */
void opts_add_iface(struct argp_state *state, char (*names)[IF_NAMESIZE], int *n, const char *arg);

/*
 * The flood defense settings' names, limit_conf_set's keys, in the order of the
 * daemon's --limit-* options and of `limit set`'s --pps ... --ban.
 */
#define OPTS_N_LIMIT_KEYS 6
extern const char *const opts_limit_keys[OPTS_N_LIMIT_KEYS];

#endif
