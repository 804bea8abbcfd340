// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's lifecycle in named phases (daemon_run):
 *   prepare          check and read everything that can refuse the start; nothing changes yet
 *   open_instance    lock the pin dir, reuse its pins (or --migrate), inspect the interfaces,
 *                    refuse foreign programs, take the interface locks, configure
 *   load_and_attach  swap our own lone program in place, or attach through libxdp (which
 *                    loads it), looking again whenever an interface changed meanwhile
 *   publish          pin, record, apply list files, unlock, READY=1
 *   run_loop         drain events and run the periodic tasks until a signal
 * Exiting leaves the firewall attached.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "privs.h"
#include "netns.h"
#include "instance.h"
#include "watch.h"
#include "daemon_files.h"
#include "kclock.h"
#include "event_loop.h"
#include "sets_watch.h"
#include "metrics_http.h"
#include "sd_notify.h"
#include "ringbuf_consumer.h"
#include "limits_config.h"
#include "limits_reload.h"
#include "bans.h"
#include "grow.h"
#include "daemon.h"

struct iface_plan {
	struct attach_info before;	/* what runs there: as inspected, then as found when acting on it */
	enum xdp_attach_mode mode;
	bool orphan;		/* before.ours_id: an xdpfwd program never published (pinned_is_orphan) */
	bool attached;		/* by this run, from nothing: undone if a later step fails */
	bool gone;		/* the interface was deleted during start: the watch attaches when it returns */
};

int daemon_log_error(int err)
{
	if (err < 0 && lib_error()[0])
		pr_warn("%s\n", lib_error());
	lib_error_clear();
	return err;
}

void daemon_log_notice(const char *msg)
{
	pr_info("%s\n", msg);
}

void daemon_log_report(enum lib_report_level level, const char *msg)
{
	log_msg(level == LIB_REPORT_WARN ? LOG_LEVEL_WARN : level == LIB_REPORT_INFO ? LOG_LEVEL_INFO :
		LOG_LEVEL_DEBUG, "%s\n", msg);
}

static int resolve_ifaces(struct daemon_opts *o)
{
	int i;

	for (i = 0; i < o->n_ifaces; i++) {
		o->ifindex[i] = if_nametoindex(o->ifname[i]);
		if (!o->ifindex[i]) {
			pr_warn("interface %s does not exist (see `ip link`)\n", o->ifname[i]);
			return -ENODEV;
		}
	}
	return 0;
}

static int check_btf(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		return 0;
	pr_warn("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): xdpfwd needs a kernel built with CONFIG_DEBUG_INFO_BTF=y\n");
	return -EOPNOTSUPP;
}

static void configure(struct xdpfwd_bpf *skel, const struct daemon_opts *o, const struct xdpfwd_clock *clk)
{
	__u64 interval = o->log_rate ? 1000000000ULL / o->log_rate : 0;

	skel->rodata->ns_per_jiffy = clk->ns_per_jiffy;
	skel->rodata->drop_malformed = o->drop_malformed;
	skel->rodata->log_enabled = o->log_enabled;
	skel->rodata->log_source_interval_ns = o->log_source_interval_ms * 1000000ULL;
	skel->rodata->log_global_interval_ns = interval;
	skel->rodata->log_global_tolerance_ns = interval * (o->log_burst - 1);
}

/*
 * What runs on interface i. A lone program that is not ours may still be an
 * xdpfwd program no instance published (a start killed between attaching and
 * pinning): that one is ours to replace, and we say why we think so.
 */
static int inspect_iface(const struct daemon_opts *o, int i, struct xdpfwd_bpf *skel, __u32 our_map_id,
			 struct iface_plan *p)
{
	struct attach_info *ai = &p->before;
	int err;

	p->orphan = false;
	err = daemon_log_error(attach_inspect(o->ifindex[i], our_map_id, ai));
	if (err || ai->kind != ATTACH_FOREIGN || ai->dispatcher || !pinned_is_orphan(skel, ai->foreign_id))
		return err;
	pr_info("%s: program '%s' (id %u) is an xdpfwd program no instance published (same name, BTF and map "
		"layout, its meta map never stamped, not this instance's maps, held by no process), left by a start "
		"killed before pinning: replacing it, its counters start afresh\n", o->ifname[i], ai->foreign_name,
		ai->foreign_id);
	ai->kind = ATTACH_OURS;
	ai->ours_id = ai->foreign_id;
	ai->foreign_id = 0;
	p->orphan = true;
	return 0;
}

/* Refuses, before any change, to take an interface another program holds. */
static int check_foreign_one(const struct daemon_opts *o, int i, const struct attach_info *ai)
{
	if (ai->kind != ATTACH_FOREIGN || ai->dispatcher || o->force)
		return 0;
	pr_warn("%s already has XDP program '%s' (id %u, %s mode) that xdpfwd does not own, and the kernel "
		"cannot share the interface through libxdp's dispatcher; detach it (xdp-loader unload %s --all) "
		"or run xdpfwd with --force to replace it\n",
		o->ifname[i], ai->foreign_name, ai->foreign_id, attach_mode_name(ai->mode), o->ifname[i]);
	return -EBUSY;
}

