/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strings in JSON output (RFC 8259), for anything that comes from outside:
 * interface names, paths. '"' and '\' are escaped, control bytes (and DEL)
 * become \u00XX, well-formed UTF-8 is copied as it is, and each maximal
 * invalid subpart (utf8.h) becomes U+FFFD. So every string parses in every
 * JSON reader, strict ones (no lone surrogates) included. The price: a
 * name that is not UTF-8 reads as one holding U+FFFD (Prometheus labels do
 * the same, prom_text.h); `status --json` also gives the ifindex.
 */
#ifndef XDPFWD_JSON_STR_H
#define XDPFWD_JSON_STR_H

#include <stddef.h>
#include <stdio.h>

/* Longest output for a string of n bytes, quotes included: a byte is at most "\u00XX". */
#define JSON_STR_MAX(n) (6 * (n) + 2)

/* Writes s as a quoted JSON string. */
void json_put_string(FILE *f, const char *s);

/*
 * The same into buf, snprintf-style: always NUL-terminated when len > 0,
 * returns the length the whole string needs (without the NUL).
 */
size_t json_format_string(char *buf, size_t len, const char *s);

#endif
