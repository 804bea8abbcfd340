# SPDX-License-Identifier: GPL-2.0
# Helpers for the ban-tool suites (fail2ban_real.bats, crowdsec.bats): the daemon as the shipped
# unit starts it, its reload as `systemctl reload` does it, and waiting for a peer to be blocked.
#
#   bt_unit_daemon            starts $XDPFWD on $IF_P with systemd/xdpfwd@.service's ExecStart
#                             options (pin dir $PIN, /etc/xdpfwd and /var/lib/xdpfwd under
#                             $XF_TMP, the installed list files from contrib/etc) and a stand-in
#                             notification socket; waits for READY=1
#   bt_reload                 the unit's ExecReload (SIGHUP); waits for the READY=1 that ends it
#   bt_wait_ping SRC WANT SECS
#                             single pings from SRC (in NS_S) to NS_P until one gets WANT replies
#                             (1: passes, 0: dropped), for at most SECS seconds; prints the
#                             milliseconds from the call to the start of that ping; fails if none did
#   bt_entry PREFIX           the JSON entry of PREFIX in the blocklist ("" when absent)
#   bt_is_ban ENTRY-JSON SECONDS SLACK SET [only]
#                             fails unless the entry expires in SECONDS - SLACK .. SECONDS and is in
#                             SET (with only: in SET alone)

BT_REPO=$(cd "$OPS_DIR/../.." && pwd)
BT_UNIT=$BT_REPO/systemd/xdpfwd@.service

bt_unit_daemon() {
	local cmd opts
	mkdir -p "$XF_TMP/etc/sets.d" "$XF_TMP/state"
	cp "$BT_REPO/contrib/etc/xdpfwd/blocklist" "$BT_REPO/contrib/etc/xdpfwd/allowlist" "$XF_TMP/etc/"
	# The unit's ExecStart, with the paths of this test bed and XDPFWD_OPTS as the installed
	# /etc/xdpfwd/xdpfwd.conf (contrib's) sets it; no per-interface file.
	# shellcheck disable=SC1091
	opts=$(. "$BT_REPO/contrib/etc/xdpfwd/xdpfwd.conf" && echo "${XDPFWD_OPTS:-}")
	cmd=$(sed -n 's/^ExecStart=//p' "$BT_UNIT" | sed -e "s|/usr/local/sbin/xdpfwd|$XDPFWD|" \
		-e "s|%I|$IF_P|g" -e "s|/sys/fs/bpf/xdpfwd|$PIN|" -e "s|/etc/xdpfwd|$XF_TMP/etc|g" \
		-e "s|/var/lib/xdpfwd|$XF_TMP/state|g" -e "s|\\\$XDPFWD_OPTS|$opts|" -e 's|\$XDPFWD_IFACE_OPTS||')
	[ -n "$cmd" ] || { echo "no ExecStart in $BT_UNIT" >&2; return 1; }
	ops_notify_start "$XF_TMP/notify"
	# shellcheck disable=SC2086
	NOTIFY_SOCKET=$XF_TMP/notify nsenter --net="/run/netns/$NS_P" $cmd \
		>>"$XF_TMP/daemon.out" 2>>"$XF_TMP/daemon.err" 3>&- &
	XF_PIDS+=($!)
	XF_DAEMON_PID=$!
	xf_wait_lines 'READY=1' 1 "$XF_TMP/notify.log" 10 || { cat "$XF_TMP/daemon.err" >&2; return 1; }
}

bt_reload() {
	local n
	n=$(xf_count_lines 'READY=1' "$XF_TMP/notify.log")
	# ExecReload=/bin/sh -c 'kill -HUP "$MAINPID"'
	MAINPID=$XF_DAEMON_PID sh -c 'kill -HUP "$MAINPID"'
	xf_wait_lines 'READY=1' $((n + 1)) "$XF_TMP/notify.log" 5
}

bt_wait_ping() {
	local src=$1 want=$2 secs=$3 dst t0 t got
	dst=$(xf_default_dst "$src")
	t0=$(date +%s%N)
	while :; do
		t=$(date +%s%N)
		[ $(((t - t0) / 1000000)) -le $((secs * 1000)) ] || break
		got=$(nsenter --net="/run/netns/$NS_S" ping -n -q -c 1 -W 0.3 -I "$src" "$dst" 2>&1 3>&- |
			sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
		if [ "$got" = "$want" ]; then
			echo $(((t - t0) / 1000000))
			return 0
		fi
		sleep 0.05
	done
	echo "ping from $src to $dst never got $want replies in $secs s" >&2
	return 1
}

bt_entry() {
	xf_cli block list --json | "$XF_PYTHON" -c 'import json, sys
for e in json.load(sys.stdin):
    if e["entry"] == sys.argv[1]:
        print(json.dumps(e))' "$1"
}

bt_is_ban() {
	"$XF_PYTHON" -c 'import json, sys
e = json.loads(sys.argv[1]); d, slack, name, only = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
assert d - slack <= e["expires_in"] <= d, e
assert e["sets"] == [name] if only else name in e["sets"], e' "$1" "$2" "$3" "$4" "${5:+1}"
}
