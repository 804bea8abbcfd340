# SPDX-License-Identifier: GPL-2.0
# Helpers for the CLI suites (tests/cli), on top of tests/lib/netns.bash.
#
#   cli_setup              xf_setup, plus bats' minimum version for `run -N`
#   cli_teardown           removes what the CLI tests add (extra pin dirs, lo's XDP), then xf_teardown
#   x ARGS...              runs $XDPFWD ARGS --pin-dir $PIN inside NS_P
#   cli_stop_daemon        SIGTERMs the daemon from xf_daemon, waits, sets CLI_DAEMON_RC
#   cli_map_entries MAP    the keys of $PIN/MAP as printed by `bpftool map dump -j`, one a line,
#                          as "198.18.0.2" (hash key) or "198.18.0.0/24" (LPM key), sorted
#   cli_snapshot FILE      every list as the CLI and bpftool see it, for byte-for-byte comparison
#   cli_xdp_id             id of the XDP program on $IF_P as `ip link` shows it (empty if none)
#   cli_json EXPR          evaluates the python expression EXPR with j = JSON read from stdin

bats_require_minimum_version 1.5.0

# The list maps whose content a rejected command must leave alone (twins included when present).
CLI_LIST_MAPS="block_v4_addr block_v6_addr block_v4_net block_v6_net allow_v4 allow_v6"

cli_setup() {
	xf_setup
	CLI_EXTRA_DIRS=()
	# Permanent neighbours, where the shared library offers them, keep ARP/ND off the wire:
	# a blocked IPv6 source must not also break neighbour discovery for the next test step.
	if declare -F xf_static_neigh >/dev/null; then
		xf_static_neigh
	fi
}

cli_teardown() {
	local d
	if [ -n "${NS_P:-}" ] && [ -e "/run/netns/$NS_P" ]; then
		nsenter --net="/run/netns/$NS_P" ip link set dev lo xdpgeneric off 2>/dev/null || true
	fi
	for d in ${CLI_EXTRA_DIRS[@]+"${CLI_EXTRA_DIRS[@]}"}; do
		rm -rf "$d"
	done
	xf_teardown
}

x() {
	xf_p "$XDPFWD" "$@" --pin-dir "$PIN"
}

cli_stop_daemon() {
	kill -TERM "$XF_DAEMON_PID"
	CLI_DAEMON_RC=0
	wait "$XF_DAEMON_PID" || CLI_DAEMON_RC=$?
}

cli_json() {
	python3 -c "import json, sys; j = json.load(sys.stdin); print($1)"
}

CLI_MAP_PY='
import ipaddress, json, sys
out = []
for e in json.load(sys.stdin):
    k = e["formatted"]["key"]
    addr = bytes(k["addr"])
    ip = ipaddress.ip_address(addr)
    out.append(str(ip) + ("/%d" % k["prefixlen"] if "prefixlen" in k else ""))
print("\n".join(sorted(out)))
'

cli_map_entries() {
	bpftool map dump pinned "$PIN/$1" -j | python3 -c "$CLI_MAP_PY"
}

cli_snapshot() {
	local m
	{
		x block list --json
		x allow list --json
		for m in $CLI_LIST_MAPS $(cd "$PIN" && ls -d block_*_b allow_*_b 2>/dev/null); do
			echo "== $m"
			bpftool map dump pinned "$PIN/$m"
		done
	} >"$1" 2>&1
}

cli_xdp_id() {
	xf_p ip -o link show dev "$IF_P" | grep -o 'prog/xdp id [0-9]*' | awk '{ print $3 }'
}

# N datagrams from SRC all arrive (a receiver slow to start under load gets two more tries).
cli_arrives() {
	local i n
	for i in 1 2 3; do
		n=$(xf_udp_count "$1" "$2")
		[ "$n" = "$2" ] && return 0
		echo "# from $1: $n of $2 arrived (attempt $i)" >&2
	done
	return 1
}

# None of N datagrams from SRC arrive.
cli_blocked() {
	local n
	n=$(xf_udp_count "$1" "$2")
	[ "$n" = 0 ] && return 0
	echo "# from $1: $n of $2 arrived, expected none" >&2
	return 1
}
