# SPDX-License-Identifier: GPL-2.0
# Helpers for the operations suites (tests/ops): service notification, metrics, packaging.
# Builds on tests/lib/xf.bash (which this loads); everything started here is in XF_PIDS, so
# xf_teardown stops it.
#
#   ops_notify_start ADDR [CMD...]  a stand-in for systemd's notification socket at ADDR (a path or
#                                   @abstract) in NS_P, logging to $XF_TMP/notify.log; CMD runs when
#                                   READY=1 arrives (see tests/lib/listen.py). Lives 60 s at most.
#   ops_metric NAME{LABELS} FILE    the value of one normalised sample (promparse.py output)
# (Waiting for a line is xf_wait_lines, counting lines xf_count_lines, no line xf_lacks, no
# program attached xf_no_xdp.)

OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/xf.bash
source "$OPS_DIR/../lib/xf.bash"

ops_notify_start() {
	local addr=$1
	shift
	xf_start notify "$XF_PYTHON" "$XF_LIB/listen.py" notify "$addr" "$XF_TMP/notify.log" \
		"$XF_TMP/notify.ready" 60 "$@"
}

ops_metric() {
	local line
	line=$(grep -F -- "$1 " "$2" | head -1)
	[ -n "$line" ] || { echo "no sample $1 in $2" >&2; return 1; }
	echo "${line##* }"
}
