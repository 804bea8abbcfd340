// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's lifecycle in one place: validate -> lock the pin dir -> open
 * and reuse pins -> inspect the interfaces -> configure -> load -> attach (or
 * swap into an existing attachment, looking again whenever an interface
 * changed meanwhile) -> pin -> unlock -> drain events until a signal.
 * Everything is checked before the first change, and exiting leaves the
 * firewall attached.
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
#include "pin.h"
#include "privs.h"
#include "netns.h"
#include "attach.h"
#include "pinned.h"
#include "lists.h"
#include "watch.h"
#include "instance_lock.h"
#include "iface_slots.h"
#include "list_files.h"
#include "migrate.h"
#include "kclock.h"
#include "event_loop.h"
#include "metrics_http.h"
#include "sd_notify.h"
#include "ringbuf_consumer.h"
#include "daemon.h"

struct iface_plan {
	struct attach_info before;	/* what runs there: as inspected, then as found when acting on it */
	enum xdp_attach_mode mode;
	bool orphan;		/* before.ours_id: an xdpfwd program never published (pinned_is_orphan) */
	bool attached;		/* by this run, from nothing: undone if a later step fails */
	bool gone;		/* the interface was deleted during start: the watch attaches when it returns */
};

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
	err = attach_inspect(o->ifindex[i], our_map_id, ai);
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
		err = attach_remove_all(o->ifindex[i], o->ifname[i]);
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
		return attach_replace_single(loaded_fd, o->ifindex[i], o->ifname[i], ai);
	}
	err = attach_with_libxdp(xprog, o->ifindex[i], o->ifname[i], o->mode, &p->mode);
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

/* Housekeeping cadence, in event-loop ticks (EVENT_LOOP_TICK_MS). */
#define WATCH_TICKS 2		/* tampering is repaired well within a second */
#define EXPIRY_TICKS 50		/* expired entries already stopped matching: this is garbage collection */

struct housekeeping {
	struct watch watch;
	unsigned int ticks;
};

/* Skips a round rather than wait for a CLI edit that holds the lock. */
static void sweep_expired(struct watch *w)
{
	struct list_maps m;
	size_t removed;
	int lock, kind;

	lock = pin_dir_trylock(w->o->pin_dir);
	if (lock < 0)
		return;
	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++) {
		list_maps_get(w->skel, kind, &m);
		if (!list_expire(&m, &removed) && removed)
			pr_info("%slist: removed %zu expired entr%s\n", list_kind_name(kind), removed,
				removed == 1 ? "y" : "ies");
	}
	pin_dir_unlock(lock);
}

/* SIGHUP: files are validated whole first; a bad one leaves the running lists as they are. */
static void reload_files(void *ctx)
{
	struct watch *w = &((struct housekeeping *)ctx)->watch;
	struct xdpfwd_prefix_set set[2] = {};
	int kind, lock, err = 0;

	for (kind = LIST_BLOCK; kind <= LIST_ALLOW && !err; kind++)
		err = list_files_load(w->o, kind, &set[kind]);
	if (err) {
		pr_warn("SIGHUP: not reloading; the running lists stay as they are\n");
		goto out;
	}
	lock = pin_dir_lock(w->o->pin_dir);
	if (lock < 0)
		goto out;
	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++)
		if (w->o->list_file[kind])
			list_files_apply(w->skel, w->o, kind, &set[kind], 0);
	pin_dir_unlock(lock);
	if (!w->o->list_file[LIST_BLOCK] && !w->o->list_file[LIST_ALLOW])
		pr_info("SIGHUP: no --blocklist-file or --allowlist-file to reload\n");
out:
	xdpfwd_prefix_set_free(&set[0]);
	xdpfwd_prefix_set_free(&set[1]);
}

