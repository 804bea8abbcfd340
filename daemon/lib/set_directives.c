// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib_error.h"
#include "list_text.h"
#include "set_directives.h"

#define DIRECTIVE "xdpfwd-set:"

/* The options of a directive line, in the order of their names below. */
enum directive_key {
	DIR_KIND,
	DIR_MODE,
	DIR_SCOPE,
	DIR_TIMEOUT,
	DIR_FORMAT,
	DIR_MIN_SCORE,
	DIR_SKIP_INVALID,
	DIR_KEYS,
};

static const char *const directive_keys[DIR_KEYS] = {
	"kind", "mode", "scope", "timeout", "format", "min-score", "skip-invalid",
};

/* One key=value of a directive line. */
static int directive_word(const char *name, size_t lineno, char *word, struct set_directives *d,
			  unsigned int *seen, char *err, size_t errlen)
{
	char *val = strchr(word, '='), why[200], *end;
	unsigned int k;
	__u64 secs;

	if (val)
		*val++ = '\0';
	for (k = 0; k < DIR_KEYS && strcmp(word, directive_keys[k]); k++)
		;
	if (!val || k == DIR_KEYS)
		return list_say(-EINVAL, err, errlen,
			        "%s:%zu: '%s' is not an option of " DIRECTIVE " (kind=block|allow mode=enforce|audit scope=tcp:PORTS timeout=DURATION format=plain|spamhaus|netset|ipsum|auto min-score=N skip-invalid=yes|no)",
			        name, lineno, word);
	if (*seen & (1U << k))
		return list_say(-EINVAL, err, errlen, "%s:%zu: %s= is given twice; keep one", name, lineno, word);
	*seen |= 1U << k;
	switch ((enum directive_key)k) {
	case DIR_KIND:
		if (strcmp(val, "block") && strcmp(val, "allow"))
			return list_say(-EINVAL, err, errlen, "%s:%zu: kind=%s: the kind is block or allow", name, lineno,
				        val);
		d->kind = strcmp(val, "block") ? LIST_ALLOW : LIST_BLOCK;
		d->has_kind = true;
		return 0;
	case DIR_MODE:
		if (strcmp(val, "enforce") && strcmp(val, "audit"))
			return list_say(-EINVAL, err, errlen, "%s:%zu: mode=%s: the mode is enforce or audit", name,
				        lineno, val);
		d->opts.mode = strcmp(val, "audit") ? XDPFWD_SET_ENFORCE : XDPFWD_SET_AUDIT;
		return 0;
	case DIR_SCOPE:
		lib_error_clear();
		if (set_scope_parse(val, &d->opts))
			return list_say(-EINVAL, err, errlen, "%s:%zu: scope=%s: %s", name, lineno, val, lib_error());
		return 0;
	case DIR_TIMEOUT:
		d->opts.timeout_s = 0;
		if (!strcmp(val, "0") || !strcmp(val, "none"))
			return 0;
		if (xdpfwd_duration_parse(val, &secs, why, sizeof(why)))
			return list_say(-EINVAL, err, errlen, "%s:%zu: timeout=%s: %s", name, lineno, val, why);
		d->opts.timeout_s = secs;
		return 0;
	case DIR_FORMAT:
		if (xdpfwd_list_format_parse(val, &d->format, why, sizeof(why)))
			return list_say(-EINVAL, err, errlen, "%s:%zu: format=%s: %s", name, lineno, val, why);
		return 0;
	case DIR_MIN_SCORE:
		errno = 0;
		d->min_score = strtoul(val, &end, 10);
		if (*val < '0' || *val > '9' || *end || errno || d->min_score > 1000000)
			return list_say(-EINVAL, err, errlen, "%s:%zu: min-score=%s: a number of 0 to 1000000 was expected",
				        name, lineno, val);
		return 0;
	case DIR_SKIP_INVALID:
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return list_say(-EINVAL, err, errlen, "%s:%zu: skip-invalid=%s: yes or no was expected", name,
				        lineno, val);
		d->skip_invalid = !strcmp(val, "yes");
		return 0;
	case DIR_KEYS:
		break;
	}
	return -EINVAL;
}

int set_directives_parse(const char *name, const char *buf, size_t len, struct set_directives *d, char *err,
			 size_t errlen)
{
	char line[XDPFWD_LISTFILE_LINE_MAX + 1], *s, *word, *save;
	size_t pos = 0, n, lineno = 0;
	unsigned int seen = 0;
	const char *end;
	int r;

	while (pos < len) {
		end = memchr(buf + pos, '\n', len - pos);
		n = end ? (size_t)(end - (buf + pos)) : len - pos;
		lineno++;
		if (n > XDPFWD_LISTFILE_LINE_MAX)
			return 0;	/* the list parser says why */
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + 1;
		s = line + strspn(line, " \t\r");
		if (!*s || *s == ';')
			continue;
		if (*s != '#')
			return 0;	/* the first entry: the head is over */
		s += 1 + strspn(s + 1, " \t");
		if (strncmp(s, DIRECTIVE, strlen(DIRECTIVE)))
			continue;
		s += strlen(DIRECTIVE);
		s[strcspn(s, "\r")] = '\0';
		for (word = strtok_r(s, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
			r = directive_word(name, lineno, word, d, &seen, err, errlen);
			if (r)
				return r;
		}
	}
	return 0;
}
