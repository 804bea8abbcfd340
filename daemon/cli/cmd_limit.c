// SPDX-License-Identifier: GPL-2.0
/* xdpfwd limit: the flood defense's settings and counters; set and off change them in place. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "lists.h"
#include "rate_limits.h"
#include "bans.h"
#include "lib_error.h"
#include "commands.h"

/* The ban counts' age, "counted 3 s ago" style; 0 when never counted. */
static __u64 counted_age_s(const struct ban_counts *b)
{
	__u64 now = list_boottime_ns();

	return b->counted_ns && now > b->counted_ns ? (now - b->counted_ns) / 1000000000ULL : 0;
}

void limits_print_text(const char *indent, const struct xdpfwd_limits *l, const struct ban_counts *b)
{
	const struct xdpfwd_limit_stats *st = &b->stats;
	char line[256];

	limits_format(l, line, sizeof(line));
	printf("%s\n", line);
	printf("%sover the limit: dropped %llu packets (%llu bytes), audited %llu packets (%llu bytes)\n", indent,
	       (unsigned long long)st->packets[XDPFWD_ACT_DROP], (unsigned long long)st->bytes[XDPFWD_ACT_DROP],
	       (unsigned long long)st->packets[XDPFWD_ACT_AUDIT], (unsigned long long)st->bytes[XDPFWD_ACT_AUDIT]);
	printf("%sbans: made %llu, failed %llu (blocklist full), ", indent, (unsigned long long)st->bans,
	       (unsigned long long)st->ban_failed);
	if (b->live < 0)
		printf("live 0 (no set auto yet)\n");
	else if (!b->unbooked)
		printf("live %ld (`xdpfwd block list --set auto`)\n", b->live);
	else
		/* The program bans on its own; the books catch up every few seconds (bans.h). */
		printf("live %ld as counted %llu s ago, and up to %llu made since\n", b->live,
		       (unsigned long long)counted_age_s(b), (unsigned long long)b->unbooked);
}

void limits_print_json(const struct xdpfwd_limits *l, const struct ban_counts *b)
{
	const struct xdpfwd_limit_stats *st = &b->stats;

	printf("{\"action\":\"%s\",\"pps\":%llu,\"pkt_burst\":%llu,\"bps\":%llu,\"bit_burst\":%llu,"
	       "\"key4\":%u,\"key6\":%u,\"ban_s\":%llu,\"generation\":%llu,",
	       limit_action_name(l->action), (unsigned long long)l->pps, (unsigned long long)l->pkt_burst,
	       (unsigned long long)l->bps, (unsigned long long)l->bit_burst, l->plen4, l->plen6,
	       (unsigned long long)(l->ban_ns / 1000000000ULL), (unsigned long long)l->generation);
	printf("\"rate_limited\":{\"drop\":{\"packets\":%llu,\"bytes\":%llu},\"audit\":{\"packets\":%llu,"
	       "\"bytes\":%llu}},",
	       (unsigned long long)st->packets[XDPFWD_ACT_DROP], (unsigned long long)st->bytes[XDPFWD_ACT_DROP],
	       (unsigned long long)st->packets[XDPFWD_ACT_AUDIT], (unsigned long long)st->bytes[XDPFWD_ACT_AUDIT]);
	printf("\"bans\":{\"made\":%llu,\"failed\":%llu,\"live\":%ld,\"unbooked\":%llu,\"counted_age_s\":%llu}}",
	       (unsigned long long)st->bans, (unsigned long long)st->ban_failed, b->live < 0 ? 0 : b->live,
	       (unsigned long long)b->unbooked, (unsigned long long)counted_age_s(b));
}

/* The running settings as a conf, so `set` changes only what it is given. */
static void conf_of(const struct xdpfwd_limits *l, struct limit_conf *c)
{
	limit_conf_init(c);
	if (l->action == XDPFWD_LIMIT_OFF)
		return;
	c->action = l->action;
	c->pps = l->pps;
	c->bps = l->bps;
	/* A burst equal to the default was the default: it follows a new rate. */
	c->burst = l->pkt_burst != (l->pps ? l->pps : 1) ? l->pkt_burst : 0;
	c->plen4 = l->plen4;
	c->plen6 = l->plen6;
	c->ban_s = l->ban_ns / 1000000000ULL;
}

static int change(const struct limits_maps *lm, const struct limit_opts *o)
{
	struct xdpfwd_limits cur, want = {};
	struct limit_conf c;
	char line[256];
	bool changed;
	int err;

	err = limits_read(lm, &cur);
	if (err)
		return err;
	if (o->op == LIMIT_SET) {
		conf_of(&cur, &c);
		limit_conf_merge(&c, &o->conf);
		err = limits_from_conf(&c, &want);
		if (err)
			return err;
	}
	err = limits_apply(lm, &want, &changed);
	if (!err)
		err = limits_read(lm, &cur);
	if (err)
		return err;
	limits_format(&cur, line, sizeof(line));
	pr_info("limits: %s%s\n", line, changed ? "" : " (unchanged)");
	return 0;
}

static int parse(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_limit(argc, argv, &o->limit);

	o->pin_dir = o->limit.pin_dir;
	return err;
}

static int run(struct xdpfwd_bpf *skel, struct cmd_opts *co)
{
	const struct limit_opts *o = &co->limit;
	struct xdpfwd_limits l;
	struct limits_maps lm;
	struct ban_counts b;
	int err, lock;

	err = limits_maps_get(skel, &lm);
	if (err)
		return cli_failed(err, "opening the limits");
	if (o->op != LIMIT_SHOW) {
		lock = pin_dir_lock(o->pin_dir);
		if (lock < 0)
			return lock;
		err = change(&lm, o);
		pin_dir_unlock(lock);
		return err ? cli_failed(err, "changing the limits") : 0;
	}
	err = limits_read(&lm, &l);
	if (!err)
		err = bans_read(skel, &b);
	if (err)
		return cli_failed(err, "reading the limits");
	if (o->json) {
		limits_print_json(&l, &b);
		putchar('\n');
	} else {
		limits_print_text("", &l, &b);
	}
	return 0;
}

const struct cmd_ops cmd_limit_ops = { .parse = parse, .run = run };
