#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A live xdpfwd demo that touches nothing but what it creates: two network namespaces joined by a
# veth pair, xdpfwd protecting one side, a blocked and an allowed sender on the other. Everything
# is removed on exit, Ctrl-C included. DEMO_SECONDS (default 10) bounds the traffic.
set -euo pipefail

XDPFWD=${XDPFWD:-$(cd "$(dirname "$0")/.." && pwd)/build/xdpfwd}
SECONDS_TOTAL=${DEMO_SECONDS:-10}
ID=$$
NS_P=xfdemo-$ID-p
NS_S=xfdemo-$ID-s
IF_P=xfdp$ID
IF_S=xfds$ID
PIN=/sys/fs/bpf/xdpfwd-demo-$ID
LOG=$(mktemp /tmp/xdpfwd-demo.XXXXXX)
DAEMON=

[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates namespaces and attaches XDP)" >&2; exit 1; }
[ -x "$XDPFWD" ] || { echo "demo: $XDPFWD is missing; run 'make demo'" >&2; exit 1; }

cleanup() {
	trap - EXIT INT TERM
	set +e
	if [ -n "$DAEMON" ]; then
		kill "$DAEMON" 2>/dev/null
		wait "$DAEMON" 2>/dev/null
	fi
	if [ -e "/run/netns/$NS_P" ]; then
		nsenter --net="/run/netns/$NS_P" "$XDPFWD" detach --all --pin-dir "$PIN" >/dev/null 2>&1 || true
	fi
	rm -rf "$PIN" "$LOG"
	ip netns del "$NS_P" 2>/dev/null || true
	ip netns del "$NS_S" 2>/dev/null || true
	echo "demo: cleaned up (namespaces, veth pair, pins)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_p() { nsenter --net="/run/netns/$NS_P" "$@"; }
in_s() { nsenter --net="/run/netns/$NS_S" "$@"; }
say() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }

say "setting up: $NS_P (198.18.0.1, protected) <-veth-> $NS_S (senders 198.18.0.2 and 198.18.0.3)"
ip netns add "$NS_P"
ip netns add "$NS_S"
ip link add "$IF_P" netns "$NS_P" type veth peer name "$IF_S" netns "$NS_S"
ip -n "$NS_P" addr add 198.18.0.1/24 dev "$IF_P"
ip -n "$NS_S" addr add 198.18.0.2/24 dev "$IF_S"
ip -n "$NS_S" addr add 198.18.0.3/24 dev "$IF_S"
ip -n "$NS_P" link set "$IF_P" up
ip -n "$NS_S" link set "$IF_S" up

say "xdpfwd --iface $IF_P (log lines below are the daemon's stdout)"
# Only the network namespace is entered, so the pins stay on the host's bpffs.
nsenter --net="/run/netns/$NS_P" "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" > >(sed -u 's/^/  [log] /') 2>&1 &
DAEMON=$!
for _ in $(seq 50); do [ -e "$PIN/prog" ] && break; sleep 0.1; done
[ -e "$PIN/prog" ] || { echo "demo: xdpfwd did not start" >&2; exit 1; }

say "xdpfwd block add 198.18.0.2"
"$XDPFWD" block add 198.18.0.2 --pin-dir "$PIN"

ping_from() {
	if in_s ping -c 1 -W 1 -I "$1" 198.18.0.1 >/dev/null 2>&1; then echo "reply"; else echo "DROPPED"; fi
}

say "pinging 198.18.0.1 once a second from both senders for ${SECONDS_TOTAL}s"
for ((i = 1; i <= SECONDS_TOTAL; i++)); do
	printf '  round %2d: from 198.18.0.2 (blocked): %-8s from 198.18.0.3 (allowed): %s\n' \
		"$i" "$(ping_from 198.18.0.2)" "$(ping_from 198.18.0.3)"
	sleep 0.5
done

say "xdpfwd block list"
"$XDPFWD" block list --pin-dir "$PIN"
say "xdpfwd status (run in the interface's network namespace)"
in_p "$XDPFWD" status --pin-dir "$PIN"
say "xdpfwd block del 198.18.0.2, then one more round"
"$XDPFWD" block del 198.18.0.2 --pin-dir "$PIN"
printf '  from 198.18.0.2: %s\n' "$(ping_from 198.18.0.2)"
