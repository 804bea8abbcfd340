// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "limit_conf.h"
#include "xdpfwd.h"

void limit_conf_init(struct limit_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->action = XDPFWD_LIMIT_BAN;
	c->plen4 = 32;
	c->plen6 = 128;
	c->ban_s = 600;
}

int limit_rate_parse(const char *text, __u64 max, __u64 *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -ERANGE;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end == 'k' || *end == 'K')
		mult = 1000ULL;
	else if (*end == 'M')
		mult = 1000000ULL;
	else if (*end == 'G')
		mult = 1000000000ULL;
	if (mult > 1)
		end++;
	if (*end || v > max / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

static int plen_parse(const char *s, const char *stop, int max, __u8 *out)
{
	int v = 0;

	if (*s == '/')
		s++;
	if (s == stop || stop - s > 3)
		return -ERANGE;
	for (; s < stop; s++) {
		if (*s < '0' || *s > '9')
			return -ERANGE;
		v = v * 10 + (*s - '0');
	}
	if (v < 1 || v > max)
		return -ERANGE;
	*out = (__u8)v;
	return 0;
}

int limit_key_parse(const char *text, __u8 *plen4, __u8 *plen6)
{
	const char *comma = text ? strchr(text, ',') : NULL;
	__u8 a, b;

	if (!comma || plen_parse(text, comma, 32, &a) || plen_parse(comma + 1, comma + 1 + strlen(comma + 1), 128, &b))
		return -ERANGE;
	*plen4 = a;
	*plen6 = b;
	return 0;
}

static int say(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

int limit_conf_set(struct limit_conf *c, const char *key, const char *value, char *err, size_t errlen)
{
	char why[160];
	__u64 v;

	if (!strcmp(key, "limit-pps")) {
		if (limit_rate_parse(value, LIMIT_PPS_MAX, &v))
			return say(err, errlen, -ERANGE, "limit-pps '%s': use packets per second 0..1G "
				   "(suffixes k, M, G are decimal: 10k = 10000; 0: no packet limit)", value);
		c->pps = v;
		c->given |= LIMIT_GIVEN_PPS;
	} else if (!strcmp(key, "limit-bps")) {
		if (limit_rate_parse(value, LIMIT_BPS_MAX, &v))
			return say(err, errlen, -ERANGE, "limit-bps '%s': use bits per second 0..1000G "
				   "(suffixes k, M, G are decimal: 100M = 100000000; 0: no bit limit)", value);
		c->bps = v;
		c->given |= LIMIT_GIVEN_BPS;
	} else if (!strcmp(key, "limit-burst")) {
		if (limit_rate_parse(value, LIMIT_BURST_MAX, &v) || !v)
			return say(err, errlen, -ERANGE, "limit-burst '%s': use packets 1..1G (suffixes k, M, G "
				   "are decimal)", value);
		c->burst = v;
		c->given |= LIMIT_GIVEN_BURST;
	} else if (!strcmp(key, "limit-key")) {
		if (limit_key_parse(value, &c->plen4, &c->plen6))
			return say(err, errlen, -ERANGE, "limit-key '%s': use /V4LEN,/V6LEN with V4LEN 1..32 and "
				   "V6LEN 1..128 (/32,/128: each address; /24,/64: each IPv4 /24 and IPv6 /64)", value);
		c->given |= LIMIT_GIVEN_KEY;
	} else if (!strcmp(key, "limit-action")) {
		if (!strcmp(value, "drop"))
			c->action = XDPFWD_LIMIT_DROP;
		else if (!strcmp(value, "ban"))
			c->action = XDPFWD_LIMIT_BAN;
		else if (!strcmp(value, "audit"))
			c->action = XDPFWD_LIMIT_AUDIT;
		else if (!strcmp(value, "off"))
			c->action = XDPFWD_LIMIT_OFF;
		else
			return say(err, errlen, -ERANGE, "limit-action '%s': use drop, ban, audit or off", value);
		c->given |= LIMIT_GIVEN_ACTION;
	} else if (!strcmp(key, "limit-ban")) {
		if (xdpfwd_duration_parse(value, &v, why, sizeof(why)))
			return say(err, errlen, -ERANGE, "limit-ban: %s", why);
		c->ban_s = v;
		c->given |= LIMIT_GIVEN_BAN;
	} else {
		return say(err, errlen, -EINVAL, "unknown setting '%s': use limit-pps, limit-bps, limit-burst, "
			   "limit-key, limit-action or limit-ban", key);
	}
	return 0;
}

void limit_conf_merge(struct limit_conf *c, const struct limit_conf *over)
{
	__u32 g = over->given;

	if (g & LIMIT_GIVEN_PPS)
		c->pps = over->pps;
	if (g & LIMIT_GIVEN_BPS)
		c->bps = over->bps;
	if (g & LIMIT_GIVEN_BURST)
		c->burst = over->burst;
	if (g & LIMIT_GIVEN_KEY) {
		c->plen4 = over->plen4;
		c->plen6 = over->plen6;
	}
	if (g & LIMIT_GIVEN_ACTION)
		c->action = over->action;
	if (g & LIMIT_GIVEN_BAN)
		c->ban_s = over->ban_s;
	c->given |= g;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int limit_conf_read_file(const char *path, struct limit_conf *c, char *err, size_t errlen)
{
	struct limit_conf n = *c;
	char line[512], why[300], *key, *eq;
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return say(err, errlen, -errno, "limits file %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = say(err, errlen, -EINVAL, "%s:%u: line too long", path, lineno);
			break;
		}
		if ((key = strchr(line, '#')))
			*key = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			ret = say(err, errlen, -EINVAL, "%s:%u: '%s' is not KEY=VALUE (e.g. limit-pps=10k)", path,
				  lineno, key);
			break;
		}
		*eq = '\0';
		ret = limit_conf_set(&n, trim(key), trim(eq + 1), why, sizeof(why));
		if (ret) {
			say(err, errlen, ret, "%s:%u: %s", path, lineno, why);
			break;
		}
	}
	if (!ret && ferror(f))
		ret = say(err, errlen, -EIO, "reading limits file %s failed", path);
	fclose(f);
	if (!ret)
		*c = n;
	return ret;
}

_Static_assert(LIMIT_PPS_MAX <= XDPFWD_LIMIT_RATE_MAX && LIMIT_BPS_MAX <= XDPFWD_LIMIT_RATE_MAX &&
	       LIMIT_BURST_MAX <= XDPFWD_LIMIT_BURST_MAX, "limits beyond what the program computes exactly");
