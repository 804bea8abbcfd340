/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Blocklist files: one address or prefix per line, '#' starts a comment,
 * blank lines and surrounding whitespace ignored, CRLF tolerated; after the
 * address, timeout=DURATION (from now, at most XDPFWD_DURATION_MAX) or
 * until=SECONDS (a CLOCK_REALTIME deadline; one further away than
 * XDPFWD_DURATION_MAX from now counts as that far, so a clock set back or a
 * hand-written huge value never wraps or makes the file unreadable).
 * A file is all or nothing: the first bad line rejects it with "FILE:LINE: why"
 * in err, so a typo never leaves the lists half loaded. A file (or stream)
 * larger than XDPFWD_LISTFILE_BYTES_MAX is refused as soon as that much was
 * read, one with a NUL byte as soon as it arrives.
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

#include "addr.h"

#define XDPFWD_LISTFILE_LINE_MAX 4096	/* bytes, line terminator excluded */
/* 256 MiB: a full blocklist (2.6 million entries) written out with until= on every line is ~180 MiB. */
#define XDPFWD_LISTFILE_BYTES_MAX (256U << 20)
#define XDPFWD_LISTFILE_WARN_MAX 10

/* Prefixes without duplicates. Start zeroed; free with xdpfwd_prefix_set_free(). */
struct xdpfwd_prefix_set {
	struct xdpfwd_prefix *v;
	size_t n, cap;
};

/*
 * Add the file's entries to *out, which then ends up sorted (family, address,
 * length) and without duplicates. On failure *out keeps exactly its old entries.
 */
int xdpfwd_listfile_read(const char *path, struct xdpfwd_prefix_set *out, char *err, size_t errlen);
/* The same on a buffer; name stands in for the path in messages. */
int xdpfwd_listfile_parse_buf(const char *name, const char *buf, size_t len,
			      struct xdpfwd_prefix_set *out, char *err, size_t errlen);

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
