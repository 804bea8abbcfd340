#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# 802.1Q-tagged traffic. This kernel has no VLAN driver (CONFIG_VLAN_8021Q is off),
# so there are no VLAN interfaces: the sender writes tagged frames (VLAN 100,
# 198.18.100.0/24) straight onto its veth with a packet socket, and a packet socket on
# the protected veth records what got past XDP, with the tag the stack took off.
# With a VLAN driver the frames would be delivered to a VLAN 100 interface; here they
# stop at the capture, which is all the firewall can influence anyway.

load ../lib/xf

N=20

setup() {
	xf_setup
	xf_pcap_start "$IF_P"
}

teardown() {
	xf_teardown
}

@test "VLAN 100: a blocked source's tagged frames are dropped, another's pass; the log says vlan=100" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.100.2
	xf_raw_udp_send 198.18.100.2 "$N" 100
	xf_raw_udp_send 198.18.100.3 "$N" 100
	[ "$(xf_recv_wait '198.18.100.3 vlan=100' "$N" "$IF_P")" = "$N" ]
	[ "$(xf_recv_count '198.18.100.2 vlan=100' "$IF_P")" = 0 ]
	[ "$(grep -c '^198\.18\.100\.2' "$XF_TMP/recv.$IF_P")" = 0 ]
	[ "$(xf_entry_packets 198.18.100.2)" = "$N" ]

	xf_wait_lines ' drop ' 1
	# Ethernet 14 + tag 4 + IPv4 20 + UDP 8 + payload 16.
	grep -qE "^[0-9T:.-]+Z $IF_P drop blocklist src=198\.18\.100\.2 proto=udp len=62 vlan=100 set=manual$" "$XF_TMP/daemon.out"
}

@test "VLAN 100 in JSON: the event has \"vlan\":100; untagged events have no vlan field" {
	xf_daemon --iface "$IF_P" --log-format json
	xf_cli block add 198.18.100.2 198.18.0.2
	xf_raw_udp_send 198.18.100.2 3 100
	xf_raw_udp_send 198.18.0.2 3 0
	xf_wait_lines '"action":"drop"' 2
	"$XF_PYTHON" - "$XF_TMP/daemon.out" <<-'EOF'
		import json, sys
		evs = {e["src"]: e for e in map(json.loads, open(sys.argv[1]).read().splitlines())}
		assert evs["198.18.100.2"]["vlan"] == 100 and evs["198.18.100.2"]["len"] == 62, evs
		assert "vlan" not in evs["198.18.0.2"] and evs["198.18.0.2"]["len"] == 58, evs
	EOF
}

@test "the blocklist matches tagged and untagged frames from the same source alike" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.0/24
	xf_raw_udp_send 198.18.0.7 "$N" 0
	xf_raw_udp_send 198.18.0.7 "$N" 100
	xf_raw_udp_send 198.18.1.7 "$N" 100
	[ "$(xf_recv_wait '198.18.1.7 vlan=100' "$N" "$IF_P")" = "$N" ]
	[ "$(grep -c '^198\.18\.0\.7' "$XF_TMP/recv.$IF_P")" = 0 ]
	[ "$(xf_entry_packets 198.18.0.0/24)" = $((2 * N)) ]
}

@test "QinQ (802.1ad 200 outside 802.1Q 100): blocked source dropped, the log names the outer VLAN" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.100.2
	xf_raw_udp_send 198.18.100.2 "$N" 200,100
	xf_raw_udp_send 198.18.100.3 "$N" 200,100
	[ "$(xf_recv_wait '198.18.100.3 vlan=100' "$N" "$IF_P")" = "$N" ]
	[ "$(grep -c '^198\.18\.100\.2' "$XF_TMP/recv.$IF_P")" = 0 ]
	[ "$(xf_entry_packets 198.18.100.2)" = "$N" ]
	xf_wait_lines ' drop ' 1
	grep -qE " $IF_P drop blocklist src=198\.18\.100\.2 proto=udp len=66 vlan=200 set=manual$" "$XF_TMP/daemon.out"
}

@test "more VLAN tags than the program parses: passed and counted as vlan_depth, not matched" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.100.2
	xf_raw_udp_send 198.18.100.2 "$N" 300,200,100
	run xf_wait_json '(j["packets"]["pass"]["vlan_depth"], j["packets"]["drop"]["blocklist"])' "($N, 0)" \
		xf_cli status --json
	[ "$output" = "($N, 0)" ]
	[ "$(xf_entry_packets 198.18.100.2)" = 0 ]
}
