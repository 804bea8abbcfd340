// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpfwd.skel.h"
#include "capacity.h"
#include "kclock.h"
#include "pin_dir.h"
#include "lib_error.h"
#include "stats.h"
#include "rate_limits.h"
#include "lists.h"
#include "sets.h"
#include "iface_status.h"
#include "top_scan.h"
#include "top.h"

/* An entry counts as active when hit within this many intervals (and a second more: jiffies, rounding). */
#define RECENT_INTERVALS 2
/* A candidate with no hit for this long leaves the table. */
#define IDLE_NS (10ULL * 1000000000ULL)
/*
 * The scan grows while the blocklist drops more than the candidates explain
 * by this much: 5% of the drops and at least 10 packets/s (a few strays from
 * sources too slow to matter do not keep it large).
 */
#define UNEXPLAINED_SHARE 0.05
#define UNEXPLAINED_MIN_PPS 10.0

struct top_sample_at {
	__u64 mono_ns;			/* when the counters were read */
	__u64 ifs_mono_ns;		/* when the interfaces' were: their rates use their own interval */
	struct xdpfwd_stats global;
	/* The flood defense's (reason rate_limit): a map of its own; zero on an instance without it. */
	struct xdpfwd_limit_stats limited;
	struct iface_status ifs[XDPFWD_MAX_IFACES];
	struct xdpfwd_limit_stats ifs_limited[XDPFWD_MAX_IFACES];
	int n_ifs;
};

struct top {
	struct xdpfwd_bpf *skel;
	char pin_dir[256];
	int n_samples;
	struct top_sample_at s[2];	/* [cur] the last sample, [!cur] the one before */
	int cur;
	struct list_counts counts[XDPFWD_KINDS];
	int counted[XDPFWD_KINDS];
	struct xdpfwd_set sets[XDPFWD_KINDS][XDPFWD_MAX_SETS];
	double history[TOP_HISTORY];
	int n_history, history_next;
	double unexplained_pps;
	struct top_scan scan;		/* last: large */
};

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char *top_sort_name(enum top_sort sort)
{
	static const char *const names[TOP_SORTS] = { "rate", "total", "last hit" };

	return sort < TOP_SORTS ? names[sort] : "?";
}

static void block_fds(const struct xdpfwd_bpf *skel, int fds[TOP_MAPS])
{
	fds[TOP_MAP_V4_ADDR] = bpf_map__fd(skel->maps.block_v4_addr);
	fds[TOP_MAP_V6_ADDR] = bpf_map__fd(skel->maps.block_v6_addr);
	fds[TOP_MAP_V4_NET] = bpf_map__fd(skel->maps.block_v4_net);
	fds[TOP_MAP_V6_NET] = bpf_map__fd(skel->maps.block_v6_net);
}

int top_open(struct xdpfwd_bpf *skel, const char *pin_dir, struct top **tp)
{
	int fds[TOP_MAPS];
	struct top *t = calloc(1, sizeof(*t));
	int err;

	block_fds(skel, fds);
	if (!t)
		return lib_error_set(-ENOMEM, "top: out of memory for the candidate table");
	t->skel = skel;
	snprintf(t->pin_dir, sizeof(t->pin_dir), "%s", pin_dir);
	err = top_scan_init(&t->scan, fds);
	if (err) {
		free(t);
		return lib_error_set(err, "top: out of memory for the scan buffers");
	}
	/* An instance of an older daemon has no clock pin: the conversions fall back as its daemon did. */
	kclock_use_instance(pin_dir);
	lib_error_clear();
	*tp = t;
	return 0;
}

void top_close(struct top *t)
{
	if (!t)
		return;
	top_scan_free(&t->scan);
	free(t);
}

static void read_lists(struct top *t)
{
	struct list_maps m;
	int kind;

	for (kind = 0; kind < XDPFWD_KINDS; kind++) {
		list_maps_get(t->skel, kind, &m);
		t->counted[kind] = !list_count(&m, &t->counts[kind]);
		if (m.sets < 0 || sets_read_all(m.sets, kind, t->sets[kind]))
			memset(t->sets[kind], 0, sizeof(t->sets[kind]));
	}
	lib_error_clear();	/* what could not be counted shows as unknown */
}

