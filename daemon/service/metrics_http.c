// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "log.h"
#include "prom_text.h"
#include "instance.h"
#include "metrics_http.h"

/* A request line and a few headers; Prometheus sends about 300 bytes. */
#define HTTP_REQ_MAX 2048
/* Connections accepted per wakeup, so a connect flood cannot keep the loop here. */
#define HTTP_ACCEPT_BATCH 16
/* Bytes discarded per wakeup from a client that keeps sending after its answer. */
#define HTTP_DRAIN_MAX (16 * 1024)
/* Bytes of the collector's output read per wakeup. */
#define COLLECT_READ_MAX (64 * 1024)
#define LISTENER_TAG UINT32_MAX
#define COLLECTOR_TAG (UINT32_MAX - 1)

struct http_conn {
	int fd;			/* -1: free */
	__u64 deadline_ns;	/* CLOCK_MONOTONIC */
	__u64 waiting_ns;	/* asked for /metrics at this time, answer pending; 0: not waiting */
	int head;		/* the pending answer is for HEAD */
	size_t req_len;
	char req[HTTP_REQ_MAX];
	char *resp;		/* the whole response once the request is in */
	size_t resp_len, resp_off;
	int draining;		/* response sent, write side shut: reading until the peer closes */
};

/*
 * Collecting walks every map (a second per million entries before counting
 * was O(1)), so it runs in a forked child, never in the loop: the loop only
 * reads what the child writes to a pipe, as it comes. One child at a time
 * serves every scrape waiting when it started; SIGTERM kills it at once.
 * Its output: '0' and the exposition, or '1' if collecting failed.
 */
struct collector {
	pid_t pid;		/* 0: none running */
	int fd;			/* read end of its pipe, -1 */
	__u64 started_ns;
	char *buf;
	size_t len, cap;
};

