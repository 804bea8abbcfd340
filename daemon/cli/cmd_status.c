// SPDX-License-Identifier: GPL-2.0
/* xdpfwd status: what is attached where, how big the lists are, and the counters. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "json_str.h"
#include "utf8.h"
#include "netns.h"
#include "instance.h"
#include "sets.h"
#include "lib_error.h"
#include "rate_limits.h"
#include "bans.h"
#include "commands.h"

/* The flood defense, if the instance has its maps. */
struct flood {
	int have;
	struct xdpfwd_limits limits;
	struct ban_counts bans;
};

struct counts {
	long block_addr, block_net, allow;
	/* The named sets of each kind and the entries each holds. */
	struct xdpfwd_set sets[XDPFWD_KINDS][XDPFWD_MAX_SETS];
	long set_entries[XDPFWD_KINDS][XDPFWD_MAX_SETS];
	/* Each list map's fill and capacity (no name: the allowlist has no hashes). */
	struct {
		const char *name;
		long entries;
		__u32 max;
	} maps[XDPFWD_KINDS][LIST_MAPS];
};

static int sets_defined(const struct counts *c, int kind)
{
	int id, n = 0;

	for (id = 0; id < XDPFWD_MAX_SETS; id++)
		n += !!c->sets[kind][id].name[0];
	return n;
}

/* "passed N packets, no_match N ..." per action, on lines starting with indent and the action's label. */
static void print_verdicts(const char *indent, const struct xdpfwd_stats *st)
{
	__u64 total[XDPFWD_ACT_MAX] = {};
	int a, r;

	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++)
			total[a] += st->packets[a][r];
	for (a = 0; a < XDPFWD_ACT_MAX; a++) {
		printf("%s%-10s %llu packets", indent,
		       a == XDPFWD_ACT_PASS ? "passed" : a == XDPFWD_ACT_AUDIT ? "audited" : "dropped",
		       (unsigned long long)total[a]);
		for (r = 0; r < XDPFWD_R_MAX; r++)
			if (st->packets[a][r])
				printf(", %s %llu", reason_name(r), (unsigned long long)st->packets[a][r]);
		putchar('\n');
	}
}

static int any_packets(const struct xdpfwd_stats *st)
{
	int a, r;

	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++)
			if (st->packets[a][r])
				return 1;
	return 0;
}

/* Room for the record's name and a NUL: the map's array need not hold one (written by hand, or damaged). */
#define REC_NAME_LEN (sizeof(((struct xdpfwd_iface *)0)->name) + 1)

static void rec_name(const struct iface_status *s, char buf[REC_NAME_LEN])
{
	snprintf(buf, REC_NAME_LEN, "%.*s", (int)sizeof(s->rec.name), s->rec.name);
}

/* "maps       block_v4_addr   5000 of 65536 (7%)", one line per list map. */
static void print_maps_text(const struct counts *c)
{
	const char *label = "maps";
	int kind, j;

	for (kind = 0; kind < XDPFWD_KINDS; kind++)
		for (j = 0; j < LIST_MAPS; j++) {
			if (!c->maps[kind][j].name)
				continue;
			printf("%-10s %-14s %ld of %u (%ld%%)\n", label, c->maps[kind][j].name,
			       c->maps[kind][j].entries, c->maps[kind][j].max,
			       c->maps[kind][j].max ? c->maps[kind][j].entries * 100 / c->maps[kind][j].max : 0);
			label = "";
		}
}

/* "maps":{"block_v4_addr":{"entries":N,"max":M},...} */
static void print_maps_json(const struct counts *c)
{
	int kind, j, first = 1;

	fputs("\"maps\":{", stdout);
	for (kind = 0; kind < XDPFWD_KINDS; kind++)
		for (j = 0; j < LIST_MAPS; j++) {
			if (!c->maps[kind][j].name)
				continue;
			printf("%s\"%s\":{\"entries\":%ld,\"max\":%u}", first ? "" : ",", c->maps[kind][j].name,
			       c->maps[kind][j].entries, c->maps[kind][j].max);
			first = 0;
		}
	fputs("},", stdout);
}