static int on_tick(void *ctx)
{
	struct housekeeping *hk = ctx;

	hk->ticks++;
	if (hk->ticks % EXPIRY_TICKS == 0)
		sweep_expired(&hk->watch);
	if (hk->ticks % WATCH_TICKS == 0) {
		/* Under the pin dir lock, so `xdpfwd detach` is never mistaken for tampering mid-way. */
		int lock = pin_dir_trylock(hk->watch.o->pin_dir), kept;

		if (lock == -EWOULDBLOCK)
			return 0;
		kept = watch_check(&hk->watch);
		pin_dir_unlock(lock);
		if (!kept) {
			pr_info("no interface left to protect: exiting\n");
			return 1;
		}
	}
	return 0;
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
		else if (attach_inspect(ifindex, w->our_map_id, &ai))
			continue;	/* said why */
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

static int run_loop(struct xdpfwd_bpf *skel, const struct daemon_opts *o, struct xdp_program *xprog,
		    const struct iface_plan *plan, const __u32 *slots, __u32 prog_id, struct metrics_server *metrics)
{
	struct housekeeping hk = {
		.watch = {
			.skel = skel,
			.xprog = xprog,
			.o = o,
			.prog_id = prog_id,
			.our_map_id = pinned_map_id(bpf_map__fd(skel->maps.stats)),
		},
	};
	struct event_loop_cfg cfg = {
		.stats_fd = bpf_map__fd(skel->maps.stats),
		.stats_interval = o->stats_interval,
		.out = stdout,
		.on_tick = on_tick,
		.on_reload = reload_files,
		.ctx = &hk,
		.metrics = metrics,
	};
	int err, i;

	for (i = 0; i < o->n_ifaces; i++) {
		hk.watch.ifindex[i] = o->ifindex[i];
		hk.watch.mode[i] = plan[i].mode;
		hk.watch.stats_slot[i] = slots[i];
		hk.watch.state[i] = plan[i].gone ? WATCH_GONE : WATCH_OK;
	}

	metrics_server_set_source(metrics, skel);
	cfg.consumer = consumer_new(bpf_map__fd(skel->maps.events), o->log_format, stdout);
	if (!cfg.consumer)
		return -errno;
	err = event_loop_run(&cfg);
	consumer_free(cfg.consumer);
	if (!err)
		report_stop(&hk.watch);
	return err;
}

int daemon_run(struct daemon_opts *o)
{
	struct iface_plan plan[XDPFWD_MAX_IFACES] = {};
	struct xdp_program *xprog = NULL;
	struct xdpfwd_bpf *skel = NULL;
	struct metrics_server *metrics = NULL;
	struct xdpfwd_prefix_set files[2] = {};
	struct migration mig = {};
	struct xdpfwd_clock clk;
	size_t migrated = 0;
	int ilock[XDPFWD_MAX_IFACES];
	__u32 slots[XDPFWD_MAX_IFACES];
	int err, i, found, created = 0, lock = -1, prog_fd, replace_single = 0;
	__u32 our_map_id = 0, prog_id;

	err = privs_check("the xdpfwd daemon");
	if (!err)
		err = resolve_ifaces(o);
	if (!err)
		err = check_btf();
	if (!err)
		err = event_loop_block_signals();
	if (!err)
		err = pin_dir_ensure_bpffs(o->pin_dir);
	if (!err)
		err = list_files_load(o, LIST_BLOCK, &files[LIST_BLOCK]);
	if (!err)
		err = list_files_load(o, LIST_ALLOW, &files[LIST_ALLOW]);
	if (!err)
		err = metrics_server_open(o, &metrics);
	if (err) {
		xdpfwd_prefix_set_free(&files[0]);
		xdpfwd_prefix_set_free(&files[1]);
		return EXIT_FAILURE;
	}
	for (i = 0; i < o->n_ifaces; i++)
		ilock[i] = -1;

	/*
	 * One writer at a time, from before the first pin is read until the last
	 * is written: a CLI edit or another daemon waits, and two daemons started
	 * at once on a fresh pin dir share one set of maps instead of each
	 * enforcing its own.
	 */
	lock = pin_dir_create_locked(o->pin_dir, &created);
	if (lock < 0) {
		err = lock;
		goto out;
	}
	err = pinned_open_reuse(o->pin_dir, o->bpf_object, o->ifname[0], &skel, &found);
	if ((err == -EINVAL || err == -EPROTO) && o->migrate) {
		/* Fresh maps for this build; the old ones stay in force until the swap. */
		err = pinned_open_reuse(NULL, o->bpf_object, NULL, &skel, &found);
		if (!err)
			err = migrate_open_old(o->pin_dir, &mig);
		if (!err)
			pr_info("migrating the instance in %s to this build's map layout\n", o->pin_dir);
	}
	if (err)
		goto out;
	if (found)
		our_map_id = pinned_map_id(bpf_map__fd(skel->maps.stats));
	else if (mig.n)
		our_map_id = mig.old_stats_id;
	for (i = 0; i < o->n_ifaces; i++) {
		err = inspect_iface(o, i, skel, our_map_id, &plan[i]);
		if (err)
			goto out;
		replace_single |= plan[i].before.kind == ATTACH_OURS && !plan[i].before.dispatcher;
	}
	err = check_foreign(o, plan);
	if (err)
		goto out;

	/*
	 * One daemon per interface: its lock is a directory in the pin dir
	 * (daemon/instance_lock.h), taken only now, so a start refused by the
	 * checks above leaves the pin dir exactly as it found it.
	 */
	for (i = 0; i < o->n_ifaces; i++) {
		ilock[i] = instance_lock_iface(o->pin_dir, o->ifname[i]);
		if (ilock[i] < 0) {
			err = ilock[i];
			goto out;
		}
	}
	/* Under the pin dir lock: every program of the instance runs on the clock its first daemon chose. */
	kclock_of_instance(o->pin_dir, &clk);
	kclock_use(&clk);
	configure(skel, o, &clk);
	err = iface_slots_assign(skel, (const char (*)[IF_NAMESIZE])o->ifname, o->n_ifaces, slots);
	if (err)
		goto out;
	iface_slots_preload(skel, o->ifindex, slots, o->n_ifaces);

	/*
	 * Swapping our own single program needs the new one loaded first; otherwise
	 * libxdp loads it, as a dispatcher component where the kernel allows.
	 */
	if (replace_single) {
		err = xdpfwd_bpf__load(skel);
		if (err) {
			pr_warn("loading the BPF program failed: %s; the running firewall is unchanged (see -v for the verifier log)\n",
				strerror(-err));
			goto out;
		}
		/* The new maps are filled before the swap: the new program never runs on empty lists. */
		if (mig.n) {
			err = migrate_copy_entries(&mig, skel, &migrated);
			if (err)
				goto out;
		}
		xprog = xdp_program__from_fd(bpf_program__fd(skel->progs.xdpfwd_xdp));
	} else {
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = skel->obj, .prog_name = XDPFWD_PROG_NAME);

		xprog = xdp_program__create(&xopts);
	}
	err = libxdp_get_error(xprog);
	if (err) {
		xprog = NULL;
		pr_warn("preparing the XDP program failed: %s\n", strerror(-err));
		goto out;
	}
	err = attach_all(o, plan, skel, xprog, replace_single ? bpf_program__fd(skel->progs.xdpfwd_xdp) : -1,
			 our_map_id);
	if (err)
		goto out;
	/* Not attached before: nothing was enforced, so the lists may follow the attach. */
	if (mig.n && !replace_single)
		err = migrate_copy_entries(&mig, skel, &migrated);
	if (mig.n && !err) {
		migrate_unpin_old(&mig);
		pr_info("migrated %zu list entries to the new maps (counters and expiry start afresh)\n", migrated);
	}
	if (err)
		goto out;

	prog_fd = xdp_program__fd(xprog);
	prog_id = prog_id_of(prog_fd);
	err = kclock_record(bpf_map__fd(skel->maps.clock), &clk);
	if (!err)
		err = pinned_pin_new(skel, o->pin_dir, o->ifname[0]);
	if (!err)
		err = pinned_pin_prog(prog_fd, o->pin_dir);
	if (!err)
		err = repair_lists(skel);
	if (!err)
		err = list_files_apply(skel, o, LIST_BLOCK, &files[LIST_BLOCK], !found);
	if (!err)
		err = list_files_apply(skel, o, LIST_ALLOW, &files[LIST_ALLOW], !found);
	for (i = 0; i < o->n_ifaces && !err; i++)
		err = pinned_record_iface(skel, o->ifname[i], o->ifindex[i], attach_mode_record(plan[i].mode),
					  prog_id, slots[i]);
	if (err) {
		undo_fresh(o, plan, xprog);
		pr_warn("publishing the instance in %s failed (see above): %s; fix the cause and start xdpfwd again\n",
			o->pin_dir, replace_single ? "the swapped-in program stays attached with the pinned lists" :
			"nothing of this start stays attached");
		goto out;
	}
	pin_dir_unlock(lock);
	lock = -1;
	announce(o, plan, prog_id);
	sd_notify_ready("enforcing on %d interface%s, pins in %s", o->n_ifaces, o->n_ifaces == 1 ? "" : "s",
			o->pin_dir);

	err = run_loop(skel, o, xprog, plan, slots, prog_id, metrics);
out:
	metrics_server_close(metrics);
	/* The interface locks live in the pin dir: released first, so an unused dir can go. */
	for (i = 0; i < o->n_ifaces; i++)
		if (ilock[i] >= 0)
			close(ilock[i]);
	/*
	 * A refused start leaves the pin dir as it found it: the lock directories
	 * it made go (those no daemon holds), and the dir too if this run made it.
	 * Under the lock: a daemon waiting for it must not lock a directory about
	 * to go.
	 */
	if (err && lock >= 0 && !instance_lock_remove_all(o->pin_dir, false) && created && !found)
		rmdir(o->pin_dir);
	pin_dir_unlock(lock);
	/* Closing fds never detaches: the attachment is netlink's or libxdp's pinned dispatcher's. */
	xdp_program__close(xprog);
	pinned_close(skel);
	migrate_close(&mig);
	xdpfwd_prefix_set_free(&files[0]);
	xdpfwd_prefix_set_free(&files[1]);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