struct metrics_server {
	int ep;			/* the listener, every connection and the collector's pipe */
	int listen_fd;
	struct xdpfwd_bpf *skel;
	struct http_conn conns[METRICS_HTTP_MAX_CONNS];
	struct collector col;
	const char *textfile;
	char *textfile_tmp;
	__u64 textfile_every_ns, textfile_next_ns;
	__u64 textfile_due_ns;	/* a rewrite is waiting for a collection since then; 0: none */
	int textfile_failing;	/* warn when writing starts failing, not every time */
	int accept_failing;	/* said that accepting fails (EMFILE), not every time */
	int accept_paused;	/* listener out of the epoll set until the next tick */
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- HTTP ---- */

static void conn_close(struct http_conn *c)
{
	if (c->fd < 0)
		return;
	/* close() also takes it out of the epoll set. */
	close(c->fd);
	c->fd = -1;
	c->waiting_ns = 0;
	free(c->resp);
	c->resp = NULL;
}

/* Builds the response into c->resp: status line, headers, and for GET the body. */
static void conn_respond(struct http_conn *c, int status, const char *reason, const char *type,
			 const char *body, size_t body_len, int head)
{
	FILE *f = open_memstream(&c->resp, &c->resp_len);

	if (!f) {
		conn_close(c);
		return;
	}
	fprintf(f, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
		status, reason, type, body_len, status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head)
		fwrite(body, 1, body_len, f);
	/* Sending it (and the peer's close) gets a deadline of its own. */
	c->deadline_ns = now_ns() + METRICS_HTTP_DEADLINE_MS * 1000000ULL;
	if (fclose(f)) {
		free(c->resp);
		c->resp = NULL;
		conn_close(c);
	}
}

static void respond_text(struct http_conn *c, int status, const char *reason, const char *text, int head)
{
	conn_respond(c, status, reason, "text/plain; charset=utf-8", text, strlen(text), head);
}

static void collect_start(struct metrics_server *ms);
static void collect_done(struct metrics_server *ms, int ok);
static int collect_reap(struct metrics_server *ms, int kill_it);
static int textfile_write(struct metrics_server *ms, const char *body, size_t len);
static void textfile_report(struct metrics_server *ms, int err);

/* The answer comes when a collection that started after this request ends (collect_done). */
static void respond_metrics(struct metrics_server *ms, struct http_conn *c, int head)
{
	struct epoll_event ev = { .events = 0, .data.u32 = c - ms->conns };
	__u64 now = now_ns();

	if (!ms->skel) {
		respond_text(c, 503, "Service Unavailable", "xdpfwd: counters cannot be read right now\n", head);
		return;
	}
	/* Nothing to read meanwhile: only a hang-up wakes the loop for it. */
	if (epoll_ctl(ms->ep, EPOLL_CTL_MOD, c->fd, &ev)) {
		conn_close(c);
		return;
	}
	c->waiting_ns = now;
	c->head = head;
	/* Prometheus's own scrape_timeout is 10 s: the answer may take a collection or two. */
	c->deadline_ns = now + METRICS_HTTP_ANSWER_MS * 1000000ULL;
	collect_start(ms);
}

/* The request is complete: pick the answer from its first line. Headers are not needed. */
static void conn_handle_request(struct metrics_server *ms, struct http_conn *c)
{
	char *line = c->req, *method, *target, *version, *save = NULL;
	size_t pathlen;
	int head;

	line[strcspn(line, "\r\n")] = '\0';
	method = strtok_r(line, " ", &save);
	target = method ? strtok_r(NULL, " ", &save) : NULL;
	version = target ? strtok_r(NULL, " ", &save) : NULL;
	if (!version || strncmp(version, "HTTP/1.", 7) || strtok_r(NULL, " ", &save) || target[0] != '/') {
		respond_text(c, 400, "Bad Request", "xdpfwd: bad request\n", 0);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET")) {
		respond_text(c, 405, "Method Not Allowed", "xdpfwd: only GET and HEAD\n", 0);
		return;
	}
	/* A query string (Prometheus may add ?name[]=...) does not change what is served. */
	pathlen = strcspn(target, "?");
	if (pathlen == strlen("/metrics") && !strncmp(target, "/metrics", pathlen))
		respond_metrics(ms, c, head);
	else
		respond_text(c, 404, "Not Found", "xdpfwd: the metrics are at /metrics\n", head);
}

/* Sends what the socket takes; closes once all is out. */
static void conn_write(struct metrics_server *ms, struct http_conn *c)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = c - ms->conns };
	ssize_t n;

	while (c->resp_off < c->resp_len) {
		n = send(c->fd, c->resp + c->resp_off, c->resp_len - c->resp_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* The peer reads slowly: wait for room, within the same deadline. */
			if (epoll_ctl(ms->ep, EPOLL_CTL_MOD, c->fd, &ev))
				conn_close(c);
			return;
		}
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->resp_off += n;
	}
	/*
	 * Closing with unread input (a request larger than we read, a pipelined
	 * one) makes the kernel send RST, which can destroy the response before
	 * the client reads it. So: FIN first, then discard input until the
	 * client closes too, within the deadline.
	 */
	ev.events = EPOLLIN;
	if (shutdown(c->fd, SHUT_WR) || epoll_ctl(ms->ep, EPOLL_CTL_MOD, c->fd, &ev)) {
		conn_close(c);
		return;
	}
	c->draining = 1;
}

/* Bounded: a client that sends without end gets more turns, not the loop (the deadline ends it). */
static void conn_drain(struct http_conn *c)
{
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	do {
		n = recv(c->fd, buf, sizeof(buf), 0);
		total += n > 0 ? n : 0;
	} while ((n > 0 && total < HTTP_DRAIN_MAX) || (n < 0 && errno == EINTR));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
		conn_close(c);
}

static void conn_read(struct metrics_server *ms, struct http_conn *c)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->req + c->req_len, HTTP_REQ_MAX - 1 - c->req_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);	/* gone before finishing its request */
			return;
		}
		c->req_len += n;
		c->req[c->req_len] = '\0';
		/* The request ends with an empty line; a GET has no body to wait for. */
		if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
			break;
		if (c->req_len >= HTTP_REQ_MAX - 1) {
			respond_text(c, 400, "Bad Request", "xdpfwd: request too large\n", 0);
			break;
		}
	}
	if (!c->resp && c->fd >= 0)
		conn_handle_request(ms, c);
	if (c->fd >= 0 && c->resp)
		conn_write(ms, c);
}

