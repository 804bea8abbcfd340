/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state dir: the entries added at run time with --persist, kept per set
 * so that they survive a reboot. Written by the CLI (`block add --persist`,
 * `sets del`), read by the daemon at start (set_files.h: a file's set gets
 * its persisted entries too; on fresh maps the other sets get theirs back).
 * One file per set, in a list file's format with until=UNIX-SECONDS for
 * the entries that expire; rewritten whole and atomically, never edited.
 */
#ifndef XDPFWD_LIST_STATE_H
#define XDPFWD_LIST_STATE_H

#include <stddef.h>
#include <linux/types.h>
#include "list_parse.h"
#include "lists.h"

#define XDPFWD_DEFAULT_STATE_DIR "/var/lib/xdpfwd"

/*
 * The state file of a set: DIR/blocklist, DIR/allowlist for set manual (the
 * file of the builds before sets, so an upgrade keeps its entries in manual),
 * DIR/blocklist.NAME, DIR/allowlist.NAME for the others.
 */
int list_state_path(char *buf, size_t len, const char *state_dir, enum list_kind kind, const char *set);

/*
 * Refuses (saying why and what to do, lib_error) a state dir that is a
 * symlink, not root's, or writable by group or others. A missing one is fine.
 */
int list_state_dir_check(const char *state_dir);

/*
 * The persisted entries of set `set` (NULL: manual), added to out. A missing
 * state dir or file is an empty one. A failure is worded into err (with the
 * file's name, FILE:LINE for a bad line) for the caller to report.
 */
int list_state_read(const char *state_dir, enum list_kind kind, const char *set, struct xdpfwd_prefix_set *out,
		    char *err, size_t errlen);

/*
 * Adds prefixes to (or with remove, takes them out of) the persisted entries
 * of set `set` (NULL: manual), rewriting its file atomically (temp file,
 * fsync, rename). expires_at is a CLOCK_REALTIME deadline for added entries,
 * 0 for none. A failure is said in lib_error.
 */
int list_state_update(const char *state_dir, enum list_kind kind, const char *set,
		      const struct xdpfwd_prefix_set *prefixes, __u64 expires_at, int remove);

/*
 * A removed set's persisted entries are put aside (renamed to a hidden
 * .NAME.removed, which no start reads), or the first start after a reboot
 * would make the set again from them alone. What it did is a notice, a
 * failure is said in lib_error (nothing else depends on it: the caller goes
 * on); a missing state dir or file is nothing to do. Used by the daemon (a
 * sets dir file gone) and by `xdpfwd sets del`.
 */
int list_state_put_aside(const char *state_dir, enum list_kind kind, const char *set);

#endif
