/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sets as files: the list files an instance's sets are made of (every
 * NAME.list of a sets dir, and a blocklist and an allowlist file as set
 * "file"), each with the set's entries persisted in the state dir
 * (list_state.h). One address or prefix per line, # comments, optional
 * timeout=DURATION; the file's head may say the set's options and format
 * (set_directives.h: a sets dir file may be a feed).
 *
 * A file's set is exactly the file plus the set's persisted entries, applied
 * as one atomic replace of that set alone (list_replace). Each file stands
 * alone: one that fails to read or parse is reported with FILE:LINE and its
 * set keeps its running entries, the others apply. Sets no file names
 * (manual, fail2ban, crowdsec, any runtime set) are never touched. A set
 * whose source (struct xdpfwd_set) is SETS_DIR/NAME.list of its own name is
 * the sets dir's, and when that file is gone the set is flushed and its id
 * freed at the next apply.
 *
 * When files are read and applied is the caller's: the daemon at start, on
 * SIGHUP and as its sets dir changes (service/daemon_files.h), `xdpfwd
 * replay` once on its private maps. Each file's line (bad: a warning; what a
 * set got: news) goes to the caller's report function.
 */
#ifndef XDPFWD_SET_FILES_H
#define XDPFWD_SET_FILES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "lib_error.h"
#include "list_parse.h"
#include "lists.h"
#include "sets.h"
#include "capacity.h"
#include "set_directives.h"

#define XDPFWD_DEFAULT_SETS_DIR "/etc/xdpfwd/sets.d"

/* The set a blocklist file (block) and an allowlist file (allow) fill. */
#define LIST_FILE_SET "file"
/* A sets dir file: NAME.list. */
#define SETS_DIR_SUFFIX ".list"

/* Which files, and where their lines go. */
struct set_files_config {
	const char *list_file[2];	/* --blocklist-file, --allowlist-file (by enum list_kind), NULL: none */
	const char *sets_dir;		/* each NAME.list is set NAME; NULL: none */
	const char *state_dir;		/* the persisted entries (list_state.h) */
	lib_report_fn report;		/* each file's line; NULL: none said */
};

/* One file and the set it fills. */
struct set_file {
	char path[PATH_MAX];
	char name[XDPFWD_SET_NAME_MAX + 1];
	struct set_directives d;
	struct xdpfwd_prefix_set entries;	/* the file's and the set's persisted ones */
	int err;				/* 0, or why it was not read: the running set stays */
	bool in_dir;				/* a NAME.list of the sets dir (else a list file) */
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
 * Reads every file of c into sf, each on its own: a bad one is reported
 * (FILE:LINE, one line) and marked, the others are read. Returns the error
 * of a bad list file (a start refuses it, as before sets: at_start words the
 * report for that), 0 otherwise; -ENOMEM always. At start also the state
 * dir's check and the persisted entries of every other set, whose errors
 * refuse the start too. A bad sets dir file never refuses a start: one stale
 * feed must not leave the host without its firewall.
 */
int set_files_read(const struct set_files_config *c, struct set_files *sf, bool at_start);

/*
 * A watcher's read: the sets dir as set_files_read reads it, except that a
 * file whose bytes are those of its last read in known is marked unchanged
 * (not parsed again, and a bad one not reported again), and the list files
 * are taken from known as they were (they are not the dir's). *changed: how
 * many files are new, changed or gone since known. -ENOENT when the sets dir
 * does not exist (then nothing is read: its sets keep running), -ENOMEM.
 */
int set_files_read_changed(const struct set_files_config *c, struct set_files *sf, const struct set_files *known,
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
int set_files_apply(struct xdpfwd_bpf *skel, const struct set_files_config *c, struct set_files *sf,
		    int fresh_maps);

/*
 * The entries set_files_apply would write into each of the blocklist's maps
 * (add[CAP_*], capacity_count; fresh_maps: the persisted too): what the maps
 * must take first.
 */
void set_files_count(const struct set_files *sf, bool fresh_maps, size_t add[CAP_MAPS]);

/*
 * Does a file of sf fill (kind, name)? One that failed (its kind= unknown)
 * counts for both kinds: its sets are left as they run.
 */
bool set_files_fills(const struct set_files *sf, enum list_kind kind, const char *name);

/* What a watcher keeps of a read once applied: names, hashes, kinds, errors; the entries are freed. */
void set_files_drop_entries(struct set_files *sf);

void set_files_free(struct set_files *sf);

#endif
