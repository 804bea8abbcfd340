// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include "utf8.h"
#include "prom_text.h"

static void write_escaped(FILE *f, const char *s, int quote)
{
	const char *p = s;
	size_t n, bad;

	while (*p) {
		if (*p == '\\') {
			fputs("\\\\", f);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '"' && quote) {
			fputs("\\\"", f);
		} else {
			n = utf8_seq_len(p, &bad);
			if (!n) {
				fputs(UTF8_REPLACEMENT, f);
				p += bad;
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
