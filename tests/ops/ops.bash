# SPDX-License-Identifier: GPL-2.0
# Helpers for the operations suites (tests/ops): service notification, metrics, packaging.
# Builds on tests/lib/netns.bash; everything started here is in XF_PIDS, so xf_teardown stops it.
#
#   ops_notify_start ADDR [CMD...]  a stand-in for systemd's notification socket at ADDR (a path or
#                                   @abstract) in NS_P, logging to $XF_TMP/notify.log; CMD runs when
#                                   READY=1 arrives (see notify_listener.py). Lives 60 s at most.
#   ops_wait_grep ERE FILE [SECONDS]  waits (default 5 s) until FILE has a line matching ERE
#   ops_count ERE FILE              lines of FILE matching ERE
#   ops_metric NAME{LABELS} FILE    the value of one normalised sample (promparse.py output)
#   ops_no_xdp                      succeeds when no XDP program is attached to $IF_P
#   ops_lacks ERE FILE              succeeds when no line of FILE matches ERE
# (Use these rather than a bare `! cmd`, which bats does not count as a failure.)

OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/netns.bash
source "$OPS_DIR/../lib/netns.bash"

ops_notify_start() {
	local addr=$1 i
	shift
	rm -f "$XF_TMP/notify.ready"
	nsenter --net="/run/netns/$NS_P" python3 "$OPS_DIR/notify_listener.py" "$addr" "$XF_TMP/notify.log" \
		"$XF_TMP/notify.ready" 60 "$@" >/dev/null 2>"$XF_TMP/notify.err" 3>&- &
	XF_PIDS+=($!)
	for i in $(seq 50); do
		[ -e "$XF_TMP/notify.ready" ] && return 0
		sleep 0.1
	done
	echo "notification listener did not start:" >&2
	cat "$XF_TMP/notify.err" >&2
	return 1
}

ops_wait_grep() {
	local ere=$1 file=$2 secs=${3:-5} i
	for i in $(seq $((secs * 10))); do
		grep -qE -- "$ere" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no line matching '$ere' in $file after ${secs}s:" >&2
	cat "$file" >&2 2>/dev/null
	return 1
}

ops_count() {
	grep -cE -- "$1" "$2" 2>/dev/null || true
}

ops_metric() {
	local line
	line=$(grep -F -- "$1 " "$2" | head -1)
	[ -n "$line" ] || { echo "no sample $1 in $2" >&2; return 1; }
	echo "${line##* }"
}

ops_no_xdp() {
	! xf_p ip -d link show dev "$IF_P" | grep -q 'prog/xdp'
}

ops_lacks() {
	! grep -qE -- "$1" "$2"
}
