// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "set_names.h"

static int __attribute__((format(printf, 4, 5)))
say(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return ret;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

bool set_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n >= 1 && n <= XDPFWD_SET_NAME_MAX && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int set_name_check(const char *name, char *err, size_t errlen)
{
	if (set_name_valid(name))
		return 0;
	/* The name is shown only when it is short and printable: it came from anyone's command line. */
	if (strlen(name) <= 64 && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:/@ +")
			== strlen(name))
		return say(-EINVAL, err, errlen,
			   "set name '%s' is not valid: use 1 to %d of a-z, 0-9, '_' and '-'", name,
			   XDPFWD_SET_NAME_MAX);
	return say(-EINVAL, err, errlen, "set name is not valid: use 1 to %d of a-z, 0-9, '_' and '-'",
		   XDPFWD_SET_NAME_MAX);
}

/* One protocol word of a scope; 0 if none. */
static __u8 scope_proto(const char *s, size_t n)
{
	if (n == 3 && !strncmp(s, "tcp", 3))
		return XDPFWD_SCOPE_TCP;
	if (n == 3 && !strncmp(s, "udp", 3))
		return XDPFWD_SCOPE_UDP;
	return 0;
}

int set_scope_text_parse(const char *text, __u8 *protos, __u8 *nports, __be16 ports[XDPFWD_SCOPE_PORTS],
			 char *err, size_t errlen)
{
	static const char use[] = "use PROTO[,PROTO][:PORT[,PORT]...] with PROTO tcp or udp, as in tcp:22,443";
	__be16 got[XDPFWD_SCOPE_PORTS];
	const char *colon = strchr(text, ':'), *s = text, *end;
	__u8 p = 0, one, n = 0;
	size_t len;
	long v;
	char *e;
	int i;

	end = colon ? colon : text + strlen(text);
	while (s < end) {
		len = strcspn(s, ",:");
		if (s + len > end)
			len = end - s;
		one = scope_proto(s, len);
		if (!one)
			return say(-EINVAL, err, errlen, "scope '%.64s': unknown protocol '%.*s'; %s", text,
				   (int)(len > 16 ? 16 : len), s, use);
		if (p & one)
			return say(-EINVAL, err, errlen, "scope '%.64s': protocol %.3s given twice; %s", text, s, use);
		p |= one;
		s += len;
		if (s < end)
			s++;		/* the ',' */
		if (s == end && s[-1] == ',')
			return say(-EINVAL, err, errlen, "scope '%.64s': empty protocol; %s", text, use);
	}
	if (!p)
		return say(-EINVAL, err, errlen, "scope '%.64s': no protocol; %s", text, use);
	if (colon) {
		s = colon + 1;
		if (!*s)
			return say(-EINVAL, err, errlen, "scope '%.64s': no port after ':'; %s", text, use);
		for (;;) {
			if (*s < '0' || *s > '9')
				return say(-EINVAL, err, errlen, "scope '%.64s': '%.8s' is not a port (1..65535); %s",
					   text, s, use);
			errno = 0;
			v = strtol(s, &e, 10);
			if (errno || v < 1 || v > 65535 || (*e && *e != ','))
				return say(-EINVAL, err, errlen, "scope '%.64s': '%.*s' is not a port (1..65535); %s",
					   text, (int)strcspn(s, ",") > 8 ? 8 : (int)strcspn(s, ","), s, use);
			if (n == XDPFWD_SCOPE_PORTS)
				return say(-EINVAL, err, errlen, "scope '%.64s': more than %d ports; split the set in two",
					   text, XDPFWD_SCOPE_PORTS);
			for (i = 0; i < n; i++)
				if (got[i] == htons(v))
					return say(-EINVAL, err, errlen, "scope '%.64s': port %ld given twice", text, v);
			got[n++] = htons(v);
			if (!*e)
				break;
			s = e + 1;
		}
	}
	*protos = p;
	*nports = n;
	memset(ports, 0, sizeof(got));
	memcpy(ports, got, n * sizeof(got[0]));
	return 0;
}

void set_scope_text_format(__u8 protos, __u8 nports, const __be16 *ports, char *buf, size_t len)
{
	size_t off;
	int i;

	if (!len)
		return;
	buf[0] = '\0';
	if (!protos)
		return;
	snprintf(buf, len, "%s%s%s", protos & XDPFWD_SCOPE_TCP ? "tcp" : "",
		 protos == (XDPFWD_SCOPE_TCP | XDPFWD_SCOPE_UDP) ? "," : "", protos & XDPFWD_SCOPE_UDP ? "udp" : "");
	for (i = 0; i < nports && i < XDPFWD_SCOPE_PORTS; i++) {
		off = strlen(buf);
		snprintf(buf + off, len - off, "%c%u", i ? ',' : ':', ntohs(ports[i]));
	}
}
