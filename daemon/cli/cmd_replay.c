// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfwd replay CAPTURE: a capture's frames through the program on a
 * private copy of the lists (daemon/lib/replay.h), and what it would have
 * done with them. The capture is streamed in batches: memory stays that of
 * one batch whatever its size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "addr.h"
#include "json_str.h"
#include "pin_dir.h"
#include "instance.h"
#include "capture.h"
#include "replay.h"
#include "sets.h"
#include "set_files.h"
#include "limits_config.h"
#include "commands.h"

/* Frames per batch, and the bytes of frame data one batch may hold. */
#define BATCH_FRAMES	4096
#define BATCH_BYTES	(8 << 20)

struct batch {
	struct replay_frame f[BATCH_FRAMES];
	struct capture_frame cf[BATCH_FRAMES];	/* timestamps and wire lengths, for the written pcaps */
	__u8 *data;
	size_t n, used;
};

struct run {
	const struct replay_opts *o;
	struct replay *r;
	struct capture *cap;
	struct capture_writer *dropped, *passed;
	struct batch *b;
	__u64 frame_no;
	double started, last_progress;
	int progress_shown;
	char limits[256];		/* the flood defense's settings the replay ran with */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The files of a daemon with these options, read and applied as the daemon would (lib/set_files.h). */
static void files_config(const struct replay_opts *o, struct set_files_config *c)
{
	memset(c, 0, sizeof(*c));
	c->list_file[LIST_BLOCK] = o->d.list_file[LIST_BLOCK];
	c->list_file[LIST_ALLOW] = o->d.list_file[LIST_ALLOW];
	c->sets_dir = o->d.sets_dir;
	c->state_dir = o->d.state_dir;
	c->report = cli_report;
}

/* The lists of a daemon started with these files on fresh maps: the daemon's own readers and writers. */
static int fill_from_files(struct replay *r, const struct set_files_config *c, struct set_files *sf)
{
	int err;

	err = set_files_apply(replay_skel(r), c, sf, 1);
	if (err)
		pr_warn("the lists for the replay could not be made from the files (see above); nothing was run\n");
	return err;
}

/* A live instance's lists, read under its lock so that no edit is seen half done. */
/*
 * --limit-* and --limits-file, as a daemon would read them, over the limits
 * copied from the pins (or none, from files); then the limits the copy runs
 * with, for the report.
 */
static int set_limits(struct run *x)
{
	struct xdpfwd_limits l;
	struct limits_maps lm;
	bool owned, changed;
	int err;

	err = cli_error(limits_config_read(&x->o->d.limits, x->o->d.limits_file, cli_report, &l, &owned));
	if (err)
		return err;
	err = limits_maps_get(replay_skel(x->r), &lm);
	if (err && !owned) {
		/* An older --bpf-object: no flood defense to run, none asked for. */
		lib_error_clear();
		snprintf(x->limits, sizeof(x->limits), "none (the program has no flood defense)");
		return 0;
	}
	err = cli_error(err);
	if (!err && owned)
		err = cli_error(limits_apply(&lm, &l, &changed));
	if (!err)
		err = cli_error(limits_read(&lm, &l));
	if (!err)
		limits_format(&l, x->limits, sizeof(x->limits));
	return err;
}

static int fill_from_pins(struct replay *r, struct xdpfwd_bpf *live, const char *pin_dir)
{
	int lock = pin_dir_lock(pin_dir), err;

	if (lock < 0)
		return lock;
	err = cli_error(replay_copy_lists(r, live));
	pin_dir_unlock(lock);
	return err;
}

static const char *source_text(const struct replay_frame *f, char *buf, size_t len)
{
	if (!f->family)
		return NULL;
	xdpfwd_addr16_format(f->src, buf, len);
	return buf;
}

/* reason_name() stops at the reasons struct xdpfwd_stats counts; the flood defense's comes after them. */
static const char *frame_reason(unsigned int reason)
{
	return reason == XDPFWD_R_RATE_LIMIT ? "rate_limit" : reason_name(reason);
}

static void print_frame(struct run *x, const struct replay_frame *f, const struct capture_frame *cf)
{
	char src[XDPFWD_PREFIX_STRLEN];
	const char *s = source_text(f, src, sizeof(src));
	const char *action = f->xdp < 0 ? "refused" : action_name(f->action);
	const char *reason = f->xdp < 0 ? "too_short" : frame_reason(f->reason);

	if (x->o->json) {
		printf("{\"frame\":%llu,\"ts_ns\":%llu,\"offset\":%llu,\"len\":%u,\"source\":",
		       (unsigned long long)x->frame_no, (unsigned long long)cf->ts_ns,
		       (unsigned long long)cf->offset, f->len);
		if (s)
			json_put_string(stdout, s);
		else
			fputs("null", stdout);
		printf(",\"xdp\":\"%s\",\"action\":\"%s\",\"reason\":\"%s\"}\n",
		       f->xdp == XDP_DROP ? "drop" : f->xdp == XDP_PASS ? "pass" : "none", action, reason);
		return;
	}
	printf("frame %llu %llu.%09llu len %u src %s %s %s\n", (unsigned long long)x->frame_no,
	       (unsigned long long)(cf->ts_ns / 1000000000ULL), (unsigned long long)(cf->ts_ns % 1000000000ULL),
	       f->len, s ? s : "-", action, reason);
}

static void progress(struct run *x, int last)
{
	double t = now_s();

	if (!isatty(STDERR_FILENO) || (!last && (t - x->started < 2 || t - x->last_progress < 0.5)))
		return;
	if (last && !x->progress_shown)
		return;
	x->last_progress = t;
	x->progress_shown = 1;
	fprintf(stderr, "\rreplay: %llu frames, %.0f frames/s%s", (unsigned long long)x->frame_no,
		x->frame_no / (t - x->started), last ? "\n" : "");
}

/* One batch through the program, then its frames' verdicts in capture order. */
static int flush_batch(struct run *x)
{
	struct batch *b = x->b;
	struct capture_writer *w;
	size_t i;
	int err;

	if (!b->n)
		return 0;
	err = cli_error(replay_run(x->r, b->f, b->n));
	for (i = 0; i < b->n && !err; i++) {
		x->frame_no++;
		if (x->o->verbose)
			print_frame(x, &b->f[i], &b->cf[i]);
		w = b->f[i].xdp == XDP_DROP ? x->dropped : b->f[i].xdp == XDP_PASS ? x->passed : NULL;
		if (w)
			err = cli_error(capture_write(w, &b->cf[i]));
	}
	b->n = b->used = 0;
	progress(x, 0);
	return err;
}

static int replay_capture(struct run *x)
{
	struct batch *b = x->b;
	struct capture_frame cf;
	int r;

	for (;;) {
		r = capture_next(x->cap, &cf);
		if (r <= 0)
			break;
		if (b->n == BATCH_FRAMES || b->used + cf.len > BATCH_BYTES) {
			r = flush_batch(x);
			if (r)
				return r;
		}
		memcpy(b->data + b->used, cf.data, cf.len);
		cf.data = b->data + b->used;
		b->used += cf.len;
		b->cf[b->n] = cf;
		b->f[b->n] = (struct replay_frame){ .data = cf.data, .len = cf.len, .ts_ns = cf.ts_ns };
		b->n++;
	}
	if (r < 0) {
		cli_error(r);
		return r == -EBADMSG ? EXIT_USAGE : r;
	}
	return flush_batch(x);
}

static const char *verdict_label(int a)
{
	return a == XDPFWD_ACT_PASS ? "passed" : a == XDPFWD_ACT_AUDIT ? "audited" : "dropped";
}

static void set_names(struct replay *r, const struct replay_hit *h, char *buf, size_t len)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];

	if (sets_read_all(bpf_map__fd(replay_skel(r)->maps.sets), h->kind, sets)) {
		snprintf(buf, len, "?");
		return;
	}
	sets_mask_format(sets, h->item.members, buf, len);
}