static int check_foreign(const struct daemon_opts *o, const struct iface_plan *plan)
{
	int i, err = 0;

	for (i = 0; i < o->n_ifaces && !err; i++)
		err = check_foreign_one(o, i, &plan[i].before);
	return err;
}

/* One attempt at what plan p says; raced errors (attach_raced) come back without a message. */
static int attach_as_planned(const struct daemon_opts *o, int i, struct iface_plan *p, struct xdp_program *xprog,
			     int loaded_fd)
{
	struct attach_info *ai = &p->before;
	int err;

	if (ai->kind == ATTACH_FOREIGN && o->force && !ai->dispatcher) {
		pr_info("%s: --force: removing program '%s' (id %u)\n", o->ifname[i], ai->foreign_name,
			ai->foreign_id);
		err = daemon_log_error(attach_remove_all(o->ifindex[i], o->ifname[i]));
		if (err)
			return err;
	}
	if (ai->kind == ATTACH_OURS && !ai->dispatcher) {
		/* libxdp loads the program on the first attach; a swap found on a second look needs it loaded. */
		if (loaded_fd < 0)
			loaded_fd = xdp_program__fd(xprog);
		if (loaded_fd < 0) {
			pr_warn("%s: xdpfwd program %u appeared while xdpfwd started and cannot be swapped before "
				"this one is loaded; nothing was changed there; start xdpfwd again\n",
				o->ifname[i], ai->ours_id);
			return -EAGAIN;
		}
		/* Changing the mode would need a detach first, a window without filtering: keep it. */
		if ((o->mode == MODE_SKB && ai->mode != XDP_MODE_SKB) ||
		    (o->mode == MODE_NATIVE && ai->mode != XDP_MODE_NATIVE))
			pr_warn("%s: keeping the running attachment's %s mode; to change it, run `xdpfwd detach --iface %s` first\n",
				o->ifname[i], attach_mode_name(ai->mode), o->ifname[i]);
		p->mode = ai->mode;
		return daemon_log_error(attach_replace_single(loaded_fd, o->ifindex[i], o->ifname[i], ai));
	}
	err = daemon_log_error(attach_with_libxdp(xprog, o->ifindex[i], o->ifname[i], o->mode, &p->mode));
	if (err)
		return err;
	if (ai->kind == ATTACH_OURS) {
		/* Both programs enforce the same maps while they overlap, so the swap leaks nothing. */
		err = attach_remove_old_from_dispatcher(o->ifindex[i], ai->ours_id);
		if (err)
			pr_warn("%s: removing the previous xdpfwd program %u from the dispatcher failed: %s\n",
				o->ifname[i], ai->ours_id, strerror(-err));
	} else {
		p->attached = true;
	}
	return err;
}

static const char *describe(const struct attach_info *ai, char *buf, size_t len)
{
	if (ai->kind == ATTACH_NONE)
		snprintf(buf, len, "no program");
	else if (ai->kind == ATTACH_OURS)
		snprintf(buf, len, "xdpfwd program %u", ai->ours_id);
	else
		snprintf(buf, len, "program '%s' (id %u)", ai->foreign_name, ai->foreign_id);
	return buf;
}

#define ATTACH_TRIES 5

/*
 * Puts the program on interface i whatever happens to the interface meanwhile:
 * its XDP state may change at any instant (a program detached, replaced by
 * another, the interface deleted), so an attempt that raced looks again and
 * acts on what is there now, saying what changed. A deleted interface is left
 * to the watch, which attaches when it exists again.
 */
static int attach_one(const struct daemon_opts *o, int i, struct iface_plan *p, struct xdpfwd_bpf *skel,
		      struct xdp_program *xprog, int loaded_fd, __u32 our_map_id)
{
	char was[64], now[64];
	struct iface_plan seen;
	int tries, err, failed;

