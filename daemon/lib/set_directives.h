/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a list file says of its set and how to read it, in the comment lines
 * at its head, which every list parser skips:
 * # xdpfwd-set: kind= mode= scope= timeout= format= min-score= skip-invalid=
 */
#ifndef XDPFWD_SET_DIRECTIVES_H
#define XDPFWD_SET_DIRECTIVES_H

#include <stdbool.h>
#include <stddef.h>
#include "list_parse.h"
#include "lists.h"
#include "sets.h"

struct set_directives {
	enum list_kind kind;
	struct set_options opts;
	enum xdpfwd_list_format format;	/* plain unless format= says otherwise */
	unsigned int min_score;		/* ipsum */
	bool skip_invalid;		/* a feed's junk lines skipped (and reported), not fatal */
	bool has_kind;
};

/*
 * The "# xdpfwd-set: ..." lines of the file name holds in buf, into d. Only
 * the file's head is looked at (blank lines and '#' or ';' comments, up to
 * the first entry), so a million-line feed is not scanned twice. Options not
 * given keep d's values (the caller's defaults): deleting a line takes its
 * option back. -EINVAL with FILE:LINE, why and what to do in err.
 */
int set_directives_parse(const char *name, const char *buf, size_t len, struct set_directives *d, char *err,
			 size_t errlen);

#endif