static void print_text(const char *dir, const struct iface_status *ifs, int n, const struct counts *c,
		       const struct xdpfwd_stats *st, const struct xdpfwd_stats *other, const struct flood *fl)
{
	char name[REC_NAME_LEN], shown[TEXT_NAME_MAX(REC_NAME_LEN)];
	int i;

	printf("instance   %s (layout %d)\n", dir, XDPFWD_LAYOUT_VERSION);
	printf("interfaces %d\n", n);
	for (i = 0; i < n; i++) {
		const struct iface_status *s = &ifs[i];

		rec_name(s, name);
		text_format_name(shown, sizeof(shown), name);
		printf("  %-15s ifindex %-4u %-8s %-6s program %u%s\n", shown, s->ifindex, iface_status_state(s),
		       s->rec.mode == XDPFWD_MODE_SKB ? "skb" : "native",
		       s->live.kind == ATTACH_OURS ? s->live.ours_id : s->rec.prog_id,
		       !s->exists ? "" : s->live.dispatcher ? "  (libxdp dispatcher: shared with other programs)" :
		       "  (single program: libxdp dispatcher not in use)");
		if (s->has_stats)
			print_verdicts("    ", &s->stats);
	}
	printf("blocklist  %ld entries (%ld addresses, %ld prefixes)\n", c->block_addr + c->block_net,
	       c->block_addr, c->block_net);
	printf("allowlist  %ld entries\n", c->allow);
	printf("sets       %d block, %d allow (`xdpfwd sets` shows them)\n", sets_defined(c, LIST_BLOCK),
	       sets_defined(c, LIST_ALLOW));
	print_maps_text(c);
	print_verdicts("", st);
	/* The pinned program attached by hand somewhere no daemon recorded. */
	if (any_packets(other)) {
		printf("not recorded interfaces (the program attached by other means):\n");
		print_verdicts("    ", other);
	}
	printf("events     eligible %llu, sent %llu, suppressed %llu (per-source %llu, global %llu), lost %llu\n",
	       (unsigned long long)st->ev_eligible, (unsigned long long)st->ev_sent,
	       (unsigned long long)(st->ev_suppressed_source + st->ev_suppressed_global),
	       (unsigned long long)st->ev_suppressed_source, (unsigned long long)st->ev_suppressed_global,
	       (unsigned long long)st->ev_lost);
	if (!fl->have) {
		printf("limits     not in this instance (made by an older build: restart its daemon)\n");
		return;
	}
	printf("limits     ");
	limits_print_text("           ", &fl->limits, &fl->bans);
}

/* "packets":{"pass":{reason:N,...},"drop":{...}},"bytes":{...} */
void cli_print_verdicts_json(const struct xdpfwd_stats *st)
{
	const __u64 (*v)[XDPFWD_R_MAX];
	int a, r, k;

	for (k = 0; k < 2; k++) {
		v = k ? st->bytes : st->packets;
		printf("%s\"%s\":{", k ? "," : "", k ? "bytes" : "packets");
		for (a = 0; a < XDPFWD_ACT_MAX; a++) {
			printf("%s\"%s\":{", a ? "," : "", action_name(a));
			for (r = 0; r < XDPFWD_R_MAX; r++)
				printf("%s\"%s\":%llu", r ? "," : "", reason_name(r), (unsigned long long)v[a][r]);
			putchar('}');
		}
		putchar('}');
	}
}

static void print_json(const char *dir, const struct iface_status *ifs, int n, const struct counts *c,
		       const struct xdpfwd_stats *st, const struct xdpfwd_stats *other, const struct flood *fl)
{
	char name[REC_NAME_LEN];
	int i, kind, id, first;

	fputs("{\"pin_dir\":", stdout);
	json_put_string(stdout, dir);
	printf(",\"layout_version\":%d,\"interfaces\":[", XDPFWD_LAYOUT_VERSION);
	for (i = 0; i < n; i++) {
		const struct iface_status *s = &ifs[i];

		rec_name(s, name);
		printf("%s{\"name\":", i ? "," : "");
		json_put_string(stdout, name);
		printf(",\"ifindex\":%u,\"state\":\"%s\",\"mode\":\"%s\",\"prog_id\":%u,"
		       "\"dispatcher\":%s",
		       s->ifindex, iface_status_state(s),
		       s->rec.mode == XDPFWD_MODE_SKB ? "skb" : "native",
		       s->live.kind == ATTACH_OURS ? s->live.ours_id : s->rec.prog_id,
		       s->exists && s->live.dispatcher ? "true" : "false");
		if (s->has_stats) {
			putchar(',');
			cli_print_verdicts_json(&s->stats);
		}
		putchar('}');
	}
	printf("],\"blocklist\":{\"addresses\":%ld,\"prefixes\":%ld},\"allowlist\":{\"entries\":%ld},",
	       c->block_addr, c->block_net, c->allow);
	/* "sets":{"block":{"manual":N,...},"allow":{...}}: entries per set (names need no escaping). */
	fputs("\"sets\":{", stdout);
	for (kind = 0; kind < XDPFWD_KINDS; kind++) {
		printf("%s\"%s\":{", kind ? "," : "", list_kind_name(kind));
		for (id = 0, first = 1; id < XDPFWD_MAX_SETS; id++) {
			if (!c->sets[kind][id].name[0])
				continue;
			printf("%s\"%s\":%ld", first ? "" : ",", c->sets[kind][id].name, c->set_entries[kind][id]);
			first = 0;
		}
		putchar('}');
	}
	fputs("},", stdout);
	print_maps_json(c);
	cli_print_verdicts_json(st);
	fputs(",\"other_interfaces\":{", stdout);
	cli_print_verdicts_json(other);
	printf("},\"events\":{\"eligible\":%llu,\"sent\":%llu,\"suppressed_source\":%llu,"
	       "\"suppressed_global\":%llu,\"lost\":%llu},\"limits\":",
	       (unsigned long long)st->ev_eligible, (unsigned long long)st->ev_sent,
	       (unsigned long long)st->ev_suppressed_source, (unsigned long long)st->ev_suppressed_global,
	       (unsigned long long)st->ev_lost);
	if (fl->have)
		limits_print_json(&fl->limits, &fl->bans);
	else
		fputs("null", stdout);
	fputs("}\n", stdout);
}

