#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# One instance on two interfaces shares one blocklist; detaching one keeps the pins,
# detaching the last removes them. Pair 1: 198.18.0.0/24, pair 2: 198.19.0.0/24.

load ../lib/xf

N=20
XF_N=$N

setup() {
	xf_setup_traffic
	xf_setup_pair2
}

@test "two interfaces share one blocklist: one block add enforces on both" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	grep -q "$IF_P: attached program" "$XF_TMP/daemon.err"
	grep -q "$IF_P2: attached program" "$XF_TMP/daemon.err"
	xf_cli block add 198.18.0.2 198.19.0.3
	run xf_round 198.18.0.2 198.19.0.3 198.19.0.2 198.18.0.3
	[ "$output" = "198.18.0.2=0 198.19.0.3=0 198.19.0.2=$N 198.18.0.3=$N" ]
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	[ "$(xf_entry_packets 198.19.0.3)" = "$N" ]
	run xf_json '[(i["name"], i["state"]) for i in sorted(j["interfaces"], key=lambda i: i["name"])]' \
		xf_cli status --json
	[ "$output" = "[('$IF_P', 'attached'), ('$IF_P2', 'attached')]" ]
	# Both run the same program.
	[ "$(xf_prog_id "$IF_P")" = "$(xf_prog_id "$IF_P2")" ]
}

@test "drop log lines name the interface the packet arrived on" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_cli block add 198.18.0.2 198.19.0.3
	xf_udp_send 198.18.0.2 3
	xf_udp_send 198.19.0.3 3
	xf_wait_lines ' drop ' 2
	grep -qE " $IF_P drop blocklist src=198\.18\.0\.2 proto=udp " "$XF_TMP/daemon.out"
	grep -qE " $IF_P2 drop blocklist src=198\.19\.0\.3 proto=udp " "$XF_TMP/daemon.out"
}

@test "detach one of two interfaces keeps the pins and the other's enforcement; the last takes the pins" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_cli block add 198.18.0.2 198.19.0.3
	xf_daemon_stop TERM

	run xf_cli detach --iface "$IF_P"
	[ "$status" = 0 ]
	[[ "$output" != *"removed the pins"* ]]
	[ -e "$PIN/stats" ] && [ -e "$PIN/block_v4_addr" ] && [ -e "$PIN/prog" ]
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	[[ "$(xf_xdp_prog "$IF_P2")" == "native "*" xdpfwd_xdp" ]]
	run xf_round 198.18.0.2 198.19.0.3 198.19.0.2
	[ "$output" = "198.18.0.2=$N 198.19.0.3=0 198.19.0.2=$N" ]
	run xf_json '[i["name"] for i in j["interfaces"]]' xf_cli status --json
	[ "$output" = "['$IF_P2']" ]
	[ "$(xf_entry_packets 198.19.0.3)" = "$N" ]

	run xf_cli detach --iface "$IF_P2"
	[ "$status" = 0 ]
	[[ "$output" == *"removed the pins under $PIN"* ]]
	[ ! -e "$PIN" ]
	[ -z "$(xf_xdp_prog "$IF_P2")" ]
	run xf_round 198.18.0.2 198.19.0.3 198.19.0.2
	[ "$output" = "198.18.0.2=$N 198.19.0.3=$N 198.19.0.2=$N" ]
}

@test "detach --all removes the firewall from every interface and the pins" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_cli block add 198.18.0.2 198.19.0.3
	xf_daemon_stop TERM
	run xf_cli detach --all
	[ "$status" = 0 ]
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	[ -z "$(xf_xdp_prog "$IF_P2")" ]
	[ ! -e "$PIN" ]
	run xf_round 198.18.0.2 198.19.0.3
	[ "$output" = "198.18.0.2=$N 198.19.0.3=$N" ]
}

@test "a restart that adds an interface adopts the first and attaches the second" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2 198.19.0.3
	xf_daemon_stop TERM
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	grep -q "$IF_P: adopted the running firewall" "$XF_TMP/daemon.err"
	grep -q "$IF_P2: attached program" "$XF_TMP/daemon.err"
	run xf_round 198.18.0.2 198.19.0.3 198.19.0.2
	[ "$output" = "198.18.0.2=0 198.19.0.3=0 198.19.0.2=$N" ]
}

@test "an interface deleted under the firewall shows as gone and can still be detached" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_daemon_stop TERM
	ip -n "$NS_P" link del "$IF_P2"
	run xf_json '[(i["name"], i["state"]) for i in sorted(j["interfaces"], key=lambda i: i["name"])]' \
		xf_cli status --json
	[ "$output" = "[('$IF_P', 'attached'), ('$IF_P2', 'gone')]" ]
	run xf_cli detach --iface "$IF_P2"
	[ "$status" = 0 ]
	[ -e "$PIN/stats" ]
	run xf_cli detach --iface "$IF_P"
	[ "$status" = 0 ]
	[ ! -e "$PIN" ]
}

@test "detach one of two interfaces while the daemon runs: it lets that one go and keeps the other" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_cli block add 198.18.0.2 198.19.0.3
	run xf_cli detach --iface "$IF_P"
	[ "$status" = 0 ]
	xf_wait_lines "$IF_P: detached by \`xdpfwd detach\`" 1 "$XF_TMP/daemon.err"
	sleep 0.5 # a few watch rounds: nothing is put back
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	[[ "$(xf_xdp_prog "$IF_P2")" == "native "*" xdpfwd_xdp" ]]
	kill -0 "$XF_DAEMON_PID"
	run xf_round 198.18.0.2 198.19.0.3 198.19.0.2
	[ "$output" = "198.18.0.2=$N 198.19.0.3=0 198.19.0.2=$N" ]
	[ -e "$PIN/stats" ]
}

