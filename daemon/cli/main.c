// SPDX-License-Identifier: GPL-2.0
/* xdpfwd: `xdpfwd --iface IFACE` runs the daemon; a first word names a subcommand. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "privs.h"
#include "instance.h"
#include "lib_error.h"
#include "cli_options.h"
#include "commands.h"
#include "daemon.h"

/* The subcommands: `xdpfwd --help` lists each with its synopsis and one line of help. */
static const struct command {
	const char *name;
	const struct cmd_ops *ops;
	const char *synopsis;	/* what follows "xdpfwd NAME ", never empty */
	const char *help;
} commands[] = {
	{ "block", &cmd_block_ops,
	  "add|del [--set NAME] ADDR[/LEN]... | list [--set NAME] [-j] | flush [--set NAME|--all-sets] | load|save [--set NAME] FILE",
	  "the blocklist's named sets (default set manual; add --timeout D: expiring; load: one set in one step)" },
	{ "allow", &cmd_allow_ops, "add|del|list|flush|load|save ... (as block)",
	  "the allowlist's named sets; the allowlist wins over the blocklist" },
	{ "sets", &cmd_sets_ops, "[-j|--json] | add|del block|allow NAME [--mode M] [--scope S] [--timeout D]",
	  "the named sets of both lists: entries, counters, options" },
	{ "limit", &cmd_limit_ops, "[-j] | set [--pps N] [--bps N] [--burst N] [--key /V4,/V6] [--action A] [--ban D] | off",
	  "the flood defense's per-source limits and bans (set auto): show, change at run time, turn off" },
	{ "status", &cmd_status_ops, "[-j|--json] [--recount]", "interfaces, program, list sizes, counters" },
	{ "top", &cmd_top_ops, "[--interval S] [--once|--json]",
	  "watch it live: rates, events, map fill and the entries dropping the most (q quit, s sort, p pause)" },
	{ "metrics", &cmd_metrics_ops, "[--pin-dir DIR]", "the counters in Prometheus text format" },
	{ "replay", &cmd_replay_ops,
	  "CAPTURE [--pin-dir DIR | --blocklist-file F --allowlist-file F | --sets-dir D] [-j] [--top N] "
	  "[--write-dropped F] [--write-passed F] [-v]",
	  "what the program would do with a capture's frames, on a private copy of the lists (nothing live touched)" },
	{ "resize", &cmd_resize_ops,
	  "[--capacity N | --capacity-v4 N --capacity-v6 N] [--capacity-prefix N] [-j]",
	  "grow or shrink the blocklist's exact hashes and tries (entries, counters, deadlines kept; never "
	  "unfiltered)" },
	{ "detach", &cmd_detach_ops, "(--iface IFACE)... | --all",
	  "take the firewall off interfaces (the last one out removes the pins)" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The list --help shows, from the table: so a new command cannot be missing from it. */
static const char *commands_help(void)
{
	static char buf[2048];
	size_t i, used = 0;
	int n;

	for (i = 0; i < N_COMMANDS && used < sizeof(buf); i++) {
		n = snprintf(buf + used, sizeof(buf) - used, "  xdpfwd %s %s\n      %s\n", commands[i].name,
			     commands[i].synopsis, commands[i].help);
		used += n > 0 ? (size_t)n : 0;
	}
	return buf;
}

int cli_error(int err)
{
	if (err < 0 && lib_error()[0])
		pr_warn("%s\n", lib_error());
	lib_error_clear();
	return err;
}

int cli_failed(int err, const char *what)
{
	if (lib_error()[0])
		pr_warn("%s\n", lib_error());
	else
		pr_warn("%s failed: %s\n", what, strerror(-err));
	return err;
}

void cli_report(enum lib_report_level level, const char *msg)
{
	log_msg(level == LIB_REPORT_WARN ? LOG_LEVEL_WARN : level == LIB_REPORT_INFO ? LOG_LEVEL_INFO :
		LOG_LEVEL_DEBUG, "%s\n", msg);
}

/* The library's notices (e.g. "nothing to detach"), as the commands' other lines. */
static void cli_notice(const char *msg)
{
	pr_info("%s\n", msg);
}

/* What every command does around its own work; argv[0] is "xdpfwd NAME". */
static int run_command(const struct command *c, int argc, char **argv)
{
	struct xdpfwd_bpf *skel = NULL;
	struct cmd_opts o;
	int err;

	memset(&o, 0, sizeof(o));
	lib_notice_set_handler(cli_notice);
	err = c->ops->parse(argc, argv, &o);
	if (err)
		goto out_parsed;
	err = privs_check(argv[0]);
	if (!err && o.pin_dir)
		err = cli_error(pinned_open_all(o.pin_dir, &skel));
	if (!err)
		err = c->ops->run(skel, &o);
	xdpfwd_bpf__destroy(skel);
	err = err == EXIT_USAGE ? EXIT_USAGE : err ? EXIT_FAILURE : EXIT_SUCCESS;
out_parsed:
	if (c->ops->done)
		c->ops->done(&o);
	return err;
}

int main(int argc, char **argv)
{
	struct daemon_opts o;
	const char *cmd = argc > 1 ? argv[1] : "";
	char name[64];
	size_t i;
	int err;

	/*
	 * libbpf's BTF parsing leaves megabytes of freed heap that glibc keeps;
	 * large blocks from mmap go back to the kernel, keeping a long-lived daemon small.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	log_install_lib_printers();
	lib_notice_set_handler(cli_notice);	/* the daemon installs its own */
	for (i = 0; i < N_COMMANDS; i++) {
		if (strcmp(cmd, commands[i].name))
			continue;
		/* Subcommands see "xdpfwd CMD" as their program name, so argp's messages read naturally. */
		snprintf(name, sizeof(name), "xdpfwd %s", cmd);
		argv[1] = name;
		return run_command(&commands[i], argc - 1, argv + 1);
	}
	if (cmd[0] && cmd[0] != '-') {
		fprintf(stderr, "xdpfwd: unknown command '%s'; the commands are", cmd);
		for (i = 0; i < N_COMMANDS; i++)
			fprintf(stderr, "%s %s", i ? "," : "", commands[i].name);
		fprintf(stderr, "; try `xdpfwd --help`\n");
		return EXIT_USAGE;
	}
	err = cli_parse_daemon(argc, argv, &o, commands_help());
	if (err)
		return err;
	return daemon_run(&o);
}
