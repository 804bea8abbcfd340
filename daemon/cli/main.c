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

/* The words `xdpfwd --help` lists (cli_options.c's daemon_doc says what each does). */
static const struct command {
	const char *name;
	const struct cmd_ops *ops;
} commands[] = {
	{ "block", &cmd_block_ops },		/* add, del, list, flush, load blocklist entries */
	{ "allow", &cmd_allow_ops },		/* the same for the allowlist */
	{ "sets", &cmd_sets_ops },		/* the named sets of both lists: list, add (or change), del */
	{ "status", &cmd_status_ops },		/* interfaces, program, list sizes, counters */
	{ "metrics", &cmd_metrics_ops },	/* the counters in Prometheus text format */
	{ "detach", &cmd_detach_ops },		/* take the firewall off interfaces */
};

/* The library's notices (an entry del did not find, ...) are for the operator at the terminal. */
static void cli_notice(const char *msg)
{
	pr_warn("%s\n", msg);
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
	if (!err)
		err = pinned_open_all(o.pin_dir, &skel);
	if (!err)
		err = c->ops->run(skel, &o);
	xdpfwd_bpf__destroy(skel);
	err = err ? EXIT_FAILURE : EXIT_SUCCESS;
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
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name))
			continue;
		/* Subcommands see "xdpfwd CMD" as their program name, so argp's messages read naturally. */
		snprintf(name, sizeof(name), "xdpfwd %s", cmd);
		argv[1] = name;
		return run_command(&commands[i], argc - 1, argv + 1);
	}
	if (cmd[0] && cmd[0] != '-') {
		fprintf(stderr, "xdpfwd: unknown command '%s'; try `xdpfwd --help`\n", cmd);
		return EXIT_USAGE;
	}
	err = cli_parse_daemon(argc, argv, &o);
	if (err)
		return err;
	return daemon_run(&o);
}