	for (tries = 1; ; tries++) {
		failed = attach_as_planned(o, i, p, xprog, loaded_fd);
		if (!failed || !attach_raced(failed))
			return failed;
		if (if_nametoindex(o->ifname[i]) != (unsigned int)o->ifindex[i]) {
			pr_warn("%s: the interface was deleted while xdpfwd started; xdpfwd attaches as soon as it "
				"exists again\n", o->ifname[i]);
			p->gone = true;
			return 0;
		}
		seen = *p;
		err = inspect_iface(o, i, skel, our_map_id, &seen);
		if (err)
			return err;
		describe(&p->before, was, sizeof(was));
		describe(&seen.before, now, sizeof(now));
		if (!strcmp(was, now)) {
			pr_warn("%s: attaching failed: %s, although the interface still runs %s as xdpfwd found it; "
				"nothing was changed there (an XDP program on a device stacked on it, e.g. a macvlan, "
				"can block it)\n", o->ifname[i], strerror(-failed), now);
			return failed;
		}
		if (tries == ATTACH_TRIES) {
			pr_warn("%s: its XDP program changed %d times while xdpfwd started (now %s); xdpfwd "
				"attached nothing there; start it again once nothing else changes the interface\n",
				o->ifname[i], tries, now);
			return -EAGAIN;
		}
		err = check_foreign_one(o, i, &seen.before);	/* the usual refusal says it all */
		if (err)
			return err;
		if (seen.before.kind == ATTACH_NONE)
			pr_info("%s: %s was detached while xdpfwd started; attaching afresh\n", o->ifname[i], was);
		else if (p->before.kind == ATTACH_NONE)
			pr_info("%s: %s was attached while xdpfwd started; taking its place\n", o->ifname[i], now);
		else
			pr_info("%s: %s took the place of %s while xdpfwd started; taking its place\n",
				o->ifname[i], now, was);
		p->before = seen.before;
		p->orphan = seen.orphan;
	}
}

/* Takes off what this run attached from nothing: a program whose pins or lists failed protects nothing. */
static void undo_fresh(const struct daemon_opts *o, struct iface_plan *plan, struct xdp_program *xprog)
{
	int i;

	for (i = 0; i < o->n_ifaces; i++) {
		if (!plan[i].attached)
			continue;
		if (xdp_program__detach(xprog, o->ifindex[i], plan[i].mode, 0))
			pr_warn("%s: taking off the program this start attached failed; remove it with "
				"`ip link set dev %s xdp off`\n", o->ifname[i], o->ifname[i]);
		plan[i].attached = false;
	}
}

/* Attaches or swaps on every interface; on failure undoes the attachments this run created. */
static int attach_all(const struct daemon_opts *o, struct iface_plan *plan, struct xdpfwd_bpf *skel,
		      struct xdp_program *xprog, int loaded_fd, __u32 our_map_id)
{
	int i, err = 0;

	for (i = 0; i < o->n_ifaces && !err; i++)
		err = attach_one(o, i, &plan[i], skel, xprog, loaded_fd, our_map_id);
	/* libxdp loads the program when it first attaches: with every interface gone there is none. */
	if (!err && xdp_program__fd(xprog) < 0) {
		pr_warn("every interface was deleted while xdpfwd started; nothing is attached; start xdpfwd again "
			"once %s\n", o->n_ifaces == 1 ? "it exists" : "they exist");
		err = -ENODEV;
	}
	if (err)
		undo_fresh(o, plan, xprog);
	return err;
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static void announce(const struct daemon_opts *o, const struct iface_plan *plan, __u32 prog_id)
{
	char per_source[64], overall[96];
	int i;

	for (i = 0; i < o->n_ifaces; i++) {
		const struct attach_info *ai = &plan[i].before;

		if (plan[i].gone)
			continue;	/* said so when it went */
		if (plan[i].orphan)
			pr_info("%s: attached program %u in %s mode in place of the unpublished xdpfwd program %u\n",
				o->ifname[i], prog_id, attach_mode_name(plan[i].mode), ai->ours_id);
		else if (ai->kind == ATTACH_OURS)
			pr_info("%s: adopted the running firewall: program %u swapped for %u in place (%s mode), lists kept\n",
				o->ifname[i], ai->ours_id, prog_id, attach_mode_name(plan[i].mode));
		else
			pr_info("%s: attached program %u in %s mode\n", o->ifname[i], prog_id,
				attach_mode_name(plan[i].mode));
	}
	if (!o->log_enabled) {
		pr_info("logging drops: off (--no-log)\n");
		return;
	}
	if (o->log_source_interval_ms)
		snprintf(per_source, sizeof(per_source), "at most one event per source per %llu ms",
			 (unsigned long long)o->log_source_interval_ms);
	else
		snprintf(per_source, sizeof(per_source), "no per-source limit");
	if (o->log_rate)
		snprintf(overall, sizeof(overall), "at most %llu events/s overall (bursts of %llu)",
			 (unsigned long long)o->log_rate, (unsigned long long)o->log_burst);
	else
		snprintf(overall, sizeof(overall), "unlimited events/s overall");
	pr_info("logging drops: %s, %s\n", per_source, overall);
}

/* What the loop's periodic tasks and SIGHUP work on. */
struct housekeeping {
	struct watch watch;
	struct xdp_program **xprog;	/* the start's, replaced when a resize is adopted */
	struct consumer *consumer;
	struct metrics_server *metrics;
	struct sets_watch *sets;	/* --sets-dir followed as it changes; NULL: SIGHUP only */
	FILE *out;
};

/* Skips a round rather than wait for a CLI edit that holds the lock. */
static int sweep_expired(void *ctx)
{
	struct watch *w = &((struct housekeeping *)ctx)->watch;
	struct list_maps m;
	size_t removed;
	int lock, kind;

	lock = pin_dir_trylock(w->o->pin_dir);
	if (lock < 0)
		return 0;
	grow_adopt(w, ((struct housekeeping *)ctx)->xprog);
	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++) {
		list_maps_get(w->skel, kind, &m);
		if (!list_expire(&m, &removed) && removed)
			pr_info("%slist: removed %zu expired entr%s\n", list_kind_name(kind), removed,
				removed == 1 ? "y" : "ies");
	}
	pin_dir_unlock(lock);
	return 0;
}

