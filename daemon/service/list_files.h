/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lists as files: the operator's configured files (--blocklist-file,
 * --allowlist-file, typically /etc/xdpfwd/blocklist) and the entries added
 * at run time with --persist, kept in the state dir so they survive a reboot.
 * Same format for both: one address or prefix per line, # comments,
 * optional timeout=DURATION (config) or until=UNIX-SECONDS (written by us).
 */
#ifndef XDPFWD_LIST_FILES_H
#define XDPFWD_LIST_FILES_H

#include <stddef.h>
#include "daemon.h"
#include "list_parse.h"

#define XDPFWD_DEFAULT_STATE_DIR "/var/lib/xdpfwd"

/* DIR/blocklist or DIR/allowlist. */
int list_state_path(char *buf, size_t len, const char *state_dir, enum list_kind kind);

/*
 * Refuses (saying why and what to do) a state dir that is a symlink, not
 * root's, or writable by group or others. A missing one is fine.
 */
int list_state_dir_check(const char *state_dir);

/*
 * Adds set to (or with remove, takes it out of) the persisted entries,
 * rewriting the file atomically (temp file, fsync, rename). expires_at is a
 * CLOCK_REALTIME deadline for added entries, 0 for none.
 */
int list_state_update(const char *state_dir, enum list_kind kind, const struct xdpfwd_prefix_set *set,
		      __u64 expires_at, int remove);

/*
 * The configured file (if any) and the persisted entries, merged into out.
 * A missing state file is an empty one; a missing config file is an error,
 * and so is a /0 line whose comment does not say "--force" (as the CLI wants
 * --force for one), and a state dir list_state_dir_check refuses.
 */
int list_files_read(const char *config_file, const char *state_dir, enum list_kind kind,
		    struct xdpfwd_prefix_set *out, char *err, size_t errlen);

struct xdpfwd_bpf;

/* list_files_read for the daemon's options, saying where an error is. */
int list_files_load(const struct daemon_opts *o, enum list_kind kind, struct xdpfwd_prefix_set *out);

/*
 * With a configured file the list becomes exactly file + persisted entries
 * (one atomic replace). Without one, persisted entries are only added to maps
 * this start created (after a reboot), never replacing what the CLI did.
 */
int list_files_apply(struct xdpfwd_bpf *skel, const struct daemon_opts *o, enum list_kind kind,
		     const struct xdpfwd_prefix_set *set, int fresh_maps);

#endif
