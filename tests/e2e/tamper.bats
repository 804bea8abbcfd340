#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# While the daemon runs it keeps the firewall in place (checked every 200 ms): a
# program detached behind its back is re-attached, an interface deleted and created
# again gets the program back, pins removed by hand are pinned again from the maps the
# daemon holds, so the lists survive.

load ../lib/xf

N=20
XF_N=$N

setup() {
	xf_setup_traffic
}

# Waits (at most 3 s) until IF carries program ID; prints what it carries.
wait_prog() {
	local ifc=$1 id=$2 got i
	for i in $(seq 30); do
		got=$(xf_xdp_prog "$ifc")
		[ "$(cut -d' ' -f2 <<<"$got")" = "$id" ] && break
		sleep 0.1
	done
	echo "$got"
}

@test "a program detached behind the daemon's back is re-attached within a second" {
	xf_daemon --iface "$IF_P"
	read -r mode id name <<<"$(xf_xdp_prog "$IF_P")"
	xf_cli block add 198.18.0.2
	ip -n "$NS_P" link set dev "$IF_P" xdp off
	[ "$(wait_prog "$IF_P" "$id")" = "native $id xdpfwd_xdp" ]
	xf_wait_lines "$IF_P: re-attached program $id \\(native mode\\)" 1 "$XF_TMP/daemon.err"
	grep -q "$IF_P: xdpfwd was detached behind its back" "$XF_TMP/daemon.err"
	[ "$(xf_round 198.18.0.2 198.18.0.3)" = "198.18.0.2=0 198.18.0.3=$N" ]
	kill -0 "$XF_DAEMON_PID"
}

@test "an interface deleted and created again gets the firewall back" {
	xf_setup_pair2
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	read -r mode id name <<<"$(xf_xdp_prog "$IF_P2")"
	xf_cli block add 198.19.0.3
	ip -n "$NS_P" link del "$IF_P2"
	xf_wait_lines "$IF_P2: interface disappeared" 1 "$XF_TMP/daemon.err"
	xf_setup_pair2
	[ "$(wait_prog "$IF_P2" "$id")" = "native $id xdpfwd_xdp" ]
	xf_wait_lines "$IF_P2: interface is back" 1 "$XF_TMP/daemon.err"
	[ "$(xf_round 198.19.0.3 198.19.0.2)" = "198.19.0.3=0 198.19.0.2=$N" ]
	# The new ifindex is the one recorded.
	run xf_json '[(i["name"], i["state"]) for i in sorted(j["interfaces"], key=lambda i: i["name"])]' \
		xf_cli status --json
	[ "$output" = "[('$IF_P', 'attached'), ('$IF_P2', 'attached')]" ]
}

@test "pins removed by hand are pinned again, with the same lists" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	rm -rf "$PIN"
	xf_wait_lines "pins under $PIN were removed; pinning again" 1 "$XF_TMP/daemon.err"
	for i in $(seq 30); do
		[ -e "$PIN/prog" ] && break
		sleep 0.1
	done
	[ -e "$PIN/prog" ]
	[ "$(xf_cli block list | awk 'NR > 1 { print $1 }')" = 198.18.0.2 ]
	# The CLI edits the maps the attached program uses.
	xf_cli block add 198.18.0.3
	[ "$(xf_round 198.18.0.2 198.18.0.3 198.18.0.4)" = "198.18.0.2=0 198.18.0.3=0 198.18.0.4=$N" ]
	[ "$(xf_entry_packets 198.18.0.3)" = "$N" ]
}

@test "without a daemon nothing is put back: xdp off stays off" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_daemon_stop TERM
	ip -n "$NS_P" link set dev "$IF_P" xdp off
	sleep 0.5
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	[ "$(xf_round 198.18.0.2 198.18.0.3)" = "198.18.0.2=$N 198.18.0.3=$N" ]
	[ "$(xf_json 'j["interfaces"][0]["state"]' xf_cli status --json)" = detached ]
	# The next start attaches again, with the lists kept.
	xf_daemon --iface "$IF_P"
	[ "$(xf_round 198.18.0.2 198.18.0.3)" = "198.18.0.2=0 198.18.0.3=$N" ]
}
