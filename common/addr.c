// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static int __attribute__((format(printf, 4, 5)))
fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int is_v4mapped(const __u8 a[16])
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, mapped, sizeof(mapped));
}

static void mask_host_bits(struct xdpfwd_prefix *p)
{
	unsigned int i, bits;

	for (i = 0; i < sizeof(p->addr); i++) {
		bits = p->prefixlen > i * 8 ? p->prefixlen - i * 8 : 0;
		if (bits < 8)
			p->addr[i] &= (__u8)(0xff00 >> bits);
	}
}

/* inet_pton already refuses leading zeros, octal and hex octets and short forms like "127.1". */
static int parse_addr(const char *text, size_t len, struct xdpfwd_prefix *p)
{
	char buf[INET6_ADDRSTRLEN];

	/* Nothing inet_pton accepts is this long, and the copy must fit. */
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	p->family = memchr(buf, ':', len) ? 6 : 4;
	if (inet_pton(p->family == 6 ? AF_INET6 : AF_INET, buf, p->addr) != 1)
		return -EINVAL;
	return 0;
}

int xdpfwd_prefix_parse(const char *text, struct xdpfwd_prefix *out, char *err, size_t errlen)
{
	struct xdpfwd_prefix p = {}, net;
	char hint[XDPFWD_PREFIX_STRLEN];
	const char *slash, *len_text;
	unsigned int max;
	size_t i, alen, n;

	if (err && errlen)
		err[0] = '\0';
	if (!text || !*text)
		return fail(-EINVAL, err, errlen, "empty address");
	/* Checked first so that no later message quotes a control character. */
	for (i = 0; text[i]; i++)
		if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 0x7f)
			return fail(-EINVAL, err, errlen,
				    "address contains whitespace or a non-printable character at offset %zu", i);

	slash = strchr(text, '/');
	alen = slash ? (size_t)(slash - text) : strlen(text);
	if (!alen)
		return fail(-EINVAL, err, errlen, "'%s' has no address before '/'", text);
	if (memchr(text, '%', alen))
		return fail(-EINVAL, err, errlen, "'%.*s' has a zone id; zone ids are not supported",
			    (int)alen, text);
	if (parse_addr(text, alen, &p))
		return fail(-EINVAL, err, errlen, "'%.*s' is not an IPv4 or IPv6 address",
			    (int)alen, text);

	max = p.family == 4 ? 32 : 128;
	p.prefixlen = max;
	if (slash) {
		len_text = slash + 1;
		n = strlen(len_text);
		if (!n)
			return fail(-EINVAL, err, errlen, "'%s' has no prefix length after '/'", text);
		/* Decimal digits only: no sign, and no leading zero that might mean octal to someone. */
		if (strspn(len_text, "0123456789") != n || (n > 1 && len_text[0] == '0'))
			return fail(-EINVAL, err, errlen,
				    "'%s' has an invalid prefix length (expected 0-%u, decimal, no leading zeros)",
				    text, max);
		/* Counting digits first keeps huge numbers from overflowing. */
		if (n > 3 || strtoul(len_text, NULL, 10) > max)
			return fail(-ERANGE, err, errlen,
				    "prefix length %s is out of range for IPv%u (0-%u)",
				    len_text, p.family, max);
		p.prefixlen = strtoul(len_text, NULL, 10);
	}

	/* The XDP program looks IPv4 packets up by their IPv4 source, so a mapped entry would never match. */
	if (p.family == 6 && is_v4mapped(p.addr)) {
		net = (struct xdpfwd_prefix){ .family = 4, .prefixlen = 32 };
		if (p.prefixlen >= 96)
			net.prefixlen = p.prefixlen - 96;
		memcpy(net.addr, p.addr + 12, 4);
		xdpfwd_prefix_format(&net, hint, sizeof(hint));
		return fail(-EINVAL, err, errlen,
			    "'%s' is an IPv4-mapped IPv6 address; use the plain IPv4 form %s", text, hint);
	}

	/* Canonicalising silently would hide a typo in the address or in the length. */
	net = p;
	mask_host_bits(&net);
	if (memcmp(net.addr, p.addr, sizeof(p.addr))) {
		xdpfwd_prefix_format(&net, hint, sizeof(hint));
		return fail(-EINVAL, err, errlen, "'%s' has host bits set; did you mean %s?", text, hint);
	}

	*out = p;
	return 0;
}

int xdpfwd_prefix_format(const struct xdpfwd_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int max;
	int n;

	if (p->family != 4 && p->family != 6)
		return -EINVAL;
	max = p->family == 4 ? 32 : 128;
	if (p->prefixlen > max)
		return -EINVAL;
	if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a)))
		return -errno;
	if (p->prefixlen == max)
		n = snprintf(buf, len, "%s", a);
	else
		n = snprintf(buf, len, "%s/%u", a, p->prefixlen);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

void xdpfwd_addr16_format(const __u8 addr[16], char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (is_v4mapped(addr))
		inet_ntop(AF_INET, addr + 12, a, sizeof(a));
	else
		inet_ntop(AF_INET6, addr, a, sizeof(a));
	if (len)
		snprintf(buf, len, "%s", a);
}

int xdpfwd_duration_parse(const char *text, __u64 *seconds, char *err, size_t errlen)
{
	__u64 v = 0, unit;
	const char *p;

	if (err && errlen)
		err[0] = '\0';
	if (!text || !*text)
		return fail(-EINVAL, err, errlen, "empty duration");
	/* Once past the maximum v stops growing, so it cannot wrap however many digits follow. */
	for (p = text; *p >= '0' && *p <= '9'; p++)
		if (v <= XDPFWD_DURATION_MAX)
			v = v * 10 + (__u64)(*p - '0');

	switch (p == text ? '?' : *p) {
	case '\0':
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		unit = 0;
	}
	if (!unit || (*p && p[1]))
		return fail(-EINVAL, err, errlen,
			    "'%s' is not a duration (expected N, Ns, Nm, Nh or Nd)", text);
	if (!v)
		return fail(-EINVAL, err, errlen, "duration '%s' must be greater than zero", text);
	if (v > XDPFWD_DURATION_MAX / unit)
		return fail(-ERANGE, err, errlen,
			    "duration '%s' is too long (at most %llud = %llu seconds; no timeout: never expires)",
			    text, XDPFWD_DURATION_MAX_DAYS, XDPFWD_DURATION_MAX);
	*seconds = v * unit;
	return 0;
}