static __u64 sum_action(const struct xdpfwd_stats *st, int action, int bytes)
{
	__u64 n = 0;
	int r;

	for (r = 0; r < XDPFWD_R_MAX; r++)
		n += bytes ? st->bytes[action][r] : st->packets[action][r];
	return n;
}

static __u64 sum_all(const struct xdpfwd_stats *st, int bytes)
{
	int a;
	__u64 n = 0;

	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		n += sum_action(st, a, bytes);
	return n;
}

/* b - a per second; a counter that went back (a slot given to another interface) reads 0. */
static double per_s(__u64 b, __u64 a, double dt)
{
	return b >= a && dt > 0 ? (double)(b - a) / dt : 0;
}

/* Frames (bytes) of one action, the rate limit's among them. */
static __u64 sum_limited(const struct xdpfwd_stats *st, const struct xdpfwd_limit_stats *l, int action, int bytes)
{
	return sum_action(st, action, bytes) + (bytes ? l->bytes[action] : l->packets[action]);
}

static __u64 sum_total(const struct xdpfwd_stats *st, const struct xdpfwd_limit_stats *l, int bytes)
{
	return sum_all(st, bytes) + (bytes ? l->bytes[XDPFWD_ACT_DROP] + l->bytes[XDPFWD_ACT_AUDIT] :
					     l->packets[XDPFWD_ACT_DROP] + l->packets[XDPFWD_ACT_AUDIT]);
}

static void rates(const struct xdpfwd_stats *b, const struct xdpfwd_limit_stats *lb, const struct xdpfwd_stats *a,
		  const struct xdpfwd_limit_stats *la, double dt, struct top_rates *r)
{
	r->in_pps = per_s(sum_total(b, lb, 0), sum_total(a, la, 0), dt);
	r->in_bps = 8 * per_s(sum_total(b, lb, 1), sum_total(a, la, 1), dt);
	r->drop_pps = per_s(sum_limited(b, lb, XDPFWD_ACT_DROP, 0), sum_limited(a, la, XDPFWD_ACT_DROP, 0), dt);
	r->drop_bps = 8 * per_s(sum_limited(b, lb, XDPFWD_ACT_DROP, 1), sum_limited(a, la, XDPFWD_ACT_DROP, 1), dt);
	r->audit_pps = per_s(sum_limited(b, lb, XDPFWD_ACT_AUDIT, 0), sum_limited(a, la, XDPFWD_ACT_AUDIT, 0), dt);
	r->limited_pps = per_s(lb->packets[XDPFWD_ACT_DROP] + lb->packets[XDPFWD_ACT_AUDIT],
			       la->packets[XDPFWD_ACT_DROP] + la->packets[XDPFWD_ACT_AUDIT], dt);
}

static double interval_s(const struct top *t)
{
	return (double)(t->s[t->cur].mono_ns - t->s[!t->cur].mono_ns) / 1e9;
}

/* Blocklist verdicts (drops and audits): what the entries' own counters add up to. */
static __u64 blocklist_hits(const struct xdpfwd_stats *st)
{
	return st->packets[XDPFWD_ACT_DROP][XDPFWD_R_BLOCKLIST] + st->packets[XDPFWD_ACT_AUDIT][XDPFWD_R_BLOCKLIST];
}

/* Sizes the next slice from how much of the blocklist's drops the candidates explained. */
static void adapt_scan(struct top *t)
{
	const struct top_sample_at *now = &t->s[t->cur], *before = &t->s[!t->cur];
	double dt = interval_s(t), hits_pps, known = 0;
	int i;

	for (i = 0; i < TOP_CANDIDATES; i++)
		if (t->scan.cand[i].used && !t->scan.cand[i].fresh)
			known += (double)t->scan.cand[i].d_packets;
	hits_pps = per_s(blocklist_hits(&now->global), blocklist_hits(&before->global), dt);
	t->unexplained_pps = hits_pps - known / dt;
	if (t->unexplained_pps < 0)
		t->unexplained_pps = 0;
	/* Most of the drops unexplained (a new flood): at once the largest slice; a few: twice the last. */
	if (t->unexplained_pps > UNEXPLAINED_MIN_PPS && t->unexplained_pps > hits_pps / 2)
		t->scan.budget = TOP_SCAN_MAX;
	else if (t->unexplained_pps > UNEXPLAINED_MIN_PPS && t->unexplained_pps > UNEXPLAINED_SHARE * hits_pps)
		t->scan.budget = t->scan.budget * 2 < TOP_SCAN_MAX ? t->scan.budget * 2 : TOP_SCAN_MAX;
	else
		t->scan.budget = t->scan.budget / 2 > TOP_SCAN_MIN ? t->scan.budget / 2 : TOP_SCAN_MIN;
}

