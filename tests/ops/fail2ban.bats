#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# contrib/fail2ban/xdpfwd.conf: its commands, with <ip> and <bantime> filled in as fail2ban fills
# them (f2b_action.py), run by sh against a real instance with real traffic.

load ops

ACTION=$BATS_TEST_DIRNAME/../../contrib/fail2ban/xdpfwd.conf

setup() {
	xf_setup
	xf_static_neigh
}

# f2b COMMAND [NAME=VALUE]...: expands the action's COMMAND for this instance and runs it in NS_P,
# as fail2ban runs actions: through sh -c, as root.
f2b() {
	local cmd
	cmd=$(python3 "$OPS_DIR/f2b_action.py" "$ACTION" "$@" xdpfwd="$XDPFWD" pindir="$PIN")
	echo "+ $cmd" >&2
	xf_p sh -c "$cmd"
}

# The JSON entry of ADDR in the blocklist ("" when absent).
entry() {
	xf_cli block list --json |
		python3 -c 'import json, sys
for e in json.load(sys.stdin):
    if e["entry"] == sys.argv[1]:
        print(json.dumps(e))' "$1"
}

@test "actionstart/actionstop do nothing; actioncheck fails without an instance" {
	f2b actionstart
	f2b actionstop
	run f2b actioncheck
	[ "$status" -ne 0 ]
	[[ "$output" == *"no xdpfwd instance at $PIN"* ]]
	xf_daemon --iface "$IF_P"
	f2b actioncheck
}

@test "actionban drops the address for bantime; actionunban lets it through again" {
	local e
	xf_daemon --iface "$IF_P"
	[ "$(xf_ping 198.18.0.2 3)" = 3 ]
	f2b actionban ip=198.18.0.2 bantime=600
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]
	e=$(entry 198.18.0.2)
	[ -n "$e" ]
	# The ban's duration became the entry's timeout.
	python3 -c 'import json, sys; e = json.loads(sys.argv[1]); assert 590 <= e["expires_in"] <= 600, e' "$e"
	f2b actionunban ip=198.18.0.2 bantime=600
	[ -z "$(entry 198.18.0.2)" ]
	[ "$(xf_ping 198.18.0.2 3)" = 3 ]
	# fail2ban may unban what is already gone (expired, flushed): that must not be an error.
	f2b actionunban ip=198.18.0.2 bantime=600
}

@test "IPv6 bans work the same way" {
	xf_daemon --iface "$IF_P"
	f2b actionban ip=2001:2::3 bantime=300
	[ -n "$(entry 2001:2::3)" ]
	[ "$(xf_ping 2001:2::3 3)" = 0 ]
	[ "$(xf_ping 2001:2::4 3)" = 3 ]
	f2b actionunban ip=2001:2::3 bantime=300
	[ "$(xf_ping 2001:2::3 3)" = 3 ]
}

@test "a permanent ban (bantime -1) has no timeout" {
	xf_daemon --iface "$IF_P"
	f2b actionban ip=198.18.0.4 bantime=-1
	python3 -c 'import json, sys; e = json.loads(sys.argv[1]); assert not e["expires_in"], e' \
		"$(entry 198.18.0.4)"
	[ "$(xf_ping 198.18.0.4 3)" = 0 ]
}

@test "a ban longer than xdpfwd's longest timeout (3650d) is added without one, not refused" {
	xf_daemon --iface "$IF_P"
	f2b actionban ip=198.18.0.4 bantime=315360001
	python3 -c 'import json, sys; e = json.loads(sys.argv[1]); assert not e["expires_in"], e' \
		"$(entry 198.18.0.4)"
	f2b actionban ip=198.18.0.5 bantime=315360000
	python3 -c 'import json, sys; e = json.loads(sys.argv[1]); assert e["expires_in"] > 315350000, e' \
		"$(entry 198.18.0.5)"
	[ "$(xf_ping 198.18.0.4 3)" = 0 ]
}

