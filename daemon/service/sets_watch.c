// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include "log.h"
#include "pin_dir.h"
#include "dir_watch.h"
#include "grow.h"
#include "daemon_files.h"
#include "sets_watch.h"

/*
 * Not IN_MODIFY: a file written in place is read once it is closed, not
 * half-written. IN_CREATE for the symlinks (kubelet's NAME.list, `ln -s`),
 * which are never closed after a write; IN_ATTRIB for a file made readable
 * (and `touch`, which costs a comparison and applies nothing unchanged).
 */
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | \
		    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define MS 1000000ULL
/* How often a gone (or never seen) dir is looked for, and a watched one checked for a replacement. */
#define LOOK_EVERY_MS 1000

struct sets_watch {
	const struct daemon_opts *o;
	struct set_files_config files;	/* o's files, their reports to the log */
	struct xdpfwd_bpf *skel;
	int fd;				/* the inotify instance, for the loop's life */
	int wd;				/* the dir's watch, -1: none (gone, or never there) */
	dev_t dev;			/* which directory wd is on */
	ino_t ino;
	bool gone;			/* said the dir is gone, until it is back */
	int add_err;			/* the last failure to watch it, said once */
	__u64 looked;			/* when the dir was last looked for */
	struct debounce db;
	struct set_files known;		/* what the last read found (entries freed) */
	bool started;			/* known is a baseline */
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void say_gone(struct sets_watch *w)
{
	if (!w->gone)
		pr_warn("sets dir %s is gone (removed, moved away or unmounted): its sets keep their entries; "
			"xdpfwd applies it again when it is back\n", w->o->sets_dir);
	w->gone = true;
}

static void unwatch(struct sets_watch *w)
{
	if (w->wd >= 0)
		inotify_rm_watch(w->fd, w->wd);	/* already gone with the dir: EINVAL, fine */
	w->wd = -1;
}

/*
 * The dir at the path watched: 1 when a watch began (the dir appeared, came
 * back, or another took its place: compare it), 0 when nothing changed.
 */
static int look(struct sets_watch *w)
{
	struct stat st;
	int wd, err;

	err = stat(w->o->sets_dir, &st) ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (err) {
		err = err == ENOENT ? 0 : err;	/* a missing dir is an empty one, looked for every second */
		if (w->wd >= 0)
			say_gone(w);
		unwatch(w);
		if (err && w->add_err != -err)
			pr_warn("sets dir %s: %s; its files follow SIGHUP only until this clears\n", w->o->sets_dir,
				strerror(err));
		w->add_err = -err;
		return 0;
	}
	if (w->wd >= 0 && st.st_dev == w->dev && st.st_ino == w->ino)
		return 0;
	unwatch(w);
	wd = inotify_add_watch(w->fd, w->o->sets_dir, WATCH_MASK);
	if (wd < 0) {
		if (w->add_err != -errno)
			pr_warn("watching sets dir %s failed: %s%s; its files follow SIGHUP only until this clears\n",
				w->o->sets_dir, strerror(errno),
				errno == ENOSPC ? " (raise fs.inotify.max_user_watches)" : "");
		w->add_err = -errno;
		return 0;
	}
	if (w->started)
		pr_info("sets dir %s is %s: watching it%s\n", w->o->sets_dir, w->gone ? "back" : "there",
			w->add_err ? " again" : "");
	w->wd = wd;
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	w->gone = false;
	w->add_err = 0;
	return 1;
}

int sets_watch_new(const struct daemon_opts *o, struct sets_watch **out)
{
	struct sets_watch *w;

	*out = NULL;
	if (!o->sets_dir || !o->watch_sets_dir)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->o = o;
	daemon_files_config(o, &w->files);
	w->wd = -1;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		pr_warn("watching sets dir %s failed: inotify: %s%s; its files follow SIGHUP only\n", o->sets_dir,
			strerror(errno), errno == EMFILE ? " (raise fs.inotify.max_user_instances)" : "");
		free(w);
		return 0;
	}
	debounce_init(&w->db, SETS_WATCH_QUIET_MS * MS, SETS_WATCH_MAX_DELAY_MS * MS);
	look(w);
	w->looked = now_ns();
	*out = w;
	return 0;
}

