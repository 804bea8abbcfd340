// SPDX-License-Identifier: GPL-2.0
/* xdpfwd top: the firewall live, full screen (top_tui.c), one text frame (--once) or JSON lines (--json). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "lib_error.h"
#include "top.h"
#include "top_show.h"
#include "commands.h"

/* --once: the busiest entries it prints. */
#define ONCE_ROWS 20

static int parse(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_top(argc, argv, &o->top);

	o->pin_dir = o->top.pin_dir;
	return err;
}

/* Sleeps until one interval after *next, then moves *next on: samples stay an interval apart. */
static void wait_interval(struct timespec *next, unsigned int ms)
{
	next->tv_sec += ms / 1000;
	next->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (next->tv_nsec >= 1000000000L) {
		next->tv_sec++;
		next->tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

static int once(struct top *t, const struct top_opts *o)
{
	static struct top_view v;
	static struct top_text text;
	struct timespec next;
	int i, err;

	clock_gettime(CLOCK_MONOTONIC, &next);
	err = top_sample(t, 1);
	if (!err) {
		wait_interval(&next, o->interval_ms);
		err = top_sample(t, 0);
	}
	if (err)
		return cli_error(err);
	top_view(t, TOP_SORT_RATE, &v);
	/* Plain text for scripts and bug reports: ASCII graph, no width limit. */
	top_text_frame(&v, o->pin_dir, TOP_SORT_RATE, TOP_TEXT_WIDTH - 1, ONCE_ROWS, 0, 0, &text);
	for (i = 0; i < text.n; i++)
		puts(text.line[i]);
	return fflush(stdout) ? cli_failed(-EIO, "writing to stdout") : 0;
}

static int json(struct top *t, const struct top_opts *o)
{
	static struct top_view v;
	struct timespec next;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &next);
	err = top_sample(t, 1);
	while (!err) {
		wait_interval(&next, o->interval_ms);
		err = top_sample(t, 0);
		if (err)
			break;
		top_view(t, TOP_SORT_RATE, &v);
		top_json_frame(stdout, &v, o->pin_dir, TOP_SORT_RATE);
		/* A reader that went away (`| head -1`) ends it. */
		if (fflush(stdout) || ferror(stdout))
			return 0;
	}
	return cli_error(err);
}

static int run(struct xdpfwd_bpf *skel, struct cmd_opts *co)
{
	const struct top_opts *o = &co->top;
	struct top *t;
	int err;

	if (!o->once && !o->json && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		pr_warn("xdpfwd top: the live view needs a terminal; for scripts use --once (one frame) or --json\n");
		return -ENOTTY;
	}
	err = cli_error(top_open(skel, o->pin_dir, &t));
	if (err)
		return err;
	if (o->once)
		err = once(t, o);
	else if (o->json)
		err = json(t, o);
	else
		err = cli_error(top_tui_run(t, o->pin_dir, o->interval_ms));
	top_close(t);
	return err;
}

const struct cmd_ops cmd_top_ops = { .parse = parse, .run = run };
