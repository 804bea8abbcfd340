#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The pins and the bpftool recipes the README documents, run exactly as written there
# (with $PIN for the pin dir): permissions, BTF field names, entries added and removed with
# bpftool that xdpfwd lists and the program enforces, prog and net show.

# The recipes below are the README's, character for character (unquoted $PIN included);
# value $(printf '0 %.0s' $(seq 48)) is a 48-byte all-zero struct xdpfwd_entry.
# shellcheck disable=SC2046,SC2086

load ../lib/netns.bash
load cli_helpers

setup() {
	cli_setup
	xf_daemon --iface "$IF_P"
}

teardown() {
	cli_teardown
}

@test "pin dir is 0700 and every pin 0600, all owned by root" {
	[ "$(stat -c %a "$PIN")" = 700 ]
	[ "$(stat -c %u "$PIN")" = 0 ]
	local f n=0
	for f in "$PIN"/*; do
		echo "# $f $(stat -c '%a %u' "$f")" >&2
		[ "$(stat -c %a "$f")" = 600 ]
		[ "$(stat -c %u "$f")" = 0 ]
		n=$((n + 1))
	done
	# The daemon runs in NS_P, not the initial namespace: its ring's name carries the namespace.
	for f in prog meta clock stats "events_$IF_P@$(stat -L -c %i "/run/netns/$NS_P")" ifaces $CLI_LIST_MAPS; do
		[ -e "$PIN/$f" ]
	done
	[ "$n" -ge 12 ]
}

@test "bpftool map dump prints BTF field names" {
	run -0 x block add 198.18.0.2 198.18.3.0/24
	run -0 bpftool map dump pinned "$PIN/block_v4_addr"
	local f
	for f in '"addr"' '"packets"' '"bytes"' '"last_hit_ns"' '"last_log_ns"' '"expires_ns"' '"flags"'; do
		[[ $output == *"$f"* ]]
	done
	[[ $output =~ \"addr\":\ \[198,18,0,2 ]]
	run -0 bpftool map dump pinned "$PIN/block_v4_net"
	[[ $output == *'"prefixlen": 24'* ]]
	run -0 bpftool map dump pinned "$PIN/stats"
	[[ $output == *'"packets"'* ]]
	[[ $output == *'"ev_eligible"'* ]]
	run -0 bpftool map dump pinned "$PIN/clock"
	[[ $output == *'"ns_per_jiffy"'* ]]
	[[ $output == *'"mono_offset_ns"'* ]]
}

@test "recipe: block an exact address with bpftool map update, unblock with map delete" {
	cli_arrives 198.18.0.2 3

	bpftool map update pinned $PIN/block_v4_addr key 198 18 0 2 value $(printf '0 %.0s' $(seq 48))
	run -0 x block list
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} =~ ^198\.18\.0\.2\  ]]
	cli_blocked 198.18.0.2 5
	cli_arrives 198.18.0.3 5
	# The program counts into the bpftool-made entry like any other.
	[ "$(x block list | awk '$1 == "198.18.0.2" { print $2 }')" -ge 5 ]

	bpftool map delete pinned $PIN/block_v4_addr key 198 18 0 2
	run -0 x block list
	[ "${#lines[@]}" -eq 1 ]
	cli_arrives 198.18.0.2 5
}

@test "recipe: block a prefix with bpftool (LPM key: prefixlen as 4 bytes little-endian, then the address)" {
	# Works without a daemon running too.
	cli_stop_daemon
	bpftool map update pinned $PIN/block_v4_net key 24 0 0 0 198 18 0 0 value $(printf '0 %.0s' $(seq 48))
	run -0 x block list
	[[ ${lines[1]} =~ ^198\.18\.0\.0/24\  ]]
	[ "$(cli_map_entries block_v4_net)" = 198.18.0.0/24 ]
	cli_blocked 198.18.0.3 5
	cli_blocked 198.18.0.5 5
	cli_arrives 2001:2::3 5

	bpftool map delete pinned $PIN/block_v4_net key 24 0 0 0 198 18 0 0
	cli_arrives 198.18.0.3 5
	run -0 x block list
	[ "${#lines[@]}" -eq 1 ]
}

@test "recipe: block an IPv6 address with bpftool (key in hex)" {
	bpftool map update pinned $PIN/block_v6_addr key hex 20 01 00 02 00 00 00 00 00 00 00 00 00 00 00 02 value $(printf '0 %.0s' $(seq 48))
	run -0 x block list
	[[ ${lines[1]} =~ ^2001:2::2\  ]]
	cli_blocked 2001:2::2 5
	cli_arrives 2001:2::3 5
	bpftool map delete pinned $PIN/block_v6_addr key hex 20 01 00 02 00 00 00 00 00 00 00 00 00 00 00 02
	cli_arrives 2001:2::2 5
}

@test "recipe: bpftool prog show pinned prog names xdpfwd_xdp; bpftool net show lists it on the interface" {
	run -0 bpftool prog show pinned $PIN/prog
	[[ $output =~ ^([0-9]+):\ xdp\ +name\ xdpfwd_xdp ]]
	local id=${BASH_REMATCH[1]}
	run -0 xf_p bpftool net show
	echo "$output" >&2
	[[ $output =~ $IF_P\([0-9]+\)\ (driver|generic)\ id\ [0-9]+ ]]
	if [ "$(x status --json | cli_json 'j["interfaces"][0]["dispatcher"]')" = False ]; then
		[[ $output =~ $IF_P\([0-9]+\)\ driver\ id\ $id ]]
	fi
}
