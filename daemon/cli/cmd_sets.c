// SPDX-License-Identifier: GPL-2.0
/* xdpfwd sets [--json] | sets add KIND NAME [options] | sets del KIND NAME: the named sets of both lists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "json_str.h"
#include "instance.h"
#include "sets.h"
#include "stats.h"
#include "lib_error.h"
#include "commands.h"
#include "list_state.h"

/* A duration as `--timeout` takes it back: the largest unit that divides it ("90s", "10m", "2h", "7d"). */
static void format_duration(__u32 s, char *buf, size_t len)
{
	if (!s)
		snprintf(buf, len, "-");
	else if (!(s % 86400))
		snprintf(buf, len, "%ud", s / 86400);
	else if (!(s % 3600))
		snprintf(buf, len, "%uh", s / 3600);
	else if (!(s % 60))
		snprintf(buf, len, "%um", s / 60);
	else
		snprintf(buf, len, "%us", s);
}

/* CLOCK_REALTIME seconds as UTC "2026-12-02T18:59:00Z". */
static void format_utc(__u64 s, char *buf, size_t len)
{
	time_t t = (time_t)s;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)s);
}

struct kind_view {
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	struct list_counts counts;
	/*
	 * Block set auto: bans the program made since the books counted it
	 * (bans.h). Its entries show as "N+" then, at most `unbooked` more.
	 */
	int auto_set;
	__u64 unbooked;
};

/* Every named set of both kinds in v, kind by kind and id by id: s, its kind and its id. */
#define for_each_named_set(v, kind, id, s)					\
	for (kind = 0; kind < XDPFWD_KINDS; kind++)				\
		for (id = 0; id < XDPFWD_MAX_SETS; id++)			\
			if (!((s) = &(v)[kind].sets[id])->name[0]) {} else

static void print_text(const struct kind_view v[XDPFWD_KINDS], const struct xdpfwd_stats *st)
{
	char scope[SET_SCOPE_STRLEN], timeout[16], updated[32], entries[24];
	const struct xdpfwd_set *s;
	int kind, id;

	printf("%-5s %-32s %-7s %-22s %-7s %10s %12s %14s  %-20s  %s\n", "KIND", "NAME", "MODE", "SCOPE", "TIMEOUT",
	       "ENTRIES", "PACKETS", "BYTES", "UPDATED", "SOURCE");
	for_each_named_set(v, kind, id, s) {
		set_scope_format(s, scope, sizeof(scope));
		format_duration(s->timeout_s, timeout, sizeof(timeout));
		if (s->updated_s)
			format_utc(s->updated_s, updated, sizeof(updated));
		else
			snprintf(updated, sizeof(updated), "-");
		snprintf(entries, sizeof(entries), "%ld%s", v[kind].counts.set_entries[id],
			 id == v[kind].auto_set && v[kind].unbooked ? "+" : "");
		printf("%-5s %-32s %-7s %-22s %-7s %10s %12llu %14llu  %-20s  %s\n",
		       list_kind_name(kind), s->name, set_mode_name(s->mode), scope[0] ? scope : "-",
		       timeout, entries,
		       (unsigned long long)stats_set_packets(st, kind, id),
		       (unsigned long long)stats_set_bytes(st, kind, id),
		       updated, s->source[0] ? s->source : "-");
	}
}

static void print_json(const struct kind_view v[XDPFWD_KINDS], const struct xdpfwd_stats *st)
{
	char scope[SET_SCOPE_STRLEN], updated[32];
	const struct xdpfwd_set *s;
	int kind, id, n = 0;

	putchar('[');
	for_each_named_set(v, kind, id, s) {
		set_scope_format(s, scope, sizeof(scope));
		/* Names are [a-z0-9_-]: no escaping needed; the source is any path. */
		printf("%s{\"kind\":\"%s\",\"name\":\"%s\",\"id\":%d,\"mode\":\"%s\",\"scope\":%s%s%s,"
		       "\"timeout\":", n++ ? "," : "", list_kind_name(kind), s->name, id,
		       set_mode_name(s->mode), scope[0] ? "\"" : "", scope[0] ? scope : "null",
		       scope[0] ? "\"" : "");
		if (s->timeout_s)
			printf("%u", s->timeout_s);
		else
			fputs("null", stdout);
		printf(",\"entries\":%ld,\"packets\":%llu,\"bytes\":%llu,\"updated\":",
		       v[kind].counts.set_entries[id], (unsigned long long)stats_set_packets(st, kind, id),
		       (unsigned long long)stats_set_bytes(st, kind, id));
		if (s->updated_s) {
			format_utc(s->updated_s, updated, sizeof(updated));
			printf("\"%s\"", updated);
		} else {
			fputs("null", stdout);
		}
		fputs(",\"source\":", stdout);
		if (s->source[0])
			json_put_string(stdout, s->source);
		else
			fputs("null", stdout);
		if (id == v[kind].auto_set)
			printf(",\"unbooked\":%llu", (unsigned long long)v[kind].unbooked);
		putchar('}');
	}
	puts("]");
}

