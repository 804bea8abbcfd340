// SPDX-License-Identifier: GPL-2.0
/* xdpfwd block|allow add|del|list|flush|load|save [--set NAME]: edits the pinned maps, daemon running or not. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "xdpfwd.skel.h"
#include "log.h"
#include "pin_dir.h"
#include "instance.h"
#include "sets.h"
#include "kclock.h"
#include "list_state.h"
#include "lib_error.h"
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

/*
 * The entry's expiry as it applies: only while a timed set is among its
 * members does expires_ns end anything (an entry also held for good by
 * another set stays after it).
 */
static __u64 entry_seconds_left(const struct list_item *it, __u64 now)
{
	if (!it->entry.expires_ns || (it->members & ~it->entry.timed))
		return 0;
	return seconds_left(&it->entry, now);
}

static void print_items(const struct list_item *items, size_t n, const struct xdpfwd_set sets[XDPFWD_MAX_SETS],
			int json)
{
	char entry[XDPFWD_PREFIX_STRLEN], when[40], left[24], left_secs[24];
	char names[XDPFWD_MAX_SETS * (XDPFWD_SET_NAME_MAX + 1) + 1];
	__u64 now = list_boottime_ns();
	size_t i;
	int id;

	if (json)
		putchar('[');
	else
		printf("%-43s %12s %14s  %-24s  %-10s  %s\n", "ENTRY", "PACKETS", "BYTES", "LAST_HIT", "EXPIRES_IN",
		       "SETS");
	for (i = 0; i < n; i++) {
		const struct xdpfwd_entry *e = &items[i].entry;
		__u64 secs = entry_seconds_left(&items[i], now);

		xdpfwd_prefix_format(&items[i].prefix, entry, sizeof(entry));
		if (e->last_hit_ns)
			time_format_mono(e->last_hit_ns, when, sizeof(when));
		else
			snprintf(when, sizeof(when), json ? "null" : "-");
		format_left(secs, left, sizeof(left));
		snprintf(left_secs, sizeof(left_secs), "%llu", (unsigned long long)secs);
		if (!json) {
			sets_mask_format(sets, items[i].members, names, sizeof(names));
			printf("%-43s %12llu %14llu  %-24s  %-10s  %s\n", entry, (unsigned long long)e->packets,
			       (unsigned long long)e->bytes, when, left, names[0] ? names : "-");
			continue;
		}
		printf("%s{\"entry\":\"%s\",\"family\":%u,\"prefixlen\":%u,\"packets\":%llu,\"bytes\":%llu,"
		       "\"last_hit\":%s%s%s,\"expires_in\":%s,\"sets\":[",
		       i ? "," : "", entry, items[i].prefix.family == 4 ? 4 : 6, items[i].prefix.prefixlen,
		       (unsigned long long)e->packets, (unsigned long long)e->bytes,
		       e->last_hit_ns ? "\"" : "", when, e->last_hit_ns ? "\"" : "",
		       secs ? left_secs : "null");
		/* Names are [a-z0-9_-] or "#ID" (sets_mask_format): nothing to escape. */
		sets_mask_format(sets, items[i].members, names, sizeof(names));
		for (id = 0; names[0]; id++) {
			char *comma = strchr(names, ',');

			if (comma)
				*comma = '\0';
			printf("%s\"%s\"", id ? "," : "", names);
			if (!comma)
				break;
			memmove(names, comma + 1, strlen(comma + 1) + 1);
		}
		fputs("]}", stdout);
	}
	if (json)
		puts("]");
}

/* "blocklist" for set manual (what xdpfwd printed before sets), "blocklist set NAME" for others. */
static void label(const struct list_opts *o, char *buf, size_t len)
{
	if (!strcmp(o->set, SET_MANUAL_NAME))
		snprintf(buf, len, "%slist", list_kind_name(o->kind));
	else
		snprintf(buf, len, "%slist set %s", list_kind_name(o->kind), o->set);
}

/*
 * The id of an existing set. Manual is id 0 in every instance, also one
 * whose record was never written (pins of an older build, migrated).
 */