static void print_text(struct run *x, const struct replay_results *res, const struct replay_hit *hits,
		       size_t n_hits, double secs)
{
	const struct xdpfwd_stats *st = &res->stats;
	char buf[XDPFWD_PREFIX_STRLEN], sets[512];
	__u64 total;
	size_t i;
	int a, r;

	printf("capture %s (%s, %s): %llu frames, %llu bytes, replayed in %.2f s (%.0f frames/s)\n",
	       x->o->capture, capture_format(x->cap), capture_linktype(x->cap), (unsigned long long)res->frames,
	       (unsigned long long)res->bytes, secs, secs > 0 ? res->frames / secs : 0.0);
	if (res->refused)
		printf("  %llu frames shorter than an Ethernet header were not run (the kernel refuses them; no NIC "
		       "delivers them)\n", (unsigned long long)res->refused);
	if (x->o->pin_dir)
		printf("lists: a copy of the instance in %s\n", x->o->pin_dir);
	else
		printf("lists: from the files given\n");
	printf("limits: %s\n", x->limits);
	for (a = 0; a < XDPFWD_ACT_MAX; a++) {
		for (r = 0, total = 0; r < XDPFWD_R_MAX; r++)
			total += st->packets[a][r];
		printf("%-10s %llu frames", verdict_label(a), (unsigned long long)total);
		for (r = 0; r < XDPFWD_R_MAX; r++)
			if (st->packets[a][r])
				printf(", %s %llu (%llu bytes)", reason_name(r), (unsigned long long)st->packets[a][r],
				       (unsigned long long)st->bytes[a][r]);
		putchar('\n');
	}
	if (res->limited.packets[XDPFWD_ACT_DROP] || res->limited.packets[XDPFWD_ACT_AUDIT])
		printf("rate_limit %llu frames dropped (%llu bytes), %llu audited (%llu bytes), %llu bans\n",
		       (unsigned long long)res->limited.packets[XDPFWD_ACT_DROP],
		       (unsigned long long)res->limited.bytes[XDPFWD_ACT_DROP],
		       (unsigned long long)res->limited.packets[XDPFWD_ACT_AUDIT],
		       (unsigned long long)res->limited.bytes[XDPFWD_ACT_AUDIT], (unsigned long long)res->limited.bans);
	printf("logged     %llu frames would be logged (events: %llu eligible, %llu suppressed per source, "
	       "%llu by the global rate, %llu lost)\n", (unsigned long long)res->events,
	       (unsigned long long)st->ev_eligible, (unsigned long long)st->ev_suppressed_source,
	       (unsigned long long)st->ev_suppressed_global, (unsigned long long)st->ev_lost);
	if (!x->o->top)
		return;
	if (res->n_dropped)
		printf("top sources dropped:\n");
	for (i = 0; i < res->n_dropped && i < x->o->top; i++) {
		xdpfwd_addr16_format(res->dropped[i].addr, buf, sizeof(buf));
		printf("  %-40s %llu frames, %llu bytes\n", res->dropped[i].family ? buf : "(no IP source)",
		       (unsigned long long)res->dropped[i].frames, (unsigned long long)res->dropped[i].bytes);
	}
	if (n_hits)
		printf("top entries hit:\n");
	for (i = 0; i < n_hits && i < x->o->top; i++) {
		xdpfwd_prefix_format(&hits[i].item.prefix, buf, sizeof(buf));
		set_names(x->r, &hits[i], sets, sizeof(sets));
		printf("  %-40s %s sets %s: %llu frames, %llu bytes\n", buf, list_kind_name(hits[i].kind), sets,
		       (unsigned long long)hits[i].item.entry.packets, (unsigned long long)hits[i].item.entry.bytes);
	}
}

