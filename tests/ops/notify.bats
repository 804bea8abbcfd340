#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The daemon speaks systemd's notification protocol (Type=notify, WatchdogSec=) with the real
# daemon in a namespace and a Python stand-in for systemd's socket.

load ops

setup() {
	xf_setup
	# What was attached when READY=1 arrived: exit 0 only if our program is on the interface.
	CHECK_ATTACHED=(sh -c "ip -d link show dev $IF_P | grep -q 'prog/xdp'")
}

teardown() {
	unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
	xf_teardown
}

@test "READY=1 with a status line arrives once the program is attached" {
	ops_notify_start "$XF_TMP/notify" "${CHECK_ATTACHED[@]}"
	export NOTIFY_SOCKET=$XF_TMP/notify
	xf_daemon --iface "$IF_P"
	xf_wait_lines '^[0-9.]+ READY=1\|STATUS=enforcing on 1 interface, pins in /sys/fs/bpf/xdpfwd-test-' 1 \
		"$XF_TMP/notify.log" 5
	xf_wait_lines '^CHECK ' 1 "$XF_TMP/notify.log" 5
	grep -qx 'CHECK 0' "$XF_TMP/notify.log"
	[ "$(xf_count_lines 'READY=1' "$XF_TMP/notify.log")" -eq 1 ]
	# No watchdog configured, no pings.
	sleep 0.5
	[ "$(xf_count_lines 'WATCHDOG=1' "$XF_TMP/notify.log")" -eq 0 ]
}

@test "an abstract NOTIFY_SOCKET (@name) works too" {
	ops_notify_start "@xdpfwd-test-$XF_ID" "${CHECK_ATTACHED[@]}"
	export NOTIFY_SOCKET=@xdpfwd-test-$XF_ID
	xf_daemon --iface "$IF_P"
	xf_wait_lines 'READY=1' 1 "$XF_TMP/notify.log" 5
	xf_wait_lines '^CHECK ' 1 "$XF_TMP/notify.log" 5
	grep -qx 'CHECK 0' "$XF_TMP/notify.log"
}

@test "WATCHDOG=1 arrives at half of WATCHDOG_USEC, never a whole timeout apart" {
	local first last n gaps
	ops_notify_start "$XF_TMP/notify"
	export NOTIFY_SOCKET=$XF_TMP/notify WATCHDOG_USEC=1000000
	xf_daemon --iface "$IF_P"
	xf_wait_lines 'READY=1' 1 "$XF_TMP/notify.log" 5
	sleep 3
	n=$(xf_count_lines '^[0-9.]+ WATCHDOG=1$' "$XF_TMP/notify.log")
	# Every 0.5 s, the first at once: about 7 in 3 s; 5 leaves room for a slow machine.
	[ "$n" -ge 5 ] || { cat "$XF_TMP/notify.log"; false; }
	[ "$n" -le 10 ] || { cat "$XF_TMP/notify.log"; false; }
	# The largest gap between pings must stay under the 1 s timeout systemd would enforce.
	gaps=$(awk '$2 == "WATCHDOG=1" { if (p) { g = $1 - p; if (g > m) m = g } p = $1 } END { print m }' \
		"$XF_TMP/notify.log")
	awk -v g="$gaps" 'BEGIN { exit !(g > 0.3 && g < 1.0) }' || { echo "largest gap $gaps s"; false; }
}

@test "WATCHDOG_PID naming another process means no pings from us" {
	ops_notify_start "$XF_TMP/notify"
	export NOTIFY_SOCKET=$XF_TMP/notify WATCHDOG_USEC=200000 WATCHDOG_PID=1
	xf_daemon --iface "$IF_P"
	xf_wait_lines 'READY=1' 1 "$XF_TMP/notify.log" 5
	sleep 1
	[ "$(xf_count_lines 'WATCHDOG=1' "$XF_TMP/notify.log")" -eq 0 ]
}

@test "SIGHUP reports RELOADING=1 then READY=1; SIGTERM reports STOPPING=1" {
	ops_notify_start "$XF_TMP/notify"
	export NOTIFY_SOCKET=$XF_TMP/notify
	xf_daemon --iface "$IF_P"
	xf_wait_lines 'READY=1' 1 "$XF_TMP/notify.log" 5
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines '^[0-9.]+ RELOADING=1$' 1 "$XF_TMP/notify.log" 5
	xf_wait_lines '^[0-9.]+ READY=1$' 1 "$XF_TMP/notify.log" 5
	[ "$(grep -nE 'RELOADING=1$' "$XF_TMP/notify.log" | cut -d: -f1)" -lt \
	  "$(grep -nE ' READY=1$' "$XF_TMP/notify.log" | cut -d: -f1)" ]
	xf_daemon_stop TERM
	[ "$XF_DAEMON_RC" -eq 0 ]
	xf_wait_lines '^[0-9.]+ STOPPING=1$' 1 "$XF_TMP/notify.log" 5
	# Stopping leaves the firewall enforcing, as without systemd.
	xf_p ip -d link show dev "$IF_P" | grep -q 'prog/xdp'
}

@test "a NOTIFY_SOCKET nobody listens on costs one warning, not the service" {
	export NOTIFY_SOCKET=$XF_TMP/nobody-listens WATCHDOG_USEC=200000
	xf_daemon --iface "$IF_P"
	sleep 1
	kill -0 "$XF_DAEMON_PID"
	[ "$(grep -c 'notifying the service manager' "$XF_TMP/daemon.err")" -eq 1 ]
}
