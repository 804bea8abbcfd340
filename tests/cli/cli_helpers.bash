# SPDX-License-Identifier: GPL-2.0
# Helpers for the CLI suites (tests/cli), on top of tests/lib/xf.bash (which this loads).
#
#   cli_setup              xf_setup and xf_static_neigh, plus bats' minimum version for `run -N`
#   cli_setup_daemon       cli_setup, then the daemon on $IF_P (xf_daemon --iface $IF_P)
#   cli_teardown           removes what the CLI tests add (extra pin dirs, lo's XDP), then xf_teardown;
#                          the CLI suites' teardown()
#   cli_map_entries MAP    the keys of $PIN/MAP as printed by `bpftool map dump -j`, one a line,
#                          as "198.18.0.2" (hash key) or "198.18.0.0/24" (LPM key), sorted
#   cli_snapshot FILE      every list as the CLI and bpftool see it, for byte-for-byte comparison
#   cli_arrives SRC N      N datagrams from SRC all arrive (xf_udp_count; up to three tries)
#   cli_blocked SRC N      none of N datagrams from SRC arrive

# shellcheck source=../lib/xf.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/xf.bash"

bats_require_minimum_version 1.5.0

# The list maps whose content a rejected command must leave alone (twins included when present).
CLI_LIST_MAPS="block_v4_addr block_v6_addr block_v4_net block_v6_net allow_v4 allow_v6"

cli_setup() {
	xf_setup
	CLI_EXTRA_DIRS=()
	# Permanent neighbours keep ARP/ND off the wire: a blocked IPv6 source must not also break
	# neighbour discovery for the next test step.
	xf_static_neigh
}

cli_setup_daemon() {
	cli_setup
	xf_daemon --iface "$IF_P"
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

# The CLI suites' cleanup, in place of xf.bash's.
teardown() {
	cli_teardown
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
	bpftool map dump pinned "$PIN/$1" -j | "$XF_PYTHON" -c "$CLI_MAP_PY"
}

cli_snapshot() {
	local m
	{
		xf_cli block list --json
		xf_cli allow list --json
		for m in $CLI_LIST_MAPS $(cd "$PIN" && ls -d block_*_b allow_*_b 2>/dev/null); do
			echo "== $m"
			bpftool map dump pinned "$PIN/$m"
		done
	} >"$1" 2>&1
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