/*
 * Who gives way to a new client: one done but draining, then one still
 * sending its request, then one being sent its answer.
 */
static int conn_rank(const struct http_conn *c)
{
	if (c->draining)
		return 0;
	if (!c->resp && !c->waiting_ns)
		return 1;
	return c->resp ? 2 : 3;	/* 3: waiting for a collection, never evicted */
}

/*
 * A free slot, or the lowest-ranked connection's, closed (the nearest
 * deadline among equals): a flood of idle or trickling clients evicts
 * itself, not the scrapes waiting for their answer. NULL: all are waiting.
 */
static struct http_conn *conn_slot(struct metrics_server *ms)
{
	struct http_conn *victim = NULL, *c;
	int i;

	for (i = 0; i < METRICS_HTTP_MAX_CONNS; i++) {
		c = &ms->conns[i];
		if (c->fd < 0)
			return c;
		if (conn_rank(c) == 3)
			continue;
		if (!victim || conn_rank(c) < conn_rank(victim) ||
		    (conn_rank(c) == conn_rank(victim) && c->deadline_ns < victim->deadline_ns))
			victim = c;
	}
	if (!victim)
		return NULL;
	pr_debug("metrics: %d connections open, closing one\n", METRICS_HTTP_MAX_CONNS);
	conn_close(victim);
	return victim;
}

/*
 * Out of descriptors, the pending connection stays in the backlog and the
 * listener stays readable: waiting on it would spin the loop. It sleeps until
 * the next tick instead, and says why once.
 */
static void accept_pause(struct metrics_server *ms, int err)
{
	struct epoll_event ev = { .events = 0, .data.u32 = LISTENER_TAG };

	if (!ms->accept_failing)
		pr_warn("metrics: accepting a connection failed: %s%s\n", strerror(-err), attach_fd_hint(err));
	ms->accept_failing = 1;
	if (!epoll_ctl(ms->ep, EPOLL_CTL_MOD, ms->listen_fd, &ev))
		ms->accept_paused = 1;
}

static void accept_some(struct metrics_server *ms)
{
	struct http_conn *c;
	struct epoll_event ev = { .events = EPOLLIN };
	int i, fd;

	for (i = 0; i < HTTP_ACCEPT_BATCH; i++) {
		fd = accept4(ms->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			accept_pause(ms, -errno);
			return;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				pr_debug("metrics: accept failed: %s\n", strerror(errno));
			return;
		}
		ms->accept_failing = 0;
		c = conn_slot(ms);
		if (!c) {
			close(fd);	/* every slot is a scrape waiting for its answer */
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->deadline_ns = now_ns() + METRICS_HTTP_DEADLINE_MS * 1000000ULL;
		ev.data.u32 = c - ms->conns;
		if (epoll_ctl(ms->ep, EPOLL_CTL_ADD, fd, &ev))
			conn_close(c);
	}
}

/* ---- collecting, in a child process ---- */

static void collector_child(struct metrics_server *ms, int wfd, pid_t parent)
{
	struct metrics_snapshot snap;
	FILE *f;
	int i, err;

	/* It holds copies of the daemon's descriptors (the instance locks): it must not outlive a kill -9. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);

	/* Sockets stay the parent's: a client sees its close, a restart can bind the port. */
	for (i = 0; i < METRICS_HTTP_MAX_CONNS; i++)
		if (ms->conns[i].fd >= 0)
			close(ms->conns[i].fd);
	if (ms->listen_fd >= 0)
		close(ms->listen_fd);
	close(ms->ep);
	f = fdopen(wfd, "w");
	if (!f)
		_exit(1);
	err = metrics_collect(ms->skel, &snap);
	fputc(err ? '1' : '0', f);
	if (!err)
		err = metrics_write(f, &snap);
	if (fclose(f) && !err)
		err = -EIO;
	/* _exit: no atexit handlers, no flushing of the parent's stdio buffers. */
	_exit(err ? 1 : 0);
}

static void collect_start(struct metrics_server *ms)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = COLLECTOR_TAG };
	struct collector *col = &ms->col;
	int p[2], err;
	pid_t parent;

	if (col->pid || !ms->skel)
		return;		/* the running one's end starts the next */
	if (pipe2(p, O_CLOEXEC)) {
		err = -errno;
		goto fail;
	}
	col->started_ns = now_ns();
	col->len = 0;
	parent = getpid();
	col->pid = fork();
	if (col->pid == 0) {
		close(p[0]);
		collector_child(ms, p[1], parent);
	}
	err = col->pid < 0 ? -errno : 0;
	close(p[1]);
	col->fd = p[0];
	if (!err && (fcntl(col->fd, F_SETFL, O_NONBLOCK) || epoll_ctl(ms->ep, EPOLL_CTL_ADD, col->fd, &ev)))
		err = -errno;
	if (!err)
		return;
	if (col->pid < 0)
		col->pid = 0;
	collect_reap(ms, 1);
