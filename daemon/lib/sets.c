// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib_error.h"
#include "sets.h"
#include "stats.h"

static const char *const kind_word[XDPFWD_KINDS] = { "block", "allow" };

static __u32 set_key(enum list_kind kind, int id)
{
	return (__u32)kind * XDPFWD_MAX_SETS + (__u32)id;
}

static int set_read(int sets_fd, enum list_kind kind, int id, struct xdpfwd_set *s)
{
	__u32 key = set_key(kind, id);

	if (bpf_map_lookup_elem(sets_fd, &key, s))
		return lib_error_set(-errno, "reading the %s sets (id %d) failed: %s", kind_word[kind], id,
				     strerror(errno));
	return 0;
}

static int set_write(int sets_fd, enum list_kind kind, int id, const struct xdpfwd_set *s)
{
	__u32 key = set_key(kind, id);

	if (bpf_map_update_elem(sets_fd, &key, s, BPF_ANY))
		return lib_error_set(-errno, "writing %s set %s (id %d) failed: %s", kind_word[kind],
				     s->name[0] ? s->name : "(free)", id, strerror(errno));
	return 0;
}

const char *set_mode_name(enum xdpfwd_set_mode mode)
{
	return mode == XDPFWD_SET_AUDIT ? "audit" : "enforce";
}

int set_mode_parse(const char *text, enum xdpfwd_set_mode *mode)
{
	if (!strcmp(text, "enforce"))
		*mode = XDPFWD_SET_ENFORCE;
	else if (!strcmp(text, "audit"))
		*mode = XDPFWD_SET_AUDIT;
	else
		return lib_error_set(-EINVAL, "mode '%.32s' is not known: use enforce or audit", text);
	return 0;
}

int set_scope_parse(const char *text, struct set_options *o)
{
	char err[256];

	if (set_scope_text_parse(text, &o->scope_protos, &o->nports, o->ports, err, sizeof(err)))
		return lib_error_set(-EINVAL, "%s", err);
	return 0;
}

void set_scope_format(const struct xdpfwd_set *s, char *buf, size_t len)
{
	set_scope_text_format(s->scope_protos, s->nports, s->ports, buf, len);
}

int sets_read_all(int sets_fd, enum list_kind kind, struct xdpfwd_set out[XDPFWD_MAX_SETS])
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	/* Zeroed: valgrind 3.19 does not know that the batch lookup fills them (tests/reliability/sanitizers.bats). */
	struct xdpfwd_set got[XDPFWD_MAX_SETS] = {};
	__u32 keys[XDPFWD_MAX_SETS] = {}, start = set_key(kind, 0), prev = start - 1, next, count = XDPFWD_MAX_SETS;
	__u32 filled = 0, i;
	int id, err;

	/*
	 * One batch call for the kind's 32 records: every list command reads
	 * them, and a command should cost the same few calls whatever the list
	 * holds. The batch token is the key before the first one returned
	 * (none: from key 0). Records it did not return (an older kernel
	 * without batch ops for arrays) are looked up one by one.
	 */
	if (bpf_map_lookup_batch(sets_fd, start ? &prev : NULL, &next, keys, got, &count, &opts) && errno != ENOENT)
		count = 0;
	for (i = 0; i < count && i < XDPFWD_MAX_SETS; i++) {
		if (keys[i] < start || keys[i] >= start + XDPFWD_MAX_SETS)
			continue;
		out[keys[i] - start] = got[i];
		filled |= 1U << (keys[i] - start);
	}
	for (id = 0; id < XDPFWD_MAX_SETS; id++) {
		if (!(filled & (1U << id))) {
			err = set_read(sets_fd, kind, id, &out[id]);
			if (err)
				return err;
		}
		/* A record is ours only NUL-terminated; a bpftool-written one without is cut, not overrun. */
		out[id].name[sizeof(out[id].name) - 1] = '\0';
		out[id].source[sizeof(out[id].source) - 1] = '\0';
	}
	return 0;
}

static int find_in(const struct xdpfwd_set sets[XDPFWD_MAX_SETS], const char *name)
{
	int id;

	for (id = 0; id < XDPFWD_MAX_SETS; id++)
		if (sets[id].name[0] && !strcmp(sets[id].name, name))
			return id;
	return -ENOENT;
}

int sets_find(int sets_fd, enum list_kind kind, const char *name)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	int err = sets_read_all(sets_fd, kind, sets);

	return err ? err : find_in(sets, name);
}