/*
 * The bans the program made since the books last counted them go into the
 * books (and the expired ones out of the blocklist): at most one walk per
 * XDPFWD_BAN_RECOUNT_S however fast bans come (bans.h).
 */
static int book_bans(void *ctx)
{
	struct watch *w = &((struct housekeeping *)ctx)->watch;
	size_t removed;
	int lock, swept;

	lock = pin_dir_trylock(w->o->pin_dir);
	if (lock < 0)
		return 0;
	grow_adopt(w, ((struct housekeeping *)ctx)->xprog);
	if (!bans_catch_up(w->skel, 0, &swept, &removed) && removed)
		pr_info("blocklist: removed %zu expired entr%s (bans included)\n", removed, removed == 1 ? "y" : "ies");
	lib_error_clear();
	pin_dir_unlock(lock);
	return 0;
}

/* Capacity: full hashes grown, resizes adopted (grow.h). */
static int grow_task(void *ctx)
{
	struct housekeeping *hk = ctx;

	grow_round(&hk->watch, hk->xprog);
	return 0;
}

/* Under the pin dir lock, so `xdpfwd detach` is never mistaken for tampering mid-way. */
static int watch_round(void *ctx)
{
	struct watch *w = &((struct housekeeping *)ctx)->watch;
	int lock = pin_dir_trylock(w->o->pin_dir), kept;

	if (lock == -EWOULDBLOCK)
		return 0;
	/*
	 * A resize (a load that grew first, `xdpfwd resize`) swapped in a program
	 * on new hashes: re-attaching this daemon's old one would enforce hashes
	 * no edit writes any more, so take the new one before looking.
	 */
	if (lock >= 0)
		grow_adopt(w, ((struct housekeeping *)ctx)->xprog);
	kept = watch_check(w);
	pin_dir_unlock(lock);
	if (!kept) {
		pr_info("no interface left to protect: exiting\n");
		return 1;
	}
	return 0;
}

/* --stats-interval, in the drop log's format: with --log-format json every line of stdout is JSON. */
static int stats_line(void *ctx)
{
	struct housekeeping *hk = ctx;
	struct xdpfwd_stats s;
	char line[1024];

	if (stats_read(bpf_map__fd(hk->watch.skel->maps.stats), &s))
		return 0;
	if (consumer_log_format(hk->consumer) == LOG_FORMAT_JSON)
		event_format_stats_json(&s, line, sizeof(line));
	else
		stats_format_line(&s, line, sizeof(line));
	fprintf(hk->out, "%s\n", line);
	fflush(hk->out);
	return 0;
}

/* Interface and set names may change (`xdpfwd sets del` frees an id); log lines look them up afresh. */
static int forget_names(void *ctx)
{
	consumer_forget_names(((struct housekeeping *)ctx)->consumer);
	consumer_forget_sets(((struct housekeeping *)ctx)->consumer);
	return 0;
}

/* The sets dir's changed files, once their burst of events is over (sets_watch.h). */
static int sets_dir_tick(void *ctx)
{
	struct housekeeping *hk = ctx;

	/* Ids may have been freed or given new names: events look them up afresh. */
	if (sets_watch_tick(hk->sets))
		consumer_forget_sets(hk->consumer);
	return 0;
}

static void sets_dir_events(void *ctx)
{
	sets_watch_events(((struct housekeeping *)ctx)->sets);
}

/* Closes metrics connections past their deadline and rewrites the textfile when due. */
static int metrics_tick(void *ctx)
{
	metrics_server_tick(((struct housekeeping *)ctx)->metrics);
	return 0;
}

static int watchdog_ping(void *ctx)
{
	(void)ctx;
	sd_notify_watchdog();
	return 0;
}

/* WatchdogSec=: ping at half the timeout, from the loop's tick, so a stuck loop stops the pings. */
static unsigned int watchdog_ticks(void)
{
	__u64 usec = sd_watchdog_usec();

	return usec ? (usec / 2000 / EVENT_LOOP_TICK_MS ?: 1) : 0;
}

/*
 * SIGHUP: every file the daemon owns is read again, each on its own (a bad
 * one keeps its set's running entries and says FILE:LINE), then applied as
 * one atomic replace per set. Sets no file names are not touched.
 */
