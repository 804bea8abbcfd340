// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd top` as lines of text: --once prints them, the full-screen view draws them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "utf8.h"
#include "top_show.h"

#define GRAPH_COLS TOP_HISTORY

/* 1234 -> "1234", 12345 -> "12.3k", then M, G, T: a column of rates stays narrow. */
static const char *si(char *buf, size_t len, double v)
{
	static const char *const unit[] = { "", "k", "M", "G", "T" };
	int u = 0;

	if (v < 10000) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.1f%s", v, unit[u]);
	return buf;
}

/* Seconds as "45s", "12m03s", "5h12m", "3d04h"; "-" for a negative (unknown) value. */
static const char *dur(char *buf, size_t len, double s)
{
	unsigned long long t = (unsigned long long)(s + 0.5);

	if (s < 0)
		snprintf(buf, len, "-");
	else if (t < 60)
		snprintf(buf, len, "%llus", t);
	else if (t < 3600)
		snprintf(buf, len, "%llum%02llus", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%lluh%02llum", t / 3600, t % 3600 / 60);
	else
		snprintf(buf, len, "%llud%02lluh", t / 86400, t % 86400 / 3600);
	return buf;
}

struct out {
	struct top_text *t;
	int width;
};

static void line(struct out *o, enum top_line_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void line(struct out *o, enum top_line_kind kind, const char *fmt, ...)
{
	va_list ap;
	int w = o->width < TOP_TEXT_WIDTH ? o->width : TOP_TEXT_WIDTH - 1;

	if (o->t->n >= TOP_TEXT_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(o->t->line[o->t->n], TOP_TEXT_WIDTH, fmt, ap);
	va_end(ap);
	/* Every line but the graph is ASCII: bytes are columns. */
	if (w >= 0 && strlen(o->t->line[o->t->n]) > (size_t)w)
		o->t->line[o->t->n][w] = 0;
	o->t->kind[o->t->n++] = kind;
}

/* The last `cols` samples as one character each, scaled to the largest. */
static void graph(char *buf, size_t len, const struct top_view *v, int cols, int utf8, double *max)
{
	static const char *const blocks[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
					      "\u2587", "\u2588" };
	static const char ascii[] = " .:-=+*#@";
	int i, from = v->n_history > cols ? v->n_history - cols : 0, level;
	size_t used = 0;

	*max = 0;
	for (i = from; i < v->n_history; i++)
		if (v->history[i] > *max)
			*max = v->history[i];
	buf[0] = 0;
	for (i = from; i < v->n_history && used + 4 < len; i++) {
		/* Any drop at all shows: the smallest bar, never a blank. */
		level = v->history[i] <= 0 || *max <= 0 ? 0 : 1 + (int)(v->history[i] / *max * 7.999);
		if (utf8) {
			strcpy(buf + used, blocks[level]);
			used += strlen(blocks[level]);
		} else {
			buf[used++] = ascii[level];
			buf[used] = 0;
		}
	}
}

/* "v4 12 of 1048576 (0.0%)" per map, one line per list. */
static void fills(struct out *o, const struct top_view *v)
{
	char buf[TOP_TEXT_WIDTH], a[32];
	const char *list = NULL;
	size_t used = 0;
	int i;

	for (i = 0; i <= v->n_fills; i++) {
		const struct top_fill *f = &v->fills[i];

		if (list && (i == v->n_fills || strcmp(list, f->list))) {
			line(o, TOP_LINE_PLAIN, "%-10s %-5s %s", strcmp(list, "block") ? "" : "maps", list, buf);
			used = 0;
		}
		if (i == v->n_fills)
			break;
		list = f->list;
		/* The map's name less its list: "v4_addr", "v6_net", "v4". */
		if (used < sizeof(buf)) {
			const char *m = strchr(f->map, '_') ? strchr(f->map, '_') + 1 : f->map;

			if (f->entries < 0)
				used += snprintf(buf + used, sizeof(buf) - used, "%s%s ?/%s", used ? "  " : "", m,
						 si(a, sizeof(a), (double)f->max));
			else
				used += snprintf(buf + used, sizeof(buf) - used, "%s%s %ld/%s (%.1f%%)",
						 used ? "  " : "", m, f->entries, si(a, sizeof(a), (double)f->max),
						 f->max ? 100.0 * f->entries / f->max : 0);
		}
	}
}

/* "manual 12 (5002/s)" per set, one line per kind. */
static void sets(struct out *o, const struct top_view *v)
{
	char buf[TOP_TEXT_WIDTH], a[32];
	const char *kind = NULL;
	size_t used = 0;
	int i;

	for (i = 0; i <= v->n_sets; i++) {
		const struct top_set *st = &v->sets[i];

		if (kind && (i == v->n_sets || strcmp(kind, st->kind))) {
			line(o, TOP_LINE_PLAIN, "%-10s %-5s %s", strcmp(kind, "block") ? "" : "sets", kind, buf);
			used = 0;
		}
		if (i == v->n_sets)
			break;
		kind = st->kind;
		if (used < sizeof(buf)) {
			if (st->entries < 0)
				used += snprintf(buf + used, sizeof(buf) - used, "%s%s ? (%s/s)", used ? "  " : "",
						 st->name, si(a, sizeof(a), st->pps));
			else
				used += snprintf(buf + used, sizeof(buf) - used, "%s%s %ld (%s/s)", used ? "  " : "",
						 st->name, st->entries, si(a, sizeof(a), st->pps));
		}
	}
}

static void header(struct out *o, const struct top_view *v, const char *pin_dir, enum top_sort sort, int utf8,
		   int paused)
{
	char a[32], b[48], c[32], d[32], g[GRAPH_COLS * 4 + 1];
	double max;
	int i, cols;

	if (v->rates_valid)
		snprintf(b, sizeof(b), "rates over %.2f s", v->interval_s);
	line(o, TOP_LINE_TITLE, "xdpfwd top  %s  up %s  sort: %s  %s%s", pin_dir, dur(a, sizeof(a), v->uptime_s),
	     top_sort_name(sort), v->rates_valid ? b : "measuring: rates need two samples one interval apart",
	     paused ? "  [paused]" : "");
	line(o, TOP_LINE_HEADING, "%-15s %-6s %-7s %-10s %10s %10s %10s %10s", "INTERFACE", "MODE", "PROGRAM", "STATE",
	     "IN pkt/s", "IN bit/s", "DROP pkt/s", "DROP bit/s");
	for (i = 0; i < v->n_ifaces; i++) {
		const struct top_iface *f = &v->ifaces[i];
		char name[TEXT_NAME_MAX(IF_NAMESIZE)];

		/* Escaped as the text log does: a name is whatever bytes its creator chose. */
		text_format_name(name, sizeof(name), f->name);
		line(o, TOP_LINE_PLAIN, "%-15s %-6s %-7u %-10s %10s %10s %10s %10s", name, f->mode, f->prog_id,
		     f->state, si(a, sizeof(a), f->r.in_pps), si(b, sizeof(b), f->r.in_bps),
		     si(c, sizeof(c), f->r.drop_pps), si(d, sizeof(d), f->r.drop_bps));
	}
	line(o, TOP_LINE_PLAIN, "%-15s %-6s %-7s %-10s %10s %10s %10s %10s", "total", "", "", "",
	     si(a, sizeof(a), v->total.in_pps), si(b, sizeof(b), v->total.in_bps),
	     si(c, sizeof(c), v->total.drop_pps), si(d, sizeof(d), v->total.drop_bps));
	line(o, TOP_LINE_PLAIN, "events/s   sent %s  suppressed %s  lost %s", si(a, sizeof(a), v->ev_sent_ps),
	     si(b, sizeof(b), v->ev_suppressed_ps), si(c, sizeof(c), v->ev_lost_ps));
	if (v->total.audit_pps > 0)
		line(o, TOP_LINE_PLAIN, "audited    %s pkt/s (audit-mode sets and limits: passed, counted as drops would be)",
		     si(a, sizeof(a), v->total.audit_pps));
	if (v->total.limited_pps > 0)
		line(o, TOP_LINE_PLAIN, "rate_limit %s pkt/s over the flood defense's limits (in the figures above; "
		     "xdpfwd limit)", si(a, sizeof(a), v->total.limited_pps));
	fills(o, v);
	sets(o, v);
	if (v->scan.entries_per_sample > TOP_SCAN_MIN)
		snprintf(b, sizeof(b), ", searching: %s drops/s", si(c, sizeof(c), v->scan.unexplained_pps));
	line(o, TOP_LINE_PLAIN, "scan       %ld entries a sample, %ld candidates, full pass %s%s",
	     v->scan.entries_per_sample, v->scan.candidates,
	     v->scan.pass_s > 0 ? dur(a, sizeof(a), v->scan.pass_s) : "not yet",
	     v->scan.entries_per_sample > TOP_SCAN_MIN ? b : "");
	/* The graph is the one line of wide characters: its width is counted in samples. */
	cols = o->width - 24 < GRAPH_COLS ? o->width - 24 : GRAPH_COLS;
	graph(g, sizeof(g), v, cols > 0 ? cols : 0, utf8, &max);
	if (o->t->n < TOP_TEXT_LINES) {
		snprintf(o->t->line[o->t->n], TOP_TEXT_WIDTH, "drops/s    |%s| max %s", g, si(a, sizeof(a), max));
		o->t->kind[o->t->n++] = TOP_LINE_PLAIN;
	}
}

static void table(struct out *o, const struct top_view *v, int max_rows)
{
	char p[64], a[32], b[32], c[32], d[32], hit[40];
	int i;

	line(o, TOP_LINE_HEADING, "%-39s %-12s %10s %10s %12s %9s %9s", "ENTRY", "SET", "PKT/s", "BYTES/s", "TOTAL",
	     "LAST HIT", "EXPIRES");
	for (i = 0; i < v->n_rows && i < max_rows; i++) {
		const struct top_row *r = &v->rows[i];

		if (xdpfwd_prefix_format(&r->prefix, p, sizeof(p)))
			snprintf(p, sizeof(p), "?");
		snprintf(hit, sizeof(hit), "%s ago", dur(c, sizeof(c), r->last_hit_ago_s));
		line(o, TOP_LINE_PLAIN, "%-39s %-12s %10s %10s %12llu %9s %9s", p, r->set[0] ? r->set : "-",
		     si(a, sizeof(a), r->pps), si(b, sizeof(b), r->bytes_ps), (unsigned long long)r->packets,
		     r->last_hit_ago_s < 0 ? "never" : hit,
		     dur(d, sizeof(d), r->expires_in_s));
	}
	if (!v->n_rows)
		line(o, TOP_LINE_PLAIN, "(no blocklist entry hit in the last few seconds)");
}

void top_text_frame(const struct top_view *v, const char *pin_dir, enum top_sort sort, int width, int max_rows,
		    int utf8, int paused, struct top_text *out)
{
	struct out o = { .t = out, .width = width };

	out->n = 0;
	header(&o, v, pin_dir, sort, utf8, paused);
	table(&o, v, max_rows);
}