fail:
	pr_warn("metrics: starting a collection failed: %s%s\n", strerror(-err), attach_fd_hint(err));
	/* The waiting scrapes get 503 rather than a timeout. */
	collect_done(ms, 0);
}

/* Answers everyone who asked before the collection started, and starts the next for the others. */
static void collect_done(struct metrics_server *ms, int ok)
{
	struct collector *col = &ms->col;
	const char *body = col->buf + 1;
	size_t len = ok ? col->len - 1 : 0;
	int i, again = 0, err;

	for (i = 0; i < METRICS_HTTP_MAX_CONNS; i++) {
		struct http_conn *c = &ms->conns[i];

		if (c->fd < 0 || !c->waiting_ns)
			continue;
		if (ok && c->waiting_ns > col->started_ns) {
			/* Asked after it started: its counters may be older than the request. */
			again = 1;
			continue;
		}
		c->waiting_ns = 0;
		if (ok)
			conn_respond(c, 200, "OK", PROM_TEXT_CONTENT_TYPE, body, len, c->head);
		else
			respond_text(c, 503, "Service Unavailable", "xdpfwd: counters cannot be read right now\n",
				     c->head);
		if (c->fd >= 0)
			conn_write(ms, c);
	}
	if (ms->textfile_due_ns && (!ok || ms->textfile_due_ns <= col->started_ns)) {
		err = ok ? textfile_write(ms, body, len) : -EAGAIN;
		ms->textfile_due_ns = 0;
		textfile_report(ms, err);
	} else if (ms->textfile_due_ns) {
		again = 1;
	}
	col->len = 0;
	if (again && ok)
		collect_start(ms);
}

/* Ends the running collection (killed if still running); ok says whether its output is whole. */
static int collect_reap(struct metrics_server *ms, int kill_it)
{
	struct collector *col = &ms->col;
	int status = 0;

	if (col->fd >= 0) {
		close(col->fd);	/* also leaves the epoll set */
		col->fd = -1;
	}
	if (!col->pid)
		return 0;
	if (kill_it)
		kill(col->pid, SIGKILL);
	/* Its pipe is closed, so it is exiting: this does not wait long. */
	while (waitpid(col->pid, &status, 0) < 0 && errno == EINTR)
		;
	col->pid = 0;
	return !kill_it && WIFEXITED(status) && WEXITSTATUS(status) == 0 && col->len > 0 &&
	       col->buf[0] == '0';
}

/* Reads what the child wrote so far, a bounded amount per wakeup. */
static void collect_read(struct metrics_server *ms)
{
	struct collector *col = &ms->col;
	size_t got = 0;
	ssize_t n;
	char *nb;

	while (col->fd >= 0 && got < COLLECT_READ_MAX) {
		if (col->cap - col->len < 4096) {
			nb = realloc(col->buf, col->cap ? col->cap * 2 : 65536);
			if (!nb) {
				collect_reap(ms, 1);
				collect_done(ms, 0);
				return;
			}
			col->buf = nb;
			col->cap = col->cap ? col->cap * 2 : 65536;
		}
		n = read(col->fd, col->buf + col->len, col->cap - col->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			collect_done(ms, collect_reap(ms, 0));
			return;
		}
		col->len += n;
		got += n;
	}
}

