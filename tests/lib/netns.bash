# SPDX-License-Identifier: GPL-2.0
# Shared by the bats suites: a protected namespace and a sender namespace joined by a veth pair,
# unique names per run, and cleanup that runs even when a test fails.
#
#   xf_setup          creates NS_P (veth $IF_P, 198.18.0.1/24, 2001:2::1/64) and
#                     NS_S (veth $IF_S, 198.18.0.2-.5/24, 2001:2::2-5/64), and PIN (unused pin dir)
#   xf_teardown       kills daemons started with xf_daemon, detaches, removes pins and namespaces
#   xf_p CMD...       runs CMD in NS_P's network namespace only, so bpffs pins stay visible
#   xf_s CMD...       runs CMD in NS_S
#   xf_daemon ARGS... starts $XDPFWD in NS_P in the background (stdout $XF_TMP/daemon.out,
#                     stderr $XF_TMP/daemon.err), waits until it is attached
#   xf_udp_count SRC N  sends N UDP datagrams from SRC to the protected side, prints how many arrived

XDPFWD=${XDPFWD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/xdpfwd}

xf_setup() {
	XF_ID=$(printf '%04x%02x' $((RANDOM)) $((RANDOM % 256)))
	NS_P=xfp-$XF_ID
	NS_S=xfs-$XF_ID
	IF_P=xfp$XF_ID
	IF_S=xfs$XF_ID
	PIN=/sys/fs/bpf/xdpfwd-test-$XF_ID
	XF_TMP=$(mktemp -d /tmp/xdpfwd-test.XXXXXX)
	XF_PIDS=()
	ip netns add "$NS_P"
	ip netns add "$NS_S"
	ip link add "$IF_P" netns "$NS_P" type veth peer name "$IF_S" netns "$NS_S"
	ip -n "$NS_P" link set lo up
	ip -n "$NS_S" link set lo up
	ip -n "$NS_P" addr add 198.18.0.1/24 dev "$IF_P"
	ip -n "$NS_P" addr add 2001:2::1/64 dev "$IF_P" nodad
	local i
	for i in 2 3 4 5; do
		ip -n "$NS_S" addr add 198.18.0.$i/24 dev "$IF_S"
		ip -n "$NS_S" addr add 2001:2::$i/64 dev "$IF_S" nodad
	done
	ip -n "$NS_P" link set "$IF_P" up
	ip -n "$NS_S" link set "$IF_S" up
}

xf_p() {
	nsenter --net="/run/netns/$NS_P" "$@"
}

xf_s() {
	nsenter --net="/run/netns/$NS_S" "$@"
}

# Starts the daemon and waits (at most 10 s) for its "attached"/"adopted" line.
xf_daemon() {
	# nsenter execs the daemon, so $! is its pid; fd 3 is bats' and must not be inherited.
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" --pin-dir "$PIN" "$@" \
		>>"$XF_TMP/daemon.out" 2>>"$XF_TMP/daemon.err" 3>&- &
	XF_PIDS+=($!)
	XF_DAEMON_PID=$!
	local i
	for i in $(seq 100); do
		grep -qE 'attached program|adopted the running' "$XF_TMP/daemon.err" 2>/dev/null && return 0
		kill -0 "$XF_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon did not attach; stderr:" >&2
	cat "$XF_TMP/daemon.err" >&2
	return 1
}

# Sends N datagrams from SRC (an address of NS_S) to port 9000 on the protected side
# and prints how many arrived. Bounded: N <= 1000, at most ~3 s.
xf_udp_count() {
	local src=$1 n=$2 dst=198.18.0.1 out
	case $src in *:*) dst=[2001:2::1] src=[$src] ;; esac
	out=$XF_TMP/udp.$RANDOM
	xf_p timeout 5 socat -u "UDP6-RECV:9000,ipv6only=0" "OPEN:$out,creat,append" 3>&- &
	local rpid=$!
	sleep 0.3
	local i
	for ((i = 0; i < n && i < 1000; i++)); do
		echo "pkt$i" | xf_s timeout 1 socat -u - "UDP-SENDTO:$dst:9000,bind=$src" 2>/dev/null || true
	done
	sleep 0.3
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	grep -c '^pkt' "$out" 2>/dev/null || true
}

xf_teardown() {
	local pid
	for pid in "${XF_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ -n "${NS_P:-}" ] && [ -e "/run/netns/$NS_P" ]; then
		# Detach whatever is left (ours or a test's xdp-filter) before the namespace goes.
		nsenter --net="/run/netns/$NS_P" ip link set dev "$IF_P" xdp off 2>/dev/null || true
		nsenter --net="/run/netns/$NS_P" ip link set dev "$IF_P" xdpgeneric off 2>/dev/null || true
	fi
	[ -n "${PIN:-}" ] && rm -rf "$PIN"
	[ -n "${NS_P:-}" ] && ip netns del "$NS_P" 2>/dev/null
	[ -n "${NS_S:-}" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "${XF_TMP:-}" ] && rm -rf "$XF_TMP"
	return 0
}
