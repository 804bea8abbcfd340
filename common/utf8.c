// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "utf8.h"

size_t utf8_seq_len(const char *str, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		/* No overlong forms (e0 80..9f) and no UTF-16 surrogates (ed a0..bf). */
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		/* No overlong forms (f0 80..8f) and nothing above U+10FFFF (f4 90..). */
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		*bad = 1;	/* a continuation byte, c0, c1 or f5..ff: never a lead */
		return 0;
	}
	for (i = 1; i < n; i++) {
		/* The NUL terminator is out of every range, so this stops there. */
		if (s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* Appends p[0..k) at *pos if all of it fits with a NUL after it; once a piece does not, no later one is written. */
static void put(char *buf, size_t len, size_t *pos, size_t *kept, const char *p, size_t k)
{
	if (*kept == *pos && *pos + k < len) {
		memcpy(buf + *pos, p, k);
		*kept += k;
	}
	*pos += k;
}

size_t text_format_name(char *buf, size_t len, const char *s)
{
	size_t pos = 0, kept = 0, n, bad, i;
	char esc[5];

	while (*s) {
		unsigned char c = *s;

		n = utf8_seq_len(s, &bad);
		/* Control characters are escaped like invalid bytes; U+0080..U+009F are c2 80..c2 9f. */
		if ((n == 1 && (c < 0x20 || c == 0x7f)) || (n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0)) {
			bad = n;
			n = 0;
		}
		if (c == '\\') {
			put(buf, len, &pos, &kept, "\\\\", 2);
			n = 1;
		} else if (n) {
			put(buf, len, &pos, &kept, s, n);
		} else {
			for (i = 0; i < bad; i++) {
				snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)s[i]);
				put(buf, len, &pos, &kept, esc, 4);
			}
			n = bad;
		}
		s += n;
	}
	if (len)
		buf[kept] = '\0';
	return pos;
}
