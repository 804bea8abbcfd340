// SPDX-License-Identifier: GPL-2.0
/*
 * xfbench: the pieces of `make bench` that need C: loading and filling the
 * reference programs, the live-frames run with contender swaps, the
 * BPF_PROG_TEST_RUN cross-check, reading xdpfwd's event counters and the JIT line table
 * the profile needs.
 * bench/run.sh drives it; every subcommand prints CSV or nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "xfbench.h"

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("XFB_VERBOSE")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "live", cmd_live }, { "progcost", cmd_progcost }, { "fill", cmd_fill },
		{ "load", cmd_load }, { "evstats", cmd_evstats }, { "jitlines", cmd_jitlines },
	};
	size_t i;

	libbpf_set_print(quiet_libbpf);
	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1) ? EXIT_FAILURE : EXIT_SUCCESS;
	fprintf(stderr, "usage: xfbench live|progcost|fill|load|evstats|jitlines ARGS (see bench/run.sh)\n");
	return 2;
}
