/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sets dir follows its files: an inotify watch on --sets-dir, so that a
 * NAME.list written, renamed over, added or removed is applied as its set's
 * atomic replace (or its set's removal) without a SIGHUP, as SIGHUP would
 * apply it. Kubernetes' ConfigMap volumes work the same way: kubelet
 * publishes a new version by renaming the ..data symlink over the old one
 * (the NAME.list files are symlinks through it), which is seen as a change.
 *
 * Events are debounced (applied once none came for SETS_WATCH_QUIET_MS, at
 * the latest SETS_WATCH_MAX_DELAY_MS after the first), and only files whose
 * bytes changed since they were last applied are applied again. A directory
 * that is removed or moved away leaves its sets running; it is watched again
 * when it is back (looked for every second), and compared then.
 */
#ifndef XDPFWD_SETS_WATCH_H
#define XDPFWD_SETS_WATCH_H

#include "daemon.h"
#include "set_files.h"

#define SETS_WATCH_QUIET_MS 300
#define SETS_WATCH_MAX_DELAY_MS 2000

struct sets_watch;
struct xdpfwd_bpf;

/*
 * Starts watching o->sets_dir, before the start reads it, so that no change
 * made after that read is missed. *w is NULL without --sets-dir, with
 * --no-watch-sets-dir, or when inotify is not available (said why: the sets
 * then follow SIGHUP only). Returns 0 or -ENOMEM; nothing else refuses a start.
 */
int sets_watch_new(const struct daemon_opts *o, struct sets_watch **w);

/* What the start read and applied becomes what the watcher compares against; files is emptied. */
void sets_watch_start(struct sets_watch *w, struct xdpfwd_bpf *skel, struct set_files *files);

/* The inotify fd, for the event loop; -1 for a NULL w. */
int sets_watch_fd(const struct sets_watch *w);

/* The fd is readable: the events read and weighed (the debounce started). */
void sets_watch_events(struct sets_watch *w);

/*
 * At each tick of the loop: the dir looked for when it is gone, and the
 * changed files applied once the debounce is over (pin dir lock taken).
 * Returns 1 when sets were applied or removed.
 */
int sets_watch_tick(struct sets_watch *w);

/* A SIGHUP read and applied sf: it becomes what the watcher compares against; sf is emptied. */
void sets_watch_reloaded(struct sets_watch *w, struct set_files *sf);

void sets_watch_free(struct sets_watch *w);

#endif
