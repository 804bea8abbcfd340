// SPDX-License-Identifier: GPL-2.0
/* set_files_read and set_files_read_changed: the files into a struct set_files (set_files.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "rate_limits.h"
#include "list_text.h"
#include "list_state.h"
#include "set_directives.h"
#include "set_files.h"

/*
 * The entries of a file in its format (list_parse.h). Skipped bad lines
 * (skip-invalid=yes) are reported, the first few with FILE:LINE.
 */
static int parse_entries(const struct set_files_config *c, const char *name, const char *buf, size_t len,
			 const struct set_directives *d, struct xdpfwd_prefix_set *out, char *err, size_t errlen)
{
	struct xdpfwd_listfile_opts lo = {
		.format = d->format,
		.min_score = d->min_score,
		.skip_invalid = d->skip_invalid,
	};
	size_t i;
	int r;

	r = xdpfwd_listfile_parse_buf_opts(name, buf, len, out, &lo, err, errlen);
	if (!r)
		r = list_text_check_catch_all(name, buf, len, out, err, errlen);
	if (!r && lo.skipped) {
		lib_report(c->report, LIB_REPORT_WARN, "%s: skipped %zu bad line%s (skip-invalid=yes)%s", name,
			   lo.skipped, lo.skipped == 1 ? "" : "s", lo.nmsgs < lo.skipped ? "; the first ones:" : ":");
		for (i = 0; i < lo.nmsgs; i++)
			lib_report(c->report, LIB_REPORT_WARN, "  %s", lo.msgs[i]);
	}
	return r;
}

/* FNV-1a: tells one version of a file from another, nothing more (whoever can write it can change it anyway). */
static __u64 content_hash(const char *buf, size_t len)
{
	__u64 h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
	return h ?: 1;	/* 0: not read */
}

/* The last read of the file at path, if known has one. */
static const struct set_file *known_file(const struct set_files *known, const char *path)
{
	size_t i;

	for (i = 0; known && i < known->n; i++)
		if (!strcmp(known->v[i].path, path))
			return &known->v[i];
	return NULL;
}

/*
 * One file: its options, then its entries, then its set's
 * persisted entries. With known (a watcher's round), a file whose bytes hash
 * as they did at its last read is not parsed again: it is marked unchanged,
 * with what that read found (its kind, or its error, said then).
 */
static int read_set_file(const struct set_files_config *c, struct set_file *f, const struct set_files *known,
			 char *err, size_t errlen)
{
	const struct set_file *was;
	enum list_kind kind = f->d.kind;
	bool fixed_kind = f->d.has_kind;
	struct stat st;
	size_t len;
	char *buf;
	int fd, r;

	/* O_NONBLOCK: a FIFO put there is refused, not waited on. */
	fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return list_say(-errno, err, errlen, "%s: %s", f->path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return list_say(-EINVAL, err, errlen, "%s is not a regular file", f->path);
	}
	r = list_text_read(fd, &buf, &len);
	close(fd);
	if (r) {
		free(buf);
		return list_say(r, err, errlen, "%s: %s", f->path, strerror(-r));
	}
	f->hash = content_hash(buf, len);
	was = known_file(known, f->path);
	if (was && was->hash == f->hash && !strcmp(was->name, f->name)) {
		free(buf);
		f->d = was->d;
		f->unchanged = true;
		return was->err;
	}
	memset(&f->d, 0, sizeof(f->d));
	f->d.kind = kind;
	/* A feed says which it is; the operator's own file is plain, as --blocklist-file always was. */
	f->d.format = XDPFWD_LIST_PLAIN;
	r = set_directives_parse(f->path, buf, len, &f->d, err, errlen);
	if (!r && fixed_kind && f->d.has_kind && f->d.kind != kind)
		r = list_say(-EINVAL, err, errlen,
			     "%s: says kind=%s, but it is the --%slist-file; drop the kind= option", f->path,
			     list_kind_name(f->d.kind), list_kind_name(kind));
	f->d.has_kind |= fixed_kind;
	if (!r && f->d.kind == LIST_ALLOW && (f->d.opts.mode != XDPFWD_SET_ENFORCE || f->d.opts.scope_protos))
		r = list_say(-EINVAL, err, errlen,
			     "%s: an allow set has no mode= or scope= (it always lets its sources through); drop them",
			     f->path);
	if (!r)
		r = parse_entries(c, f->path, buf, len, &f->d, &f->entries, err, errlen);
	free(buf);
	if (!r)
		r = list_state_read(c->state_dir, f->d.kind, f->name, &f->entries, err, errlen);
	if (r == -ENOMEM)
		list_say(r, err, errlen, "%s: out of memory", f->path);
	return r;
}

