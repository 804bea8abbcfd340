// SPDX-License-Identifier: GPL-2.0
/* xdpfwd block|allow add|del|list|flush: edits the pinned maps, daemon running or not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "instance.h"
#include "kclock.h"
#include "list_files.h"
#include "commands.h"

/* Seconds left before the entry expires, 0 for a permanent one (at least 1 while it still applies). */
static __u64 seconds_left(const struct xdpfwd_entry *e, __u64 now)
{
	if (!e->expires_ns)
		return 0;
	return e->expires_ns > now ? (e->expires_ns - now + 999999999ULL) / 1000000000ULL : 1;
}

static void format_left(__u64 s, char *buf, size_t len)
{
	if (!s)
		snprintf(buf, len, "-");
	else if (s >= 86400)
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)s / 86400, (unsigned long long)s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)s / 3600, (unsigned long long)s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)s / 60, (unsigned long long)s % 60);
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
}

static void print_items(const struct list_item *items, size_t n, int json)
{
	char entry[XDPFWD_PREFIX_STRLEN], when[40], left[24], left_secs[24];
	__u64 now = list_boottime_ns();
	size_t i;

	if (json)
		putchar('[');
	else
		printf("%-43s %12s %14s  %-24s  %s\n", "ENTRY", "PACKETS", "BYTES", "LAST_HIT", "EXPIRES_IN");
	for (i = 0; i < n; i++) {
		const struct xdpfwd_entry *e = &items[i].entry;
		__u64 secs = seconds_left(e, now);

		xdpfwd_prefix_format(&items[i].prefix, entry, sizeof(entry));
		if (e->last_hit_ns)
			time_format_mono(e->last_hit_ns, when, sizeof(when));
		else
			snprintf(when, sizeof(when), json ? "null" : "-");
		format_left(secs, left, sizeof(left));
		snprintf(left_secs, sizeof(left_secs), "%llu", (unsigned long long)secs);
		if (json)
			printf("%s{\"entry\":\"%s\",\"family\":%u,\"prefixlen\":%u,\"packets\":%llu,\"bytes\":%llu,"
			       "\"last_hit\":%s%s%s,\"expires_in\":%s}",
			       i ? "," : "", entry, items[i].prefix.family == 4 ? 4 : 6, items[i].prefix.prefixlen,
			       (unsigned long long)e->packets, (unsigned long long)e->bytes,
			       e->last_hit_ns ? "\"" : "", when, e->last_hit_ns ? "\"" : "",
			       secs ? left_secs : "null");
		else
			printf("%-43s %12llu %14llu  %-24s  %s\n", entry, (unsigned long long)e->packets,
			       (unsigned long long)e->bytes, when, left);
	}
	if (json)
		puts("]");
}

static int run(const struct list_opts *o, const struct list_maps *m)
{
	const char *kind = list_kind_name(o->kind);
	struct list_item *items;
	size_t n, missing;
	int lock, err;

	if (o->op == LIST_SHOW) {
		err = list_read(m, &items, &n);
		if (err)
			return err;
		print_items(items, n, o->json);
		free(items);
		return 0;
	}
	/* A state dir that --persist would refuse is refused before the lists change. */
	if (o->persist) {
		err = list_state_dir_check(o->state_dir);
		if (err)
			return err;
	}
	lock = pin_dir_lock(o->pin_dir);
	if (lock < 0)
		return lock;
	switch (o->op) {
	case LIST_ADD:
		err = list_add(m, &o->prefixes, o->timeout_s ? list_boottime_ns() + o->timeout_s * 1000000000ULL : 0,
			       &n);
		if (!err)
			pr_info("%slist: added %zu, %zu already present%s\n", kind, n, o->prefixes.n - n,
				o->timeout_s ? " (expiry set on all)" : "");
		break;
	case LIST_LOAD:
		err = list_replace(m, &o->prefixes);
		if (!err)
			pr_info("%slist: replaced with the %zu entries of %s\n", kind, o->prefixes.n, o->file);
		break;
	case LIST_DEL:
		err = list_del(m, &o->prefixes, &n, &missing);
		if (!err)
			pr_info("%slist: removed %zu, %zu not present\n", kind, n, missing);
		break;
	default:
		err = list_flush(m, &n);
		if (!err)
			pr_info("%slist: removed all %zu entries\n", kind, n);
		break;
	}
	/* Under the same lock, so concurrent --persist edits cannot lose each other's lines. */
	if (!err && o->persist)
		err = list_state_update(o->state_dir, o->kind, &o->prefixes,
					o->timeout_s ? (__u64)time(NULL) + o->timeout_s : 0, o->op == LIST_DEL);
	pin_dir_unlock(lock);
	return err;
}

static int parse_block(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_list(LIST_BLOCK, argc, argv, &o->list);

	o->pin_dir = o->list.pin_dir;
	return err;
}

static int parse_allow(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_list(LIST_ALLOW, argc, argv, &o->list);

	o->pin_dir = o->list.pin_dir;
	return err;
}

static int run_list(struct xdpfwd_bpf *skel, struct cmd_opts *o)
{
	struct list_maps m;

	kclock_use_instance(o->pin_dir);
	list_maps_get(skel, o->list.kind, &m);
	return run(&o->list, &m);
}

static void done(struct cmd_opts *o)
{
	xdpfwd_prefix_set_free(&o->list.prefixes);
}

const struct cmd_ops cmd_block_ops = { .parse = parse_block, .run = run_list, .done = done };
const struct cmd_ops cmd_allow_ops = { .parse = parse_allow, .run = run_list, .done = done };
