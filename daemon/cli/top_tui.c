// SPDX-License-Identifier: GPL-2.0
/*
 * `xdpfwd top`'s full-screen view (ncursesw). One poll loop over the
 * keyboard, a timerfd (the samples) and a signalfd (SIGINT, SIGTERM, SIGHUP:
 * leave; SIGWINCH: redraw at the new size), so no work happens in a signal
 * handler and every way out goes through endwin().
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "lib_error.h"
#include "log.h"
#include "top_show.h"

struct tui {
	struct top *t;
	const char *pin_dir;
	unsigned int interval_ms;
	enum top_sort sort;
	int paused;
	int utf8;
	struct top_view view;
	struct top_text text;
};

/* The library's notices (an interface that could not be inspected) go to the footer, not over the screen. */
static char notice[256];

static void keep_notice(const char *msg)
{
	snprintf(notice, sizeof(notice), "%s", msg);
}

static void draw(struct tui *u)
{
	int y, rows = LINES - 1;
	char foot[512];

	top_text_frame(&u->view, u->pin_dir, u->sort, COLS, TOP_ROWS, u->utf8, u->paused, &u->text);
	erase();
	for (y = 0; y < u->text.n && y < rows; y++) {
		int attr = u->text.kind[y] == TOP_LINE_TITLE ? A_BOLD :
			   u->text.kind[y] == TOP_LINE_HEADING ? A_REVERSE : A_NORMAL;

		attrset(attr);
		mvaddstr(y, 0, u->text.line[y]);
	}
	attrset(A_NORMAL);
	snprintf(foot, sizeof(foot), "q quit  s sort (%s)  p %s  every %.1f s%s%s", top_sort_name(u->sort),
		 u->paused ? "resume" : "pause", u->interval_ms / 1000.0, notice[0] ? "  | " : "", notice);
	/* One column short: writing the bottom-right cell would scroll some terminals. */
	if (COLS > 1 && strlen(foot) >= (size_t)COLS)
		foot[COLS - 1] = 0;
	attrset(A_REVERSE);
	mvaddstr(LINES - 1, 0, foot);
	attrset(A_NORMAL);
	refresh();
}

static void resize(void)
{
	struct winsize ws;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
}

static int sample(struct tui *u, int full)
{
	int err = top_sample(u->t, full);

	if (!err)
		top_view(u->t, u->sort, &u->view);
	return err;
}

/* 1 to leave, 0 to go on. */
static int on_key(struct tui *u, int ch)
{
	switch (ch) {
	case 'q':
	case 'Q':
		return 1;
	case 's':
	case 'S':
		u->sort = (u->sort + 1) % TOP_SORTS;
		top_view(u->t, u->sort, &u->view);
		break;
	case 'p':
	case 'P':
	case ' ':
		u->paused = !u->paused;
		break;
	case KEY_RESIZE:
		break;
	default:
		return 0;
	}
	draw(u);
	return 0;
}

static int loop(struct tui *u, int sfd, int tfd)
{
	struct pollfd p[3] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = tfd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	__u64 ticks;
	int ch, err;

	for (;;) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				return -EIO;
			if (si.ssi_signo != SIGWINCH)
				return 0;
			resize();
			draw(u);
		}
		if (p[2].revents & POLLIN) {
			if (read(tfd, &ticks, sizeof(ticks)) != sizeof(ticks))
				return -EIO;
			if (!u->paused) {
				err = sample(u, 0);
				if (err)
					return err;
			}
			draw(u);
		}
		if (p[0].revents & (POLLHUP | POLLERR))
			return 0;
		if (p[0].revents & POLLIN)
			while ((ch = getch()) != ERR)
				if (on_key(u, ch))
					return 0;
	}
}

int top_tui_run(struct top *t, const char *pin_dir, unsigned int interval_ms)
{
	struct itimerspec its = {
		.it_interval = { interval_ms / 1000, (long)(interval_ms % 1000) * 1000000L },
		.it_value = { interval_ms / 1000, (long)(interval_ms % 1000) * 1000000L },
	};
	static struct tui u;	/* static: the view and its text are large */
	sigset_t mask, old;
	SCREEN *scr;
	int sfd = -1, tfd = -1, err;

	memset(&u, 0, sizeof(u));
	u.t = t;
	u.pin_dir = pin_dir;
	u.interval_ms = interval_ms;
	setlocale(LC_ALL, "");
	u.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	/* The first sample reads every entry: before the screen changes, so a failure reads as a plain line. */
	err = sample(&u, 1);
	if (err)
		return err;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
		err = lib_error_set(-errno, "top: setting up the signal and timer descriptors failed: %s",
				    strerror(errno));
		goto out;
	}
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		err = lib_error_set(-ENOTTY, "top: cannot drive the terminal (TERM=%s); use --once or --json",
				    getenv("TERM") ? getenv("TERM") : "");
		goto out;
	}
	lib_notice_set_handler(keep_notice);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	draw(&u);
	err = loop(&u, sfd, tfd);
	endwin();
	delscreen(scr);
	if (err && !lib_error()[0])
		lib_error_set(err, "top: %s", strerror(-err));
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}