static void print_json(struct run *x, const struct replay_results *res, const struct replay_hit *hits,
		       size_t n_hits, double secs)
{
	const struct xdpfwd_stats *st = &res->stats;
	char buf[XDPFWD_PREFIX_STRLEN], sets[512];
	size_t i;

	fputs("{\"capture\":{\"file\":", stdout);
	json_put_string(stdout, x->o->capture);
	printf(",\"format\":\"%s\",\"linktype\":\"%s\",\"frames\":%llu,\"bytes\":%llu,\"refused\":%llu,"
	       "\"seconds\":%.3f},\"lists\":", capture_format(x->cap), capture_linktype(x->cap),
	       (unsigned long long)res->frames, (unsigned long long)res->bytes, (unsigned long long)res->refused,
	       secs);
	if (x->o->pin_dir) {
		fputs("{\"pin_dir\":", stdout);
		json_put_string(stdout, x->o->pin_dir);
		putchar('}');
	} else {
		fputs("{\"files\":true}", stdout);
	}
	fputs(",\"limits\":", stdout);
	json_put_string(stdout, x->limits);
	putchar(',');
	cli_print_verdicts_json(st);
	printf(",\"events\":{\"eligible\":%llu,\"sent\":%llu,\"suppressed_source\":%llu,\"suppressed_global\":%llu,"
	       "\"lost\":%llu,\"logged\":%llu},\"rate_limit\":{\"packets\":{\"drop\":%llu,\"audit\":%llu},"
	       "\"bytes\":{\"drop\":%llu,\"audit\":%llu},\"bans\":%llu},\"top_dropped_sources\":[",
	       (unsigned long long)st->ev_eligible, (unsigned long long)st->ev_sent,
	       (unsigned long long)st->ev_suppressed_source, (unsigned long long)st->ev_suppressed_global,
	       (unsigned long long)st->ev_lost, (unsigned long long)res->events,
	       (unsigned long long)res->limited.packets[XDPFWD_ACT_DROP],
	       (unsigned long long)res->limited.packets[XDPFWD_ACT_AUDIT],
	       (unsigned long long)res->limited.bytes[XDPFWD_ACT_DROP],
	       (unsigned long long)res->limited.bytes[XDPFWD_ACT_AUDIT], (unsigned long long)res->limited.bans);
	for (i = 0; i < res->n_dropped && i < x->o->top; i++) {
		xdpfwd_addr16_format(res->dropped[i].addr, buf, sizeof(buf));
		printf("%s{\"source\":", i ? "," : "");
		if (res->dropped[i].family)
			json_put_string(stdout, buf);
		else
			fputs("null", stdout);
		printf(",\"frames\":%llu,\"bytes\":%llu}", (unsigned long long)res->dropped[i].frames,
		       (unsigned long long)res->dropped[i].bytes);
	}
	fputs("],\"top_entries\":[", stdout);
	for (i = 0; i < n_hits && i < x->o->top; i++) {
		xdpfwd_prefix_format(&hits[i].item.prefix, buf, sizeof(buf));
		set_names(x->r, &hits[i], sets, sizeof(sets));
		printf("%s{\"entry\":\"%s\",\"list\":\"%s\",\"sets\":", i ? "," : "", buf, list_kind_name(hits[i].kind));
		json_put_string(stdout, sets);
		printf(",\"frames\":%llu,\"bytes\":%llu}", (unsigned long long)hits[i].item.entry.packets,
		       (unsigned long long)hits[i].item.entry.bytes);
	}
	fputs("]}\n", stdout);
}