void metrics_server_process(struct metrics_server *ms)
{
	struct epoll_event evs[METRICS_HTTP_MAX_CONNS + 1];
	struct http_conn *c;
	int n, i;

	if (!ms)
		return;
	n = epoll_wait(ms->ep, evs, METRICS_HTTP_MAX_CONNS + 1, 0);
	for (i = 0; i < n; i++) {
		if (evs[i].data.u32 == LISTENER_TAG) {
			accept_some(ms);
			continue;
		}
		if (evs[i].data.u32 == COLLECTOR_TAG) {
			collect_read(ms);
			continue;
		}
		c = &ms->conns[evs[i].data.u32];
		if (c->fd < 0)
			continue;	/* evicted earlier in this batch */
		if (evs[i].events & (EPOLLERR | EPOLLHUP) && !(evs[i].events & EPOLLIN))
			conn_close(c);
		else if (c->waiting_ns)
			continue;	/* nothing to do until its answer is collected */
		else if (c->draining)
			conn_drain(c);
		else if (c->resp)
			conn_write(ms, c);
		else
			conn_read(ms, c);
	}
}

static int listen_on(const struct listen_addr *a)
{
	char where[64];
	int fd, one = 1, r;

	listen_addr_format(a, where, sizeof(where));
	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		pr_warn("--metrics-listen %s: creating the socket failed: %s%s\n", where, strerror(-r),
			r == -EAFNOSUPPORT ? " (under systemd, add AF_INET and AF_INET6 to RestrictAddressFamilies=)" :
			"");
		return r;
	}
	/* A restart must not wait out TIME_WAIT from the last scrape. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::] means IPv6 only, as written; 0.0.0.0 is the way to ask for IPv4. */
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) || listen(fd, 16)) {
		r = -errno;
		pr_warn("--metrics-listen %s: %s%s\n", where, strerror(-r),
			r == -EADDRINUSE ? "; another process (or another xdpfwd) uses this port: choose another" :
			r == -EADDRNOTAVAIL ? "; no interface in this network namespace has that address" : "");
		close(fd);
		return r;
	}
	pr_info("serving metrics on http://%s/metrics\n", where);
	return fd;
}

/* ---- textfile ---- */

static int textfile_check(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	struct stat st;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!*base || (!stat(path, &st) && !S_ISREG(st.st_mode))) {
		pr_warn("--metrics-textfile %s: not a file name\n", path);
		return -EINVAL;
	}
	if (access(dir, W_OK | X_OK)) {
		int r = -errno;

		pr_warn("--metrics-textfile %s: cannot write in %s: %s%s\n", path, dir, strerror(-r),
			r == -EROFS ? " (under systemd, add the directory to ReadWritePaths=)" : "");
		return r;
	}
	return 0;
}

/*
 * The directory may belong to another user (node_exporter's), who can put
 * anything at PATH.tmp: a FIFO would block open() forever, a symlink would
 * aim our write at any file. So the temp file is created afresh (O_EXCL
 * follows no symlink and opens no FIFO); what is in the way is removed only
 * when it is what a crash of ours leaves: a regular file of our own user.
 */
static int textfile_open_tmp(const char *tmp)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	struct stat st;
	int fd;

	fd = open(tmp, flags, 0644);
	if (fd < 0 && errno == EEXIST && !lstat(tmp, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_nlink == 1 && !unlink(tmp))
		fd = open(tmp, flags, 0644);
	return fd < 0 ? -errno : fd;
}

