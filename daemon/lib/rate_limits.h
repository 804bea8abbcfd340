/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flood defense's settings and counters in the instance (named so as not
 * to shadow <limits.h> on the library's include path): the "limits"
 * map (struct xdpfwd_limits, key 0), the per-CPU "limit_stats" and
 * "ban_books" (include/xdpfwd.h). The daemon (start, SIGHUP) and the CLI
 * (`xdpfwd limit`) both go through limits_from_conf and limits_apply, so a
 * setting means the same from either. Writers hold the pin dir lock. Like
 * the rest of the library this never prints.
 *
 * Defaults limits_from_conf fills in:
 *   pkt_burst  --limit-burst, else one second of the rate (pps), at least 1
 *   bit_burst  the bit bucket holds as long as the packet bucket:
 *              bps * pkt_burst / pps with both rates, else one second of bps,
 *              or with --limit-burst and no packet rate burst * 524288 bits
 *              (that many 64 KiB frames); never below 524288, so any single
 *              frame (a jumbo one, or a GRO'd one in skb mode) can pass a
 *              full bucket, and never above XDPFWD_LIMIT_BURST_MAX
 * A burst below rate / HZ caps the rate at burst * HZ: the program's clock
 * is jiffies, so a bucket refills HZ times a second (bpf/limit.bpf.h).
 *   ban_ns     --limit-ban (default 10m) in ns
 *   auto_set   limits_apply's: the id of block set "auto"
 */
#ifndef XDPFWD_RATE_LIMITS_H
#define XDPFWD_RATE_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include "limit_conf.h"
#include "xdpfwd.h"

struct xdpfwd_bpf;

/* The name of the block set bans go into. */
#define LIMIT_AUTO_SET "auto"

/* The bits of the largest frame XDP may see (64 KiB): the smallest bit bucket. */
#define LIMIT_MIN_BIT_BURST (65536ULL * 8)

struct limits_maps {
	int limits, limit_stats, ban_books;
	int sets, meta;
};

/* -ENOENT + lib_error when the instance was made by a build without the flood defense. */
int limits_maps_get(struct xdpfwd_bpf *skel, struct limits_maps *lm);

/*
 * The settings as the program reads them (auto_set and generation left 0),
 * after the checks across keys: a key given without a rate to limit is an
 * error (-EINVAL + lib_error) rather than silently nothing; no rate and no
 * other key is XDPFWD_LIMIT_OFF.
 */
int limits_from_conf(const struct limit_conf *c, struct xdpfwd_limits *out);

int limits_read(const struct limits_maps *lm, struct xdpfwd_limits *out);

/*
 * Makes `want` the instance's limits in one map update (pin dir lock held):
 * for action ban (and audit, whose events name the set a ban would go to)
 * set "auto" is created if missing and its id stored; the generation is the current one plus one
 * when anything changed, so every bucket starts afresh. *changed (may be
 * NULL) says whether it did. Setting "off" keeps set auto and its bans.
 */
int limits_apply(const struct limits_maps *lm, const struct xdpfwd_limits *want, bool *changed);

/* The counters summed over CPUs and stats slots. */
int limit_stats_read(int limit_stats_fd, struct xdpfwd_limit_stats *sum);
/* One slot's (one interface's), summed over the CPUs. */
int limit_stats_read_slot(int limit_stats_fd, __u32 slot, struct xdpfwd_limit_stats *sum);
/* As stats_retire_slot, for the flood defense's counters of the slot. */
int limit_stats_retire_slot(int limit_stats_fd, __u32 slot);

int ban_books_read(const struct limits_maps *lm, struct xdpfwd_ban_books *b);
int ban_books_write(const struct limits_maps *lm, const struct xdpfwd_ban_books *b);

/* "off", "drop", "ban", "audit". */
const char *limit_action_name(__u32 action);

/* "10k", "1.5M"-free: the exact value with the largest suffix that divides it ("10k", "1500", "2G"). */
void limit_rate_format(__u64 v, char *buf, size_t len);

/*
 * One line of the settings, as status and `xdpfwd limit` show them:
 * "pps=10k bps=off burst=10000 key=/32,/128 action=ban ban=10m" or "off".
 */
void limits_format(const struct xdpfwd_limits *l, char *buf, size_t len);

#endif
