// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd replay CAPTURE`: its own options, and the daemon's it rehearses (opts_daemon.h). */
#include <string.h>
#include "log.h"
#include "opts_daemon.h"

enum {
	OPT_TOP = OPT_DAEMON_END,
	OPT_WRITE_DROPPED,
	OPT_WRITE_PASSED,
	OPT_THREADS,
};

static const struct argp_option replay_options[] = {
	{ "pin-dir", 'p', "DIR", 0, "Copy the lists of the instance pinned in DIR (the default, "
	  XDPFWD_DEFAULT_PIN_DIR ", unless list files are given); the instance is only read", 0 },
	LIST_FILE_OPTIONS,
	{ "json", 'j', NULL, 0, "Print the results as one JSON object (with --verbose: a JSON line per frame first)", 0 },
	{ "verbose", 'v', NULL, 0, "Print every frame's verdict: action and reason (one more syscall per frame)", 0 },
	{ "top", OPT_TOP, "N", 0, "Show the N sources dropped most and the N entries hit most (default 10; 0: none)", 0 },
	{ "write-dropped", OPT_WRITE_DROPPED, "FILE", 0, "Write the dropped frames to FILE, a pcap (tcpdump -r FILE)", 0 },
	{ "write-passed", OPT_WRITE_PASSED, "FILE", 0, "Write the passed frames (audited ones too) to FILE, a pcap", 0 },
	{ "threads", OPT_THREADS, "N", 0, "Run frames on N threads, one per CPU (default: every CPU this process may use; one when rate limits are on)", 0 },
	DROP_MALFORMED_OPTION,
	LOG_LIMIT_OPTIONS,
	LIMIT_OPTIONS,
	BPF_OBJECT_OPTION,
	{ "debug", 'd', NULL, 0, "Show debug output, including libbpf's (the verifier log)", 0 },
	{},
};

static error_t replay_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct replay_opts *o = state->input;
	error_t r;

	switch (key) {
	case 'p':
		o->pin_dir = arg;
		o->pin_dir_given = true;
		break;
	case 'j':
		o->json = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'd':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case OPT_TOP:
		o->top = opts_u64_in(state, "--top", arg, 0, 1000000, "");
		break;
	case OPT_WRITE_DROPPED:
		o->write_dropped = arg;
		break;
	case OPT_WRITE_PASSED:
		o->write_passed = arg;
		break;
	case OPT_THREADS:
		o->threads = opts_u64_in(state, "--threads", arg, 1, 1024, "");
		break;
	case ARGP_KEY_ARG:
		if (o->capture)
			argp_error(state, "unexpected argument '%s' (one capture at a time)", arg);
		o->capture = arg;
		break;
	case ARGP_KEY_END:
		if (!o->capture)
			argp_error(state, "no capture given: xdpfwd replay CAPTURE (a pcap or pcapng file)");
		if (o->pin_dir_given && (o->d.list_file[LIST_BLOCK] || o->d.list_file[LIST_ALLOW] || o->d.sets_dir))
			argp_error(state, "the lists come from --pin-dir or from list files, not both");
		if (o->write_dropped && o->write_passed && !strcmp(o->write_dropped, o->write_passed))
			argp_error(state, "--write-dropped and --write-passed name the same file");
		break;
	default:
		/*
		 * The rest of the table is the daemon's own options (what a daemon
		 * would be started with): its parser takes them, and says
		 * ARGP_ERR_UNKNOWN to the special keys it leaves to argp.
		 */
		state->input = &o->d;
		r = opts_daemon_parse_opt(key, arg, state);
		state->input = o;
		return r;
	}
	return 0;
}

int cli_parse_replay(int argc, char **argv, struct replay_opts *o)
{
	static const struct argp argp = { replay_options, replay_parse_opt, "CAPTURE",
					  "Run every frame of a capture (pcap or pcapng, Ethernet or Linux cooked) "
					  "through the XDP program the daemon attaches, on a private copy of the lists, "
					  "and say what it would have done: frames and bytes per action and reason, the "
					  "sources dropped most, the entries hit most, the frames that would be logged.\v"
					  "Nothing live is touched: not the pinned maps, their counters, nor the event "
					  "ring. Needs root (it loads a program). Exit status: 0 done, 1 failure, 2 bad "
					  "usage or a corrupt capture (the message names the byte offset).",
					  opts_help_child, NULL, NULL };

	memset(o, 0, sizeof(*o));
	opts_daemon_defaults(&o->d);
	o->pin_dir = XDPFWD_DEFAULT_PIN_DIR;
	o->top = 10;
	if (opts_parse(&argp, argc, argv, o))
		return EXIT_USAGE;
	opts_daemon_finish(&o->d);
	if (o->d.list_file[LIST_BLOCK] || o->d.list_file[LIST_ALLOW] || o->d.sets_dir)
		o->pin_dir = NULL;
	return 0;
}
