// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "list_text.h"

int list_say(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

int list_text_read(int fd, char **buf, size_t *len)
{
	size_t cap = 0;
	char *tmp;
	ssize_t r;

	*buf = NULL;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			tmp = realloc(*buf, cap);
			if (!tmp)
				return -ENOMEM;
			*buf = tmp;
		}
		r = read(fd, *buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return 0;
		*len += r;
	}
}

/* The lines are looked at again only when set holds a /0, to say which one. */
int list_text_check_catch_all(const char *name, const char *buf, size_t len, const struct xdpfwd_prefix_set *set,
			      char *err, size_t errlen)
{
	char line[XDPFWD_LISTFILE_LINE_MAX + 1], text[XDPFWD_PREFIX_STRLEN];
	struct xdpfwd_prefix p;
	size_t i, pos = 0, n, lineno = 0;
	const char *s, *end, *hash;

	for (i = 0; i < set->n && set->v[i].prefixlen; i++)
		;
	if (i == set->n)
		return 0;
	while (pos < len) {
		s = buf + pos;
		end = memchr(s, '\n', len - pos);
		n = end ? (size_t)(end - s) : len - pos;
		pos += n + 1;
		lineno++;
		if (n > XDPFWD_LISTFILE_LINE_MAX)
			continue;	/* the parser refused such a line already */
		memcpy(line, s, n);
		line[n] = '\0';
		hash = strchr(line, '#');
		if (hash && strstr(hash, CATCH_ALL_OK))
			continue;
		s = line + strspn(line, " \t");
		line[s - line + strcspn(s, "# \t\r")] = '\0';
		if (xdpfwd_prefix_parse(s, &p, NULL, 0) || p.prefixlen)
			continue;
		xdpfwd_prefix_format(&p, text, sizeof(text));
		return list_say(-EINVAL, err, errlen,
			        "%s:%zu: %s matches every %s source; end the line with '# " CATCH_ALL_OK "' if you mean it",
			        name, lineno, text, p.family == 4 ? "IPv4" : "IPv6");
	}
	return 0;
}
