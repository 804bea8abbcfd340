#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Attach modes and start-up errors. The device without native XDP is a dummy, or a
# macvlan where the kernel has no dummy driver (this one has neither CONFIG_DUMMY nor
# CONFIG_VLAN_8021Q); neither implements ndo_bpf, so native attach gets EOPNOTSUPP.

load ../lib/xf

N=20

setup() {
	xf_setup
	xf_static_neigh
	IF_D=xfd$XF_ID
}

# Runs the daemon in the foreground, bounded: for starts that must fail.
daemon_fg() {
	xf_p timeout 20 "$XDPFWD" --pin-dir "$PIN" "$@" 3>&-
}

@test "--mode auto on a device without native XDP falls back to skb mode with one notice" {
	xf_add_no_xdp_if "$IF_D"
	xf_daemon --iface "$IF_D" --mode auto
	[ "$(grep -ciE 'generic' "$XF_TMP/daemon.err")" = 1 ]
	grep -qE "^xdpfwd: $IF_D: the driver has no native XDP support; using generic \(skb\) mode" "$XF_TMP/daemon.err"
	grep -q "$IF_D: attached program [0-9]* in skb mode" "$XF_TMP/daemon.err"
	[[ "$(xf_xdp_prog "$IF_D")" == "skb "*" xdpfwd_xdp" ]]
	run ip -n "$NS_P" link show dev "$IF_D"
	[[ "$output" == *" xdpgeneric "* ]]
	[ "$(xf_json 'j["interfaces"][0]["mode"]' xf_cli status --json)" = skb ]
}

@test "--mode native on a device without native XDP fails, suggests --mode skb and leaves nothing" {
	xf_add_no_xdp_if "$IF_D"
	run daemon_fg --iface "$IF_D" --mode native
	[ "$status" = 1 ]
	[[ "$output" == *"--mode skb"* ]]
	[[ "$output" == *"$IF_D"* ]]
	[ -z "$(xf_xdp_prog "$IF_D")" ]
	[ ! -e "$PIN" ]
}

@test "a failed native attach on the second interface undoes the first one's" {
	xf_add_no_xdp_if "$IF_D"
	run daemon_fg --iface "$IF_P" --iface "$IF_D" --mode native
	[ "$status" = 1 ]
	[[ "$output" == *"--mode skb"* ]]
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	[ -z "$(xf_xdp_prog "$IF_D")" ]
	[ ! -e "$PIN" ]
}

@test "--mode auto on a veth attaches natively" {
	xf_daemon --iface "$IF_P"
	[[ "$(xf_xdp_prog "$IF_P")" == "native "*" xdpfwd_xdp" ]]
	[ "$(grep -ci 'generic' "$XF_TMP/daemon.err")" = 0 ]
	[ "$(xf_json 'j["interfaces"][0]["mode"]' xf_cli status --json)" = native ]
}

@test "--mode skb on a veth attaches in generic mode and enforces the blocklist" {
	xf_daemon --iface "$IF_P" --mode skb
	grep -q "$IF_P: attached program [0-9]* in skb mode" "$XF_TMP/daemon.err"
	run ip -n "$NS_P" link show dev "$IF_P"
	[[ "$output" == *" xdpgeneric "* ]]
	[[ "$(xf_xdp_prog "$IF_P")" == "skb "*" xdpfwd_xdp" ]]
	[ "$(xf_json 'j["interfaces"][0]["mode"]' xf_cli status --json)" = skb ]

	xf_recv_start
	xf_cli block add 198.18.0.2 2001:2::2
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 2001:2::2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	xf_udp_send 2001:2::3 "$N"
	[ "$(xf_recv_wait 2001:2::3 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.3)" = "$N" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	[ "$(xf_recv_count 2001:2::2)" = 0 ]
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	[ "$(xf_entry_packets 2001:2::2)" = "$N" ]
}

@test "an interface that does not exist: exit 1, a clear message, nothing created" {
	run daemon_fg --iface nosuch0
	[ "$status" = 1 ]
	[[ "$output" == *"interface nosuch0 does not exist"* ]]
	[ ! -e "$PIN" ]
}

@test "one missing interface among several: nothing is attached to the others" {
	run daemon_fg --iface "$IF_P" --iface nosuch0
	[ "$status" = 1 ]
	[[ "$output" == *"interface nosuch0 does not exist"* ]]
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	[ ! -e "$PIN" ]
}

@test "a restart adopts a firewall attached in skb mode in place, staying in skb mode" {
	xf_daemon --iface "$IF_P" --mode skb
	read -r mode old name <<<"$(xf_xdp_prog "$IF_P")"
	[ "$mode" = skb ]
	xf_cli block add 198.18.0.2
	xf_daemon_stop TERM
	xf_daemon --iface "$IF_P"
	read -r mode new name <<<"$(xf_xdp_prog "$IF_P")"
	[ "$mode" = skb ]
	[ "$new" != "$old" ]
	grep -q "$IF_P: adopted the running firewall: program $old swapped for $new in place (skb mode)" \
		"$XF_TMP/daemon.err"
	xf_recv_start
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	[ "$(xf_recv_wait 198.18.0.3 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
}