static void reload_files(void *ctx)
{
	struct housekeeping *hk = ctx;
	struct watch *w = &hk->watch;
	struct set_files_config files;
	struct set_files sf;
	int lock;

	/* The flood defense's settings first: under a flood they are what matters; set auto is never touched. */
	limits_config_reload(w->skel, w->o);
	if (!w->o->list_file[LIST_BLOCK] && !w->o->list_file[LIST_ALLOW] && !w->o->sets_dir) {
		if (!w->o->limits.given && !w->o->limits_file)
			pr_info("SIGHUP: no --sets-dir, --blocklist-file, --allowlist-file or limits to reload\n");
		return;
	}
	daemon_files_config(w->o, &files);
	if (set_files_read(&files, &sf, false) == -ENOMEM) {
		pr_warn("SIGHUP: out of memory reading the set files; not reloading, the running sets stay as they are\n");
		goto out;
	}
	lock = pin_dir_lock(w->o->pin_dir);
	if (lock < 0)
		goto out;
	grow_adopt(w, hk->xprog);
	if (grow_for_files(w->skel, w->o, &sf, false))
		grow_adopt(w, hk->xprog);
	set_files_apply(w->skel, &files, &sf, 0);
	pin_dir_unlock(lock);
	/* Ids may have been freed or given new names: events look them up afresh. */
	consumer_forget_sets(hk->consumer);
	/* What runs now is what the watcher compares the next changes with. */
	if (hk->sets)
		sets_watch_reloaded(hk->sets, &sf);
out:
	set_files_free(&sf);
}

/*
 * A replace killed past its flip is finished here, before we serve; and the
 * lists are counted afresh, so that edits made with bpftool while no daemon
 * ran (or by an older build, or into a books map this start created) are in
 * the counts status and metrics show.
 */
static int repair_lists(struct xdpfwd_bpf *skel)
{
	struct list_maps m;
	int kind, err;

	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++) {
		list_maps_get(skel, kind, &m);
		err = list_recount(&m);
		if (err) {
			pr_warn("finishing an interrupted replace of the %slist failed: %s\n", list_kind_name(kind),
				strerror(-err));
			return err;
		}
	}
	return 0;
}

/* At a stop: what each kept interface runs now, for the firewall may have been taken away meanwhile. */
static void report_stop(const struct watch *w)
{
	const char *name;
	struct attach_info ai;
	int i, ifindex;

	for (i = 0; i < w->o->n_ifaces; i++) {
		name = w->o->ifname[i];
		if (w->state[i] == WATCH_RELEASED)
			continue;
		ifindex = if_nametoindex(name);
		if (!ifindex)
			pr_info("%s: the interface does not exist; xdpfwd is attached nowhere under that name\n", name);
		else if (daemon_log_error(attach_inspect(ifindex, w->our_map_id, &ai)))
			continue;
		else if (ai.kind == ATTACH_OURS)
			pr_info("%s: the firewall stays attached (program %u); `xdpfwd detach --iface %s` removes it\n",
				name, ai.ours_id, name);
		else if (ai.kind == ATTACH_FOREIGN)
			pr_info("%s: program '%s' (id %u) replaced xdpfwd there; xdpfwd's lists are not enforced on "
				"it\n", name, ai.foreign_name, ai.foreign_id);
		else
			pr_info("%s: no XDP program is attached (xdpfwd's was detached); start xdpfwd to protect it "
				"again\n", name);
	}
}

static int run_loop(struct xdpfwd_bpf *skel, const struct daemon_opts *o, struct xdp_program **xprog,
		    const struct iface_plan *plan, const __u32 *slots, __u32 prog_id, struct metrics_server *metrics,
		    struct sets_watch *sets)
{
	struct housekeeping hk = {
		.watch = {
			.skel = skel,
			.xprog = *xprog,
			.o = o,
			.prog_id = prog_id,
			.our_map_id = pinned_map_id(bpf_map__fd(skel->maps.stats)),
		},
		.xprog = xprog,
		.metrics = metrics,
		.sets = sets,
		.out = stdout,
	};
	/* Everything the daemon does on a clock, in the order it is done at a tick (EVENT_LOOP_TICK_MS). */
	const struct periodic_task tasks[] = {
		/* The first tick pings at once: loading and attaching may have taken a while. */
		{ "watchdog ping", watchdog_ticks(), true, watchdog_ping },
		{ "metrics deadlines, textfile", 1, false, metrics_tick },
		/* Expired entries already stopped matching: this is garbage collection. */
		{ "expiry sweep", 5 * EVENT_LOOP_TICKS_PER_SEC, false, sweep_expired },
		{ "ban books", EVENT_LOOP_TICKS_PER_SEC, false, book_bans },
		/* After the books: they give the fill. */
		{ "capacity", EVENT_LOOP_TICKS_PER_SEC, false, grow_task },
		/* Tampering is repaired well within a second. */
		{ "watch", 2, false, watch_round },
		{ "stats line", o->stats_interval * EVENT_LOOP_TICKS_PER_SEC, false, stats_line },
		{ "interface and set names", 5 * EVENT_LOOP_TICKS_PER_SEC, false, forget_names },
		/* Every tick: a debounce of SETS_WATCH_QUIET_MS is over within a tick of it. */
		{ "sets dir changes", sets ? 1 : 0, false, sets_dir_tick },
	};
	const struct event_source sources[] = {
		{ "sets dir events", sets_watch_fd(sets), sets_dir_events },
	};
	struct event_loop_cfg cfg = {
		.metrics = metrics,
		.tasks = tasks,
		.n_tasks = sizeof(tasks) / sizeof(tasks[0]),
		.sources = sources,
		.n_sources = sizeof(sources) / sizeof(sources[0]),
		.on_reload = reload_files,
		.ctx = &hk,
	};
	struct limits_maps lm;
	int err, i;

