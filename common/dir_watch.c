// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/inotify.h>
#include "dir_watch.h"

/* kubelet's AtomicWriter swaps this symlink to publish a new version of every file at once. */
#define KUBELET_DATA_LINK "..data"
#define SET_FILE_SUFFIX ".list"

static bool set_file_name(const char *name)
{
	size_t len = strlen(name), sl = strlen(SET_FILE_SUFFIX);

	/* As daemon/lib/set_files_read.c reads the dir: hidden names (".feed.tmp", "..data_tmp") are never set files. */
	return name[0] != '.' && len > sl && !strcmp(name + len - sl, SET_FILE_SUFFIX);
}

enum dir_event dir_event_classify(__u32 mask, const char *name)
{
	if (mask & IN_Q_OVERFLOW)
		return DIR_EVENT_RESCAN;
	if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED))
		return DIR_EVENT_GONE;
	if (!name || !name[0])
		return DIR_EVENT_IGNORE;
	if (!strcmp(name, KUBELET_DATA_LINK))
		return mask & (IN_MOVED_TO | IN_CREATE) ? DIR_EVENT_CHANGE : DIR_EVENT_IGNORE;
	return set_file_name(name) ? DIR_EVENT_CHANGE : DIR_EVENT_IGNORE;
}

void debounce_init(struct debounce *d, __u64 quiet_ns, __u64 max_ns)
{
	memset(d, 0, sizeof(*d));
	d->quiet_ns = quiet_ns;
	d->max_ns = max_ns;
}

void debounce_event(struct debounce *d, __u64 now)
{
	if (!d->pending)
		d->first = now;
	d->last = now;
	d->pending = true;
}

bool debounce_due(struct debounce *d, __u64 now)
{
	if (!d->pending || (now - d->last < d->quiet_ns && now - d->first < d->max_ns))
		return false;
	d->pending = false;
	return true;
}
