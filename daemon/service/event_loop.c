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
#include "stats.h"
#include "event_format.h"
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

static void print_stats(const struct event_loop_cfg *cfg)
{
	struct xdpfwd_stats s;
	char line[1024];

	if (stats_read(cfg->stats_fd, &s))
		return;
	/* In the drop log's format: with --log-format json every line of stdout is JSON. */
	if (consumer_log_format(cfg->consumer) == LOG_FORMAT_JSON)
		event_format_stats_json(&s, line, sizeof(line));
	else
		stats_format_line(&s, line, sizeof(line));
	fprintf(cfg->out, "%s\n", line);
	fflush(cfg->out);
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
	unsigned int ticks = 0, stats_ticks = cfg->stats_interval * (1000 / EVENT_LOOP_TICK_MS);
	/* WatchdogSec=: ping at half the timeout, from the tick, so a stuck loop stops the pings. */
	__u64 wd_usec = sd_watchdog_usec();
	unsigned int wd_ticks = wd_usec ? (wd_usec / 2000 / EVENT_LOOP_TICK_MS ?: 1) : 0;
	/* The first tick pings at once: loading and attaching may have taken a while. */
	unsigned int wd_count = wd_ticks;
	int metrics_fd = metrics_server_fd(cfg->metrics);
	struct epoll_event evs[4];
	__u64 expirations;

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
	if (err) {
		pr_warn("setting up the event loop failed: %s\n", strerror(-err));
		goto out;
	}

	while (!stop) {
		n = epoll_wait(ep, evs, 4, -1);
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
				ticks += expirations;
				wd_count += expirations;
				if (wd_ticks && wd_count >= wd_ticks) {
					wd_count = 0;
					sd_notify_watchdog();
				}
				metrics_server_tick(cfg->metrics);
				if (cfg->on_tick && cfg->on_tick(cfg->ctx))
					stop = 1;
				if (stats_ticks && ticks >= stats_ticks) {
					ticks = 0;
					print_stats(cfg);
				}
				if (!(ticks % 50))
					consumer_forget_names(cfg->consumer);
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