static int find_set(const struct list_opts *o, const struct list_maps *m)
{
	int id;

	if (!strcmp(o->set, SET_MANUAL_NAME))
		return XDPFWD_SET_MANUAL;
	lib_error_clear();
	id = sets_find(m->sets, o->kind, o->set);
	if (id == -ENOENT)
		pr_warn("%s set %s does not exist; `xdpfwd sets` lists the sets\n", list_kind_name(o->kind), o->set);
	else if (id < 0)
		cli_failed(id, "reading the sets");
	return id;
}

/* Seconds since the epoch that a CLOCK_BOOTTIME deadline stands for (at least 1 s from now). */
static __u64 boot_to_real(__u64 expires_ns, __u64 boot_now)
{
	__u64 left = expires_ns > boot_now ? (expires_ns - boot_now + 999999999ULL) / 1000000000ULL : 1;

	return (__u64)time(NULL) + left;
}

/*
 * The set as a plain list file, to FILE or stdout: written to a temp file
 * next to FILE and renamed over it, so a failure (a full disk) leaves the
 * old FILE, never half of the new one.
 */
static int save_set(const struct list_opts *o, const struct list_maps *m, int id,
		    const struct xdpfwd_set *set)
{
	struct xdpfwd_prefix_set ps = {};
	char comment[512], scope[SET_SCOPE_STRLEN], timeout[24], tmp[PATH_MAX];
	__u64 boot_now = list_boottime_ns();
	struct list_item *items = NULL;
	int to_stdout = !strcmp(o->file, "-"), fd = -1, err;
	FILE *f = stdout;
	size_t i, n;

	err = list_read(m, 1U << id, &items, &n);
	if (err)
		return cli_failed(err, "reading the list");
	for (i = 0; i < n && !err; i++) {
		struct xdpfwd_prefix p = items[i].prefix;

		p.expires_at = 0;
		if ((items[i].entry.timed & (1U << id)) && items[i].entry.expires_ns)
			p.expires_at = boot_to_real(items[i].entry.expires_ns, boot_now);
		err = xdpfwd_prefix_set_push(&ps, &p);
	}
	free(items);
	if (err) {
		pr_warn("saving %s set %s: out of memory\n", list_kind_name(o->kind), o->set);
		goto out;
	}
	/* The set's options in the sets.d directive, so the file can also go there as it is. */
	set_scope_format(set, scope, sizeof(scope));
	snprintf(timeout, sizeof(timeout), " timeout=%us", set->timeout_s);
	snprintf(comment, sizeof(comment),
		 "%s set %s, saved by `xdpfwd %s save` (%zu entries); read back with `xdpfwd %s load --set %s FILE`\n"
		 "xdpfwd-set: kind=%s mode=%s%s%s%s",
		 list_kind_name(o->kind), o->set, list_kind_name(o->kind), ps.n, list_kind_name(o->kind), o->set,
		 list_kind_name(o->kind), set_mode_name(set->mode), scope[0] ? " scope=" : "", scope,
		 set->timeout_s ? timeout : "");
	if (!to_stdout) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", o->file, (int)getpid()) >= (int)sizeof(tmp)) {
			err = -ENAMETOOLONG;
			pr_warn("saving to %s failed: the name is too long\n", o->file);
			goto out;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		f = fd < 0 ? NULL : fdopen(fd, "w");
		if (!f) {
			err = -errno;
			pr_warn("saving to %s failed: creating %s: %s; choose a directory you can write\n", o->file,
				tmp, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			goto out;
		}
	}
	err = xdpfwd_listfile_write(f, &ps, comment);
	if (!to_stdout) {
		if (!err && fsync(fileno(f)))
			err = -errno;
		if (fclose(f) && !err)
			err = -errno;
		if (!err && rename(tmp, o->file))
			err = -errno;
		if (err)
			unlink(tmp);
	}
	if (err)
		pr_warn("saving %s set %s to %s failed: %s; %s\n", list_kind_name(o->kind), o->set,
			to_stdout ? "standard output" : o->file, strerror(-err),
			to_stdout ? "nothing else changed" : "the file was left as it was");
	else if (!to_stdout)
		pr_info("%s set %s: saved %zu entries to %s\n", list_kind_name(o->kind), o->set, ps.n, o->file);
out:
	xdpfwd_prefix_set_free(&ps);
	return err;
}

