# SPDX-License-Identifier: GPL-2.0
# Processes and waiting (part of tests/lib/xf.bash). Everything started here is in XF_PIDS, so
# xf_teardown stops it. Every wait is bounded.
#
#   xf_start NAME CMD...      starts CMD in NS_P in the background (stdout and stderr in
#                             $XF_TMP/NAME.err) and waits (at most 5 s) until it creates
#                             $XF_TMP/NAME.ready, a path the caller gives CMD; sets XF_START_PID
#   xf_daemon_bg ARGS...      starts $XDPFWD --pin-dir $PIN ARGS... in NS_P in the background
#                             (stdout $XF_TMP/daemon.out, stderr $XF_TMP/daemon.err, appended);
#                             sets XF_DAEMON_PID, and XF_DAEMON_FROM: the byte of daemon.err where
#                             this start's lines begin (a restart appends to the same files)
#   xf_daemon_started         succeeds once this start attached or adopted (says so in its lines)
#   xf_daemon ARGS...         xf_daemon_bg, then waits (at most 10 s) for xf_daemon_started; fails,
#                             showing this start's stderr, if the daemon exits first
#   xf_daemon_stop [SIGNAL]   signals the last xf_daemon (default TERM), waits (at most 10 s) and
#                             sets XF_DAEMON_RC to its exit status
#   xf_daemon_wait_exit [SECONDS]
#                             the same without a signal: for a daemon that exits by itself
#   xf_count_lines ERE FILE   how many lines of FILE match ERE (nothing if FILE is missing)
#   xf_lacks ERE FILE         succeeds when no line of FILE matches ERE (a bare `! grep` in a test
#                             does not fail it: bats ignores `!`)
#   xf_wait_lines ERE N [FILE] [SECONDS]
#                             waits (default 3 s) until FILE (default daemon.out) has N lines
#                             matching ERE; fails, showing FILE, if it never has
#   xf_wait_output VALUE CMD...
#                             retries CMD (at most 3 s) until it prints VALUE; prints what it printed
#                             last (and, if that is not VALUE, its stderr to stderr): frames a
#                             sender handed to the veth may not have met XDP yet

xf_start() {
	local name=$1 i
	shift
	rm -f "$XF_TMP/$name.ready"
	# nsenter execs CMD, so the pid in XF_PIDS is CMD itself; fd 3 is bats' and must not be inherited.
	nsenter --net="/run/netns/$NS_P" "$@" >"$XF_TMP/$name.err" 2>&1 3>&- &
	XF_PIDS+=($!)
	XF_START_PID=$!
	for i in $(seq 50); do
		[ -e "$XF_TMP/$name.ready" ] && return 0
		sleep 0.1
	done
	echo "$name did not start:" >&2
	cat "$XF_TMP/$name.err" >&2
	return 1
}

xf_daemon_bg() {
	XF_DAEMON_FROM=$(($(stat -c %s "$XF_TMP/daemon.err" 2>/dev/null || echo 0) + 1))
	# nsenter execs the daemon, so $! is its pid; fd 3 is bats' and must not be inherited.
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" --pin-dir "$PIN" "$@" \
		>>"$XF_TMP/daemon.out" 2>>"$XF_TMP/daemon.err" 3>&- &
	XF_PIDS+=($!)
	XF_DAEMON_PID=$!
}

xf_daemon_started() {
	tail -c +"$XF_DAEMON_FROM" "$XF_TMP/daemon.err" 2>/dev/null | grep -qE 'attached program|adopted the running'
}

xf_daemon() {
	xf_daemon_bg "$@"
	xf_daemon_wait
}

# Waits (10 s at most) until the daemon started in the background ($XF_DAEMON_PID) has attached;
# else its stderr since it started, under "WHAT (default: daemon) did not attach".
xf_daemon_wait() {
	local i
	for i in $(seq 100); do
		xf_daemon_started && return 0
		kill -0 "$XF_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "${1:-daemon} did not attach; stderr:" >&2
	tail -c +"$XF_DAEMON_FROM" "$XF_TMP/daemon.err" >&2
	return 1
}

xf_daemon_stop() {
	kill -"${1:-TERM}" "$XF_DAEMON_PID" 2>/dev/null || true
	xf_daemon_wait_exit 10
}

xf_daemon_wait_exit() {
	local i
	XF_DAEMON_RC=
	for i in $(seq $((${1:-10} * 10))); do
		kill -0 "$XF_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$XF_DAEMON_PID" 2>/dev/null; then
		echo "daemon $XF_DAEMON_PID did not exit" >&2
		return 1
	fi
	XF_DAEMON_RC=0
	wait "$XF_DAEMON_PID" || XF_DAEMON_RC=$?
	return 0
}

xf_count_lines() {
	grep -cE -- "$1" "$2" 2>/dev/null || true
}

xf_lacks() {
	! grep -qE -- "$1" "$2"
}

xf_wait_lines() {
	local pat=$1 n=$2 file=${3:-$XF_TMP/daemon.out} secs=${4:-3} i c=0
	for i in $(seq $((secs * 10))); do
		c=$(xf_count_lines "$pat" "$file")
		[ "${c:-0}" -ge "$n" ] && return 0
		sleep 0.1
	done
	echo "expected $n lines matching '$pat' in $file, found ${c:-0}:" >&2
	cat "$file" >&2
	return 1
}

xf_wait_output() {
	local want=$1 got _ err=$XF_TMP/wait.$BASHPID.err
	shift
	for _ in $(seq 30); do
		got=$("$@" 2>"$err") || true
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	[ "$got" = "$want" ] || cat "$err" >&2
	rm -f "$err"
	echo "$got"
}
