// SPDX-License-Identifier: GPL-2.0
/* The notification protocol against a real AF_UNIX datagram socket standing in for systemd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sd_notify.h"

struct listener {
	int fd;
	char dir[64];
	char path[108];
};

/* A path socket in a fresh temporary directory, non-blocking so a missing message fails, not hangs. */
static int listen_path(void **state)
{
	struct listener *l = calloc(1, sizeof(*l));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	assert_non_null(l);
	snprintf(l->dir, sizeof(l->dir), "/tmp/xdpfwd-sdn.XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	snprintf(l->path, sizeof(l->path), "%s/notify", l->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", l->path);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", l->path, 1), 0);
	*state = l;
	return 0;
}

/* An abstract socket: NOTIFY_SOCKET spells its leading NUL as '@', the length is exact. */
static int listen_abstract(void **state)
{
	struct listener *l = calloc(1, sizeof(*l));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;

	assert_non_null(l);
	snprintf(l->path, sizeof(l->path), "@xdpfwd-test-notify-%d-%d", getpid(), rand());
	n = strlen(l->path);
	memcpy(sa.sun_path, l->path, n);
	sa.sun_path[0] = '\0';
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + n), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", l->path, 1), 0);
	*state = l;
	return 0;
}

static int listen_close(void **state)
{
	struct listener *l = *state;

	close(l->fd);
	if (l->dir[0]) {
		unlink(l->path);
		rmdir(l->dir);
	}
	free(l);
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

/* The next datagram, which must be exactly want. */
static void expect_msg(const struct listener *l, const char *want)
{
	char buf[1024];
	ssize_t n = recv(l->fd, buf, sizeof(buf) - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void expect_nothing(const struct listener *l)
{
	char buf[16];

	assert_int_equal(recv(l->fd, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, EAGAIN);
}

static void lifecycle_messages(void **state)
{
	const struct listener *l = *state;

	assert_int_equal(sd_notify_ready("enforcing on %d interface%s", 2, "s"), 1);
	expect_msg(l, "READY=1\nSTATUS=enforcing on 2 interfaces");
	assert_int_equal(sd_notify_watchdog(), 1);
	expect_msg(l, "WATCHDOG=1");
	assert_int_equal(sd_notify_reloading(), 1);
	expect_msg(l, "RELOADING=1");
	assert_int_equal(sd_notify_ready("reloaded"), 1);
	expect_msg(l, "READY=1\nSTATUS=reloaded");
	assert_int_equal(sd_notify_status("%s", "draining"), 1);
	expect_msg(l, "STATUS=draining");
	assert_int_equal(sd_notify_stopping(), 1);
	expect_msg(l, "STOPPING=1");
	assert_int_equal(sd_notify_send("STATUS=a\nERRNO=5"), 1);
	expect_msg(l, "STATUS=a\nERRNO=5");
	expect_nothing(l);
}

static void test_lifecycle_path_socket(void **state)
{
	lifecycle_messages(state);
}

static void test_lifecycle_abstract_socket(void **state)
{
	lifecycle_messages(state);
}

/* A status with newlines must not smuggle in other assignments (a second READY=1, ERRNO=...). */
static void test_status_is_one_line(void **state)
{
	const struct listener *l = *state;
	char longer[600], buf[1024];
	ssize_t n;

	assert_int_equal(sd_notify_status("eth0\nREADY=1\r\nERRNO=1"), 1);
	expect_msg(l, "STATUS=eth0 READY=1  ERRNO=1");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(sd_notify_ready("%s", longer), 1);
	n = recv(l->fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 18);
	buf[n] = '\0';
	assert_memory_equal(buf, "READY=1\nSTATUS=xxx", 18);
	assert_true(n < (ssize_t)sizeof(longer));	/* cut, not sent whole */
	assert_null(strchr(buf + 8, '\n'));
}

static void test_no_socket_is_a_no_op(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sd_notify_ready("x"), 0);
	assert_int_equal(sd_notify_watchdog(), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sd_notify_watchdog(), 0);
	unsetenv("NOTIFY_SOCKET");
}

static void test_unusable_socket(void **state)
{
	char dir[] = "/tmp/xdpfwd-sdn.XXXXXX", path[128];

	(void)state;
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	assert_int_equal(sd_notify_watchdog(), -EAFNOSUPPORT);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sd_notify_watchdog(), -EAFNOSUPPORT);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nobody-listens", dir);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sd_notify_watchdog(), -ENOENT);
	rmdir(dir);
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog_usec(void **state)
{
	char pid[32];

	(void)state;
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(sd_watchdog_usec(), 30000000);
	snprintf(pid, sizeof(pid), "%d", getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sd_watchdog_usec(), 30000000);
	/* Meant for another process (our parent, say): not ours to ping. */
	snprintf(pid, sizeof(pid), "%d", getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sd_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "junk", 1);
	assert_int_equal(sd_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "", 1);
	assert_int_equal(sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	assert_int_equal(sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "10s", 1);
	assert_int_equal(sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "99999999999999999999999", 1);
	assert_int_equal(sd_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifecycle_path_socket, listen_path, listen_close),
		cmocka_unit_test_setup_teardown(test_lifecycle_abstract_socket, listen_abstract, listen_close),
		cmocka_unit_test_setup_teardown(test_status_is_one_line, listen_path, listen_close),
		cmocka_unit_test(test_no_socket_is_a_no_op),
		cmocka_unit_test(test_unusable_socket),
		cmocka_unit_test(test_watchdog_usec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
