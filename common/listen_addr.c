// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "listen_addr.h"

static int fail(char *err, size_t errlen, int r, const char *text, const char *why)
{
	if (errlen)
		snprintf(err, errlen, "'%s': %s", text, why);
	return r;
}

int listen_addr_parse(const char *text, struct listen_addr *out, char *err, size_t errlen)
{
	struct listen_addr a = {};
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port_s, *h = text;
	unsigned long port;
	size_t hlen;
	char *end;

	if (text[0] == '[') {
		colon = strstr(text, "]:");
		if (!colon)
			return fail(err, errlen, -EINVAL, text, "write an IPv6 address as [ADDR]:PORT");
		h = text + 1;
		hlen = colon - h;
		port_s = colon + 2;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return fail(err, errlen, -EINVAL, text, "expected ADDR:PORT, e.g. 127.0.0.1:9740");
		if (memchr(text, ':', colon - text))
			return fail(err, errlen, -EINVAL, text, "write an IPv6 address as [ADDR]:PORT");
		hlen = colon - text;
		port_s = colon + 1;
	}
	if (!hlen)
		return fail(err, errlen, -EINVAL, text,
			    "give the address too (a wildcard must be spelled 0.0.0.0 or [::])");
	if (hlen >= sizeof(host))
		return fail(err, errlen, -EINVAL, text, "not an IP address");
	memcpy(host, h, hlen);
	host[hlen] = '\0';

	if (*port_s < '0' || *port_s > '9')
		return fail(err, errlen, -EINVAL, text, "the port must be a number");
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (*end)
		return fail(err, errlen, -EINVAL, text, "the port must be a number");
	if (errno || port < 1 || port > 65535)
		return fail(err, errlen, -ERANGE, text, "the port must be 1..65535");

	if (!strcmp(host, "localhost") && text[0] != '[')
		snprintf(host, sizeof(host), "127.0.0.1");
	if (text[0] != '[' && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		a.loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		a.len = sizeof(*s4);
	} else if (text[0] == '[' && inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		a.loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
			     (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && s6->sin6_addr.s6_addr[12] == 127);
		a.len = sizeof(*s6);
	} else {
		return fail(err, errlen, -EINVAL, text,
			    "not a numeric IPv4 address, [IPv6] address or localhost");
	}
	*out = a;
	return 0;
}

void listen_addr_format(const struct listen_addr *a, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
	char host[INET6_ADDRSTRLEN];

	if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(s4->sin_port));
	}
}
