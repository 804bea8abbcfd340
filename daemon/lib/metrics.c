// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "xdpfwd.skel.h"
#include "enum_names.h"
#include "stats.h"
#include "lists.h"
#include "sets.h"
#include "iface_status.h"
#include "rate_limits.h"
#include "lib_error.h"
#include "prom_text.h"
#include "metrics.h"
#include "version.h"

/* What `list` shows, per set and per map, from the books (see list_count); -1 where counting failed. */
static void count_entries(struct xdpfwd_bpf *skel, struct metrics_snapshot *s)
{
	int lists[METRICS_LIST_MAX] = { [METRICS_LIST_BLOCK] = LIST_BLOCK, [METRICS_LIST_ALLOW] = LIST_ALLOW };
	struct bpf_map *maps[METRICS_LIST_MAX][LIST_MAPS] = {
		{ skel->maps.block_v4_addr, skel->maps.block_v4_net, skel->maps.block_v6_addr, skel->maps.block_v6_net },
		{ NULL, skel->maps.allow_v4, NULL, skel->maps.allow_v6 },
	};
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	struct list_counts c;
	struct list_maps m;
	int i, j, counted;

	for (i = 0; i < METRICS_LIST_MAX; i++) {
		list_maps_get(skel, lists[i], &m);
		counted = !list_count(&m, &c);
		s->entries[i][METRICS_KIND_ADDRESS] = counted ? c.addrs : -1;
		s->entries[i][METRICS_KIND_PREFIX] = counted ? c.prefixes : -1;
		for (j = 0; j < LIST_MAPS; j++) {
			s->maps[i][j].name = maps[i][j] ? list_map_name(lists[i], j) : NULL;
			s->maps[i][j].max = maps[i][j] ? (long)bpf_map__max_entries(maps[i][j]) : 0;
			s->maps[i][j].entries = counted ? c.map_entries[j] : -1;
		}
		if (m.sets < 0 || sets_read_all(m.sets, lists[i], sets))
			continue;
		for (j = 0; j < XDPFWD_MAX_SETS; j++) {
			snprintf(s->sets[i][j].name, sizeof(s->sets[i][j].name), "%.*s", XDPFWD_SET_NAME_MAX,
				 sets[j].name);
			s->sets[i][j].entries = counted ? c.set_entries[j] : -1;
		}
	}
}

/* The flood defense's settings and counters; none of its families on an instance without its maps. */
static void read_limits(struct xdpfwd_bpf *skel, struct metrics_snapshot *s)
{
	struct limits_maps lm;

	s->have_limits = !limits_maps_get(skel, &lm) && !limits_read(&lm, &s->limits) && !bans_read(skel, &s->bans);
	lib_error_clear();
}

int metrics_collect(struct xdpfwd_bpf *skel, struct metrics_snapshot *s)
{
	struct iface_status ifs[XDPFWD_MAX_IFACES];
	struct limits_maps lm;
	int err, n, i;

	memset(s, 0, sizeof(*s));
	err = stats_read(bpf_map__fd(skel->maps.stats), &s->stats);
	if (err)
		return err;
	count_entries(skel, s);
	read_limits(skel, s);
	if (s->have_limits)
		limits_maps_get(skel, &lm);
	iface_status_read(skel, ifs, XDPFWD_MAX_IFACES, &n);
	for (i = 0; i < n; i++) {
		struct metrics_iface *m = &s->ifaces[s->n_ifaces];

		if (ifs[i].other_netns)
			continue;
		snprintf(m->name, sizeof(m->name), "%.*s", (int)sizeof(m->name) - 1, ifs[i].rec.name);
		m->mode = ifs[i].rec.mode == XDPFWD_MODE_SKB ? "skb" : "native";
		m->attached = !strcmp(iface_status_state(&ifs[i]), "attached");
		m->has_stats = ifs[i].has_stats;
		m->stats = ifs[i].stats;
		if (s->have_limits && m->has_stats &&
		    limit_stats_read_slot(lm.limit_stats, ifs[i].rec.stats_slot, &m->limit_stats))
			lib_error_clear();
		s->n_ifaces++;
	}
	return 0;
}

