/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ways `xdpfwd top` shows a view (daemon/lib/top.h): as lines of text
 * (--once, and what the full-screen view draws), as JSON (--json), and the
 * full-screen view itself (ncursesw).
 */
#ifndef XDPFWD_TOP_SHOW_H
#define XDPFWD_TOP_SHOW_H

#include <stdio.h>
#include "top.h"

#define TOP_TEXT_LINES (32 + TOP_ROWS)
#define TOP_TEXT_WIDTH 512

enum top_line_kind {
	TOP_LINE_PLAIN,
	TOP_LINE_TITLE,		/* the first line */
	TOP_LINE_HEADING,	/* a table's column names */
};

struct top_text {
	char line[TOP_TEXT_LINES][TOP_TEXT_WIDTH];
	enum top_line_kind kind[TOP_TEXT_LINES];
	int n;
};

/*
 * The frame as lines at most `width` columns wide, the table cut to max_rows;
 * utf8: the drops/s graph in block characters (else ASCII). paused adds a mark to the title.
 */
void top_text_frame(const struct top_view *v, const char *pin_dir, enum top_sort sort, int width, int max_rows,
		    int utf8, int paused, struct top_text *out);

/* One JSON object on one line. */
void top_json_frame(FILE *f, const struct top_view *v, const char *pin_dir, enum top_sort sort);

/* The full-screen view until q, SIGINT, SIGTERM or SIGHUP; the terminal restored on every way out. */
int top_tui_run(struct top *t, const char *pin_dir, unsigned int interval_ms);

#endif
