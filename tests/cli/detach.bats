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
	xf_daemon --iface "$IF_P"
	local id
	id=$(xf_prog_id)
	run -0 --separate-stderr xf_cli detach --iface lo
	echo "# $stderr" >&2
	[[ $stderr == *lo* ]]
	[[ $stderr == *"not attached"* ]]
	# It must not also claim to have detached it.
	[[ $stderr != *"lo: detached"* ]]
	[ "$(xf_prog_id)" = "$id" ]
	[ -d "$PIN" ]
	run -0 --separate-stderr xf_cli status --json
	[ "$(echo "$output" | xf_json 'j["interfaces"][0]["state"]')" = attached ]
	kill -0 "$XF_DAEMON_PID"
}

@test "detach of an interface that does not exist: an error, no crash, nothing detached" {
	xf_daemon --iface "$IF_P"
	local id
	id=$(xf_prog_id)
	run -1 --separate-stderr xf_cli detach --iface nosuch0
	echo "# $stderr" >&2
	[[ $stderr == *nosuch0* ]]
	[[ $stderr == *"does not exist"* ]]
	[[ $stderr != *"nosuch0: detached"* ]]
	[ "$(xf_prog_id)" = "$id" ]
	[ -d "$PIN" ]
}
