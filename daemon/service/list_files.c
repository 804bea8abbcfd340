// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "list_files.h"
#include "lists.h"

int list_state_path(char *buf, size_t len, const char *state_dir, enum list_kind kind)
{
	int n = snprintf(buf, len, "%s/%slist", state_dir, list_kind_name(kind));

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int read_state(const char *path, struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	return xdpfwd_listfile_read(path, out, err, errlen);
}

static int write_state(const char *path, const struct xdpfwd_prefix_set *s)
{
	char tmp[PATH_MAX], buf[XDPFWD_PREFIX_STRLEN];
	size_t i;
	FILE *f;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	fputs("# Entries added with `xdpfwd ... --persist`; rewritten by xdpfwd, edits may be lost.\n", f);
	for (i = 0; i < s->n; i++) {
		xdpfwd_prefix_format(&s->v[i], buf, sizeof(buf));
		if (s->v[i].expires_at)
			fprintf(f, "%s until=%llu\n", buf, (unsigned long long)s->v[i].expires_at);
		else
			fprintf(f, "%s\n", buf);
	}
	/* Flushed and synced before the rename, so a crash leaves the old file or the new one. */
	if (fflush(f) || fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int list_state_update(const char *state_dir, enum list_kind kind, const struct xdpfwd_prefix_set *set,
		      __u64 expires_at, int remove)
{
	struct xdpfwd_prefix_set cur = {}, next = {};
	char path[PATH_MAX], why[512];
	struct xdpfwd_prefix p;
	size_t i;
	int err;

	err = list_state_path(path, sizeof(path), state_dir, kind);
	if (err)
		return err;
	if (mkdir(state_dir, 0700) && errno != EEXIST) {
		err = -errno;
		pr_warn("creating state dir %s failed: %s\n", state_dir, strerror(-err));
		return err;
	}
	err = read_state(path, &cur, why, sizeof(why));
	if (err) {
		pr_warn("%s; fix or remove it, then try again\n", why);
		return err;
	}
	/* Entries of this command replace their earlier versions (a new timeout). */
	for (i = 0; i < cur.n && !err; i++)
		if (!bsearch(&cur.v[i], set->v, set->n, sizeof(*set->v), xdpfwd_prefix_cmp))
			err = xdpfwd_prefix_set_push(&next, &cur.v[i]);
	for (i = 0; i < set->n && !err && !remove; i++) {
		p = set->v[i];
		p.expires_at = expires_at;
		err = xdpfwd_prefix_set_push(&next, &p);
	}
	if (!err) {
		xdpfwd_prefix_set_sort_unique(&next);
		err = write_state(path, &next);
	}
	if (err)
		pr_warn("saving %s failed: %s; the change applies now but will not survive a reboot\n", path,
			strerror(-err));
	xdpfwd_prefix_set_free(&cur);
	xdpfwd_prefix_set_free(&next);
	return err;
}

int list_files_read(const char *config_file, const char *state_dir, enum list_kind kind,
		    struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int r;

	if (config_file) {
		r = xdpfwd_listfile_read(config_file, out, err, errlen);
		if (r)
			return r;
	}
	r = list_state_path(path, sizeof(path), state_dir, kind);
	if (!r)
		r = read_state(path, out, err, errlen);
	return r;
}

/* The configured list files plus the persisted entries; 0 or -errno after saying where the error is. */
int list_files_load(const struct daemon_opts *o, enum list_kind kind, struct xdpfwd_prefix_set *out)
{
	char err[600];
	int r;

	memset(out, 0, sizeof(*out));
	r = list_files_read(o->list_file[kind], o->state_dir, kind, out, err, sizeof(err));
	if (r)
		pr_warn("%s\n", err);
	return r;
}

/*
 * With a configured file the list becomes exactly file + persisted entries
 * (one atomic replace). Without one, persisted entries are only added to maps
 * this start created (after a reboot), never replacing what the CLI did.
 */
int list_files_apply(struct xdpfwd_bpf *skel, const struct daemon_opts *o, enum list_kind kind,
		     const struct xdpfwd_prefix_set *set, int fresh_maps)
{
	struct list_maps m;
	size_t added;
	int err = 0;

	list_maps_get(skel, kind, &m);
	if (o->list_file[kind]) {
		err = list_replace(&m, set);
		if (!err)
			pr_info("%slist: %zu entries from %s and %s\n", list_kind_name(kind), set->n,
				o->list_file[kind], o->state_dir);
	} else if (fresh_maps && set->n) {
		err = list_add(&m, set, 0, &added);
		if (!err)
			pr_info("%slist: restored %zu persisted entries from %s\n", list_kind_name(kind), added,
				o->state_dir);
	}
	return err;
}
