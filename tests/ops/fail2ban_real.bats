#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The real fail2ban (Debian's fail2ban-server) with contrib/fail2ban/xdpfwd.conf as its action,
# against a daemon started with the shipped unit's options: a jail over a log file the test
# writes bans a veth peer into set `fail2ban`, a reload of xdpfwd keeps the ban, and
# `fail2ban-client unban` lifts it. fail2ban runs with its own configuration, socket, pid file
# and database under $XF_TMP: the host's /etc/fail2ban and any running fail2ban are not touched.

load ops
load bantools

ACTION=$BATS_TEST_DIRNAME/../../contrib/fail2ban/xdpfwd.conf
MAXRETRY=3
BANTIME=600

setup() {
	xf_setup
	xf_static_neigh
	F2B=$XF_TMP/f2b
}

teardown() {
	# Shown when the test failed (bats prints a passing test's output only with --show-output-of-passing-tests).
	[ -e "${F2B:-}/fail2ban.log" ] && grep -E 'ERROR|WARNING|NOTICE|stderr' "$F2B/fail2ban.log" | tail -n 20 >&2
	# Stopping fail2ban runs its unbans while the pins still exist; then it is killed if it hangs.
	if [ -S "${F2B:-}/fail2ban.sock" ]; then
		timeout 10 fail2ban-client -s "$F2B/fail2ban.sock" stop >/dev/null 2>&1 || true
	fi
	xf_teardown
}

# f2b_start [ACTION ARGS]: fail2ban-server in NS_P (in the foreground, so teardown can kill it),
# one jail `xdpfwd-test` over $F2B/auth.log whose action is xdpfwd[xdpfwd=..., pindir=..., ARGS].
f2b_start() {
	local args="xdpfwd=\"$XDPFWD\", pindir=\"$PIN\"${1:+, $1}" i
	mkdir -p "$F2B/filter.d" "$F2B/action.d"
	cp "$ACTION" "$F2B/action.d/xdpfwd.conf"
	cat >"$F2B/fail2ban.conf" <<-EOF
		[Definition]
		loglevel = INFO
		logtarget = $F2B/fail2ban.log
		syslogsocket = auto
		socket = $F2B/fail2ban.sock
		pidfile = $F2B/fail2ban.pid
		dbfile = $F2B/fail2ban.sqlite3
		dbpurgeage = 1d
		allowipv6 = auto
	EOF
	# The line format is the test's own: no date (datepattern {NONE}: the time read is the time).
	cat >"$F2B/filter.d/xdpfwd-test.conf" <<-'EOF'
		[Definition]
		failregex = ^xdpfwd-test: authentication failure from <HOST>$
		datepattern = {NONE}
	EOF
	cat >"$F2B/jail.conf" <<-EOF
		[xdpfwd-test]
		enabled  = true
		filter   = xdpfwd-test
		logpath  = $F2B/auth.log
		backend  = polling
		maxretry = $MAXRETRY
		findtime = 600
		bantime  = $BANTIME
		action   = xdpfwd[$args]
	EOF
	: >"$F2B/auth.log"
	nsenter --net="/run/netns/$NS_P" fail2ban-server -f -x -c "$F2B" -s "$F2B/fail2ban.sock" \
		-p "$F2B/fail2ban.pid" >"$F2B/server.out" 2>&1 3>&- &
	XF_PIDS+=($!)
	# Wait for the server's own "started" line before asking: a `status` of a jail not yet started
	# is logged as an ERROR, which the tests look for.
	for i in $(seq 100); do
		grep -q "Jail 'xdpfwd-test' started" "$F2B/fail2ban.log" 2>/dev/null &&
			f2b status xdpfwd-test >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "fail2ban did not start the jail:" >&2
	cat "$F2B/server.out" "$F2B/fail2ban.log" >&2
	return 1
}

f2b() {
	nsenter --net="/run/netns/$NS_P" fail2ban-client -s "$F2B/fail2ban.sock" "$@" 3>&-
}

# fail ADDR [N]: N (default MAXRETRY) failure lines naming ADDR, as a service would log them.
fail() {
	local i
	for i in $(seq "${2:-$MAXRETRY}"); do
		echo "xdpfwd-test: authentication failure from $1" >>"$F2B/auth.log"
	done
}

# is_ban ENTRY-JSON: a ban of fail2ban's: in set fail2ban, expiring with the jail's bantime.
is_ban() {
	bt_is_ban "$1" "$BANTIME" 15 fail2ban
}

