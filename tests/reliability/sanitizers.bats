#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The daemon runs clean under ASan/UBSan (the -san build) and under valgrind (the plain build):
# start, traffic and drop logging, a re-attach after tampering, re-pinning, 50 SIGHUPs, SIGTERM,
# exit 0, and no sanitizer report, no valgrind error, no definite leak.

load rel.bash

setup() {
	rel_setup
}

teardown() {
	rel_teardown
}

# The life of one daemon (pid $1, stderr $2): everything but the start and the stop.
exercise() {
	local pid=$1 err=$2 i
	xf_cli block add 198.18.0.2 2001:2::2 198.18.0.128/25
	xf_cli allow add 198.18.0.130
	rel_flood 198.18.0.2 3000 3 5000 >/dev/null
	sent=$(rel_flood 198.18.0.3 3000 3 5000)
	rel_flood 2001:2::2 1000 3 5000 >/dev/null
	xf_wait_lines ' drop blocklist src=198\.18\.0\.2 ' 1 "$XF_TMP/daemon.out" 10
	# The watch paths: re-attach after a detach behind its back, re-pin a removed pin.
	xf_p ip link set dev "$IF_P" xdp off
	rel_wait_ms 10 grep -q "re-attached program" "$err" >/dev/null
	rm "$PIN/prog"
	rel_wait_ms 10 test -e "$PIN/prog" >/dev/null
	xf_cli block load <(printf '198.18.0.2\n198.18.0.4\n')
	for i in $(seq 50); do
		kill -HUP "$pid"
		sleep 0.02
	done
	rel_wait_ms 10 grep -q "SIGHUP" "$err" >/dev/null
	kill -0 "$pid"
	[ "$(rel_count 198.18.0.2)" = 0 ]
	echo "arrived from .2, .3 (sent $sent), 2001:2::2: $(rel_counts 198.18.0.2 198.18.0.3 2001:2::2)"
	[ "$(rel_count 198.18.0.3)" = "$sent" ]
	[ "$(rel_count 2001:2::2)" = 0 ]
}

@test "ASan/UBSan: start, traffic, tampering, 50 SIGHUPs, SIGTERM: exit 0 and no report" {
	export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
	xf_daemon --iface "$IF_P"
	exercise "$XF_DAEMON_PID" "$XF_TMP/daemon.err"
	xf_daemon_stop TERM
	hups=$(grep -c 'SIGHUP' "$XF_TMP/daemon.err")
	rel_figure "exit $XF_DAEMON_RC after 50 SIGHUPs ($hups handled; signals coalesce), $(grep -c ' drop ' "$XF_TMP/daemon.out") drop lines;" \
		"sanitizer reports: $(grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$XF_TMP/daemon.err")"
	[ "$XF_DAEMON_RC" = 0 ]
	! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: .*Sanitizer' "$XF_TMP/daemon.err"
}

@test "valgrind: start, traffic, tampering, 50 SIGHUPs, SIGTERM: exit 0, no error, no definite leak" {
	local i pid rc=0
	# nsenter execs valgrind, which runs the daemon in the same process: $! is the daemon.
	nsenter --net="/run/netns/$NS_P" valgrind --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --suppressions="$BATS_TEST_DIRNAME/valgrind.supp" \
		--log-file="$XF_TMP/valgrind.log" "$XDPFWD_PLAIN" --iface "$IF_P" --pin-dir "$PIN" \
		>"$XF_TMP/daemon.out" 2>"$XF_TMP/daemon.err" 3>&- &
	pid=$!
	XF_PIDS+=($pid)
	rel_wait_ms 60 grep -q "attached program" "$XF_TMP/daemon.err" || { cat "$XF_TMP/daemon.err"; false; }
	exercise "$pid" "$XF_TMP/daemon.err"
	kill -TERM "$pid"
	for i in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$pid" || rc=$?
	summary=$(grep 'ERROR SUMMARY' "$XF_TMP/valgrind.log" | sed 's/^==[0-9]*== //')
	leaks=$(grep -E 'definitely lost|All heap blocks were freed' "$XF_TMP/valgrind.log" | sed 's/^==[0-9]*== //')
	rel_figure "exit $rc; $summary; ${leaks:-no leak summary}"
	[ "$rc" = 0 ] || { cat "$XF_TMP/valgrind.log"; false; }
	[[ "$summary" == "ERROR SUMMARY: 0 errors from 0 contexts"* ]]
}