	for (i = 0; i < o->n_ifaces; i++) {
		hk.watch.ifindex[i] = o->ifindex[i];
		hk.watch.mode[i] = plan[i].mode;
		hk.watch.stats_slot[i] = slots[i];
		hk.watch.state[i] = plan[i].gone ? WATCH_GONE : WATCH_OK;
	}

	metrics_server_set_source(metrics, skel);
	hk.consumer = consumer_new(bpf_map__fd(skel->maps.events), bpf_map__fd(skel->maps.sets), o->log_format,
				   stdout);
	if (!hk.consumer)
		return -errno;
	if (!limits_maps_get(skel, &lm))
		consumer_set_limits(hk.consumer, lm.limits);
	lib_error_clear();
	cfg.consumer = hk.consumer;
	err = event_loop_run(&cfg);
	consumer_free(hk.consumer);
	if (!err)
		report_stop(&hk.watch);
	return err;
}

/* One start of the daemon, handed from phase to phase. */
struct start {
	struct daemon_opts *o;
	struct iface_plan plan[XDPFWD_MAX_IFACES];
	struct set_files_config files_config;	/* which files, their reports to the log */
	struct set_files files;			/* --sets-dir, --blocklist-file, --allowlist-file, with --persist entries */
	struct sets_watch *sets_watch;		/* --sets-dir followed as it changes; NULL: SIGHUP only */
	struct metrics_server *metrics;
	int lock;				/* the pin dir's, from the first pin read to the last written */
	int created;				/* this start made the pin dir */
	int ilock[XDPFWD_MAX_IFACES];		/* one daemon per interface */
	struct xdpfwd_bpf *skel;
	int found;				/* the instance's maps existed and are reused */
	struct migration mig;			/* --migrate: the old layout's maps, until copied */
	size_t migrated;			/* entries copied from them */
	__u32 our_map_id;			/* tells our running program from others; 0: none yet */
	bool replace_single;			/* our own lone program runs somewhere: swap it in place */
	struct xdpfwd_clock clk;
	__u32 slots[XDPFWD_MAX_IFACES];
	struct xdp_program *xprog;
	__u32 prog_id;
	struct xdpfwd_limits limits;		/* --limit-*, --limits-file */
	bool limits_owned;			/* either was given: the limits map is made these */
};

/* Prepare: everything that can refuse the start is checked and read before anything changes. */
static int prepare(struct start *s)
{
	struct daemon_opts *o = s->o;
	int err;

	daemon_files_config(o, &s->files_config);
	err = privs_check("the xdpfwd daemon");
	if (!err)
		err = resolve_ifaces(o);
	if (!err)
		err = check_btf();
	if (!err)
		err = event_loop_block_signals();
	if (!err)
		err = pin_dir_ensure_bpffs(o->pin_dir);
	/* Watched before it is read: a change made after the read is seen. */
	if (!err)
		err = sets_watch_new(o, &s->sets_watch);
	/* A bad --blocklist-file refuses the start; a bad sets dir file only keeps its set as it runs. */
	if (!err)
		err = set_files_read(&s->files_config, &s->files, true);
	if (!err)
		err = daemon_log_error(limits_config_read(&o->limits, o->limits_file, daemon_log_report, &s->limits,
							  &s->limits_owned));
	if (!err)
		err = metrics_server_open(o, &s->metrics);
	return err;
}

/*
 * Open the instance under its lock: reuse its pins (or, with --migrate, make
 * fresh maps and open the old ones), look at every interface, refuse one a
 * foreign program holds, take the interface locks, and configure the program
 * for this instance.
 */