/*
 * One sample per action and reason, zeros too: rate() needs a series from the
 * first scrape. iface, if not NULL, labels the samples with the interface.
 */
static void write_verdicts(FILE *f, const char *name, const char *iface,
			   const __u64 v[XDPFWD_ACT_MAX][XDPFWD_R_MAX])
{
	unsigned int a, r;

	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++) {
			const char *global[] = { "action", action_name(a), "reason", reason_name(r), NULL };
			const char *per_iface[] = { "interface", iface, "action", action_name(a), "reason",
						    reason_name(r), NULL };

			prom_sample(f, name, iface ? per_iface : global, v[a][r]);
		}
}

/*
 * Reason rate_limit (XDPFWD_R_RATE_LIMIT): the flood defense counts its
 * verdicts in its own map, shown here as one more reason of the totals.
 */
static void write_rate_limited(FILE *f, const char *name, const char *iface, const struct metrics_snapshot *s,
			       const __u64 v[XDPFWD_ACT_MAX])
{
	const char *why = reason_name(XDPFWD_R_RATE_LIMIT);
	unsigned int a;

	if (!s->have_limits)
		return;
	for (a = 0; a < XDPFWD_ACT_MAX; a++) {
		const char *global[] = { "action", action_name(a), "reason", why, NULL };
		const char *per_iface[] = { "interface", iface, "action", action_name(a), "reason", why, NULL };

		prom_sample(f, name, iface ? per_iface : global, v[a]);
	}
}

static const char *const list_kinds[METRICS_LIST_MAX] = { "block", "allow" };

/* Per named set: entries, and the packets and bytes its entries decided (dropped, audited, allowed). */
static void write_sets(FILE *f, const struct metrics_snapshot *s)
{
	static const char *const names[] = { "xdpfwd_set_entries", "xdpfwd_set_packets_total",
					     "xdpfwd_set_bytes_total" };
	static const char *const types[] = { "gauge", "counter", "counter" };
	static const char *const help[] = {
		"Entries (exact addresses and prefixes) each named set holds.",
		"Packets an entry of the set decided: dropped or audited (block sets), let through (allow sets); "
		"each counted once, under the entry's lowest enforcing set.",
		"Bytes (whole frames) of those packets.",
	};
	unsigned int k, i, j;

	for (k = 0; k < 3; k++) {
		prom_family(f, names[k], types[k], help[k]);
		for (i = 0; i < METRICS_LIST_MAX; i++)
			for (j = 0; j < XDPFWD_MAX_SETS; j++) {
				const struct metrics_set *st = &s->sets[i][j];
				const char *labels[] = { "kind", list_kinds[i], "set", st->name, NULL };

				if (!st->name[0] || (k == 0 && st->entries < 0))
					continue;
				prom_sample(f, names[k], labels,
					    k == 0 ? (__u64)st->entries :
					    k == 1 ? stats_set_packets(&s->stats, i, j) : stats_set_bytes(&s->stats, i, j));
			}
	}
}

/* Capacity and fill of each list map, so an alert can fire before one is full. */
static void write_maps(FILE *f, const struct metrics_snapshot *s)
{
	unsigned int i, j;

	prom_family(f, "xdpfwd_entries_max", "gauge", "Capacity of each list map (entries).");
	for (i = 0; i < METRICS_LIST_MAX; i++)
		for (j = 0; j < LIST_MAPS; j++) {
			const char *labels[] = { "kind", list_kinds[i], "map", s->maps[i][j].name, NULL };

			if (s->maps[i][j].name)
				prom_sample(f, "xdpfwd_entries_max", labels, s->maps[i][j].max);
		}
	prom_family(f, "xdpfwd_map_entries", "gauge",
		    "Entries in each list map (its fill: divide by xdpfwd_entries_max).");
	for (i = 0; i < METRICS_LIST_MAX; i++)
		for (j = 0; j < LIST_MAPS; j++) {
			const char *labels[] = { "kind", list_kinds[i], "map", s->maps[i][j].name, NULL };

			if (s->maps[i][j].name && s->maps[i][j].entries >= 0)
				prom_sample(f, "xdpfwd_map_entries", labels, s->maps[i][j].entries);
		}
}