static int by_packets(const void *a, const void *b)
{
	const struct replay_hit *x = a, *y = b;

	if (x->item.entry.packets != y->item.entry.packets)
		return x->item.entry.packets < y->item.entry.packets ? 1 : -1;
	return xdpfwd_prefix_cmp(&x->item.prefix, &y->item.prefix);
}

static int report(struct run *x)
{
	struct replay_results res;
	struct replay_hit *hits = NULL;
	size_t n_hits = 0;
	double secs;
	int err;

	err = cli_error(replay_finish(x->r, &res));
	secs = now_s() - x->started;
	progress(x, 1);
	if (!err)
		err = cli_error(replay_entries_hit(x->r, &hits, &n_hits));
	if (err)
		return err;
	qsort(hits, n_hits, sizeof(*hits), by_packets);
	if (x->o->json)
		print_json(x, &res, hits, n_hits, secs);
	else
		print_text(x, &res, hits, n_hits, secs);
	free(hits);
	return fflush(stdout) ? -EIO : 0;
}

static int open_outputs(struct run *x)
{
	int err = 0;

	if (x->o->write_dropped)
		err = cli_error(capture_writer_open(x->o->write_dropped, &x->dropped));
	if (!err && x->o->write_passed)
		err = cli_error(capture_writer_open(x->o->write_passed, &x->passed));
	return err;
}