static int open_instance(struct start *s)
{
	struct daemon_opts *o = s->o;
	int err, i;

	/*
	 * One writer at a time, from before the first pin is read until the last
	 * is written: a CLI edit or another daemon waits, and two daemons started
	 * at once on a fresh pin dir share one set of maps instead of each
	 * enforcing its own.
	 */
	s->lock = pin_dir_create_locked(o->pin_dir, &s->created);
	if (s->lock < 0)
		return s->lock;
	err = daemon_log_error(pinned_open_reuse(o->pin_dir, o->bpf_object, o->ifname[0], &s->skel, &s->found));
	if ((err == -EINVAL || err == -EPROTO) && o->migrate) {
		/* Fresh maps for this build; the old ones stay in force until the swap. */
		err = daemon_log_error(pinned_open_reuse(NULL, o->bpf_object, NULL, &s->skel, &s->found));
		if (!err)
			err = migrate_open_old(o->pin_dir, &s->mig);
		if (!err)
			pr_info("migrating the instance in %s to this build's map layout\n", o->pin_dir);
	}
	/*
	 * Sizes for the maps this start makes: migrated entries must fit, and the
	 * start's own list files (unless --no-grow: then they fit or say "full").
	 * Reused pins keep theirs, grown first if the files need it.
	 */
	if (!err) {
		struct capacity c = o->capacity;
		__u32 old[CAP_MAPS] = {};
		size_t add[CAP_MAPS] = {};
		int f;

		if (s->mig.n)
			migrate_old_capacity(&s->mig, old);
		if (!c.exact)
			c.exact = CAPACITY_EXACT_DEFAULT;
		if (!c.prefix)
			c.prefix = XDPFWD_MAX_NETS;
		set_files_count(&s->files, !s->found, add);
		for (f = 0; f < CAP_MAPS; f++) {
			__u32 *size = capacity_is_trie(f) ? &c.prefix : &c.exact;

			*size = *size > old[f] ? *size : old[f];
			if (!o->no_grow)
				*size = capacity_target(*size, add[f]);	/* never smaller */
		}
		err = daemon_log_error(capacity_apply(s->skel, &c));
	}
	if (!err && s->found)
		grow_for_files(s->skel, o, &s->files, false);
	if (err)
		return err;
	if (s->found)
		s->our_map_id = pinned_map_id(bpf_map__fd(s->skel->maps.stats));
	else if (s->mig.n)
		s->our_map_id = s->mig.old_stats_id;
	for (i = 0; i < o->n_ifaces; i++) {
		err = inspect_iface(o, i, s->skel, s->our_map_id, &s->plan[i]);
		if (err)
			return err;
		s->replace_single |= s->plan[i].before.kind == ATTACH_OURS && !s->plan[i].before.dispatcher;
	}
	err = check_foreign(o, s->plan);
	if (err)
		return err;

	/*
	 * One daemon per interface: its lock is a directory in the pin dir
	 * (lib/instance_lock.h), taken only now, so a start refused by the
	 * checks above leaves the pin dir exactly as it found it.
	 */
	for (i = 0; i < o->n_ifaces; i++) {
		s->ilock[i] = daemon_log_error(instance_lock_iface(o->pin_dir, o->ifname[i]));
		if (s->ilock[i] < 0)
			return s->ilock[i];
	}
	/* Under the pin dir lock: every program of the instance runs on the clock its first daemon chose. */
	kclock_of_instance(o->pin_dir, &s->clk);
	kclock_use(&s->clk);
	configure(s->skel, o, &s->clk);
	err = daemon_log_error(iface_slots_assign(s->skel, (const char (*)[IF_NAMESIZE])o->ifname, o->n_ifaces,
						  s->slots));
	if (err)
		return err;
	iface_slots_preload(s->skel, o->ifindex, s->slots, o->n_ifaces);
	return 0;
}

/* --migrate: the old lists into the new maps, once these exist and before they matter. */
static int migrate_fill(struct start *s)
{
	return s->mig.n ? migrate_copy_entries(&s->mig, s->skel, &s->migrated) : 0;
}

/*
 * Swapping our own lone program: the new one is loaded here, and its maps
 * filled, before the one netlink call that puts it in the old one's place, so
 * it never runs on empty lists.
 */
static int load_for_swap(struct start *s)
{
	int err;

	err = xdpfwd_bpf__load(s->skel);
	if (err) {
		pr_warn("loading the BPF program failed: %s; the running firewall is unchanged (see -v for the verifier log)\n",
			strerror(-err));
		return err;
	}
	err = migrate_fill(s);
	if (err)
		return err;
	s->xprog = xdp_program__from_fd(bpf_program__fd(s->skel->progs.xdpfwd_xdp));
	return 0;
}

/*
 * Everywhere else libxdp loads the program, as it attaches it. It must: to put
 * the program into its dispatcher (sharing the interface with other libxdp
 * programs), libxdp 1.3 loads it as a BPF_PROG_TYPE_EXT program aimed at the
 * dispatcher's slot (xdp_multiprog__link_prog sets type and target on the
 * unloaded object), and a program we had loaded as plain XDP cannot be linked
 * there: libxdp would fall back to attaching it alone. Hence the skeleton's
 * .bss written again after the load (iface_slots.c).
 */
static int create_for_libxdp(struct start *s)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = s->skel->obj, .prog_name = XDPFWD_PROG_NAME);

	s->xprog = xdp_program__create(&xopts);
	return 0;
}

