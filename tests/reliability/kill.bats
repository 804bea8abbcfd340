#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Zero-leak lifecycle: kill -9 of the daemon while a blocked source floods leaks nothing, leaves
# the attachment and the maps exactly as they were, and the next start adopts them.

load rel.bash

setup() {
	rel_setup
}

teardown() {
	rel_teardown
}

@test "kill -9 during a flood: 0 leaked, same program and maps, the restart adopts them" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2 2001:2::2 198.18.0.128/25 2001:2:0:1::/64
	# Counters that are not zero before the kill.
	rel_flood 198.18.0.2 500 1 2000 >/dev/null
	[ "$(xf_wait_entry_packets 198.18.0.2 500)" = 500 ]
	prog=$(xf_prog_id)
	[ -n "$prog" ]
	maps=$(rel_pinned_map_ids)
	entries=$(xf_entries | sort)

	# A blocked flood as fast as the sender goes, an allowed control source beside it.
	rel_flood_bg blocked 198.18.0.2 5000000 3
	rel_flood_bg control 198.18.0.3 30000 3 5000
	sleep 1
	rel_flood_alive blocked
	xf_daemon_stop KILL
	[ "$XF_DAEMON_RC" = 137 ]
	rel_flood_alive blocked
	rel_flood_wait blocked
	rel_flood_wait control
	sent=$(rel_flood_sent blocked)
	control=$(rel_flood_sent control)
	sleep 0.3

	leaked=$(rel_count 198.18.0.2)
	arrived=$(rel_count 198.18.0.3)
	dropped=$(($(xf_entry_packets 198.18.0.2) - 500))
	rel_figure "blocked flood sent $sent, dropped by XDP $dropped, leaked $leaked; control sent $control, arrived $arrived"
	[ "$leaked" = 0 ]
	# The measurement sees traffic: the control source's datagrams arrive.
	[ "$arrived" -gt 0 ]
	# A flood, not a trickle (the rate depends on the machine and its load).
	[ "$sent" -gt 20000 ]
	[ "$dropped" -gt 0 ]
	# Nothing moved: the attached program, the pinned maps, the entries.
	[ "$(xf_prog_id)" = "$prog" ]
	[ "$(rel_pinned_map_ids)" = "$maps" ]
	[ "$(xf_entries | sort)" = "$entries" ]

	# The next start adopts all of it, counters included.
	before=$(xf_cli block list)
	stats_before=$(xf_json 'json.dumps(j["packets"])' xf_cli status --json)
	xf_daemon --iface "$IF_P"
	new=$(xf_prog_id)
	grep -q "$IF_P: adopted the running firewall: program $prog swapped for $new in place" "$XF_TMP/daemon.err"
	[ "$(xf_cli block list)" = "$before" ]
	"$XF_PYTHON" - "$stats_before" "$(xf_json 'json.dumps(j["packets"])' xf_cli status --json)" <<-'EOF'
		import json, sys
		b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
		# Only the flood was dropped, and it is over: the drops are kept exactly. Passes are kept
		# too, and may grow: the peer's IPv6 neighbour and router messages come at any time.
		assert a["drop"] == b["drop"], ("drops changed", b, a)
		assert all(a["pass"][k] >= v for k, v in b["pass"].items()), ("passes went back", b, a)
	EOF
	[ "$(rel_pinned_map_ids)" = "$maps" ]
	[ "$(rel_flood 198.18.0.2 200 1 1000)" = 200 ]
	sleep 0.2
	[ "$(rel_count 198.18.0.2)" = 0 ]
}
