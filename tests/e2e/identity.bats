#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# One daemon per interface and instance, whoever else runs on the machine: the lock is one only
# root can take, keyed by what the pin dir and the interface are, not by how they are spelled;
# each daemon's event ring is its interface's alone.

load ../lib/xf
bats_require_minimum_version 1.5.0

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
LOG=(--log-source-interval 0 --log-rate unlimited)

setup() {
	xf_setup
}

teardown() {
	xf_teardown
	[ -n "${NS_Q:-}" ] && ip netns del "$NS_Q" 2>/dev/null
	[ -n "${XF_LINK:-}" ] && rm -f "$XF_LINK"
	[ -n "${XF_SQUAT:-}" ] && rm -rf "$XF_SQUAT"
	return 0
}

# Another daemon on the same interface, pin dir spelled $1: refused at once, nothing changed.
second_refused() {
	local id
	id=$(xf_xdp_prog "$IF_P")
	run --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$1" 3>&-
	echo "# exit $status: $stderr" >&2
	[ "$status" = 1 ]
	[[ $stderr == *"another xdpfwd daemon already runs for $IF_P"* ]]
	[ "$(xf_xdp_prog "$IF_P")" = "$id" ]
	kill -0 "$XF_DAEMON_PID"
}

@test "a user who holds the old abstract lock name cannot keep the daemon from starting" {
	# Any user could bind the abstract name the lock used to be; abstract sockets have no permissions.
	XF_SQUAT=$(mktemp -d /tmp/xdpfwd-test-squat.XXXXXX)
	chown 65534 "$XF_SQUAT"
	xf_p "${NOBODY[@]}" "$XF_PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1].encode().replace(b"@", b"\0", 1)[:107])
open(sys.argv[2], "w").close()
time.sleep(30)' "@xdpfwd:$IF_P:$PIN" "$XF_SQUAT/bound" 3>&- &
	XF_PIDS+=($!)
	for i in $(seq 50); do [ -e "$XF_SQUAT/bound" ] && break; sleep 0.1; done
	[ -e "$XF_SQUAT/bound" ]
	# Nor can it make anything in or next to the pin dir that would pass for a lock.
	run "${NOBODY[@]}" mkdir -p "$PIN/lock_$IF_P"
	[ "$status" -ne 0 ]

	xf_daemon --iface "$IF_P"
	grep -q "$IF_P: attached program" "$XF_TMP/daemon.err"
	# The real lock still holds: a second daemon on the interface is refused.
	second_refused "$PIN"
}

@test "the lock dies with its daemon: kill -9, and the next start takes it" {
	xf_daemon --iface "$IF_P"
	kill -9 "$XF_DAEMON_PID"
	xf_daemon_wait_exit 5
	xf_daemon --iface "$IF_P"
	grep -q "adopted the running firewall" "$XF_TMP/daemon.err"
}

@test "the pin dir spelled DIR/, DIR//, through a symlink or with /./: the same instance, the second daemon is refused" {
	xf_daemon --iface "$IF_P"
	second_refused "$PIN/"
	second_refused "$PIN//"
	second_refused "/sys/fs/bpf/./xdpfwd-test-$XF_ID"
	XF_LINK=/tmp/xdpfwd-test-bpflink-$XF_ID
	ln -s /sys/fs/bpf "$XF_LINK"
	second_refused "$XF_LINK/xdpfwd-test-$XF_ID"
	# Exactly one program, the first daemon's, and it still drops.
	xf_cli block add 198.18.0.2
	[ "$(xf_udp_count 198.18.0.2 3)" = 0 ]
}

# A veth pair named $1 in namespace $2 (peer $3 in NS_S), protected side 198.19.$4.1/24 and
# the sender side 198.19.$4.2/24.
pair() {
	ip link add "$1" netns "$2" type veth peer name "$3" netns "$NS_S"
	ip -n "$2" addr add "198.19.$4.1/24" dev "$1"
	ip -n "$NS_S" addr add "198.19.$4.2/24" dev "$3"
	ip -n "$2" link set "$1" up
	ip -n "$NS_S" link set "$3" up
}

# Starts a daemon in namespace $1 on interface $2 with its output in $XF_TMP/$3.out.
daemon_in() {
	nsenter --net="/run/netns/$1" "$XDPFWD" --pin-dir "$PIN" --iface "$2" "${LOG[@]}" \
		>"$XF_TMP/$3.out" 2>"$XF_TMP/$3.err" 3>&- &
	XF_PIDS+=($!)
	xf_wait_lines "attached program" 1 "$XF_TMP/$3.err" 10
}

# Pings $2 times from 198.19.$1.2 (blocked) to 198.19.$1.1.
ping_from() {
	xf_s timeout 10 ping -n -q -c "$2" -i 0.05 -W 1 -I "198.19.$1.2" "198.19.$1.1" >/dev/null 2>&1 3>&- || true
}

