/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UTF-8 validation for the writers of names (interface names, paths) into
 * JSON, text logs and Prometheus labels. Interface names are bytes: the
 * kernel refuses only '/', ':', whitespace, "." and "..", so a name may hold
 * quotes, backslashes, control bytes and bytes that are not UTF-8.
 */
#ifndef XDPFWD_UTF8_H
#define XDPFWD_UTF8_H

#include <stddef.h>

/*
 * At s (NUL-terminated): the length (1..4) of the well-formed UTF-8 sequence
 * there, or 0 with *bad set to the length of its "maximal subpart" (1..3):
 * the bytes that one U+FFFD replaces, as Unicode (chapter 3, "U+FFFD
 * Substitution of Maximal Subparts"), the WHATWG decoder and Python's
 * errors="replace" do it. Never reads past the NUL.
 */
size_t utf8_seq_len(const char *s, size_t *bad);

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* Longest text_format_name() output for a name of n bytes: a byte is at most "\xHH". */
#define TEXT_NAME_MAX(n) (4 * (n) + 1)

/*
 * A name as one field of a text line (the text drop log, `status`): printable
 * ASCII and well-formed UTF-8 as they are, '\' as "\\", and as "\xHH" each
 * byte of a control character (C0, DEL, and the C1 controls U+0080..U+009F,
 * which terminals obey) or of an invalid sequence. So the line stays one line
 * of valid UTF-8 (journald stores anything else as a binary blob), a terminal
 * shows no escape sequence from it, and the name is still recoverable byte
 * for byte. Whitespace needs no quoting: the kernel refuses it in names.
 * snprintf-style: NUL-terminated when len > 0, returns the length needed.
 */
size_t text_format_name(char *buf, size_t len, const char *s);

#endif