static struct set_file *set_files_new(struct set_files *sf)
{
	struct set_file *v = realloc(sf->v, (sf->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	sf->v = v;
	memset(&v[sf->n], 0, sizeof(*v));
	return &v[sf->n++];
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the NAME.list files in dir, sorted, so files apply in the same order every time. */
static int list_dir(const char *dir, char ***names, size_t *n)
{
	struct dirent *de;
	size_t len, sl = strlen(SETS_DIR_SUFFIX);
	char **v = NULL, **tmp;
	int err = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((errno = 0, de = readdir(d))) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= sl || strcmp(de->d_name + len - sl, SETS_DIR_SUFFIX))
			continue;
		tmp = realloc(v, (*n + 1) * sizeof(*v));
		if (!tmp || !(tmp[*n] = strndup(de->d_name, len - sl))) {
			v = tmp ? tmp : v;
			err = -ENOMEM;
			break;
		}
		v = tmp;
		(*n)++;
	}
	if (!err && errno)
		err = -errno;
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), by_name);
	*names = v;
	return err;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A NAME.list whose NAME no file may have: true, with why and what to do in err. */
static bool refused_name(const char *name, const char *path, char *err, size_t errlen)
{
	if (!set_name_valid(name))
		return list_say(1, err, errlen,
				"%s: '%s' is not a set name (a-z, 0-9, '_' and '-', 1 to %d characters); file skipped, rename it",
				path, name, XDPFWD_SET_NAME_MAX);
	/* A file would wipe every `block add` at each reload. */
	if (!strcmp(name, "manual"))
		return list_say(1, err, errlen,
				"%s: set manual is the command line's (xdpfwd block add) and no file's; file skipped, rename it",
				path);
	/* A file would lift every ban at each reload. */
	if (!strcmp(name, LIMIT_AUTO_SET))
		return list_say(1, err, errlen, "%s: set auto holds the flood defense's bans, made at run time, and no "
				"file's; file skipped, rename it", path);
	return false;
}

static int read_sets_dir(const struct set_files_config *c, struct set_files *sf, const struct set_files *known)
{
	char err[600], **names;
	struct set_file *f;
	size_t n, i, k;
	int r;

	r = list_dir(c->sets_dir, &names, &n);
	if (r == -ENOENT && known)
		return r;	/* the watcher's round: see set_files_read_changed */
	if (r == -ENOENT) {
		/* An empty dir: the sets it made are its no more. */
		lib_report(c->report, LIB_REPORT_INFO, "sets dir %s does not exist: no set from it", c->sets_dir);
		sf->dir = c->sets_dir;
		return 0;
	}
	if (r == -ENOMEM) {
		free_names(names, n);
		return r;
	}
	if (r) {
		lib_report(c->report, LIB_REPORT_WARN, "listing sets dir %s failed: %s; its sets keep their running entries",
			   c->sets_dir, strerror(-r));
		free_names(names, n);
		return 0;
	}
	sf->dir = c->sets_dir;
	for (i = 0; i < n; i++) {
		f = set_files_new(sf);
		if (!f) {
			free_names(names, n);
			return -ENOMEM;
		}
		snprintf(f->path, sizeof(f->path), "%s/%s" SETS_DIR_SUFFIX, c->sets_dir, names[i]);
		snprintf(f->name, sizeof(f->name), "%s", names[i]);
		f->in_dir = true;
		f->d.kind = LIST_BLOCK;
		if (refused_name(names[i], f->path, err, sizeof(err))) {
			f->err = -EINVAL;
			if (!set_name_valid(names[i]))
				f->name[0] = '\0';
			/* Said at the read that first met it: a watcher's round does not say it again. */
			f->unchanged = known_file(known, f->path) != NULL;
			if (!f->unchanged)
				lib_report(c->report, LIB_REPORT_WARN, "%s", err);
			continue;
		}
		f->err = read_set_file(c, f, known, err, sizeof(err));
		if (!f->err)
			for (k = 0; k < sf->n - 1 && !f->err; k++)
				if (sf->v[k].d.has_kind && sf->v[k].d.kind == f->d.kind && !strcmp(sf->v[k].name, f->name))
					f->err = list_say(-EEXIST, err, sizeof(err),
							  "%s: %s set %s is the --%slist-file %s; file skipped, rename one",
							  f->path, list_kind_name(f->d.kind), f->name,
							  list_kind_name(f->d.kind), sf->v[k].path);
		if (f->err == -ENOMEM) {
			free_names(names, n);
			return -ENOMEM;
		}
		/* An unchanged bad file said so when it was read. */
		if (f->err && !f->unchanged)
			lib_report(c->report, LIB_REPORT_WARN, "%s; %s set %s keeps its running entries", err,
				   list_kind_name(f->d.kind), f->name);
	}
	free_names(names, n);
	return 0;
}

/*
 * The persisted entries of the sets no file fills, read at start so that a
 * bad state file refuses the start before anything changes, as a bad list
 * file does (a /0 planted there must not slip in after a reboot).
 */