@test "interfaces a.1 and a_1 with one pin dir: each daemon logs only its own interface's drops" {
	local dot=xd$XF_ID.1 und=xd${XF_ID}_1
	pair "$dot" "$NS_P" "xe$XF_ID" 1
	pair "$und" "$NS_P" "xg$XF_ID" 2
	xf_add_extra_if "$dot"
	xf_add_extra_if "$und"
	daemon_in "$NS_P" "$dot" dot
	daemon_in "$NS_P" "$und" und
	xf_cli block add 198.19.1.2 198.19.2.2
	ping_from 1 6
	ping_from 2 4
	[ "$(xf_wait_json 'j["events"]["sent"]' 10 xf_cli status --json)" = 10 ]
	xf_wait_lines ' drop ' 6 "$XF_TMP/dot.out"
	xf_wait_lines ' drop ' 4 "$XF_TMP/und.out"
	sleep 0.5
	echo "# $dot: $(grep -c ' drop ' "$XF_TMP/dot.out") lines, $und: $(grep -c ' drop ' "$XF_TMP/und.out") lines" >&3
	[ "$(grep -c " $dot drop blocklist src=198\.19\.1\.2 " "$XF_TMP/dot.out")" = 6 ]
	[ "$(grep -c ' drop ' "$XF_TMP/dot.out")" = 6 ]
	[ "$(grep -c " $und drop blocklist src=198\.19\.2\.2 " "$XF_TMP/und.out")" = 4 ]
	[ "$(grep -c ' drop ' "$XF_TMP/und.out")" = 4 ]
	# Two rings, neither under the other's old name.
	[ "$(ls "$PIN" | grep -c '^events_')" = 2 ]
}

@test "equal interface names in two network namespaces with one pin dir: each daemon logs only its own drops" {
	NS_Q=xfq-$XF_ID
	ip netns add "$NS_Q"
	local name=xn$XF_ID
	pair "$name" "$NS_P" "xe$XF_ID" 1
	pair "$name" "$NS_Q" "xg$XF_ID" 2
	xf_add_extra_if "$name"
	daemon_in "$NS_P" "$name" p
	daemon_in "$NS_Q" "$name" q
	xf_cli block add 198.19.1.2 198.19.2.2
	ping_from 1 6
	ping_from 2 4
	xf_wait_lines ' drop ' 6 "$XF_TMP/p.out"
	xf_wait_lines ' drop ' 4 "$XF_TMP/q.out"
	sleep 0.5
	echo "# net $NS_P: $(grep -c ' drop ' "$XF_TMP/p.out") lines, net $NS_Q: $(grep -c ' drop ' "$XF_TMP/q.out") lines" >&3
	[ "$(grep -c 'src=198\.19\.1\.2 ' "$XF_TMP/p.out")" = 6 ]
	[ "$(grep -c ' drop ' "$XF_TMP/p.out")" = 6 ]
	[ "$(grep -c 'src=198\.19\.2\.2 ' "$XF_TMP/q.out")" = 4 ]
	[ "$(grep -c ' drop ' "$XF_TMP/q.out")" = 4 ]
}

@test "upgrade: the ring an older build pinned under the old name is taken over, backlog and all, and renamed" {
	xf_daemon --iface "$IF_P" "${LOG[@]}"
	local ring=events_$IF_P@$(stat -L -c %i "/run/netns/$NS_P")
	[ -e "$PIN/$ring" ]
	xf_daemon_stop TERM
	# Older builds named it events_<name, '_' for odd bytes>, whatever the namespace.
	mv "$PIN/$ring" "$PIN/events_$IF_P"
	# Drops while no daemon runs wait in that ring.
	xf_cli block add 198.18.0.2
	[ "$(xf_udp_count 198.18.0.2 3)" = 0 ]
	: >"$XF_TMP/daemon.out"
	xf_daemon --iface "$IF_P" "${LOG[@]}"
	grep -q "taking over the event ring buffer $PIN/events_$IF_P " "$XF_TMP/daemon.err"
	xf_wait_lines " $IF_P drop blocklist src=198\.18\.0\.2 " 3
	[ -e "$PIN/$ring" ]
	[ ! -e "$PIN/events_$IF_P" ]
	[ "$(ls "$PIN" | grep -c '^events_')" = 1 ]
}

@test "a ring under an old name that the interface's program does not use is left to its owner" {
	xf_daemon --iface "$IF_P" "${LOG[@]}"
	xf_daemon_stop TERM
	# Someone else's ring at the old name (another interface's, from an older build).
	bpftool map create "$PIN/events_$IF_P" type ringbuf key 0 value 0 entries 4096 name events
	xf_daemon --iface "$IF_P" "${LOG[@]}"
	! grep -q "taking over" "$XF_TMP/daemon.err" || false
	[ -e "$PIN/events_$IF_P" ]
	[ -e "$PIN/events_$IF_P@$(stat -L -c %i "/run/netns/$NS_P")" ]
}
