#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# A daemon that runs for years holds a constant number of descriptors: the watcher's look at the
# interface every 200 ms, a scrape and `xdpfwd status` leave none behind (libxdp 1.3.1's multiprog
# lookup kept one a call, xdp-tools #343: +5 a second, the default limit of 1024 gone in minutes,
# then no repair and false messages). Running out anyway (a tiny limit) is said as such.

load rel.bash

PORT=9761

setup() {
	rel_setup
}

teardown() {
	rel_teardown
}

fds() {
	ls "/proc/$XF_DAEMON_PID/fd" | wc -l
}

# Detaches behind the daemon's back; succeeds if the program is back within 1 s.
detach_and_expect_repair() {
	local i
	ip -n "$NS_P" link set dev "$IF_P" xdp off
	for i in $(seq 50); do
		rel_ours_attached && return 0
		sleep 0.02
	done
	echo "not re-attached within 1 s; daemon stderr:" >&2
	tail -5 "$XF_TMP/daemon.err" >&2
	return 1
}

# Scrapes N times with a raw HTTP GET; the answers must be 200.
scrape() {
	xf_p python3 "$BATS_TEST_DIRNAME/../ops/http_probe.py" scrape 127.0.0.1 "$PORT" "$1"
}

@test "descriptors: constant over 50 watch rounds, 50 scrapes and 20 status commands" {
	local start after_watch after_calls i
	xf_daemon --iface "$IF_P" --metrics-listen "127.0.0.1:$PORT"
	sleep 0.5
	start=$(fds)
	sleep 10
	after_watch=$(fds)
	scrape 50
	for i in $(seq 20); do
		xf_cli status >/dev/null
	done
	after_calls=$(fds)
	rel_figure "$start at start, $after_watch after 10 s (50 watch rounds)," \
		"$after_calls after 50 scrapes and 20 status commands"
	echo "start $start, after 10 s $after_watch, after the calls $after_calls"
	[ "$after_watch" -eq "$start" ]
	[ "$after_calls" -eq "$start" ]
	detach_and_expect_repair
}

@test "descriptors: with a limit of 64, a detach is still repaired after 30 s" {
	xf_daemon --iface "$IF_P"
	prlimit --pid "$XF_DAEMON_PID" --nofile=64:
	sleep 30
	kill -0 "$XF_DAEMON_PID"
	detach_and_expect_repair
	grep -q "$IF_P: re-attached program" "$XF_TMP/daemon.err"
	# No false story: the interface never went, no other program came, nothing ran out.
	xf_lacks "interface disappeared|replaced xdpfwd|out of file descriptors" "$XF_TMP/daemon.err"
}

# CPU time (user + system, in clock ticks) the daemon has used.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$XF_DAEMON_PID/stat"
}

@test "descriptors: running out is said as such, not as a vanished interface; no spin; repair resumes after" {
	local c0 c1 hz
	xf_daemon --iface "$IF_P" --metrics-listen "127.0.0.1:$PORT"
	sleep 0.3
	# No new descriptor at all (those open stay usable): the watcher's next look cannot open its socket.
	prlimit --pid "$XF_DAEMON_PID" --nofile=3:
	ip -n "$NS_P" link set dev "$IF_P" xdp off
	xf_wait_lines "$IF_P: .* failed: Too many open files; the process is out of file descriptors \\(raise LimitNOFILE=" \
		1 "$XF_TMP/daemon.err"
	# A scrape cannot be accepted: said once, and the listener does not spin the loop meanwhile.
	xf_p python3 -c 'import socket, time
s = socket.create_connection(("127.0.0.1", '"$PORT"')); s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n"); time.sleep(8)' 3>&- &
	XF_PIDS+=($!)
	xf_wait_lines "metrics: accepting a connection failed: Too many open files; the process is out of file descriptors" \
		1 "$XF_TMP/daemon.err"
	c0=$(cpu_ticks)
	sleep 1
	c1=$(cpu_ticks)
	hz=$(getconf CLK_TCK)
	echo "CPU over 1 s while out of descriptors: $((c1 - c0)) of $hz ticks"
	[ $((c1 - c0)) -lt $((hz / 4)) ]
	# Each said once, not every round.
	[ "$(grep -c "$IF_P: .*out of file descriptors" "$XF_TMP/daemon.err")" -eq 1 ]
	[ "$(grep -c 'metrics: accepting.*out of file descriptors' "$XF_TMP/daemon.err")" -eq 1 ]
	xf_lacks "interface disappeared|replaced xdpfwd" "$XF_TMP/daemon.err"
	prlimit --pid "$XF_DAEMON_PID" --nofile=1024:
	xf_wait_lines "$IF_P: re-attached program" 1 "$XF_TMP/daemon.err"
	grep -q "$IF_P: watched again" "$XF_TMP/daemon.err"
	rel_ours_attached
	scrape 1
}
