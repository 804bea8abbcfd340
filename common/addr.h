/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address, prefix and duration parsing for the CLI and list files.
 * Pure C, no global state. Parsers return 0 or a negative errno (-EINVAL for
 * bad syntax, -ERANGE for numbers out of range) and on failure write one line
 * saying why into err (always NUL-terminated when errlen > 0; err may be NULL
 * when errlen is 0). *out is only written on success.
 */
#ifndef XDPFWD_ADDR_H
#define XDPFWD_ADDR_H

#include <stddef.h>
#include <linux/types.h>

struct xdpfwd_prefix {
	__u8 family;		/* 4 or 6 */
	__u8 prefixlen;		/* 0..32 or 0..128 */
	__u8 addr[16];		/* network byte order; IPv4 uses the first 4 bytes, rest zero */
	/* List files only, neither part of identity: */
	__u32 line;		/* the line it was read from, for messages; 0: not from a file */
	__u64 expires_at;	/* CLOCK_REALTIME seconds, 0 = never */
};

/* Longest output of the formatters below, NUL included ("<IPv6 text>/128"). */
#define XDPFWD_PREFIX_STRLEN 50

/*
 * The longest timeout: 3650 days (ten years), what an operator means by
 * "for a long time"; an entry that should never expire takes no timeout.
 * Far below the 584 years of nanoseconds a __u64 holds, so a deadline
 * "now + timeout" cannot wrap on any clock (boot time, wall time) in any
 * unit, and an until= deadline (list_parse.h) is held to it too.
 */
#define XDPFWD_DURATION_MAX_DAYS 3650ULL
#define XDPFWD_DURATION_MAX (XDPFWD_DURATION_MAX_DAYS * 86400ULL)

/*
 * "ADDR" or "ADDR/LEN", no prefix meaning full length. Strict, because a
 * mistyped entry silently drops or passes traffic: host bits set, zone ids,
 * IPv4-mapped IPv6, whitespace and leading zeros are errors, not guesses.
 */
int xdpfwd_prefix_parse(const char *text, struct xdpfwd_prefix *out, char *err, size_t errlen);

/*
 * "198.18.0.0/15", or "198.18.0.2" when full length; IPv6 as inet_ntop prints
 * it (RFC 5952). Returns -EINVAL for a bad family or length, -ENOSPC if buf
 * is too small (then holds a truncated string).
 */
int xdpfwd_prefix_format(const struct xdpfwd_prefix *p, char *buf, size_t len);

/* A 16-byte event address; IPv4-mapped (::ffff:a.b.c.d) prints as a.b.c.d. Truncates to len. */
void xdpfwd_addr16_format(const __u8 addr[16], char *buf, size_t len);

/* "90", "90s", "10m", "2h" or "7d" to seconds, 1..XDPFWD_DURATION_MAX. */
int xdpfwd_duration_parse(const char *text, __u64 *seconds, char *err, size_t errlen);

#endif /* XDPFWD_ADDR_H */