static int show(const struct list_opts *o, const struct list_maps *m)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	struct list_item *items;
	__u32 mask = ~0U;
	size_t n;
	int err, id;

	err = sets_read_all(m->sets, o->kind, sets);
	if (err)
		return cli_failed(err, "reading the sets");
	if (o->set_given) {
		id = find_set(o, m);
		if (id < 0)
			return id;
		mask = 1U << id;
		if (o->op == LIST_SAVE)
			return save_set(o, m, id, &sets[id]);
	} else if (o->op == LIST_SAVE) {
		return save_set(o, m, XDPFWD_SET_MANUAL, &sets[XDPFWD_SET_MANUAL]);
	}
	err = list_read(m, mask, &items, &n);
	if (err)
		return cli_failed(err, "reading the list");
	print_items(items, n, sets, o->json);
	free(items);
	return 0;
}

/* Where the file of a load came from, for `xdpfwd sets`: its absolute path, or "stdin". */
static void source_of(const char *file, char *buf, size_t len)
{
	char *abs;

	if (!strcmp(file, "-")) {
		snprintf(buf, len, "stdin");
		return;
	}
	abs = realpath(file, NULL);
	snprintf(buf, len, "%s", abs ? abs : file);
	free(abs);
}

/*
 * del or flush of a set that does not exist: nothing to delete, as for an
 * entry that is not there (a notice, exit 0), and no set is made for it. Ban
 * tools unban after the set went (`sets del`, an instance made anew). A
 * --persist file the set left behind (`sets del` without --state-dir) still
 * loses the entries, so they do not come back with it; none is created.
 */
static int absent_set(const struct list_opts *o, const char *what)
{
	char path[PATH_MAX];

	if (o->op == LIST_DEL)
		pr_info("%s: removed 0, %zu not present (the set does not exist)\n", what, o->prefixes.n);
	else
		pr_info("%s: removed all 0 entries (the set does not exist)\n", what);
	if (!o->persist || o->op != LIST_DEL ||
	    list_state_path(path, sizeof(path), o->state_dir, o->kind, o->set) || access(path, F_OK))
		return 0;
	return cli_error(list_state_update(o->state_dir, o->kind, o->set, &o->prefixes, 0, 1));
}

/*
 * A blocklist add or load grows the block maps first if it would fill them
 * past the threshold (capacity_grow_for, under the lock this command holds).
 * m then names the new maps (fds[] holds them).
 */
static void grow_first(const struct list_opts *o, struct list_maps *m, int fds[CAP_MAPS])
{
	int *const slot[CAP_MAPS] = { &m->v4_addr, &m->v6_addr, &m->v4_net, &m->v6_net };
	struct capacity_resize_report r;
	size_t add[CAP_MAPS] = {};
	char path[PATH_MAX];
	int i, err;

	if (o->op != LIST_ADD && o->op != LIST_LOAD)
		return;
	capacity_count(&o->prefixes, add);
	err = capacity_grow_for(o->pin_dir, m, add, true, &r);
	if (err <= 0) {
		if (err)
			cli_error(err);	/* the edit goes on, and says "full" if it does not fit */
		return;
	}
	for (i = 0; i < CAP_MAPS; i++) {
		if (r.from[i] == r.to[i])
			continue;
		pr_info("blocklist: grew %s from %u to %u entries first (%zu kept, %.1f ms)\n", capacity_map_name(i),
			r.from[i], r.to[i], r.entries[i], r.ms);
		if (pin_path(path, sizeof(path), o->pin_dir, capacity_map_name(i)))
			continue;
		fds[i] = bpf_obj_get(path);
		if (fds[i] >= 0)
			*slot[i] = fds[i];
	}
}

static int edit_lists(const struct list_opts *o, const struct list_maps *m, int id, int created,
		      const struct xdpfwd_set *sets, const char *what);

