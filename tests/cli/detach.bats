#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdpfwd detach: --iface and --all, the pins going with the last interface, with and without
# a daemon running, and interfaces that are not attached or do not exist.

load cli_helpers

setup() {
	cli_setup
}

no_xdp_anywhere() {
	run -0 xf_p ip -o link
	[[ $output != *xdp* ]]
	run -0 xf_p bpftool net show -j
	[ "$(echo "$output" | xf_json 'len(j[0]["xdp"])')" -eq 0 ]
}

# Starts the daemon on $IF_P, then `detach --iface IF` must exit with STATUS, name IF and say WHY
# on stderr without claiming to have detached it, and leave the program and the pins in place.
detach_changes_nothing() {
	local want=$1 ifc=$2 why=$3 id
	xf_daemon --iface "$IF_P" || return 1
	id=$(xf_prog_id)
	run "-$want" --separate-stderr xf_cli detach --iface "$ifc" || return 1
	echo "# $stderr" >&2
	[[ $stderr == *"$ifc"* ]] || return 1
	[[ $stderr == *"$why"* ]] || return 1
	[[ $stderr != *"$ifc: detached"* ]] || return 1
	[ "$(xf_prog_id)" = "$id" ] || return 1
	[ -d "$PIN" ]
}

@test "detach --iface: the last interface takes the attachment and the pins with it" {
	xf_daemon --iface "$IF_P"
	run -0 xf_cli block add 198.18.0.2
	cli_blocked 198.18.0.2 3

	run -0 xf_cli detach --iface "$IF_P"
	[[ $output == *"$IF_P: detached"* ]]
	no_xdp_anywhere
	[ ! -e "$PIN" ]
	cli_arrives 198.18.0.2 3
	# The running daemon lets go instead of putting it back, and nothing is re-pinned.
	for _ in $(seq 50); do
		kill -0 "$XF_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	sleep 0.5
	no_xdp_anywhere
	[ ! -e "$PIN" ]

	# Nothing left to detach: there is no instance any more.
	run -1 --separate-stderr xf_cli detach --iface "$IF_P"
	[[ $stderr == *"no xdpfwd instance at $PIN"* ]]
}

@test "detach --all with no daemon running" {
	xf_daemon --iface "$IF_P"
	xf_daemon_stop
	[ -n "$(xf_prog_id)" ]
	run -0 xf_cli detach --all
	no_xdp_anywhere
	[ ! -e "$PIN" ]
}

@test "two interfaces: detaching one keeps the other and the pins; --all removes the rest" {
	# lo of NS_P is the second interface (generic mode: it has no native XDP).
	xf_daemon --iface "$IF_P" --iface lo
	xf_daemon_stop
	run -0 xf_cli block add 198.18.0.2
	run -0 xf_p ip -o link show dev lo
	[[ $output == *xdpgeneric* ]]

	run -0 xf_cli detach --iface "$IF_P"
	run -0 xf_p ip -o link show dev "$IF_P"
	[[ $output != *xdp* ]]
	run -0 xf_p ip -o link show dev lo
	[[ $output == *xdp* ]]
	[ -d "$PIN" ]
	run -0 --separate-stderr xf_cli status --json
	[ "$(echo "$output" | xf_json '[i["name"] for i in j["interfaces"]]')" = "['lo']" ]
	[ "$(cli_map_entries block_v4_addr)" = 198.18.0.2 ]

	run -0 xf_cli detach --all
	no_xdp_anywhere
	[ ! -e "$PIN" ]
}

@test "detach of an interface that is not attached: says so, exit 0, changes nothing" {
	detach_changes_nothing 0 lo "not attached"
	run -0 --separate-stderr xf_cli status --json
	[ "$(echo "$output" | xf_json 'j["interfaces"][0]["state"]')" = attached ]
	kill -0 "$XF_DAEMON_PID"
}

@test "detach of an interface that does not exist: an error, no crash, nothing detached" {
	detach_changes_nothing 1 nosuch0 "does not exist"
}
