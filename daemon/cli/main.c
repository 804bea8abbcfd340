// SPDX-License-Identifier: GPL-2.0
/* xdpfwd: `xdpfwd --iface IFACE` runs the daemon; a first word names a subcommand. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "cli_options.h"
#include "commands.h"
#include "daemon.h"

int main(int argc, char **argv)
{
	struct daemon_opts o;
	const char *cmd = argc > 1 ? argv[1] : "";
	char name[64];
	int err;

	/*
	 * libbpf's BTF parsing leaves megabytes of freed heap that glibc keeps;
	 * large blocks from mmap go back to the kernel, keeping a long-lived daemon small.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	log_install_lib_printers();
	/* Subcommands see "xdpfwd CMD" as their program name, so argp's messages read naturally. */
	if (!strcmp(cmd, "block") || !strcmp(cmd, "allow") || !strcmp(cmd, "status") || !strcmp(cmd, "detach") ||
	    !strcmp(cmd, "metrics")) {
		snprintf(name, sizeof(name), "xdpfwd %s", cmd);
		argv[1] = name;
		if (!strcmp(cmd, "block"))
			return cmd_list(LIST_BLOCK, argc - 1, argv + 1);
		if (!strcmp(cmd, "allow"))
			return cmd_list(LIST_ALLOW, argc - 1, argv + 1);
		if (!strcmp(cmd, "status"))
			return cmd_status(argc - 1, argv + 1);
		if (!strcmp(cmd, "metrics"))
			return cmd_metrics(argc - 1, argv + 1);
		return cmd_detach(argc - 1, argv + 1);
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
