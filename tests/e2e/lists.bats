#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# List changes as the traffic sees them: `block load FILE` swaps the whole set at
# once (a source in both sets never gets through mid-swap, one only in the old set
# is dropped until the swap and passes after it), and `add --timeout` entries stop
# matching when they expire, then the daemon deletes them.

load ../lib/xf

N=20

setup() {
	xf_setup_traffic
	xf_daemon --iface "$IF_P"
}

@test "block load swaps the whole set: a source in both sets never leaks while it is replaced again and again" {
	printf '198.18.0.2\n198.18.0.4\n' >"$XF_TMP/a.list"
	printf '# the other set\n198.18.0.3\n198.18.0.4\n' >"$XF_TMP/b.list"
	xf_cli block load "$XF_TMP/a.list"
	# .4 is in both sets: 2 ms apart, about 2 s, while the set flips back and forth.
	xf_udp_send 198.18.0.4 1000 "" 9000 2 &
	local sender=$! swaps=0
	while [ "$swaps" -lt 20 ] && kill -0 "$sender" 2>/dev/null; do
		xf_cli block load "$XF_TMP/b.list" 2>/dev/null
		xf_cli block load "$XF_TMP/a.list" 2>/dev/null
		swaps=$((swaps + 2))
	done
	wait "$sender"
	# Enough swaps happened under traffic to mean something.
	[ "$swaps" -ge 6 ]
	xf_udp_send 198.18.0.5 "$N"
	[ "$(xf_recv_wait 198.18.0.5 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.4)" = 0 ]
	# Ends on set a: .2 blocked, .3 not.
	[ "$(xf_cli block list | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')" = "198.18.0.2 198.18.0.4 " ]
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	[ "$(xf_recv_wait 198.18.0.3 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
}

@test "an entry added with --timeout stops matching when it expires, and the daemon removes it" {
	xf_cli block add --timeout 2 198.18.0.2
	xf_cli block add 198.18.0.3
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.4 "$N"
	[ "$(xf_recv_wait 198.18.0.4 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	sleep 2.5
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	xf_udp_send 198.18.0.4 "$N"
	[ "$(xf_recv_wait 198.18.0.4 $((2 * N)))" = $((2 * N)) ]
	[ "$(xf_recv_count 198.18.0.2)" = "$N" ]
	[ "$(xf_recv_count 198.18.0.3)" = 0 ]
	# The sweep runs every 5 s.
	xf_wait_lines 'blocklist: removed 1 expired entry' 1 "$XF_TMP/daemon.err" 6
	[ "$(xf_cli block list | awk 'NR > 1 { print $1 }')" = 198.18.0.3 ]
}
