// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "utf8.h"
#include "json_str.h"

/*
 * Where the escaped text goes: a stream, or a buffer. In a buffer, a piece
 * (a character or an escape) is written whole or not at all, and nothing
 * after the first piece that did not fit; pos counts what the whole needs.
 */
struct out {
	FILE *f;
	char *buf;
	size_t len, pos, kept;
};

static void put(struct out *o, const char *p, size_t n)
{
	if (o->f) {
		fwrite(p, 1, n, o->f);
		return;
	}
	if (o->kept == o->pos && o->pos + n < o->len) {
		memcpy(o->buf + o->pos, p, n);
		o->kept += n;
	}
	o->pos += n;
}

static void put_string(struct out *o, const char *s)
{
	char esc[8];
	size_t n, bad;

	put(o, "\"", 1);
	while (*s) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			put(o, esc, 2);
			n = 1;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(o, esc, 6);
			n = 1;
		} else {
			n = utf8_seq_len(s, &bad);
			if (n) {
				put(o, s, n);
			} else {
				put(o, UTF8_REPLACEMENT, 3);
				n = bad;
			}
		}
		s += n;
	}
	put(o, "\"", 1);
}

void json_put_string(FILE *f, const char *s)
{
	struct out o = { .f = f };

	put_string(&o, s);
}

size_t json_format_string(char *buf, size_t len, const char *s)
{
	struct out o = { .buf = buf, .len = len };

	put_string(&o, s);
	if (len)
		buf[o.kept] = '\0';
	return o.pos;
}