/* Load and attach: the in-place swap and libxdp's attach side by side; migration finished in both. */
static int load_and_attach(struct start *s)
{
	struct daemon_opts *o = s->o;
	int err;

	err = s->replace_single ? load_for_swap(s) : create_for_libxdp(s);
	if (err)
		return err;
	err = libxdp_get_error(s->xprog);
	if (err) {
		s->xprog = NULL;
		pr_warn("preparing the XDP program failed: %s\n", strerror(-err));
		return err;
	}
	err = attach_all(o, s->plan, s->skel, s->xprog,
			 s->replace_single ? bpf_program__fd(s->skel->progs.xdpfwd_xdp) : -1, s->our_map_id);
	if (err)
		return err;
	/* libxdp made the maps as it attached; nothing was attached before, so nothing ran on them empty. */
	if (!s->replace_single)
		err = migrate_fill(s);
	if (!err && s->mig.n) {
		migrate_unpin_old(&s->mig);
		pr_info("migrated %zu list entries to the new maps (with their sets, counters and deadlines)\n", s->migrated);
	}
	return err;
}

/* Publish: pins, clock, lists and interface records, so the CLI and the next start find the instance. */
static int publish(struct start *s)
{
	struct daemon_opts *o = s->o;
	int err, i, prog_fd;

	prog_fd = xdp_program__fd(s->xprog);
	s->prog_id = prog_id_of(prog_fd);
	err = kclock_record(bpf_map__fd(s->skel->maps.clock), &s->clk);
	if (!err)
		err = daemon_log_error(pinned_pin_new(s->skel, o->pin_dir, o->ifname[0]));
	if (!err)
		err = daemon_log_error(pinned_pin_prog(prog_fd, o->pin_dir));
	if (!err)
		err = repair_lists(s->skel);
	if (!err)
		err = daemon_log_error(bans_counted(s->skel));
	if (!err && s->limits_owned)
		err = limits_config_apply(s->skel, &s->limits, "start");
	/*
	 * Not fatal: each set said what failed, the others apply, and a daemon
	 * that refused to start would protect nothing at all.
	 */
	if (!err)
		set_files_apply(s->skel, &s->files_config, &s->files, !s->found);
	for (i = 0; i < o->n_ifaces && !err; i++)
		err = daemon_log_error(pinned_record_iface(s->skel, o->ifname[i], o->ifindex[i],
							   attach_mode_record(s->plan[i].mode), s->prog_id, s->slots[i]));
	if (err) {
		undo_fresh(o, s->plan, s->xprog);
		pr_warn("publishing the instance in %s failed (see above): %s; fix the cause and start xdpfwd again\n",
			o->pin_dir, s->replace_single ? "the swapped-in program stays attached with the pinned lists" :
			"nothing of this start stays attached");
		return err;
	}
	pin_dir_unlock(s->lock);
	s->lock = -1;
	announce(o, s->plan, s->prog_id);
	sd_notify_ready("enforcing on %d interface%s, pins in %s", o->n_ifaces, o->n_ifaces == 1 ? "" : "s",
			o->pin_dir);
	return 0;
}

/* Everything a start holds, in reverse; a refused start leaves the pin dir as it found it. */
static void finish(struct start *s, int err)
{
	struct daemon_opts *o = s->o;
	int i;

	metrics_server_close(s->metrics);
	/* The interface locks live in the pin dir: released first, so an unused dir can go. */
	for (i = 0; i < o->n_ifaces; i++)
		if (s->ilock[i] >= 0)
			close(s->ilock[i]);
	/*
	 * A refused start leaves the pin dir as it found it: the lock directories
	 * it made go (those no daemon holds), and the dir too if this run made it.
	 * Under the lock: a daemon waiting for it must not lock a directory about
	 * to go.
	 */
	if (err && s->lock >= 0 && !instance_lock_remove_all(o->pin_dir, false) && s->created && !s->found)
		rmdir(o->pin_dir);
	pin_dir_unlock(s->lock);
	/* Closing fds never detaches: the attachment is netlink's or libxdp's pinned dispatcher's. */
	xdp_program__close(s->xprog);
	pinned_close(s->skel);
	migrate_close(&s->mig);
	set_files_free(&s->files);
	sets_watch_free(s->sets_watch);
}

int daemon_run(struct daemon_opts *o)
{
	struct start s = { .o = o, .lock = -1 };
	int err, i;

	lib_notice_set_handler(daemon_log_notice);
	for (i = 0; i < XDPFWD_MAX_IFACES; i++)
		s.ilock[i] = -1;
	err = prepare(&s);
	if (!err)
		err = open_instance(&s);
	if (!err)
		err = load_and_attach(&s);
	if (!err)
		err = publish(&s);
	if (!err) {
		sets_watch_start(s.sets_watch, s.skel, &s.files);
		err = run_loop(s.skel, o, &s.xprog, s.plan, s.slots, s.prog_id, s.metrics, s.sets_watch);
	}
	finish(&s, err);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
