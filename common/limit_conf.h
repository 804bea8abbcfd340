/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flood defense's settings as an operator writes them: the daemon's
 * --limit-* options, the lines of its --limits-file and `xdpfwd limit set`
 * all go through limit_conf_set, one key at a time, so the three never
 * disagree on a word. Turning the settings into the program's struct
 * xdpfwd_limits (defaults, checks across keys) is daemon/lib/limits.c's.
 */
#ifndef XDPFWD_LIMIT_CONF_H
#define XDPFWD_LIMIT_CONF_H

#include <stddef.h>
#include <linux/types.h>

/* Keys a conf was given (limit_conf's `given`), so a later source overrides only those. */
enum {
	LIMIT_GIVEN_PPS = 1 << 0,
	LIMIT_GIVEN_BPS = 1 << 1,
	LIMIT_GIVEN_BURST = 1 << 2,
	LIMIT_GIVEN_KEY = 1 << 3,
	LIMIT_GIVEN_ACTION = 1 << 4,
	LIMIT_GIVEN_BAN = 1 << 5,
};

/* Within the program's XDPFWD_LIMIT_RATE_MAX and XDPFWD_LIMIT_BURST_MAX (exact arithmetic). */
#define LIMIT_PPS_MAX	1000000000ULL		/* 1G packets per second */
#define LIMIT_BPS_MAX	1000000000000ULL	/* 1000G bits per second */
#define LIMIT_BURST_MAX	1000000000ULL

struct limit_conf {
	__u32 given;		/* LIMIT_GIVEN_* */
	__u32 action;		/* enum xdpfwd_limit_action; XDPFWD_LIMIT_OFF only when written "off" */
	__u64 pps, bps;		/* 0: none */
	__u64 burst;		/* packets; 0: the default (limits.c) */
	__u8 plen4, plen6;
	__u64 ban_s;
};

/* The defaults: no rate (limits off), key /32,/128, action ban, ban 10m. */
void limit_conf_init(struct limit_conf *c);

/*
 * One setting: key is an option's name without its dashes ("limit-pps") and
 * value its argument. -EINVAL (unknown key) or -ERANGE (bad value) with one
 * line in err naming the key and what it takes; c is unchanged then.
 *   limit-pps, limit-bps  N with an optional k, M or G (decimal: 1k = 1000)
 *   limit-burst           N packets (the same suffixes), at least 1
 *   limit-key             /V4LEN,/V6LEN (/32,/128; /24,/64)
 *   limit-action          drop, ban, audit or off
 *   limit-ban             a duration (90, 90s, 10m, 2h, 7d)
 */
int limit_conf_set(struct limit_conf *c, const char *key, const char *value, char *err, size_t errlen);

/* The keys `over` was given, written over `c`'s. */
void limit_conf_merge(struct limit_conf *c, const struct limit_conf *over);

/*
 * A limits file: KEY=VALUE lines (the keys above; spaces around either side
 * and '#' comments allowed). The whole file or nothing: on any bad line c is
 * unchanged and err names the file, the line and why. -ENOENT when the file
 * does not exist (err says so too).
 */
int limit_conf_read_file(const char *path, struct limit_conf *c, char *err, size_t errlen);

/* "1000", "10k", "2M", "1G": decimal, 0..max. */
int limit_rate_parse(const char *text, __u64 max, __u64 *out);

/* "/24,/64" (the slashes optional): v4 1..32, v6 1..128. */
int limit_key_parse(const char *text, __u8 *plen4, __u8 *plen6);

#endif
