// SPDX-License-Identifier: GPL-2.0
/* `xdpfwd top --json`: one object per interval, one a line, for scripts and dashboards. */
#include <stdio.h>
#include <time.h>
#include "addr.h"
#include "json_str.h"
#include "top_show.h"

static void rates(FILE *f, const struct top_rates *r)
{
	fprintf(f, "\"in_pps\":%.1f,\"in_bps\":%.1f,\"drop_pps\":%.1f,\"drop_bps\":%.1f,\"audit_pps\":%.1f,"
		"\"rate_limit_pps\":%.1f",
		r->in_pps, r->in_bps, r->drop_pps, r->drop_bps, r->audit_pps, r->limited_pps);
}

/* A count, or null for a negative (unknown) one. */
static void count_or_null(FILE *f, const char *name, long v)
{
	if (v < 0)
		fprintf(f, ",\"%s\":null", name);
	else
		fprintf(f, ",\"%s\":%ld", name, v);
}

/* A number, or null for a negative (unknown) value. */
static void num_or_null(FILE *f, const char *name, double v)
{
	if (v < 0)
		fprintf(f, ",\"%s\":null", name);
	else
		fprintf(f, ",\"%s\":%.1f", name, v);
}

void top_json_frame(FILE *f, const struct top_view *v, const char *pin_dir, enum top_sort sort)
{
	char p[64];
	int i;

	fprintf(f, "{\"time\":%lld,\"pin_dir\":", (long long)time(NULL));
	json_put_string(f, pin_dir);
	fprintf(f, ",\"interval_s\":%.3f,\"rates_valid\":%s,\"sort\":\"%s\"", v->interval_s,
		v->rates_valid ? "true" : "false", top_sort_name(sort));
	num_or_null(f, "uptime_s", v->uptime_s);
	fputs(",\"interfaces\":[", f);
	for (i = 0; i < v->n_ifaces; i++) {
		const struct top_iface *x = &v->ifaces[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_put_string(f, x->name);
		fprintf(f, ",\"ifindex\":%u,\"mode\":\"%s\",\"state\":\"%s\",\"prog_id\":%u,", x->ifindex, x->mode,
			x->state, x->prog_id);
		rates(f, &x->r);
		fputc('}', f);
	}
	fputs("],\"total\":{", f);
	rates(f, &v->total);
	fprintf(f, "},\"events\":{\"sent_ps\":%.1f,\"suppressed_ps\":%.1f,\"lost_ps\":%.1f},\"maps\":[",
		v->ev_sent_ps, v->ev_suppressed_ps, v->ev_lost_ps);
	for (i = 0; i < v->n_fills; i++) {
		const struct top_fill *x = &v->fills[i];

		fprintf(f, "%s{\"list\":\"%s\",\"map\":\"%s\",\"max\":%ld", i ? "," : "", x->list, x->map, x->max);
		count_or_null(f, "entries", x->entries);
		fputc('}', f);
	}
	fputs("],\"sets\":[", f);
	for (i = 0; i < v->n_sets; i++) {
		const struct top_set *x = &v->sets[i];

		fprintf(f, "%s{\"kind\":\"%s\",\"name\":", i ? "," : "", x->kind);
		json_put_string(f, x->name);
		count_or_null(f, "entries", x->entries);
		fprintf(f, ",\"pps\":%.1f}", x->pps);
	}
	fputs("],\"history_drop_pps\":[", f);
	for (i = 0; i < v->n_history; i++)
		fprintf(f, "%s%.1f", i ? "," : "", v->history[i]);
	fprintf(f, "],\"scan\":{\"entries_per_sample\":%ld,\"candidates\":%ld,\"scanned_total\":%ld,"
		"\"unexplained_pps\":%.1f",
		v->scan.entries_per_sample, v->scan.candidates, v->scan.scanned_total, v->scan.unexplained_pps);
	num_or_null(f, "pass_s", v->scan.pass_s > 0 ? v->scan.pass_s : -1);
	fputs("},\"top\":[", f);
	for (i = 0; i < v->n_rows; i++) {
		const struct top_row *r = &v->rows[i];

		if (xdpfwd_prefix_format(&r->prefix, p, sizeof(p)))
			snprintf(p, sizeof(p), "?");
		fprintf(f, "%s{\"entry\":", i ? "," : "");
		json_put_string(f, p);
		fputs(",\"set\":", f);
		json_put_string(f, r->set);
		fprintf(f, ",\"pps\":%.1f,\"bytes_ps\":%.1f,\"packets\":%llu,\"bytes\":%llu", r->pps, r->bytes_ps,
			(unsigned long long)r->packets, (unsigned long long)r->bytes);
		num_or_null(f, "last_hit_ago_s", r->last_hit_ago_s);
		num_or_null(f, "expires_in_s", r->expires_in_s);
		fputc('}', f);
	}
	fputs("]}\n", f);
}