static int show(struct xdpfwd_bpf *skel, const struct sets_opts *o)
{
	struct kind_view v[XDPFWD_KINDS];
	struct xdpfwd_stats st;
	struct ban_counts b;
	struct list_maps m;
	int kind, err;

	lib_error_clear();
	for (kind = 0; kind < XDPFWD_KINDS; kind++) {
		list_maps_get(skel, kind, &m);
		err = sets_read_all(m.sets, kind, v[kind].sets);
		if (err)
			return cli_failed(err, "reading the sets");
		err = list_count(&m, &v[kind].counts);
		if (err)
			return cli_failed(err, "counting the lists");
	}
	err = stats_read(bpf_map__fd(skel->maps.stats), &st);
	if (err)
		return cli_failed(err, "reading the counters");
	v[LIST_ALLOW].auto_set = -1;
	v[LIST_BLOCK].auto_set = -1;
	/* An instance without the flood defense has no bans to count. */
	if (!bans_read(skel, &b)) {
		v[LIST_BLOCK].auto_set = b.auto_set;
		v[LIST_BLOCK].unbooked = b.unbooked;
	}
	lib_error_clear();
	if (o->json)
		print_json(v, &st);
	else
		print_text(v, &st);
	return 0;
}

/* Creates the set, or changes the options given of an existing one (the others stay as they are). */
static int define(const struct list_maps *m, const struct sets_opts *o)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	struct set_options opts = o->set;
	char scope[SET_SCOPE_STRLEN], timeout[16];
	struct xdpfwd_set now;
	int id, err;

	err = sets_read_all(m->sets, o->kind, sets);
	if (err)
		return cli_failed(err, "reading the sets");
	id = sets_find(m->sets, o->kind, o->name);
	if (id >= 0) {
		if (!o->mode_given)
			opts.mode = sets[id].mode;
		if (!o->scope_given) {
			opts.scope_protos = sets[id].scope_protos;
			opts.nports = sets[id].nports;
			memcpy(opts.ports, sets[id].ports, sizeof(opts.ports));
		}
		if (!o->timeout_given)
			opts.timeout_s = sets[id].timeout_s;
	}
	err = sets_define(m, o->name, &opts, &id);
	if (err)
		return cli_failed(err, "defining the set");
	memset(&now, 0, sizeof(now));
	now.mode = opts.mode;
	now.scope_protos = opts.scope_protos;
	now.nports = opts.nports;
	memcpy(now.ports, opts.ports, sizeof(now.ports));
	set_scope_format(&now, scope, sizeof(scope));
	format_duration(opts.timeout_s, timeout, sizeof(timeout));
	pr_info("%s set %s: %s (mode %s, scope %s, timeout %s)\n", list_kind_name(o->kind), o->name,
		sets[id].name[0] ? "changed" : "created", set_mode_name(opts.mode), scope[0] ? scope : "none",
		opts.timeout_s ? timeout : "none");
	return 0;
}

/*
 * Block set id is where the running limits put their bans: its id would be
 * freed (or given to the next new set) under the program's feet. Said here.
 */
static int holds_bans(struct xdpfwd_bpf *skel, int id)
{
	struct xdpfwd_limits l;
	struct limits_maps lm;

	if (limits_maps_get(skel, &lm) || limits_read(&lm, &l)) {
		lib_error_clear();
		return 0;
	}
	if ((l.action != XDPFWD_LIMIT_BAN && l.action != XDPFWD_LIMIT_AUDIT) || l.auto_set != id)
		return 0;
	pr_warn("block set %s holds the flood defense's bans and the limits are on (action %s); turn them off "
		"first (xdpfwd limit off), or lift the bans with xdpfwd block flush --set %s\n", LIMIT_AUTO_SET,
		limit_action_name(l.action), LIMIT_AUTO_SET);
	return 1;
}

static int run(struct xdpfwd_bpf *skel, struct cmd_opts *co)
{
	const struct sets_opts *o = &co->sets;
	struct list_maps m;
	int lock, err, id;

	list_maps_get(skel, o->op == SETS_SHOW ? LIST_BLOCK : o->kind, &m);
	if (m.sets < 0) {
		pr_warn("this instance has no sets map (pins of an older build); restart its daemon with this "
			"build first\n");
		return -EOPNOTSUPP;
	}
	if (o->op == SETS_SHOW)
		return show(skel, o);
	lock = pin_dir_lock(o->pin_dir);
	if (lock < 0)
		return lock;
	lib_error_clear();
	if (o->op == SETS_ADD) {
		err = define(&m, o);
	} else {
		id = sets_find(m.sets, o->kind, o->name);
		if (id == -ENOENT)
			pr_warn("%s set %s does not exist; `xdpfwd sets` lists the sets\n", list_kind_name(o->kind),
				o->name);
		if (id >= 0 && o->kind == LIST_BLOCK && holds_bans(skel, id))
			err = -EBUSY;
		else
			err = id < 0 ? id : sets_remove(&m, id);
		if (id >= 0 && err && err != -EBUSY)
			cli_failed(err, "deleting the set");
		if (!err) {
			pr_info("%s set %s: deleted (its entries gone from the list unless another set holds them)\n",
				list_kind_name(o->kind), o->name);
			/* Its --persist entries would make the set again at the next start after a reboot. */
			cli_error(list_state_put_aside(o->state_dir, o->kind, o->name));
		}
	}
	pin_dir_unlock(lock);
	return err;
}

static int parse(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_sets(argc, argv, &o->sets);

	o->pin_dir = o->sets.pin_dir;
	return err;
}

const struct cmd_ops cmd_sets_ops = { .parse = parse, .run = run };