/* The flood defense: its settings as gauges, what it limited and banned as counters. */
static void write_limits(FILE *f, const struct metrics_snapshot *s)
{
	static const char *const acts[] = { "drop", "audit" };
	const unsigned int act_of[] = { XDPFWD_ACT_DROP, XDPFWD_ACT_AUDIT };
	const struct xdpfwd_limits *l = &s->limits;
	const struct xdpfwd_limit_stats *st = &s->bans.stats;
	const char *fam4[] = { "family", "ipv4", NULL }, *fam6[] = { "family", "ipv6", NULL };
	unsigned int a;

	if (!s->have_limits)
		return;
	prom_family(f, "xdpfwd_limit_action", "gauge",
		    "1 for the flood defense's action over the limit (off, drop, ban, audit), 0 for the others.");
	for (a = XDPFWD_LIMIT_OFF; a <= XDPFWD_LIMIT_AUDIT; a++)
		prom_sample(f, "xdpfwd_limit_action", (const char *[]){ "action", limit_action_name(a), NULL },
			    l->action == a);
	prom_family(f, "xdpfwd_limit_pps", "gauge", "Packets per second each source key may send (0: no limit).");
	prom_sample(f, "xdpfwd_limit_pps", NULL, l->pps);
	prom_family(f, "xdpfwd_limit_bps", "gauge", "Bits per second each source key may send (0: no limit).");
	prom_sample(f, "xdpfwd_limit_bps", NULL, l->bps);
	prom_family(f, "xdpfwd_limit_burst_packets", "gauge", "Packets a full bucket lets through at once.");
	prom_sample(f, "xdpfwd_limit_burst_packets", NULL, l->pkt_burst);
	prom_family(f, "xdpfwd_limit_ban_seconds", "gauge", "How long a ban made by action ban lasts.");
	prom_sample(f, "xdpfwd_limit_ban_seconds", NULL, l->ban_ns / 1000000000ULL);
	prom_family(f, "xdpfwd_limit_key_length", "gauge", "The source key: the source address cut to this length.");
	prom_sample(f, "xdpfwd_limit_key_length", fam4, l->plen4);
	prom_sample(f, "xdpfwd_limit_key_length", fam6, l->plen6);

	prom_family(f, "xdpfwd_rate_limited_packets_total", "counter",
		    "Packets over their source key's limit, by what was done: drop (actions drop and ban) or audit "
		    "(passed).");
	for (a = 0; a < 2; a++)
		prom_sample(f, "xdpfwd_rate_limited_packets_total", (const char *[]){ "action", acts[a], NULL },
			    st->packets[act_of[a]]);
	prom_family(f, "xdpfwd_rate_limited_bytes_total", "counter", "Bytes (whole frames) of those packets.");
	for (a = 0; a < 2; a++)
		prom_sample(f, "xdpfwd_rate_limited_bytes_total", (const char *[]){ "action", acts[a], NULL },
			    st->bytes[act_of[a]]);
	prom_family(f, "xdpfwd_bans_total", "counter",
		    "Bans the program made (action ban), or that action audit would have made.");
	prom_sample(f, "xdpfwd_bans_total", NULL, st->bans);
	prom_family(f, "xdpfwd_ban_failures_total", "counter", "Bans the blocklist refused (full).");
	prom_sample(f, "xdpfwd_ban_failures_total", NULL, st->ban_failed);
	prom_family(f, "xdpfwd_bans_live", "gauge",
		    "Entries of block set auto as the books last counted them (the daemon counts again within "
		    "10 s of new bans); the truth is at most xdpfwd_bans_unbooked higher.");
	prom_sample(f, "xdpfwd_bans_live", NULL, s->bans.live < 0 ? 0 : (__u64)s->bans.live);
	prom_family(f, "xdpfwd_bans_unbooked", "gauge", "Bans made since the books last counted set auto.");
	prom_sample(f, "xdpfwd_bans_unbooked", NULL, s->bans.unbooked);
}