/*
 * The maps outlive their pins while top holds them: without this check a
 * top left running after `detach --all` would watch a dead instance forever.
 */
static int instance_gone(const struct top *t)
{
	char path[512];
	struct stat st;

	return !pin_path(path, sizeof(path), t->pin_dir, "meta") && stat(path, &st) && errno == ENOENT;
}

/* The rate limit's counters: of every slot (slot -1), of one, or none (-2, an interface without counters). */
static void read_limited(struct top *t, struct xdpfwd_limit_stats *l, int slot)
{
	int fd = bpf_map__fd(t->skel->maps.limit_stats);

	memset(l, 0, sizeof(*l));
	if (fd < 0 || slot == -2)
		return;
	/* Unreadable: shown as no rate-limited frames rather than failing the whole view. */
	if (slot < 0 ? limit_stats_read(fd, l) : limit_stats_read_slot(fd, slot, l))
		lib_error_clear();
}

int top_sample(struct top *t, int full)
{
	struct top_sample_at *s;
	__u64 window;
	double dt;
	int err, i;

	if (instance_gone(t))
		return lib_error_set(-ENOENT, "the instance at %s is gone (its pins were removed): nothing left to "
				     "watch; start the daemon again to watch a new one", t->pin_dir);

	/* A growth since the last sample (capacity.h): the pinned maps are new ones, read those. */
	if (capacity_follow(t->skel, t->pin_dir) > 0) {
		int fds[TOP_MAPS];

		block_fds(t->skel, fds);
		top_scan_maps(&t->scan, fds);
	}
	lib_error_clear();
	t->cur = !t->cur;
	s = &t->s[t->cur];
	read_lists(t);
	/*
	 * The counters, then at once the candidates, then the slice: the
	 * candidates' deltas and the blocklist counter's cover the same interval,
	 * and a candidate the slice admits is read once per sample.
	 */
	s->mono_ns = clock_ns(CLOCK_MONOTONIC);
	err = stats_read(bpf_map__fd(t->skel->maps.stats), &s->global);
	if (err)
		return lib_error_set(err, "reading the counters of %s failed: %s", t->pin_dir, strerror(-err));
	read_limited(t, &s->limited, -1);
	top_scan_reread(&t->scan);
	window = t->n_samples ? s->mono_ns - t->s[!t->cur].mono_ns : 1000000000ULL;
	window = RECENT_INTERVALS * window + 1000000000ULL;
	err = top_scan_slice(&t->scan, full, s->mono_ns > window ? s->mono_ns - window : 0);
	if (err)
		return lib_error_set(err, "reading the blocklist maps of %s failed: %s", t->pin_dir, strerror(-err));
	top_scan_forget(&t->scan, s->mono_ns > IDLE_NS ? s->mono_ns - IDLE_NS : 0);
	/* Last: it asks the kernel about each interface (netlink), the slowest read of a sample. */
	s->ifs_mono_ns = clock_ns(CLOCK_MONOTONIC);
	iface_status_read(t->skel, s->ifs, XDPFWD_MAX_IFACES, &s->n_ifs);
	for (i = 0; i < s->n_ifs; i++)
		read_limited(t, &s->ifs_limited[i], s->ifs[i].has_stats ? (int)s->ifs[i].rec.stats_slot : -2);
	t->n_samples++;
	if (t->n_samples < 2)
		return 0;
	adapt_scan(t);
	dt = interval_s(t);
	t->history[t->history_next] = per_s(sum_limited(&s->global, &s->limited, XDPFWD_ACT_DROP, 0),
					    sum_limited(&t->s[!t->cur].global, &t->s[!t->cur].limited, XDPFWD_ACT_DROP, 0),
					    dt);
	t->history_next = (t->history_next + 1) % TOP_HISTORY;
	if (t->n_history < TOP_HISTORY)
		t->n_history++;
	return 0;
}