static int textfile_write(struct metrics_server *ms, const char *body, size_t len)
{
	int fd, err = 0;
	ssize_t n;

	fd = textfile_open_tmp(ms->textfile_tmp);
	if (fd < 0)
		return fd;
	/* node_exporter runs as its own user: readable whatever the service's UMask. */
	fchmod(fd, 0644);
	while (len && !err) {
		n = write(fd, body, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? -errno : -EIO;
		else
			body += n, len -= n;
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(ms->textfile_tmp, ms->textfile))
		err = -errno;
	if (err)
		unlink(ms->textfile_tmp);
	return err;
}

static void textfile_report(struct metrics_server *ms, int err)
{
	if (err && !ms->textfile_failing)
		pr_warn("--metrics-textfile %s: writing failed: %s%s; trying again every interval\n",
			ms->textfile, strerror(-err),
			err == -EEXIST ? " (something that xdpfwd did not leave is at the .tmp name: remove it)" :
			err == -EMFILE ? " (the process is out of file descriptors: raise LimitNOFILE=)" : "");
	else if (!err && ms->textfile_failing)
		pr_info("--metrics-textfile %s: written again\n", ms->textfile);
	ms->textfile_failing = !!err;
}

void metrics_server_tick(struct metrics_server *ms)
{
	__u64 now;
	int i;

	if (!ms)
		return;
	now = now_ns();
	for (i = 0; i < METRICS_HTTP_MAX_CONNS; i++)
		if (ms->conns[i].fd >= 0 && now >= ms->conns[i].deadline_ns)
			conn_close(&ms->conns[i]);
	if (ms->accept_paused) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = LISTENER_TAG };

		ms->accept_paused = !!epoll_ctl(ms->ep, EPOLL_CTL_MOD, ms->listen_fd, &ev);
	}
	/* A collection that hangs (a map walk that never ends) must not hold every later scrape. */
	if (ms->col.pid && now - ms->col.started_ns >= METRICS_COLLECT_TIMEOUT_MS * 1000000ULL) {
		pr_warn("metrics: collecting took longer than %d s; stopped it\n",
			METRICS_COLLECT_TIMEOUT_MS / 1000);
		collect_reap(ms, 1);
		collect_done(ms, 0);
	}
	if (!ms->textfile || !ms->skel || now < ms->textfile_next_ns)
		return;
	ms->textfile_next_ns = now + ms->textfile_every_ns;
	if (!ms->textfile_due_ns)
		ms->textfile_due_ns = now;
	collect_start(ms);
}

/* ---- lifetime ---- */

int metrics_server_open(const struct daemon_opts *o, struct metrics_server **out)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = LISTENER_TAG };
	struct metrics_server *ms;
	int i, err;

	*out = NULL;
	if (!o->metrics_listen && !o->metrics_textfile)
		return 0;
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return -ENOMEM;
	ms->ep = ms->listen_fd = ms->col.fd = -1;
	for (i = 0; i < METRICS_HTTP_MAX_CONNS; i++)
		ms->conns[i].fd = -1;
	if (o->metrics_textfile) {
		err = textfile_check(o->metrics_textfile);
		if (err)
			goto fail;
		ms->textfile = o->metrics_textfile;
		if (asprintf(&ms->textfile_tmp, "%s.tmp", o->metrics_textfile) < 0) {
			ms->textfile_tmp = NULL;
			err = -ENOMEM;
			goto fail;
		}
		ms->textfile_every_ns = 1000000000ULL *
					(o->stats_interval ? o->stats_interval : METRICS_TEXTFILE_INTERVAL);
	}
	/* The collector's pipe is waited on here too, for the textfile as for HTTP. */
	ms->ep = epoll_create1(EPOLL_CLOEXEC);
	if (ms->ep < 0) {
		err = -errno;
		pr_warn("metrics: epoll_create1 failed: %s\n", strerror(-err));
		goto fail;
	}
	if (o->metrics_listen) {
		ms->listen_fd = listen_on(&o->metrics_addr);
		if (ms->listen_fd < 0) {
			err = ms->listen_fd;
			goto fail;
		}
		if (epoll_ctl(ms->ep, EPOLL_CTL_ADD, ms->listen_fd, &ev)) {
			err = -errno;
			goto fail;
		}
	}
	*out = ms;
	return 0;
fail:
	metrics_server_close(ms);
	return err;
}

void metrics_server_set_source(struct metrics_server *ms, struct xdpfwd_bpf *skel)
{
	if (ms)
		ms->skel = skel;
}

int metrics_server_fd(const struct metrics_server *ms)
{
	return ms ? ms->ep : -1;
}

void metrics_server_close(struct metrics_server *ms)
{
	int i;

	if (!ms)
		return;
	/* Killed, not waited for: SIGTERM is answered at once however long a collection takes. */
	collect_reap(ms, 1);
	free(ms->col.buf);
	for (i = 0; i < METRICS_HTTP_MAX_CONNS; i++)
		conn_close(&ms->conns[i]);
	if (ms->listen_fd >= 0)
		close(ms->listen_fd);
	if (ms->ep >= 0)
		close(ms->ep);
	free(ms->textfile_tmp);
	free(ms);
}