/* Output files of a failed replay would look like results: they go. */
static int close_outputs(struct run *x, int err)
{
	int e1 = cli_error(capture_writer_close(x->dropped)), e2 = cli_error(capture_writer_close(x->passed));

	err = err ?: e1 ?: e2;
	if (err && x->dropped)
		unlink(x->o->write_dropped);
	if (err && x->passed)
		unlink(x->o->write_passed);
	return err;
}

static int run(struct xdpfwd_bpf *live, struct cmd_opts *co)
{
	const struct replay_opts *o = &co->replay;
	struct replay_config cfg = {
		.bpf_object = o->d.bpf_object,
		.drop_malformed = o->d.drop_malformed,
		.log_enabled = o->d.log_enabled,
		.log_rate = o->d.log_rate,
		.log_burst = o->d.log_burst,
		.log_source_interval_ms = o->d.log_source_interval_ms,
		.threads = o->threads,
		.frame_detail = o->verbose,
	};
	struct run x = { .o = o };
	struct set_files_config files = {};
	struct set_files sf = {};
	int err, i;

	/* A capture that is missing, unreadable, corrupt or of another link type is bad input. */
	err = cli_error(capture_open(o->capture, &x.cap));
	if (err)
		return err == -ENOMEM ? err : EXIT_USAGE;
	x.b = calloc(1, sizeof(*x.b));
	if (x.b)
		x.b->data = malloc(BATCH_BYTES);
	if (!x.b || !x.b->data) {
		pr_warn("replay: out of memory\n");
		err = -ENOMEM;
		goto out;
	}
	/* The live block maps may have grown past the build's size: the private copy is made as big. */
	for (i = 0; live && i < CAP_MAPS; i++)
		cfg.capacity[i] = capacity_map_max(bpf_map__fd(capacity_map(live, i)));
	if (!live) {
		/*
		 * Big enough for the files, as a daemon starting with them makes its
		 * maps; from the build's 1M rather than the daemon's 64k, because no
		 * daemon grows the copy for the bans a replayed flood makes.
		 */
		size_t add[CAP_MAPS] = {};

		files_config(o, &files);
		err = set_files_read(&files, &sf, true);
		if (err) {
			pr_warn("the lists for the replay could not be made from the files (see above); nothing was run\n");
			goto out;
		}
		set_files_count(&sf, true, add);
		for (i = 0; i < CAP_MAPS; i++)
			cfg.capacity[i] = capacity_target(capacity_is_trie(i) ? XDPFWD_MAX_NETS : XDPFWD_MAX_ADDRS,
							  add[i]);
	}
	err = cli_error(replay_open(&cfg, &x.r));
	if (!err)
		err = live ? fill_from_pins(x.r, live, o->pin_dir) : fill_from_files(x.r, &files, &sf);
	if (!err)
		err = set_limits(&x);
	if (!err)
		err = open_outputs(&x);
	if (!err)
		err = cli_error(replay_start(x.r));
	x.started = now_s();
	if (!err)
		err = replay_capture(&x);
	if (!err)
		err = report(&x);
	err = close_outputs(&x, err);
out:
	set_files_free(&sf);
	replay_close(x.r);
	capture_close(x.cap);
	if (x.b)
		free(x.b->data);
	free(x.b);
	return err;
}

static int parse(int argc, char **argv, struct cmd_opts *o)
{
	int err = cli_parse_replay(argc, argv, &o->replay);

	o->pin_dir = o->replay.pin_dir;
	return err;
}

const struct cmd_ops cmd_replay_ops = { .parse = parse, .run = run };
