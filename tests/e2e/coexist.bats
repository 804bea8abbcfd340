#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Another XDP program on the interface: xdp-filter from xdp-tools.
#
# On this kernel libxdp's dispatcher is unavailable (its freplace programs fail to load
# with EPERM under lockdown: "Compatibility check for dispatcher program failed"), so
# xdp-filter falls back to a single legacy program and the interface cannot be shared.
# These tests therefore cover the single-program path: xdpfwd refuses to replace a
# foreign program without --force, and takes over with it. xdp-filter pins its maps
# under /sys/fs/bpf/xdp-filter; xf_teardown unloads it and removes that directory.

load ../lib/xf

N=20
XF_N=$N

setup() {
	command -v xdp-filter >/dev/null || skip "xdp-filter (xdp-tools) is not installed"
	[ ! -e "$XF_XDP_FILTER_DIR" ] || skip "$XF_XDP_FILTER_DIR exists: xdp-filter is in use on this machine"
	xf_setup_traffic
}

# .2 then .3, N each, through xf_round; prints the counts of this round as ".2 .3".
round() {
	xf_round 198.18.0.2 198.18.0.3 | sed -E 's/[^ =]+=//g'
}

@test "xdp-filter attached: xdpfwd refuses without --force, naming the program, and changes nothing" {
	xf_xdp_filter_load "$IF_P"
	read -r mode id name <<<"$(xf_xdp_prog "$IF_P")"
	[[ "$name" == xdpfilt_* ]]
	[ "$mode" = native ]

	run xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" 3>&-
	[ "$status" = 1 ]
	[[ "$output" == *"'$name' (id $id"* ]]
	[[ "$output" == *--force* ]]
	[ ! -e "$PIN" ]

	# Still xdp-filter's, and still working.
	[ "$(xf_xdp_prog "$IF_P")" = "$mode $id $name" ]
	xf_p xdp-filter ip 198.18.0.3 --mode src
	[ "$(round)" = "$N 0" ]
}

@test "--force replaces xdp-filter; xdpfwd's blocklist is then what is enforced" {
	xf_xdp_filter_load "$IF_P"
	read -r mode id name <<<"$(xf_xdp_prog "$IF_P")"
	xf_p xdp-filter ip 198.18.0.3 --mode src
	[ "$(round)" = "$N 0" ]

	xf_daemon --iface "$IF_P" --force
	grep -q "$IF_P: --force: removing program '$name' (id $id)" "$XF_TMP/daemon.err"
	[[ "$(xf_xdp_prog "$IF_P")" == "native "*" xdpfwd_xdp" ]]
	run xf_cli status
	[ "$status" = 0 ]
	[[ "$output" =~ $IF_P\ +ifindex\ [0-9]+\ +attached\  ]]
	[[ "$output" == *"(single program: libxdp dispatcher not in use)"* ]]
	[ "$(xf_json 'j["interfaces"][0]["dispatcher"]' xf_cli status --json)" = False ]

	xf_cli block add 198.18.0.2
	# .3 (only on xdp-filter's list) flows now, .2 (on ours) does not.
	[ "$(round)" = "0 $N" ]
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
}

@test "xdp-filter in skb mode also makes xdpfwd refuse, whatever --mode is asked for" {
	xf_xdp_filter_load "$IF_P" --mode skb
	read -r mode id name <<<"$(xf_xdp_prog "$IF_P")"
	[ "$mode" = skb ]
	for m in auto native skb; do
		run xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --mode "$m" --pin-dir "$PIN" 3>&-
		[ "$status" = 1 ]
		[[ "$output" == *"'$name' (id $id, skb mode)"* ]]
		[ ! -e "$PIN" ]
	done
	[ "$(xf_xdp_prog "$IF_P")" = "skb $id $name" ]
}

@test "xdpfwd attached: a later xdp-filter load fails and xdpfwd stays in charge" {
	xf_daemon --iface "$IF_P"
	read -r mode id name <<<"$(xf_xdp_prog "$IF_P")"
	xf_cli block add 198.18.0.2
	run xf_xdp_filter_load "$IF_P"
	[ "$status" != 0 ]
	[ "$(xf_xdp_prog "$IF_P")" = "native $id xdpfwd_xdp" ]
	[ "$(round)" = "0 $N" ]
}