void sets_watch_start(struct sets_watch *w, struct xdpfwd_bpf *skel, struct set_files *files)
{
	if (!w)
		return;
	w->skel = skel;
	set_files_drop_entries(files);
	w->known = *files;
	memset(files, 0, sizeof(*files));
	w->started = true;
	pr_info("sets dir %s: applying its files as they change (--no-watch-sets-dir: on SIGHUP only)\n",
		w->o->sets_dir);
}

int sets_watch_fd(const struct sets_watch *w)
{
	return w ? w->fd : -1;
}

void sets_watch_events(struct sets_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	__u64 now = now_ns();
	ssize_t len;
	char *p;

	for (;;) {
		len = read(w->fd, buf, sizeof(buf));
		if (len <= 0)
			return;	/* EAGAIN: all read */
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			/* A watch dropped for a replaced dir still reports its last events. */
			if (ev->wd != w->wd && !(ev->mask & IN_Q_OVERFLOW))
				continue;
			switch (dir_event_classify(ev->mask, ev->len ? ev->name : "")) {
			case DIR_EVENT_IGNORE:
				break;
			case DIR_EVENT_GONE:
				say_gone(w);
				unwatch(w);
				/* The files removed before it must not empty their sets: a round now finds no dir. */
				debounce_event(&w->db, now);
				break;
			case DIR_EVENT_RESCAN:
			case DIR_EVENT_CHANGE:
				debounce_event(&w->db, now);
				break;
			}
		}
	}
}

/* The files read again; the changed ones applied. Returns 1 when anything was applied or removed. */
static int apply_changes(struct sets_watch *w)
{
	struct set_files sf;
	size_t changed;
	int r, lock;

	r = set_files_read_changed(&w->files, &sf, &w->known, &changed);
	if (r == -ENOENT) {
		say_gone(w);
		set_files_free(&sf);
		return 0;
	}
	if (r) {
		pr_warn("sets dir %s: reading it failed: %s; its sets keep their entries until the next change or SIGHUP\n",
			w->o->sets_dir, strerror(-r));
		set_files_free(&sf);
		return 0;
	}
	if (!changed) {
		pr_debug("sets dir %s: no set file changed\n", w->o->sets_dir);
		set_files_free(&sf);
		return 0;
	}
	pr_info("sets dir %s: %zu file%s changed, added or removed: applying\n", w->o->sets_dir, changed,
		changed == 1 ? "" : "s");
	lock = pin_dir_lock(w->o->pin_dir);
	if (lock < 0) {
		/* Said why; tried again at the next tick. */
		debounce_event(&w->db, 0);
		set_files_free(&sf);
		return 0;
	}
	/* A resize since the daemon last looked: the edits go to the hashes the program uses. */
	daemon_log_error(capacity_follow(w->skel, w->o->pin_dir));
	/* The program on the grown hashes is the housekeeping round's to adopt (grow_round). */
	grow_for_files(w->skel, w->o, &sf, false);
	set_files_apply(w->skel, &w->files, &sf, 0);
	pin_dir_unlock(lock);
	set_files_drop_entries(&sf);
	set_files_free(&w->known);
	w->known = sf;
	return 1;
}

int sets_watch_tick(struct sets_watch *w)
{
	__u64 now = now_ns();

	if (!w || !w->started)
		return 0;
	if (now - w->looked >= LOOK_EVERY_MS * MS) {
		w->looked = now;
		if (look(w))
			debounce_event(&w->db, now);
	}
	if (!debounce_due(&w->db, now))
		return 0;
	return apply_changes(w);
}

void sets_watch_reloaded(struct sets_watch *w, struct set_files *sf)
{
	set_files_drop_entries(sf);
	set_files_free(&w->known);
	w->known = *sf;
	memset(sf, 0, sizeof(*sf));
}

void sets_watch_free(struct sets_watch *w)
{
	if (!w)
		return;
	close(w->fd);
	set_files_free(&w->known);
	free(w);
}