void sets_mask_format(const struct xdpfwd_set sets[XDPFWD_MAX_SETS], __u32 mask, char *buf, size_t len)
{
	size_t off = 0;
	int id, n;

	if (!len)
		return;
	buf[0] = '\0';
	for (id = 0; id < XDPFWD_MAX_SETS && off < len; id++) {
		if (!(mask & (1U << id)))
			continue;
		/* A member bit without a name (written behind our back) still shows, by its id. */
		if (sets[id].name[0])
			n = snprintf(buf + off, len - off, "%s%s", off ? "," : "", sets[id].name);
		else
			n = snprintf(buf + off, len - off, "%s#%d", off ? "," : "", id);
		if (n < 0)
			break;
		off += n;
	}
}

/*
 * Meta's three masks from the block sets' records: each defined set in
 * exactly one of them, by its mode and scope. Read-modify-write of the whole
 * value (the program reads it in one piece), with set_gen and replacing as
 * lists.c left them: only writers under the pin dir lock get here.
 */
static int meta_sync(int sets_fd, int meta_fd)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	struct xdpfwd_meta meta;
	__u32 key = 0, drop = 0, scoped = 0, audit = 0;
	int id, err;

	err = sets_read_all(sets_fd, LIST_BLOCK, sets);
	if (err)
		return err;
	for (id = 0; id < XDPFWD_MAX_SETS; id++) {
		if (!sets[id].name[0])
			continue;
		if (sets[id].mode == XDPFWD_SET_AUDIT)
			audit |= 1U << id;
		else if (sets[id].scope_protos)
			scoped |= 1U << id;
		else
			drop |= 1U << id;
	}
	if (bpf_map_lookup_elem(meta_fd, &key, &meta))
		return lib_error_set(-errno, "reading the meta map failed: %s", strerror(errno));
	if (meta.drop_sets == drop && meta.scoped_sets == scoped && meta.audit_sets == audit)
		return 0;
	meta.drop_sets = drop;
	meta.scoped_sets = scoped;
	meta.audit_sets = audit;
	if (bpf_map_update_elem(meta_fd, &key, &meta, BPF_ANY))
		return lib_error_set(-errno, "writing the set modes into the meta map failed: %s", strerror(errno));
	return 0;
}

int sets_init(int sets_fd, int meta_fd)
{
	struct xdpfwd_set s;
	int kind, err;

	for (kind = 0; kind < XDPFWD_KINDS; kind++) {
		err = set_read(sets_fd, kind, XDPFWD_SET_MANUAL, &s);
		if (err)
			return err;
		if (s.name[0])
			continue;
		memset(&s, 0, sizeof(s));
		snprintf(s.name, sizeof(s.name), "%s", SET_MANUAL_NAME);
		err = set_write(sets_fd, kind, XDPFWD_SET_MANUAL, &s);
		if (err)
			return err;
	}
	return meta_sync(sets_fd, meta_fd);
}

/* What a set of this kind may be; allow sets are always enforced, never scoped (see struct xdpfwd_meta). */
static int options_check(enum list_kind kind, const char *name, const struct set_options *o)
{
	if (kind != LIST_ALLOW)
		return 0;
	if (o->mode != XDPFWD_SET_ENFORCE)
		return lib_error_set(-EINVAL, "allow set %s: an allow set cannot be in audit mode "
				     "(only block sets can); leave out --mode", name);
	if (o->scope_protos)
		return lib_error_set(-EINVAL, "allow set %s: an allow set cannot have a scope "
				     "(only block sets can); leave out --scope", name);
	return 0;
}

/* Creates name (which is not there) with options o at the lowest free id. */
static int set_create(int sets_fd, enum list_kind kind, const struct xdpfwd_set sets[XDPFWD_MAX_SETS],
		      const char *name, const struct set_options *o, int *id)
{
	struct xdpfwd_set s;
	int i;

	/* Id 0 is manual's alone, so an entry written with bpftool (all zero) never lands in another set. */
	if (!strcmp(name, SET_MANUAL_NAME))
		i = XDPFWD_SET_MANUAL;
	else
		for (i = 1; i < XDPFWD_MAX_SETS && sets[i].name[0]; i++)
			;
	if (i == XDPFWD_MAX_SETS)
		return lib_error_set(-ENOSPC, "creating %s set %s failed: all %d %s sets are in use; "
				     "delete one with `xdpfwd sets del %s NAME`", kind_word[kind], name,
				     XDPFWD_MAX_SETS, kind_word[kind], kind_word[kind]);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.mode = o->mode;
	s.timeout_s = o->timeout_s;
	s.scope_protos = o->scope_protos;
	s.nports = o->nports;
	memcpy(s.ports, o->ports, sizeof(s.ports));
	*id = i;
	return set_write(sets_fd, kind, i, &s);
}

