/* SPDX-License-Identifier: GPL-2.0 */
/*
 * List files: one address or prefix per line, blank lines and surrounding
 * whitespace ignored, CRLF tolerated. Formats (enum xdpfwd_list_format):
 *
 *  plain     xdpfwd's own: "ADDR[/LEN] [timeout=DURATION|until=SECONDS]...".
 *            timeout= is from now (at most XDPFWD_DURATION_MAX); until= is a
 *            CLOCK_REALTIME deadline (one further away than
 *            XDPFWD_DURATION_MAX from now counts as that far, so a clock set
 *            back or a hand-written huge value never wraps or makes the file
 *            unreadable; one already past drops the line).
 *  netset    FireHOL .netset ("#" header, one address or prefix a line):
 *            read exactly as plain, which it is a case of.
 *  spamhaus  Spamhaus DROP/EDROP/DROPv6 ("; Spamhaus DROP List ..." header
 *            lines, entries "1.10.16.0/20 ; SBL256894"): read as plain too,
 *            since plain takes ';' comments (below).
 *  ipsum     stamparm/ipsum: "ADDR<TAB>COUNT" (any blanks), COUNT the number
 *            of lists naming ADDR; an entry with COUNT < min_score is left
 *            out (counted in below_score), not an error. No options. Only
 *            ipsum reads a count: "ADDR 3" is an error in the others.
 *  auto      the default: the first line that is a ';' comment or starts
 *            with an address decides. "; ..." or "ADDR ; ..." -> spamhaus,
 *            "ADDR COUNT" -> ipsum, anything else -> plain (netset files are
 *            plain). Lines before it that are blank, '#' comments or junk do
 *            not decide, so a junk first line with skip_invalid still finds
 *            the format.
 *
 * Comments, in every format: '#' starts one anywhere; ';' starts one at the
 * start of a line or after a blank. No valid plain line ever held a ';'
 * (addresses, durations and deadlines have none), so this reads every old
 * file as before; the blank before it keeps "10.0.0.1;10.0.0.2", a list
 * typed with the wrong separator, an error instead of one entry.
 * Host bits set in a prefix (10.0.0.1/8) are an error in every format.
 *
 * A file is all or nothing: the first bad line rejects it with "FILE:LINE:
 * why" in err and *out keeps exactly its old entries, so a typo never leaves
 * the lists half loaded (a line longer than XDPFWD_LISTFILE_LINE_MAX is a
 * bad line). With skip_invalid (for third-party feeds) bad lines
 * are skipped instead, counted in skipped, and the first
 * XDPFWD_LISTFILE_WARN_MAX are kept in msgs as "FILE:LINE: why" for the
 * caller to show; but a file with bad lines and not one good entry line is
 * still rejected (an HTML error page is not an empty feed). A NUL byte, a
 * file over XDPFWD_LISTFILE_BYTES_MAX and running out of memory reject the
 * file either way. A file (or stream) larger than XDPFWD_LISTFILE_BYTES_MAX
 * is refused as soon as that much was read, one with a NUL byte as soon as
 * it arrives.
 *
 * An entry on several lines is one entry; if the lines give it different
 * expiries the longest applies (no expiry is the longest) and a warning
 * "xdpfwd: FILE:LINE: ..." naming both lines goes to stderr (at most
 * XDPFWD_LISTFILE_WARN_MAX a file, then a count). The same rule, without
 * warnings, when a file's entries meet those already in the set.
 */
#ifndef XDPFWD_LIST_PARSE_H
#define XDPFWD_LIST_PARSE_H

#include <stddef.h>
#include <stdio.h>

#include "addr.h"

#define XDPFWD_LISTFILE_LINE_MAX 4096	/* bytes, line terminator excluded */
/* 256 MiB: a full blocklist (2.6 million entries) written out with until= on every line is ~180 MiB. */
#define XDPFWD_LISTFILE_BYTES_MAX (256U << 20)
#define XDPFWD_LISTFILE_WARN_MAX 10
#define XDPFWD_LISTFILE_MSG_MAX 512	/* one kept "FILE:LINE: why", NUL included (truncated to fit) */

enum xdpfwd_list_format {
	XDPFWD_LIST_AUTO = 0,
	XDPFWD_LIST_PLAIN,
	XDPFWD_LIST_NETSET,
	XDPFWD_LIST_SPAMHAUS,
	XDPFWD_LIST_IPSUM,
};

