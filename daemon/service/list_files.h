/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sets as files: the files the daemon owns (every NAME.list of
 * --sets-dir, and --blocklist-file / --allowlist-file as set "file") and the
 * entries added at run time with --persist, kept per set in the state dir so
 * they survive a reboot. Same format for both: one address or prefix per
 * line, # comments, optional timeout=DURATION (config) or until=UNIX-SECONDS
 * (written by us); a sets.d file may also be a feed (format=).
 *
 * A file's set is exactly the file plus the set's persisted entries, applied
 * as one atomic replace of that set alone (list_replace) at start, on SIGHUP
 * and, for the sets dir, when its files change (sets_watch.h, which applies
 * only the files whose bytes changed). Each file stands alone: one that fails to read or parse is reported
 * with FILE:LINE and its set keeps its running entries, the others apply.
 * Sets no file names (manual, fail2ban, crowdsec, any runtime set) are never
 * touched by a reload. The daemon marks the sets it owns by their source
 * (struct xdpfwd_set): a set whose source is SETS_DIR/NAME.list of its own
 * name is the sets dir's, and when that file is gone the set is flushed and
 * its id freed at the next start or SIGHUP.
 */
#ifndef XDPFWD_LIST_FILES_H
#define XDPFWD_LIST_FILES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "daemon.h"
#include "list_parse.h"
#include "sets.h"
#include "capacity.h"

#define XDPFWD_DEFAULT_STATE_DIR "/var/lib/xdpfwd"
#define XDPFWD_DEFAULT_SETS_DIR "/etc/xdpfwd/sets.d"

/* The set --blocklist-file (block) and --allowlist-file (allow) fill. */
#define LIST_FILE_SET "file"
/* A sets dir file: NAME.list. */
#define SETS_DIR_SUFFIX ".list"

/*
 * The state file of a set: DIR/blocklist, DIR/allowlist for set manual (the
 * file of the builds before sets, so an upgrade keeps its entries in manual),
 * DIR/blocklist.NAME, DIR/allowlist.NAME for the others.
 */
int list_state_path(char *buf, size_t len, const char *state_dir, enum list_kind kind, const char *set);

/*
 * Refuses (saying why and what to do) a state dir that is a symlink, not
 * root's, or writable by group or others. A missing one is fine.
 */
int list_state_dir_check(const char *state_dir);

/*
 * Adds prefixes to (or with remove, takes them out of) the persisted entries
 * of set `set` (NULL: manual), rewriting its file atomically (temp file,
 * fsync, rename). expires_at is a CLOCK_REALTIME deadline for added entries,
 * 0 for none.
 */
int list_state_update(const char *state_dir, enum list_kind kind, const char *set,
		      const struct xdpfwd_prefix_set *prefixes, __u64 expires_at, int remove);

/*
 * A removed set's persisted entries are put aside (renamed to a hidden
 * .NAME.removed, which no start reads), or the first start after a reboot
 * would make the set again from them alone. Says what it did; a missing
 * state dir or file is nothing to do. Used by the daemon (a sets dir file
 * gone) and by `xdpfwd sets del`.
 */
void list_state_put_aside(const char *state_dir, enum list_kind kind, const char *set);

/*
 * What a file says of its set and how to read it:
 * # xdpfwd-set: kind= mode= scope= timeout= format= min-score= skip-invalid=
 */
struct set_directives {
	enum list_kind kind;
	struct set_options opts;
	enum xdpfwd_list_format format;	/* plain unless format= says otherwise */
	unsigned int min_score;		/* ipsum */
	bool skip_invalid;		/* a feed's junk lines skipped (and reported), not fatal */
	bool has_kind;
};

/* One file the daemon owns and the set it fills. */
struct set_file {
	char path[PATH_MAX];
	char name[XDPFWD_SET_NAME_MAX + 1];
	struct set_directives d;
	struct xdpfwd_prefix_set entries;	/* the file's and the set's persisted ones */
	int err;				/* 0, or why it was not read: the running set stays */
	bool in_dir;				/* a NAME.list of --sets-dir (else a --*list-file) */
	__u64 hash;				/* of the bytes read; 0: none read, or not applied */
	bool unchanged;				/* same bytes as at the last read: not parsed, not applied */
};

struct set_files {
	struct set_file *v;
	size_t n;
	/*
	 * The sets dir whose listing is complete: owned sets without a file in it
	 * go. NULL when there is none or it could not be listed (then none go).
	 */
	const char *dir;
	/* At start: the persisted entries of the sets no file fills (path: their state file). */
	struct set_file *persisted;
	size_t n_persisted;
};

/*
 * Reads every file the daemon owns into sf, each on its own: a bad one is
 * reported (FILE:LINE, one line) and marked, the others are read. Returns
 * the error of a bad --blocklist-file or --allowlist-file (a start refuses
 * it, as before sets: at_start words the message for that), 0 otherwise;
 * -ENOMEM always. At start also the state dir's check and the persisted
 * entries of every other set, whose errors refuse the start too. A bad sets dir file never refuses a start: one stale feed
 * must not leave the host without its firewall.
 */
int set_files_read(const struct daemon_opts *o, struct set_files *sf, bool at_start);

/*
 * The sets dir watcher's read (service/sets_watch.c): the sets dir as
 * set_files_read reads it, except that a file whose bytes are those of its
 * last read in known is marked unchanged (not parsed again, and a bad one
 * not reported again), and the --blocklist-file and --allowlist-file are
 * taken from known as they were (they are not the dir's). *changed: how many
 * files are new, changed or gone since known. -ENOENT when the sets dir does
 * not exist (then nothing is read: its sets keep running), -ENOMEM.
 */
int set_files_read_changed(const struct daemon_opts *o, struct set_files *sf, const struct set_files *known,
			   size_t *changed);

struct xdpfwd_bpf;

/*
 * Pin dir lock held. Each good file: its set defined with the file's options
 * (sets_define), replaced by its entries (list_replace) and marked as the
 * file's (sets_set_source); a failure is reported and the next file goes on.
 * Then the sets dir's sets whose file is gone are removed (sets_remove), and
 * on fresh maps (a reboot) the persisted entries of sets without a file are
 * added back. Files marked unchanged are skipped; a file whose apply failed
 * gets hash 0, so the watcher tries it again. Returns the first error, after
 * doing what it could.
 */
int set_files_apply(struct xdpfwd_bpf *skel, const struct daemon_opts *o, struct set_files *sf, int fresh_maps);

/*
 * The entries set_files_apply would write into each of the blocklist's maps
 * (add[CAP_*], capacity_count; fresh_maps: the persisted too): what the maps
 * must take first (grow.h).
 */
void set_files_count(const struct set_files *sf, bool fresh_maps, size_t add[CAP_MAPS]);

/* What a watcher keeps of a read once applied: names, hashes, kinds, errors; the entries are freed. */
void set_files_drop_entries(struct set_files *sf);

void set_files_free(struct set_files *sf);

#endif