int metrics_write(FILE *f, const struct metrics_snapshot *s)
{
	static const char *const kinds[METRICS_KIND_MAX] = { "address", "prefix" };
	static const char *const outcomes[] = {
		"eligible", "sent", "suppressed_source", "suppressed_global", "lost",
	};
	const struct xdpfwd_stats *st = &s->stats;
	const __u64 events[] = {
		st->ev_eligible, st->ev_sent, st->ev_suppressed_source, st->ev_suppressed_global, st->ev_lost,
	};
	unsigned int i, k;

	prom_family(f, "xdpfwd_packets_total", "counter",
		    "Packets judged by the XDP program, by verdict (pass or drop) and the reason for it.");
	write_verdicts(f, "xdpfwd_packets_total", NULL, st->packets);
	write_rate_limited(f, "xdpfwd_packets_total", NULL, s, s->bans.stats.packets);
	prom_family(f, "xdpfwd_bytes_total", "counter",
		    "Bytes (whole frames) judged by the XDP program, by verdict and reason.");
	write_verdicts(f, "xdpfwd_bytes_total", NULL, st->bytes);
	write_rate_limited(f, "xdpfwd_bytes_total", NULL, s, s->bans.stats.bytes);

	prom_family(f, "xdpfwd_events_total", "counter",
		    "Drop log events. Every dropped packet is eligible and ends in exactly one other outcome: "
		    "sent + suppressed_source + suppressed_global + lost = eligible.");
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		const char *labels[] = { "outcome", outcomes[i], NULL };

		prom_sample(f, "xdpfwd_events_total", labels, events[i]);
	}

	prom_family(f, "xdpfwd_entries", "gauge",
		    "Entries in the blocklist and allowlist: exact addresses (/32, /128) and shorter prefixes.");
	for (i = 0; i < METRICS_LIST_MAX; i++)
		for (k = 0; k < METRICS_KIND_MAX; k++) {
			const char *labels[] = { "list", list_kinds[i], "kind", kinds[k], NULL };

			if (s->entries[i][k] >= 0)
				prom_sample(f, "xdpfwd_entries", labels, s->entries[i][k]);
		}

	write_sets(f, s);
	write_maps(f, s);
	write_limits(f, s);

	prom_family(f, "xdpfwd_interface_attached", "gauge",
		    "1 if the instance's program is attached to the interface now, 0 if it was detached "
		    "or the interface is gone.");
	for (i = 0; i < (unsigned int)s->n_ifaces; i++) {
		const char *labels[] = { "interface", s->ifaces[i].name, "mode", s->ifaces[i].mode, NULL };

		prom_sample(f, "xdpfwd_interface_attached", labels, s->ifaces[i].attached);
	}
	prom_family(f, "xdpfwd_interface_packets_total", "counter",
		    "Packets judged on each interface, by verdict and reason (the global counters are their sum, "
		    "plus interfaces no longer recorded).");
	for (i = 0; i < (unsigned int)s->n_ifaces; i++)
		if (s->ifaces[i].has_stats) {
			write_verdicts(f, "xdpfwd_interface_packets_total", s->ifaces[i].name,
				       s->ifaces[i].stats.packets);
			write_rate_limited(f, "xdpfwd_interface_packets_total", s->ifaces[i].name, s,
					   s->ifaces[i].limit_stats.packets);
		}
	prom_family(f, "xdpfwd_interface_bytes_total", "counter",
		    "Bytes (whole frames) judged on each interface, by verdict and reason.");
	for (i = 0; i < (unsigned int)s->n_ifaces; i++)
		if (s->ifaces[i].has_stats) {
			write_verdicts(f, "xdpfwd_interface_bytes_total", s->ifaces[i].name, s->ifaces[i].stats.bytes);
			write_rate_limited(f, "xdpfwd_interface_bytes_total", s->ifaces[i].name, s,
					   s->ifaces[i].limit_stats.bytes);
		}

	prom_family(f, "xdpfwd_build_info", "gauge", "Always 1; the label says which xdpfwd wrote these metrics.");
	prom_sample(f, "xdpfwd_build_info", (const char *[]){ "version", XDPFWD_VERSION, NULL }, 1);
	return ferror(f) ? -EIO : 0;
}