@test "fail2ban: maxretry failures block the peer within 2 s, a reload keeps the ban, unban lifts it" {
	local ms
	bt_unit_daemon
	f2b_start
	bt_wait_ping 198.18.0.2 1 3
	# One failure short of maxretry: found, not banned.
	fail 198.18.0.2 $((MAXRETRY - 1))
	xf_wait_lines 'Found 198\.18\.0\.2' $((MAXRETRY - 1)) "$F2B/fail2ban.log" 5
	[ "$(xf_ping 198.18.0.2 1)" = 1 ]
	[ -z "$(bt_entry 198.18.0.2)" ]
	fail 198.18.0.2 1
	ms=$(bt_wait_ping 198.18.0.2 0 2)
	echo "# blocked ${ms} ms after the last failure line" >&3
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]
	is_ban "$(bt_entry 198.18.0.2)"
	[ "$(f2b get xdpfwd-test banned 198.18.0.2)" = 1 ]

	# systemctl reload xdpfwd@IF: the list files are applied again, fail2ban's ban stays.
	# (The reload does apply the files: an address added to the list file is blocked after it.)
	echo 198.18.0.5 >>"$XF_TMP/etc/blocklist"
	bt_reload
	"$XF_PYTHON" -c 'import json, sys; e = json.loads(sys.argv[1]); assert e["sets"] == ["file"], e' \
		"$(bt_entry 198.18.0.5)"
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	is_ban "$(bt_entry 198.18.0.2)"

	f2b unban 198.18.0.2
	ms=$(bt_wait_ping 198.18.0.2 1 2)
	echo "# passes again ${ms} ms after fail2ban-client unban" >&3
	[ "$(xf_ping 198.18.0.2 3)" = 3 ]
	[ -z "$(bt_entry 198.18.0.2)" ]
	xf_lacks 'ERROR' "$F2B/fail2ban.log"
}

@test "fail2ban: an IPv6 ban is the address alone by default" {
	bt_unit_daemon
	f2b_start
	fail 2001:2::3
	bt_wait_ping 2001:2::3 0 2
	[ "$(xf_ping 2001:2::3 3)" = 0 ]
	[ "$(xf_ping 2001:2::4 3)" = 3 ]
	is_ban "$(bt_entry 2001:2::3)"
	f2b unban 2001:2::3
	bt_wait_ping 2001:2::3 1 2
	[ -z "$(bt_entry 2001:2::3)" ]
	xf_lacks 'ERROR' "$F2B/fail2ban.log"
}

@test "fail2ban: v6mask=64 bans the IPv6 source's whole /64, and unban lifts the /64" {
	local mac_s
	# A second /64 on the same wire, to show the ban stops at the /64's edge.
	ip -n "$NS_P" addr add 2001:2:0:1::1/64 dev "$IF_P" nodad
	ip -n "$NS_S" addr add 2001:2:0:1::2/64 dev "$IF_S" nodad
	mac_s=$(ip -n "$NS_S" -br link show dev "$IF_S" | awk '{ print $3 }')
	ip -n "$NS_P" neigh replace 2001:2:0:1::2 lladdr "$mac_s" dev "$IF_P" nud permanent
	bt_unit_daemon
	f2b_start 'v6mask=64'
	bt_wait_ping 2001:2:0:1::2 1 3
	fail 2001:2::3
	bt_wait_ping 2001:2::3 0 2
	[ "$(xf_ping 2001:2::3 3)" = 0 ]
	# Another address of the /64, never named in the log, is banned with it ...
	[ "$(xf_ping 2001:2::4 3)" = 0 ]
	# ... one of the next /64 is not, nor is IPv4 (v6mask is for IPv6 alone).
	[ "$(xf_ping 2001:2:0:1::2 3)" = 3 ]
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]
	is_ban "$(bt_entry 2001:2::/64)"
	[ -z "$(bt_entry 2001:2::3)" ]
	# An IPv4 ban in the same jail is the address alone.
	fail 198.18.0.4
	bt_wait_ping 198.18.0.4 0 2
	is_ban "$(bt_entry 198.18.0.4)"

	f2b unban 2001:2::3
	bt_wait_ping 2001:2::3 1 2
	[ "$(xf_ping 2001:2::4 3)" = 3 ]
	[ -z "$(bt_entry 2001:2::/64)" ]
	xf_lacks 'ERROR' "$F2B/fail2ban.log"
}