static double uptime_s(const struct top *t)
{
	char path[512];
	struct stat st;
	double now;

	/* bpffs stamps a pin when it is made; the meta map is pinned once, when the instance is made. */
	if (pin_path(path, sizeof(path), t->pin_dir, "meta") || stat(path, &st))
		return -1;
	now = (double)clock_ns(CLOCK_REALTIME) / 1e9;
	return now - ((double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9);
}

static void view_ifaces(const struct top *t, struct top_view *v)
{
	const struct top_sample_at *now = &t->s[t->cur], *before = &t->s[!t->cur];
	double dt = (double)(now->ifs_mono_ns - before->ifs_mono_ns) / 1e9;
	int i, j;

	for (i = 0; i < now->n_ifs && v->n_ifaces < XDPFWD_MAX_IFACES; i++) {
		const struct iface_status *s = &now->ifs[i];
		struct top_iface *f = &v->ifaces[v->n_ifaces++];

		snprintf(f->name, sizeof(f->name), "%.*s", (int)sizeof(f->name) - 1, s->rec.name);
		f->ifindex = s->ifindex;
		f->mode = s->rec.mode == XDPFWD_MODE_SKB ? "skb" : "native";
		f->state = iface_status_state(s);
		f->prog_id = s->exists && s->live.kind == ATTACH_OURS ? s->live.ours_id : s->rec.prog_id;
		f->has_stats = s->has_stats;
		for (j = 0; v->rates_valid && s->has_stats && j < before->n_ifs; j++)
			if (before->ifs[j].ifindex == s->ifindex && before->ifs[j].has_stats &&
			    before->ifs[j].rec.stats_slot == s->rec.stats_slot)
				rates(&s->stats, &now->ifs_limited[i], &before->ifs[j].stats,
				      &before->ifs_limited[j], dt, &f->r);
	}
}

static void view_fills(const struct top *t, struct top_view *v)
{
	static const int maps[] = { LIST_MAP_V4_ADDR, LIST_MAP_V6_ADDR, LIST_MAP_V4_NET, LIST_MAP_V6_NET };
	struct bpf_map *bm[XDPFWD_KINDS][LIST_MAPS] = {
		{ t->skel->maps.block_v4_addr, t->skel->maps.block_v4_net, t->skel->maps.block_v6_addr,
		  t->skel->maps.block_v6_net },
		{ NULL, t->skel->maps.allow_v4, NULL, t->skel->maps.allow_v6 },
	};
	int kind, i;

	for (kind = 0; kind < XDPFWD_KINDS; kind++)
		for (i = 0; i < 4; i++) {
			struct top_fill *f;

			if (!bm[kind][maps[i]])
				continue;
			f = &v->fills[v->n_fills++];
			f->list = list_kind_name(kind);
			f->map = list_map_name(kind, maps[i]);
			f->max = (long)bpf_map__max_entries(bm[kind][maps[i]]);
			f->entries = t->counted[kind] ? t->counts[kind].map_entries[maps[i]] : -1;
		}
}

static void view_sets(const struct top *t, struct top_view *v)
{
	const struct top_sample_at *now = &t->s[t->cur], *before = &t->s[!t->cur];
	int kind, id;

	for (kind = 0; kind < XDPFWD_KINDS; kind++)
		for (id = 0; id < XDPFWD_MAX_SETS; id++) {
			struct top_set *s;

			if (!t->sets[kind][id].name[0])
				continue;
			s = &v->sets[v->n_sets++];
			s->kind = list_kind_name(kind);
			snprintf(s->name, sizeof(s->name), "%.*s", XDPFWD_SET_NAME_MAX, t->sets[kind][id].name);
			s->entries = t->counted[kind] ? t->counts[kind].set_entries[id] : -1;
			s->pps = v->rates_valid ? per_s(now->global.set_packets[kind][id],
							before->global.set_packets[kind][id], v->interval_s) : 0;
		}
}

static enum top_sort sort_key;

static int row_cmp(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;

	switch (sort_key) {
	case TOP_SORT_TOTAL:
		if (a->packets != b->packets)
			return a->packets > b->packets ? -1 : 1;
		break;
	case TOP_SORT_LAST_HIT:
		if (a->last_hit_ago_s != b->last_hit_ago_s)
			return a->last_hit_ago_s < b->last_hit_ago_s ? -1 : 1;
		break;
	default:
		break;
	}
	if (a->pps != b->pps)
		return a->pps > b->pps ? -1 : 1;
	if (a->packets != b->packets)
		return a->packets > b->packets ? -1 : 1;
	return xdpfwd_prefix_cmp(&a->prefix, &b->prefix);
}

static void view_rows(const struct top *t, enum top_sort sort, struct top_view *v)
{
	struct top_row *all = malloc(TOP_CANDIDATES * sizeof(*all));
	__u64 mono = t->s[t->cur].mono_ns, boot = list_boottime_ns();
	int i, n = 0;

	if (!all)
		return;		/* an empty table this time round */
	for (i = 0; i < TOP_CANDIDATES; i++) {
		const struct top_cand *c = &t->scan.cand[i];
		struct top_row *r;
		__u64 hit;

		if (!c->used)
			continue;
		r = &all[n++];
		memset(r, 0, sizeof(*r));
		top_scan_prefix(c, &r->prefix);
		snprintf(r->set, sizeof(r->set), "%.*s", XDPFWD_SET_NAME_MAX,
			 c->e.count_set < XDPFWD_MAX_SETS ? t->sets[XDPFWD_KIND_BLOCK][c->e.count_set].name : "");
		if (v->rates_valid && !c->fresh) {
			r->pps = (double)c->d_packets / v->interval_s;
			r->bytes_ps = (double)c->d_bytes / v->interval_s;
		}
		r->packets = c->e.packets;
		r->bytes = c->e.bytes;
		hit = c->e.last_hit_ns ? kclock_to_monotonic(c->e.last_hit_ns) : 0;
		r->last_hit_ago_s = !hit ? -1 : hit >= mono ? 0 : (double)(mono - hit) / 1e9;
		r->expires_in_s = !c->e.timed || !c->e.expires_ns ? -1 :
				  c->e.expires_ns <= boot ? 0 : (double)(c->e.expires_ns - boot) / 1e9;
	}
	sort_key = sort;
	qsort(all, n, sizeof(*all), row_cmp);
	v->n_rows = n < TOP_ROWS ? n : TOP_ROWS;
	memcpy(v->rows, all, v->n_rows * sizeof(*all));
	free(all);
}

void top_view(struct top *t, enum top_sort sort, struct top_view *v)
{
	const struct top_sample_at *now = &t->s[t->cur], *before = &t->s[!t->cur];
	int i;

	memset(v, 0, sizeof(*v));
	if (!t->n_samples)
		return;
	v->rates_valid = t->n_samples >= 2;
	v->interval_s = v->rates_valid ? interval_s(t) : 0;
	v->uptime_s = uptime_s(t);
	if (v->rates_valid) {
		rates(&now->global, &now->limited, &before->global, &before->limited, v->interval_s, &v->total);
		v->ev_sent_ps = per_s(now->global.ev_sent, before->global.ev_sent, v->interval_s);
		v->ev_suppressed_ps = per_s(now->global.ev_suppressed_source + now->global.ev_suppressed_global,
					    before->global.ev_suppressed_source + before->global.ev_suppressed_global,
					    v->interval_s);
		v->ev_lost_ps = per_s(now->global.ev_lost, before->global.ev_lost, v->interval_s);
	}
	view_ifaces(t, v);
	view_fills(t, v);
	view_sets(t, v);
	view_rows(t, sort, v);
	for (i = 0; i < t->n_history; i++)
		v->history[i] = t->history[(t->history_next - t->n_history + i + TOP_HISTORY) % TOP_HISTORY];
	v->n_history = t->n_history;
	v->scan.entries_per_sample = t->scan.budget;
	v->scan.candidates = t->scan.n_cand;
	v->scan.scanned_total = t->scan.scanned_total;
	v->scan.pass_s = t->scan.pass_s;
	v->scan.unexplained_pps = t->unexplained_pps;
}
