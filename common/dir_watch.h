/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure half of the daemon's sets dir watcher (service/sets_watch.c):
 * what an inotify event in the directory means, and when a burst of them has
 * settled enough to act on. No descriptors and no clock of its own, so the
 * unit tests drive it with made-up events and times.
 */
#ifndef XDPFWD_DIR_WATCH_H
#define XDPFWD_DIR_WATCH_H

#include <stdbool.h>
#include <linux/types.h>


enum dir_event {
	DIR_EVENT_IGNORE,	/* nothing a set file is made of: editor swap files, kubelet's temp names */
	DIR_EVENT_CHANGE,	/* a NAME.list or kubelet's ..data changed: compare the files again */
	DIR_EVENT_RESCAN,	/* the kernel dropped events (queue overflow): compare everything */
	DIR_EVENT_GONE,		/* the directory itself was removed, moved away or unmounted */
};

/* What one event (inotify mask and name, "" for the directory itself) means. */
enum dir_event dir_event_classify(__u32 mask, const char *name);

/*
 * Acts once a burst of events is over: when none came for quiet_ns, or at
 * the latest max_ns after the burst's first one, so a directory written
 * without pause still gets applied. Times are CLOCK_MONOTONIC nanoseconds.
 */
struct debounce {
	__u64 quiet_ns;
	__u64 max_ns;
	__u64 first;		/* the pending burst's first and last events */
	__u64 last;
	bool pending;
};

void debounce_init(struct debounce *d, __u64 quiet_ns, __u64 max_ns);
void debounce_event(struct debounce *d, __u64 now);
/* true once the pending burst is due at now; the burst is then over (the next event starts another). */
bool debounce_due(struct debounce *d, __u64 now);

#endif