@test "a ban ends in the kernel on time even if fail2ban never unbans" {
	local i n
	xf_daemon --iface "$IF_P"
	f2b actionban ip=198.18.0.5 bantime=2
	[ "$(xf_ping 198.18.0.5 2)" = 0 ]
	# Not matched any more once 2 s have passed; deleted by the daemon within 5 s more.
	sleep 2.2
	[ "$(xf_ping 198.18.0.5 2)" = 2 ]
	for i in $(seq 80); do
		[ -z "$(entry 198.18.0.5)" ] && break
		sleep 0.1
	done
	[ -z "$(entry 198.18.0.5)" ]
	f2b actionunban ip=198.18.0.5 bantime=2
}

@test "the example list files parse and load" {
	local etc=$BATS_TEST_DIRNAME/../../contrib/etc/xdpfwd
	xf_daemon --iface "$IF_P"
	xf_cli block load "$etc/blocklist.example"
	xf_cli allow load "$etc/allowlist.example"
	[ -n "$(entry 198.51.100.0/24)" ]
	[ -n "$(entry 2001:db8:dead::/48)" ]
	[ "$(xf_cli allow list --json | xf_json 'len(j)')" = 3 ]
}

@test "bans go to set fail2ban: an unban leaves the operator's own block of the address" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	f2b actionban ip=198.18.0.2 bantime=600
	python3 -c 'import json, sys; e = json.loads(sys.argv[1]); assert e["sets"] == ["fail2ban", "manual"] or e["sets"] == ["manual", "fail2ban"], e' \
		"$(entry 198.18.0.2)"
	f2b actionunban ip=198.18.0.2 bantime=600
	python3 -c 'import json, sys; e = json.loads(sys.argv[1]); assert e["sets"] == ["manual"], e' \
		"$(entry 198.18.0.2)"
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	# A jail of its own set.
	f2b actionban ip=198.18.0.3 bantime=600 set=f2b-sshd
	python3 -c 'import json, sys; e = json.loads(sys.argv[1]); assert e["sets"] == ["f2b-sshd"], e' \
		"$(entry 198.18.0.3)"
}

@test "v6mask=64 bans an IPv6 source's whole /64 and unbans it; IPv4 stays the address" {
	xf_daemon --iface "$IF_P"
	f2b actionban ip=2001:2::3 bantime=300 v6mask=64
	python3 -c 'import json, sys; e = json.loads(sys.argv[1]); assert e["sets"] == ["fail2ban"], e' \
		"$(entry 2001:2::/64)"
	[ -z "$(entry 2001:2::3)" ]
	[ "$(xf_ping 2001:2::4 3)" = 0 ]
	f2b actionban ip=198.18.0.2 bantime=300 v6mask=64
	[ -n "$(entry 198.18.0.2)" ]
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]
	f2b actionunban ip=2001:2::3 bantime=300 v6mask=64
	[ -z "$(entry 2001:2::/64)" ]
	[ "$(xf_ping 2001:2::4 3)" = 3 ]
}

@test "an unban finds the set gone (instance made anew): no error; without an instance: an error" {
	local cmd
	xf_daemon --iface "$IF_P"
	# No ban ever made set fail2ban here, as after a reboot while fail2ban unbans what it had.
	f2b actionunban ip=198.18.0.2 bantime=600
	f2b actionunban ip=2001:2::3 bantime=600 v6mask=64
	[ "$(xf_cli sets --json | xf_json '[s["name"] for s in j if s["name"] == "fail2ban"]')" = "[]" ]
	cmd=$(python3 "$OPS_DIR/f2b_action.py" "$ACTION" actionunban ip=198.18.0.2 bantime=600 xdpfwd="$XDPFWD" \
		pindir="$PIN-none")
	run xf_p sh -c "$cmd"
	[ "$status" -ne 0 ]
}
