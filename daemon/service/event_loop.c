// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "log.h"
#include "sd_notify.h"
#include "metrics_http.h"
#include "event_loop.h"

static sigset_t loop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	return set;
}

int event_loop_block_signals(void)
{
	sigset_t set = loop_signals();

	return sigprocmask(SIG_BLOCK, &set, NULL) ? -errno : 0;
}

static int add_fd(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Returns 1 when a task asks the loop to stop. */
static int run_tasks(const struct event_loop_cfg *cfg, unsigned int *elapsed, __u64 ticks)
{
	const struct periodic_task *t;
	int i, stop = 0;

	for (i = 0; i < cfg->n_tasks; i++) {
		t = &cfg->tasks[i];
		if (!t->every)
			continue;
		elapsed[i] = elapsed[i] + ticks > t->every ? t->every : elapsed[i] + ticks;
		if (elapsed[i] < t->every)
			continue;
		elapsed[i] = 0;
		stop |= t->run(cfg->ctx);
	}
	return stop;
}

/* Returns 1 when the loop should stop. */
static int handle_signal(const struct event_loop_cfg *cfg, int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		/* systemd's ExecReload waits for nothing, but `systemctl status` shows the state. */
		sd_notify_reloading();
		if (cfg->on_reload)
			cfg->on_reload(cfg->ctx);
		else
			pr_info("SIGHUP: nothing to reload\n");
		sd_notify_send("READY=1");
		return 0;
	}
	sd_notify_stopping();
	/* The daemon then says what stays attached: something else may have taken an interface over. */
	pr_info("%s: stopping\n", strsignal(si.ssi_signo));
	return 1;
}

int event_loop_run(const struct event_loop_cfg *cfg)
{
	struct itimerspec tick = {
		.it_interval = { .tv_nsec = EVENT_LOOP_TICK_MS * 1000000L },
		.it_value = { .tv_nsec = EVENT_LOOP_TICK_MS * 1000000L },
	};
	sigset_t set = loop_signals();
	int ep = -1, sfd = -1, tfd = -1, rb_fd, err = 0, stop = 0, i, n;
	unsigned int elapsed[EVENT_LOOP_MAX_TASKS];	/* ticks since each task last ran */
	int metrics_fd = metrics_server_fd(cfg->metrics);
	struct epoll_event evs[4 + EVENT_LOOP_MAX_SOURCES];
	const struct event_source *src;
	__u64 expirations;
	int k;

	if (cfg->n_tasks > EVENT_LOOP_MAX_TASKS || cfg->n_sources > EVENT_LOOP_MAX_SOURCES) {
		pr_warn("the event loop has room for %d periodic tasks and %d sources, not %d and %d; raise "
			"EVENT_LOOP_MAX_TASKS or EVENT_LOOP_MAX_SOURCES\n", EVENT_LOOP_MAX_TASKS,
			EVENT_LOOP_MAX_SOURCES, cfg->n_tasks, cfg->n_sources);
		return -E2BIG;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (ep < 0 || sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &tick, NULL)) {
		err = -errno;
		pr_warn("setting up the event loop failed: %s\n", strerror(-err));
		goto out;
	}
	rb_fd = consumer_fd(cfg->consumer);
	err = add_fd(ep, sfd);
	if (!err)
		err = add_fd(ep, tfd);
	if (!err)
		err = add_fd(ep, rb_fd);
	if (!err && metrics_fd >= 0)
		err = add_fd(ep, metrics_fd);
	for (k = 0; k < cfg->n_sources && !err; k++)
		if (cfg->sources[k].fd >= 0)
			err = add_fd(ep, cfg->sources[k].fd);
	if (err) {
		pr_warn("setting up the event loop failed: %s\n", strerror(-err));
		goto out;
	}
	for (i = 0; i < cfg->n_tasks; i++)
		elapsed[i] = cfg->tasks[i].at_start ? cfg->tasks[i].every : 0;

	while (!stop) {
		n = epoll_wait(ep, evs, sizeof(evs) / sizeof(evs[0]), -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_warn("epoll_wait failed: %s\n", strerror(-err));
			break;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == sfd) {
				stop |= handle_signal(cfg, sfd);
			} else if (metrics_fd >= 0 && evs[i].data.fd == metrics_fd) {
				metrics_server_process(cfg->metrics);
			} else if (evs[i].data.fd == tfd) {
				if (read(tfd, &expirations, sizeof(expirations)) < 0)
					continue;
				stop |= run_tasks(cfg, elapsed, expirations);
			} else {
				for (k = 0; k < cfg->n_sources; k++) {
					src = &cfg->sources[k];
					if (src->fd >= 0 && evs[i].data.fd == src->fd)
						src->ready(cfg->ctx);
				}
			}
		}
		/* Every wakeup drains: the program only wakes us for a backlog, the tick covers the rest. */
		consumer_drain(cfg->consumer);
	}
out:
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	if (ep >= 0)
		close(ep);
	return err;
}