/*
 * What `list` shows, from the books (one lookup per list, see list_count);
 * --recount first counts afresh under the pin dir lock, after bpftool edits.
 */
static int count_lists(struct xdpfwd_bpf *skel, const struct status_opts *o, struct counts *c)
{
	struct list_counts lc[2];
	struct list_maps m;
	int kind, id, lock = -1, err = 0;

	memset(c, 0, sizeof(*c));
	lib_error_clear();
	if (o->recount) {
		lock = pin_dir_lock(o->pin_dir);
		if (lock < 0)
			return lock;
	}
	for (kind = LIST_BLOCK; kind <= LIST_ALLOW && !err; kind++) {
		list_maps_get(skel, kind, &m);
		/* Without a books map (an older build's instance) this only repairs; counting walks anyway. */
		if (o->recount)
			err = list_recount(&m);
		if (!err)
			err = list_count(&m, &lc[kind]);
		if (!err && m.sets >= 0)
			err = sets_read_all(m.sets, kind, c->sets[kind]);
		if (err && lib_error()[0])
			pr_warn("%s\n", lib_error());
		for (id = 0; !err && id < XDPFWD_MAX_SETS; id++)
			c->set_entries[kind][id] = lc[kind].set_entries[id];
		for (id = 0; !err && id < LIST_MAPS; id++) {
			int fds[LIST_MAPS] = { [LIST_MAP_V4_ADDR] = m.v4_addr, [LIST_MAP_V4_NET] = m.v4_net,
					       [LIST_MAP_V6_ADDR] = m.v6_addr, [LIST_MAP_V6_NET] = m.v6_net };

			if (fds[id] < 0)
				continue;
			c->maps[kind][id].name = list_map_name(kind, id);
			c->maps[kind][id].entries = lc[kind].map_entries[id];
			c->maps[kind][id].max = capacity_map_max(fds[id]);
		}
	}
	/* Every ban made so far is in the fresh count. */
	if (!err && o->recount)
		err = cli_error(bans_counted(skel));
	if (lock >= 0)
		pin_dir_unlock(lock);
	if (err)
		return err;
	c->block_addr = lc[LIST_BLOCK].addrs;
	c->block_net = lc[LIST_BLOCK].prefixes;
	c->allow = lc[LIST_ALLOW].addrs + lc[LIST_ALLOW].prefixes;
	return 0;
}

/* The flood defense's settings and counters; an instance without its maps is shown as such. */
static int read_flood(struct xdpfwd_bpf *skel, struct flood *fl)
{
	struct limits_maps lm;
	int err;

	memset(fl, 0, sizeof(*fl));
	if (limits_maps_get(skel, &lm)) {
		lib_error_clear();
		return 0;
	}
	err = limits_read(&lm, &fl->limits);
	if (!err)
		err = bans_read(skel, &fl->bans);
	if (err)
		return cli_failed(err, "reading the limits");
	fl->have = 1;
	return 0;
}

static int parse(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_status(argc, argv, &o->status);

	o->pin_dir = o->status.pin_dir;
	return err;
}

static int run(struct xdpfwd_bpf *skel, struct cmd_opts *co)
{
	const struct status_opts *o = &co->status;
	struct iface_status ifs[XDPFWD_MAX_IFACES];
	struct xdpfwd_stats st, other;
	struct counts c;
	struct flood fl;
	int err, n;

	err = stats_read(bpf_map__fd(skel->maps.stats), &st);
	if (!err)
		err = stats_read_slot(bpf_map__fd(skel->maps.stats), XDPFWD_STATS_SLOT_OTHER, &other);
	if (err) {
		pr_warn("reading counters failed: %s\n", strerror(-err));
		return err;
	}
	err = count_lists(skel, o, &c);
	if (err)
		return err;
	iface_status_read(skel, ifs, XDPFWD_MAX_IFACES, &n);
	err = read_flood(skel, &fl);
	if (err)
		return err;
	if (o->json)
		print_json(o->pin_dir, ifs, n, &c, &st, &other, &fl);
	else
		print_text(o->pin_dir, ifs, n, &c, &st, &other, &fl);
	return 0;
}

const struct cmd_ops cmd_status_ops = { .parse = parse, .run = run };