static int name_check(enum list_kind kind, const char *name)
{
	char err[200];

	if (set_name_check(name, err, sizeof(err)))
		return lib_error_set(-EINVAL, "%s %s", kind_word[kind], err);
	return 0;
}

int sets_ensure(int sets_fd, int meta_fd, enum list_kind kind, const char *name, int *id)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS];
	struct set_options defaults = {};
	int err;

	err = name_check(kind, name);
	if (!err)
		err = sets_read_all(sets_fd, kind, sets);
	if (err)
		return err;
	*id = find_in(sets, name);
	if (*id >= 0)
		return 0;
	err = set_create(sets_fd, kind, sets, name, &defaults, id);
	return err ? err : meta_sync(sets_fd, meta_fd);
}

int sets_define(const struct list_maps *m, const char *name, const struct set_options *o, int *id)
{
	struct xdpfwd_set sets[XDPFWD_MAX_SETS], s;
	enum list_kind kind = m->kind;
	int sets_fd = m->sets, err, moved_mode = 0;
	size_t moved;

	err = name_check(kind, name);
	if (!err)
		err = options_check(kind, name, o);
	if (!err)
		err = sets_read_all(sets_fd, kind, sets);
	if (err)
		return err;
	*id = find_in(sets, name);
	if (*id < 0) {
		err = set_create(sets_fd, kind, sets, name, o, id);
	} else {
		moved_mode = sets[*id].mode != o->mode;
		/* Entries, counters, source and last update stay: only the options change. */
		s = sets[*id];
		s.mode = o->mode;
		s.timeout_s = o->timeout_s;
		s.scope_protos = o->scope_protos;
		s.nports = o->nports;
		memset(s.ports, 0, sizeof(s.ports));
		memcpy(s.ports, o->ports, o->nports * sizeof(s.ports[0]));
		err = set_write(sets_fd, kind, *id, &s);
	}
	if (!err)
		err = meta_sync(sets_fd, m->meta);
	/* Its members' hits now count where the rule puts them with the new mode (entry_count_set). */
	if (!err && moved_mode)
		err = list_resettle(m, 1U << *id, &moved);
	return err;
}

int sets_set_source(int sets_fd, enum list_kind kind, int id, const char *file)
{
	struct xdpfwd_set s;
	int err;

	if (id < 0 || id >= XDPFWD_MAX_SETS)
		return lib_error_set(-EINVAL, "set id %d is out of range", id);
	err = set_read(sets_fd, kind, id, &s);
	if (err)
		return err;
	/* A path longer than the record keeps its end, the part that tells files apart. */
	if (file && strlen(file) >= sizeof(s.source))
		file += strlen(file) - (sizeof(s.source) - 1);
	snprintf(s.source, sizeof(s.source), "%s", file ? file : "");
	return set_write(sets_fd, kind, id, &s);
}

int sets_remove(const struct list_maps *m, int id)
{
	struct xdpfwd_set s;
	size_t removed;
	int err;

	if (id == XDPFWD_SET_MANUAL)
		return lib_error_set(-EPERM, "%s set %s cannot be deleted (it holds plain `%s add` and bpftool "
				     "entries); empty it with `xdpfwd %s flush`", kind_word[m->kind], SET_MANUAL_NAME,
				     kind_word[m->kind], kind_word[m->kind]);
	if (id < 0 || id >= XDPFWD_MAX_SETS)
		return lib_error_set(-EINVAL, "set id %d is out of range", id);
	if (m->sets < 0)
		return lib_error_set(-EOPNOTSUPP, "this instance has no sets map; restart its daemon with this build");
	err = set_read(m->sets, m->kind, id, &s);
	if (err)
		return err;
	/* Entries first: a set whose record goes while members remain would leave nameless bits. */
	err = list_flush(m, 1U << id, &removed);
	if (err)
		return err;
	/* No entry counts under the id now; its counters go before the id can be reused. */
	err = stats_retire_set(m->stats, m->kind, id);
	if (err)
		return lib_error_set(err, "retiring the counters of %s set %s failed: %s; run `xdpfwd sets del` "
				     "again", kind_word[m->kind], s.name, strerror(-err));
	memset(&s, 0, sizeof(s));
	err = set_write(m->sets, m->kind, id, &s);
	return err ? err : meta_sync(m->sets, m->meta);
}
