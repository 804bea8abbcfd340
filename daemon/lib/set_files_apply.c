// SPDX-License-Identifier: GPL-2.0
/* set_files_apply: a read's files into their sets (set_files.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "xdpfwd.skel.h"
#include "instance.h"
#include "list_state.h"
#include "set_files.h"

static void describe_options(const struct set_directives *d, char *buf, size_t len)
{
	struct xdpfwd_set s = { .scope_protos = d->opts.scope_protos, .nports = d->opts.nports };
	char scope[96] = "";

	memcpy(s.ports, d->opts.ports, sizeof(s.ports));
	if (d->opts.scope_protos)
		set_scope_format(&s, scope, sizeof(scope));
	snprintf(buf, len, "%s%s%s", d->opts.mode == XDPFWD_SET_AUDIT ? ", audit mode" : "",
		 scope[0] ? ", scope " : "", scope);
}

/* One good file into its set: options, entries (one atomic replace), source. */
static int apply_one(struct xdpfwd_bpf *skel, const struct set_files_config *c, const struct set_file *f)
{
	char opts[128];
	struct list_maps m;
	int id, err;

	list_maps_get(skel, f->d.kind, &m);
	lib_error_clear();
	err = sets_define(&m, f->name, &f->d.opts, &id);
	if (!err)
		err = list_replace(&m, id, &f->entries);
	if (!err)
		err = sets_set_source(m.sets, f->d.kind, id, f->path);
	if (err) {
		lib_report(c->report, LIB_REPORT_WARN,
			   "%s: loading %s set %s failed: %s; fix the cause and reload (its running entries may be the old ones)",
			   f->path, list_kind_name(f->d.kind), f->name, lib_error()[0] ? lib_error() : strerror(-err));
		lib_error_clear();
		return err;
	}
	describe_options(&f->d, opts, sizeof(opts));
	lib_report(c->report, LIB_REPORT_INFO, "%s set %s: %zu entries from %s%s", list_kind_name(f->d.kind), f->name,
		   f->entries.n, f->path, opts);
	return 0;
}

/* A set of the sets dir: its source is DIR/NAME.list of its own name. */
static bool owned_by_dir(const char *dir, const struct xdpfwd_set *s)
{
	size_t dl = strlen(dir);

	return s->name[0] && !strncmp(s->source, dir, dl) && s->source[dl] == '/' &&
	       !strncmp(s->source + dl + 1, s->name, strlen(s->name)) &&
	       !strcmp(s->source + dl + 1 + strlen(s->name), SETS_DIR_SUFFIX);
}

/* The sets dir's sets whose file is gone: flushed and their ids freed. */
static int remove_orphans(struct xdpfwd_bpf *skel, const struct set_files_config *c, const struct set_files *sf)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	struct list_maps m;
	int kind, id, err, first = 0;

	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++) {
		list_maps_get(skel, kind, &m);
		err = sets_read_all(m.sets, kind, sets);
		if (err) {
			lib_report(c->report, LIB_REPORT_WARN, "reading the %s sets failed: %s", list_kind_name(kind),
				   strerror(-err));
			first = first ?: err;
			continue;
		}
		for (id = 0; id < XDPFWD_MAX_SETS; id++) {
			if (id == XDPFWD_SET_MANUAL || !owned_by_dir(sf->dir, &sets[id]) ||
			    set_files_fills(sf, kind, sets[id].name))
				continue;
			lib_error_clear();
			err = sets_remove(&m, id);
			if (err) {
				lib_report(c->report, LIB_REPORT_WARN, "%s set %s: removing it (its file %s is gone) failed: %s",
					   list_kind_name(kind), sets[id].name, sets[id].source,
					   lib_error()[0] ? lib_error() : strerror(-err));
				lib_error_clear();
				first = first ?: err;
				continue;
			}
			lib_report(c->report, LIB_REPORT_INFO, "%s set %s: its file %s is gone: flushed and removed",
				   list_kind_name(kind), sets[id].name, sets[id].source);
			/* Not counted: the set is gone whatever becomes of its state file. */
			if (list_state_put_aside(c->state_dir, kind, sets[id].name))
				lib_report(c->report, LIB_REPORT_WARN, "%s", lib_error());
			lib_error_clear();
		}
	}
	return first;
}

/*
 * After a reboot (fresh maps): the persisted entries of the sets no file
 * fills, each added back to its set. Never on a restart, where the maps kept
 * what the CLI made of them (an entry deleted since stays deleted).
 */
static int restore_persisted(struct xdpfwd_bpf *skel, const struct set_files_config *c, const struct set_files *sf)
{
	const struct set_file *f;
	struct list_maps m;
	size_t i, added;
	int r, id, first = 0;

	for (i = 0; i < sf->n_persisted; i++) {
		f = &sf->persisted[i];
		if (!f->entries.n)
			continue;
		list_maps_get(skel, f->d.kind, &m);
		lib_error_clear();
		r = sets_ensure(m.sets, m.meta, f->d.kind, f->name, &id);
		if (!r)
			r = list_add(&m, id, &f->entries, 0, &added);
		if (r) {
			lib_report(c->report, LIB_REPORT_WARN, "%s set %s: restoring its persisted entries from %s failed: %s",
				   list_kind_name(f->d.kind), f->name, f->path, lib_error()[0] ? lib_error() : strerror(-r));
			lib_error_clear();
			first = first ?: r;
			continue;
		}
		lib_report(c->report, LIB_REPORT_INFO, "%s set %s: restored %zu persisted entries from %s",
			   list_kind_name(f->d.kind), f->name, added, c->state_dir);
	}
	return first;
}

int set_files_apply(struct xdpfwd_bpf *skel, const struct set_files_config *c, struct set_files *sf,
		    int fresh_maps)
{
	int err, first = 0;
	size_t i;

	for (i = 0; i < sf->n; i++) {
		if (sf->v[i].err || sf->v[i].unchanged)
			continue;
		err = apply_one(skel, c, &sf->v[i]);
		/* Not what runs: the next watcher round tries it again, changed or not. */
		if (err)
			sf->v[i].hash = 0;
		first = first ?: err;
	}
	if (sf->dir) {
		err = remove_orphans(skel, c, sf);
		first = first ?: err;
	}
	if (fresh_maps) {
		err = restore_persisted(skel, c, sf);
		first = first ?: err;
	}
	return first;
}
