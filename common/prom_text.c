// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include "prom_text.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there are not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;	/* continuation byte, overlong lead (c0, c1) or beyond U+10FFFF */
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the terminating NUL */
	/* Overlong 3- and 4-byte forms, UTF-16 surrogates and code points above U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

static void write_escaped(FILE *f, const char *s, int quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p == '\\') {
			fputs("\\\\", f);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '"' && quote) {
			fputs("\\\"", f);
		} else {
			n = utf8_len(p);
			if (!n) {
				fputs("\xef\xbf\xbd", f);	/* U+FFFD REPLACEMENT CHARACTER */
				p++;
				continue;
			}
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		p++;
	}
}

void prom_write_label_value(FILE *f, const char *s)
{
	write_escaped(f, s, 1);
}

void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	write_escaped(f, help, 0);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

void prom_sample(FILE *f, const char *name, const char *const *labels, unsigned long long value)
{
	size_t i;

	fputs(name, f);
	if (labels && labels[0]) {
		fputc('{', f);
		for (i = 0; labels[i] && labels[i + 1]; i += 2) {
			fprintf(f, "%s%s=\"", i ? "," : "", labels[i]);
			prom_write_label_value(f, labels[i + 1]);
			fputc('"', f);
		}
		fputc('}', f);
	}
	fprintf(f, " %llu\n", value);
}