static int read_persisted_sets(const struct set_files_config *c, struct set_files *sf)
{
	const char *kname, *set;
	char **names = NULL, err[600];
	struct set_file *f;
	size_t n = 0, i, kl;
	int kind, r = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(c->state_dir);
	if (!d && errno == ENOENT)
		return 0;
	if (!d) {
		r = -errno;
		lib_report(c->report, LIB_REPORT_WARN, "listing state dir %s failed: %s", c->state_dir, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		char **tmp;

		if (de->d_name[0] == '.')
			continue;	/* our temp files too */
		tmp = realloc(names, (n + 1) * sizeof(*names));
		if (!tmp || !(tmp[n] = strdup(de->d_name))) {
			names = tmp ? tmp : names;
			closedir(d);
			free_names(names, n);
			return -ENOMEM;
		}
		names = tmp;
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), by_name);
	/* blocklist, allowlist: set manual; blocklist.NAME, allowlist.NAME: set NAME. */
	for (i = 0; i < n && !r; i++) {
		for (kind = LIST_BLOCK; kind <= LIST_ALLOW && !r; kind++) {
			kname = list_kind_name(kind);
			kl = strlen(kname);
			if (strncmp(names[i], kname, kl) || strncmp(names[i] + kl, "list", 4))
				continue;
			set = names[i] + kl + 4;
			if (*set == '.')
				set++;
			else if (*set)
				continue;
			else
				set = "manual";
			if (!set_name_valid(set) || set_files_fills(sf, kind, set))
				continue;
			f = realloc(sf->persisted, (sf->n_persisted + 1) * sizeof(*f));
			if (!f) {
				r = -ENOMEM;
				break;
			}
			sf->persisted = f;
			f = &sf->persisted[sf->n_persisted++];
			memset(f, 0, sizeof(*f));
			f->d.kind = kind;
			snprintf(f->name, sizeof(f->name), "%s", set);
			r = list_state_path(f->path, sizeof(f->path), c->state_dir, kind, set);
			if (!r)
				r = list_state_read(c->state_dir, kind, set, &f->entries, err, sizeof(err));
			if (r)
				lib_report(c->report, LIB_REPORT_WARN, "%s", err);
		}
	}
	free_names(names, n);
	return r;
}

int set_files_read(const struct set_files_config *c, struct set_files *sf, bool at_start)
{
	char err[600];
	struct set_file *f;
	int kind, first = 0;

	memset(sf, 0, sizeof(*sf));
	/* An untrusted state dir refuses the start even when no file would read it (see above). */
	if (at_start) {
		first = list_state_dir_check(c->state_dir);
		if (first) {
			lib_report(c->report, LIB_REPORT_WARN, "%s", lib_error());
			lib_error_clear();
			return first;
		}
	}
	for (kind = LIST_BLOCK; kind <= LIST_ALLOW; kind++) {
		if (!c->list_file[kind])
			continue;
		f = set_files_new(sf);
		if (!f)
			return -ENOMEM;
		snprintf(f->path, sizeof(f->path), "%s", c->list_file[kind]);
		snprintf(f->name, sizeof(f->name), LIST_FILE_SET);
		f->d.kind = kind;
		f->d.has_kind = true;
		f->err = read_set_file(c, f, NULL, err, sizeof(err));
		if (f->err == -ENOMEM)
			return -ENOMEM;
		if (f->err && at_start)
			lib_report(c->report, LIB_REPORT_WARN, "%s", err);
		else if (f->err)
			lib_report(c->report, LIB_REPORT_WARN, "%s; %s set %s keeps its running entries", err,
				   list_kind_name(kind), f->name);
		first = first ?: f->err;
	}
	if (c->sets_dir) {
		kind = read_sets_dir(c, sf, NULL);
		if (kind)
			return kind;
	}
	/* Only a start on fresh maps adds them; read at every start, so that a bad one refuses it. */
	if (at_start && !first)
		first = read_persisted_sets(c, sf);
	return first;
}

int set_files_read_changed(const struct set_files_config *c, struct set_files *sf, const struct set_files *known,
			   size_t *changed)
{
	struct set_file *f;
	size_t i;
	int r;

	memset(sf, 0, sizeof(*sf));
	*changed = 0;
	/* The list files are not the dir's: taken as they were, so that a name clash is still seen. */
	for (i = 0; i < known->n; i++) {
		if (known->v[i].in_dir)
			continue;
		f = set_files_new(sf);
		if (!f)
			return -ENOMEM;
		*f = known->v[i];
		memset(&f->entries, 0, sizeof(f->entries));
		f->unchanged = true;
	}
	r = read_sets_dir(c, sf, known);
	if (r)
		return r;
	for (i = 0; i < sf->n; i++)
		*changed += !sf->v[i].unchanged;
	/* Files gone since: their sets go (set_files_apply). */
	for (i = 0; i < known->n; i++)
		if (known->v[i].in_dir && !known_file(sf, known->v[i].path))
			(*changed)++;
	return 0;
}