@test "daemons for two interfaces sharing a pin dir each log only their own interface's drops" {
	# The documented deployment: xdpfwd@A and xdpfwd@B with the default pin dir.
	# Bug: the pinned "events" ring buffer is shared, so whichever daemon polls first prints
	# (and consumes) the other's events; two consumers also race on the consumer position.
	xf_daemon --iface "$IF_P" --log-source-interval 0 --log-rate unlimited
	# The first daemon keeps writing to the renamed file.
	mv "$XF_TMP/daemon.out" "$XF_TMP/first.out"
	xf_daemon --iface "$IF_P2" --log-source-interval 0 --log-rate unlimited
	xf_cli block add 198.18.0.2 198.19.0.2
	# Bursts spread over the daemons' 100 ms polling phases.
	for i in $(seq 8); do
		xf_udp_send 198.18.0.2 10
		xf_udp_send 198.19.0.2 10
		sleep 0.13
	done
	[ "$(xf_wait_json 'j["events"]["sent"]' 160 xf_cli status --json)" = 160 ]
	sleep 0.5
	echo "first: $(grep -c ' drop ' "$XF_TMP/first.out") lines, second: $(grep -c ' drop ' "$XF_TMP/daemon.out") lines"
	[ "$(grep -c " $IF_P drop blocklist src=198\.18\.0\.2 " "$XF_TMP/first.out")" = 80 ]
	[ "$(grep -c " $IF_P2 drop blocklist src=198\.19\.0\.2 " "$XF_TMP/daemon.out")" = 80 ]
	[ "$(grep -c ' drop ' "$XF_TMP/first.out")" = 80 ]
	[ "$(grep -c ' drop ' "$XF_TMP/daemon.out")" = 80 ]
}

# Drops per interface from `status --json`, as "IFACE=N IFACE2=N".
iface_drops() {
	xf_json '" ".join("%s=%d" % (i["name"], i["packets"]["drop"]["blocklist"]) for i in sorted(j["interfaces"], key=lambda i: i["name"]))' \
		xf_cli status --json
}

DROPS='j["packets"]["drop"]["blocklist"]'

global_drops() {
	xf_json "$DROPS" xf_cli status --json
}

# Both interfaces under one daemon, .2 (pair 1) and .3 (pair 2) blocked; sends $1 and $2
# datagrams from them and waits until the instance counted both.
start_and_drop() {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_cli block add 198.18.0.2 198.19.0.3
	xf_udp_send 198.18.0.2 "$1"
	xf_udp_send 198.19.0.3 "$2"
	[ "$(xf_wait_json "$DROPS" $(($1 + $2)) xf_cli status --json)" = $(($1 + $2)) ]
}

@test "counters per interface: each interface counts its own traffic, the global counters are the sum" {
	start_and_drop 7 4
	[ "$(iface_drops)" = "$IF_P=7 $IF_P2=4" ]
	# Bytes too: 14 + 20 + 8 + 16 per frame.
	run xf_json '[i["bytes"]["drop"]["blocklist"] for i in sorted(j["interfaces"], key=lambda i: i["name"])]' \
		xf_cli status --json
	[ "$output" = "[406, 232]" ]
	# Text status: a counter line under each interface.
	run xf_cli status
	[[ "$output" == *"$IF_P "*"
    dropped    7 packets, blocklist 7"* ]]
	[[ "$output" == *"$IF_P2 "*"
    dropped    4 packets, blocklist 4"* ]]
	# Metrics label them by interface.
	xf_cli metrics >"$XF_TMP/m"
	grep -qx "xdpfwd_interface_packets_total{interface=\"$IF_P2\",action=\"drop\",reason=\"blocklist\"} 4" "$XF_TMP/m"
}

@test "counters per interface survive a restart; detach retires them, the sum never drops" {
	start_and_drop 5 3
	# A restart adopts the maps and each interface keeps its slot and its counts.
	xf_daemon_stop TERM
	xf_daemon --iface "$IF_P2" --iface "$IF_P"
	xf_udp_send 198.19.0.3 2
	[ "$(xf_wait_json "$DROPS" 10 xf_cli status --json)" = 10 ]
	[ "$(iface_drops)" = "$IF_P=5 $IF_P2=5" ]
	xf_daemon_stop TERM

	# Detach the first: its record and its per-interface series go, the global sum stays.
	xf_cli detach --iface "$IF_P"
	[ "$(iface_drops)" = "$IF_P2=5" ]
	[ "$(global_drops)" = 10 ]
	# Attached again, it starts from zero in a fresh slot; the sum still counts what it dropped before.
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_udp_send 198.18.0.2 1
	[ "$(xf_wait_json "$DROPS" 11 xf_cli status --json)" = 11 ]
	[ "$(iface_drops)" = "$IF_P=1 $IF_P2=5" ]
}

@test "packets on an interface no daemon recorded count globally and under other_interfaces" {
	xf_daemon --iface "$IF_P2"
	xf_cli block add 198.18.0.2
	# The pinned program attached by hand to an interface the daemon does not know.
	xf_p ip link set dev "$IF_P" xdp pinned "$PIN/prog"
	xf_udp_send 198.18.0.2 6
	[ "$(xf_wait_json 'j["other_interfaces"]["packets"]["drop"]["blocklist"]' 6 xf_cli status --json)" = 6 ]
	[ "$(global_drops)" = 6 ]
	[ "$(iface_drops)" = "$IF_P2=0" ]
	run xf_cli status
	[[ "$output" == *"not recorded interfaces"*"dropped    6 packets, blocklist 6"* ]]
	xf_p ip link set dev "$IF_P" xdp off
}
