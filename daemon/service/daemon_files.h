/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's files and when they apply. Reading and applying them is the
 * library's (lib/set_files.h: every NAME.list of --sets-dir, and
 * --blocklist-file / --allowlist-file as set "file"); the service decides
 * only when:
 *   start       every file read before anything changes (daemon.c prepare):
 *               a bad --blocklist-file or --allowlist-file, an untrusted
 *               state dir or a bad state file refuses the start; a bad sets
 *               dir file only keeps its set as it runs. Applied once the
 *               program is published, after the maps grew to take them
 *               (grow.h), persisted entries restored on fresh maps only.
 *   SIGHUP      every file read again and applied (daemon.c reload_files),
 *               after the flood defense's settings (limits_reload.h).
 *   sets dir    the changed files alone, as they change (sets_watch.h).
 * Each file's report goes to the daemon's log at its own level
 * (daemon_log_report).
 *
 * The state dir (--persist) is not the service's: the CLI writes it
 * (`block add --persist`, `sets del`) and the daemon reads it, with one
 * format and one trust check for both, so it is the library's
 * (lib/list_state.h). The service's part is the policy above: an untrusted
 * one refuses a start, and persisted entries come back only after a reboot
 * (fresh maps), never on a restart, where the maps kept what the CLI made
 * of them.
 */
#ifndef XDPFWD_DAEMON_FILES_H
#define XDPFWD_DAEMON_FILES_H

#include "set_files.h"
#include "daemon.h"

/* The files of o, their reports to the daemon's log. */
void daemon_files_config(const struct daemon_opts *o, struct set_files_config *c);

#endif
