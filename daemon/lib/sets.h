/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named sets of each list kind: the "sets" map (struct xdpfwd_set, key
 * kind * XDPFWD_MAX_SETS + id) and the set masks of the meta map
 * (drop_sets, scoped_sets, audit_sets) that say what a match of each block
 * set does. The entries themselves are lists.h's; this file only names,
 * numbers and configures the sets.
 *
 * Writers hold the pin dir lock. The meta map is changed read-modify-write,
 * and only its three masks: set_gen and replacing belong to lists.c.
 * Like the rest of the library this never prints: a failure returns -errno
 * with one line in lib_error().
 */
#ifndef XDPFWD_SETS_H
#define XDPFWD_SETS_H

#include <stdbool.h>
#include <stddef.h>

#include "lists.h"
#include "set_names.h"
#include "xdpfwd.h"

/* "manual": the set of plain `block add`, of bpftool entries and of entries migrated from layout 2. */
#define SET_MANUAL_NAME "manual"

/* Longest text set_scope_format writes, NUL included: "tcp,udp:" and 8 ports of 5 digits with commas. */
#define SET_SCOPE_STRLEN 64

struct set_options {			/* what `sets add` and a sets.d file's directive can say */
	enum xdpfwd_set_mode mode;
	__u8 scope_protos, nports;
	__be16 ports[XDPFWD_SCOPE_PORTS];
	__u32 timeout_s;
};

/* set_name_valid(): set_names.h ([a-z0-9_-]{1,32}). */
/* "tcp:22,443", "udp:53", "tcp,udp:53", "tcp" (every port); -EINVAL + lib_error. Sets only the scope fields. */
int set_scope_parse(const char *text, struct set_options *o);
void set_scope_format(const struct xdpfwd_set *s, char *buf, size_t len);	/* "tcp:22,443" or "" */
/* "enforce" or "audit". */
const char *set_mode_name(enum xdpfwd_set_mode mode);
/* "enforce" or "audit" to the mode; -EINVAL + lib_error. */
int set_mode_parse(const char *text, enum xdpfwd_set_mode *mode);

/* Read-only lookups (any caller). id >= 0, or -ENOENT. */
int sets_find(int sets_fd, enum list_kind kind, const char *name);
/* Every id's record; a free id has name "". */
int sets_read_all(int sets_fd, enum list_kind kind, struct xdpfwd_set out[XDPFWD_MAX_SETS]);
/* The names of the sets in mask joined with ',' ("manual,fail2ban"), for list output. */
void sets_mask_format(const struct xdpfwd_set sets[XDPFWD_MAX_SETS], __u32 mask, char *buf, size_t len);

/* Writers (pin dir lock held). */
int sets_init(int sets_fd, int meta_fd);	/* a new instance: "manual" of both kinds, manual in drop_sets */
/* find, or create with defaults (enforce, no scope, no timeout) */
int sets_ensure(int sets_fd, int meta_fd, enum list_kind kind, const char *name, int *id);
/*
 * create or change options (of set NAME of m's kind); updates meta's
 * drop/scoped/audit masks, and on a change of mode moves the count_set of
 * the set's members that the new mode puts elsewhere (list_resettle)
 */
int sets_define(const struct list_maps *m, const char *name, const struct set_options *o, int *id);
int sets_set_source(int sets_fd, enum list_kind kind, int id, const char *file);
int sets_remove(const struct list_maps *m, int id);	/* flushes the set, frees the id; manual: -EPERM */

#endif /* XDPFWD_SETS_H */