/* The edits, pin dir lock held. A set the command created goes again when its edit failed. */
static int edit(const struct list_opts *o, const struct list_maps *cm)
{
	struct list_maps maps = *cm, *m = &maps;
	int fds[CAP_MAPS] = { -1, -1, -1, -1 }, i;
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	char what[80];
	int id = -1, err, created = 0;

	label(o, what, sizeof(what));
	lib_error_clear();
	/* One read of the records answers which id, whether it exists and its default timeout. */
	err = sets_read_all(m->sets, o->kind, sets);
	if (err)
		return cli_failed(err, "reading the sets");
	for (id = 0; id < XDPFWD_MAX_SETS; id++)
		if (sets[id].name[0] && !strcmp(sets[id].name, o->set))
			break;
	if (id == XDPFWD_MAX_SETS)
		id = -ENOENT;
	if (o->all_sets) {
		id = -1;
	} else if (id < 0 && (o->op == LIST_ADD || o->op == LIST_LOAD)) {
		created = 1;
		err = sets_ensure(m->sets, m->meta, o->kind, o->set, &id);
		if (err)
			return cli_failed(err, "creating the set");
		sets[id].timeout_s = 0;
	} else if (id < 0 && (o->op == LIST_DEL || o->op == LIST_FLUSH) && strcmp(o->set, SET_MANUAL_NAME)) {
		return absent_set(o, what);
	} else if (id < 0) {
		id = find_set(o, m);
		if (id < 0)
			return id;
	}
	grow_first(o, m, fds);
	err = edit_lists(o, m, id, created, sets, what);
	for (i = 0; i < CAP_MAPS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}

static int edit_lists(const struct list_opts *o, const struct list_maps *m, int id, int created,
		      const struct xdpfwd_set *sets, const char *what)
{
	__u64 timeout_s = o->timeout_s, expires_at = 0;
	char src[PATH_MAX];
	size_t n, missing;
	int err;

	switch (o->op) {
	case LIST_ADD: {
		if (!o->timeout_given)
			timeout_s = sets[id].timeout_s;
		err = list_add(m, id, &o->prefixes,
			       timeout_s ? list_boottime_ns() + timeout_s * 1000000000ULL : 0, &n);
		if (!err)
			pr_info("%s: added %zu, %zu already present%s\n", what, n, o->prefixes.n - n,
				!timeout_s ? "" : o->timeout_given ? " (expiry set on all)" :
				" (expiry set on all: the set's default timeout)");
		break;
	}
	case LIST_LOAD:
		err = list_replace(m, id, &o->prefixes);
		if (!err) {
			source_of(o->file, src, sizeof(src));
			err = sets_set_source(m->sets, o->kind, id, src);
		}
		if (!err)
			pr_info("%s: replaced with the %zu entries of %s\n", what, o->prefixes.n, o->file);
		break;
	case LIST_DEL:
		err = list_del(m, id, &o->prefixes, &n, &missing);
		if (!err)
			pr_info("%s: removed %zu, %zu not present\n", what, n, missing);
		break;
	default:
		err = list_flush(m, o->all_sets ? ~0U : 1U << id, &n);
		if (!err && o->all_sets)
			pr_info("%slist: removed all %zu entries of every set\n", list_kind_name(o->kind), n);
		else if (!err)
			pr_info("%s: removed all %zu entries\n", what, n);
		break;
	}
	if (err) {
		cli_failed(err, what);
		/* Bad luck never leaves a set behind that the failed command made. */
		if (created && id != XDPFWD_SET_MANUAL && sets_remove(m, id))
			pr_warn("%s\n", lib_error());
		return err;
	}
	/* Under the same lock, so concurrent --persist edits cannot lose each other's lines. */
	if (o->persist) {
		if (timeout_s)
			expires_at = (__u64)time(NULL) + timeout_s;
		err = cli_error(list_state_update(o->state_dir, o->kind, o->set, &o->prefixes, expires_at,
						  o->op == LIST_DEL));
	}
	return err;
}

static int run(const struct list_opts *o, const struct list_maps *m)
{
	int lock, err;

	if (m->sets < 0) {
		pr_warn("this instance has no sets map (pins of an older build); restart its daemon with this "
			"build first\n");
		return -EOPNOTSUPP;
	}
	if (o->op == LIST_SHOW || o->op == LIST_SAVE)
		return show(o, m);
	/* A state dir that --persist would refuse is refused before the lists change. */
	if (o->persist) {
		err = cli_error(list_state_dir_check(o->state_dir));
		if (err)
			return err;
	}
	lock = pin_dir_lock(o->pin_dir);
	if (lock < 0)
		return lock;
	err = edit(o, m);
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