/* What the reader is told and what it tells back. Zeroed means: auto, min_score 1, strict. */
struct xdpfwd_listfile_opts {
	/* in */
	enum xdpfwd_list_format format;
	unsigned int min_score;		/* ipsum: entries with COUNT below it are left out; 0 means 1 */
	int skip_invalid;		/* skip bad lines (counted, first ones kept) instead of failing */
	/* out, set on success and on failure */
	enum xdpfwd_list_format format_used;	/* auto resolved: PLAIN, SPAMHAUS or IPSUM */
	size_t entries;			/* good entry lines (before duplicates are merged) */
	size_t below_score;		/* ipsum lines left out for their COUNT */
	size_t skipped;			/* bad lines skipped (skip_invalid only) */
	size_t nmsgs;			/* msgs held: min(skipped, XDPFWD_LISTFILE_WARN_MAX) */
	char msgs[XDPFWD_LISTFILE_WARN_MAX][XDPFWD_LISTFILE_MSG_MAX];	/* "FILE:LINE: why", in line order */
};

/* "auto", "plain", "netset", "spamhaus", "ipsum"; NULL for a value out of range. */
const char *xdpfwd_list_format_name(enum xdpfwd_list_format f);
/* The name to the value: 0, or -EINVAL with a one-line message naming the choices in err. */
int xdpfwd_list_format_parse(const char *name, enum xdpfwd_list_format *f, char *err, size_t errlen);

/* Prefixes without duplicates. Start zeroed; free with xdpfwd_prefix_set_free(). */
struct xdpfwd_prefix_set {
	struct xdpfwd_prefix *v;
	size_t n, cap;
};

/*
 * Add the file's entries to *out, which then ends up sorted (family, address,
 * length) and without duplicates. On failure *out keeps exactly its old
 * entries. o may be NULL (the zeroed defaults, no report).
 */
int xdpfwd_listfile_read_opts(const char *path, struct xdpfwd_prefix_set *out, struct xdpfwd_listfile_opts *o,
			      char *err, size_t errlen);
/* The same on a buffer; name stands in for the path in messages. */
int xdpfwd_listfile_parse_buf_opts(const char *name, const char *buf, size_t len, struct xdpfwd_prefix_set *out,
				   struct xdpfwd_listfile_opts *o, char *err, size_t errlen);
/* The two above with format plain, strict: what callers had before the feed formats. */
int xdpfwd_listfile_read(const char *path, struct xdpfwd_prefix_set *out, char *err, size_t errlen);
int xdpfwd_listfile_parse_buf(const char *name, const char *buf, size_t len,
			      struct xdpfwd_prefix_set *out, char *err, size_t errlen);

/*
 * Writes s as a plain list file that xdpfwd_listfile_read reads back to the
 * same set: comment (may be NULL; each of its lines becomes a "# " line),
 * then one entry a line, " until=SECONDS" after a timed one, " # --force"
 * after a /0 (the word the service wants before it lets a catch-all in from
 * a file). An entry whose deadline has passed by the time the file is read
 * is gone then, as for any until=. 0, or -errno (-EIO when the stream does
 * not say why) once f was flushed.
 */
int xdpfwd_listfile_write(FILE *f, const struct xdpfwd_prefix_set *s, const char *comment);

/* Adds p unless already present (linear scan: for single entries, not bulk loads). 0 or -ENOMEM. */
int xdpfwd_prefix_set_add(struct xdpfwd_prefix_set *s, const struct xdpfwd_prefix *p);
/* Appends without the duplicate scan; call xdpfwd_prefix_set_sort_unique() once after many. */
int xdpfwd_prefix_set_push(struct xdpfwd_prefix_set *s, const struct xdpfwd_prefix *p);
/* Sorts and keeps one entry per prefix: the one with the longest expiry (0, never, is longest). */
void xdpfwd_prefix_set_sort_unique(struct xdpfwd_prefix_set *s);
/* qsort/bsearch order of prefixes: family, address bytes, length. */
int xdpfwd_prefix_cmp(const void *a, const void *b);
void xdpfwd_prefix_set_free(struct xdpfwd_prefix_set *s);

#endif /* XDPFWD_LIST_PARSE_H */
