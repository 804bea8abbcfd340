#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Named sets as the traffic sees them (the library's side of issue 13; the per-set load
# under traffic and an address in two sets are in sets.bats): timed and untimed
# memberships of one entry expire apart, an entry written with plain bpftool is in set manual, and an entry's
# counters survive it gaining or losing a set.

load ../lib/xf

N=20

setup() {
	xf_setup
	xf_static_neigh
	xf_recv_start
	xf_daemon --iface "$IF_P"
}

teardown() {
	xf_teardown
}

# The sets of ENTRY in `block list --json`, joined with ','.
entry_sets() {
	xf_cli block list --json | xf_json "','.join(next((e['sets'] for e in j if e['entry'] == '$1'), ['-']))"
}

@test "a timed membership expires alone: the entry stays blocked while an untimed set holds it" {
	xf_cli block add --set fail2ban --timeout 2 198.18.0.2 198.18.0.3
	xf_cli block add 198.18.0.3
	[ "$(entry_sets 198.18.0.3)" = manual,fail2ban ]
	sleep 2.5
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	[ "$(xf_recv_wait 198.18.0.2 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.3)" = 0 ]
	[ "$(entry_sets 198.18.0.3)" = manual ]
	# The sweep (every 5 s) deletes .2 and keeps .3 in manual alone.
	xf_wait_lines 'blocklist: removed 1 expired entry' 1 "$XF_TMP/daemon.err" 6
	[ "$(xf_cli block list | awk 'NR > 1 { print $1 }')" = 198.18.0.3 ]
	[ "$(xf_cli block list --json | xf_json "[e.get('expires') for e in j]")" = "[None]" ]
}

@test "an entry written with plain bpftool (all zeros) is in set manual: listed, counted, deletable" {
	local size
	size=$(bpftool map show pinned "$PIN/block_v4_addr" | awk '{ for (i = 1; i < NF; i++) if ($i == "value") print $(i + 1) }' | tr -dc 0-9)
	bpftool map update pinned "$PIN/block_v4_addr" key 198 18 0 2 value $(printf '0 %.0s' $(seq "$size"))
	bpftool map update pinned "$PIN/block_v4_net" key 24 0 0 0 198 18 7 0 value $(printf '0 %.0s' $(seq "$size"))
	xf_cli status --recount >/dev/null
	[ "$(entry_sets 198.18.0.2)" = manual ]
	[ "$(entry_sets 198.18.7.0/24)" = manual ]
	[ "$(xf_cli status --json | xf_json "j['blocklist']['addresses'], j['blocklist']['prefixes']")" = "(1, 1)" ]
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.5 "$N"
	[ "$(xf_recv_wait 198.18.0.5 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	xf_cli block del 198.18.0.2 198.18.7.0/24
	[ -z "$(xf_cli block list | awk 'NR > 1')" ]
	[ "$(xf_cli status --json | xf_json "j['blocklist']['addresses'], j['blocklist']['prefixes']")" = "(0, 0)" ]
}

@test "an entry's counters are kept when it gains or loses a set" {
	xf_cli block add 198.18.0.2
	xf_udp_send 198.18.0.2 "$N"
	xf_wait_entry_packets 198.18.0.2 "$N"
	xf_cli block add --set fail2ban 198.18.0.2
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	xf_cli block del 198.18.0.2
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	# A replace of fail2ban that keeps it keeps them too.
	printf '198.18.0.2\n198.18.0.3\n' >"$XF_TMP/f.list"
	xf_cli block load --set fail2ban "$XF_TMP/f.list"
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
}

@test "xdpfwd sets: entries per set from the books, packets under each entry's count set, updated stamped by that set's edits only" {
	set_field() {
		xf_cli sets --json | xf_json "next(s['$2'] for s in j if s['kind'] == 'block' and s['name'] == '$1')"
	}
	xf_cli block add 198.18.0.2
	xf_cli block add --set fail2ban 198.18.0.2 198.18.0.3
	[ "$(set_field manual entries)" = 1 ]
	[ "$(set_field fail2ban entries)" = 2 ]
	# .2's hits count under manual (its lowest set), .3's under fail2ban.
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	xf_udp_send 198.18.0.5 "$N"
	[ "$(xf_recv_wait 198.18.0.5 "$N")" = "$N" ]
	xf_wait_output "$N" set_field fail2ban packets
	[ "$(set_field manual packets)" = "$N" ]
	[ "$(set_field fail2ban bytes)" = "$(set_field manual bytes)" ]
	# An edit of manual stamps manual alone.
	f2b=$(set_field fail2ban updated)
	[ "$f2b" != None ]
	sleep 1.1
	xf_cli block del 198.18.0.2
	[ "$(set_field fail2ban updated)" = "$f2b" ]
	[ "$(set_field manual updated)" \> "$f2b" ]
	[ "$(set_field manual entries)" = 0 ]
	[ "$(set_field fail2ban entries)" = 2 ]
	# Flushing fail2ban: both entries gone, its count 0.
	xf_cli block flush --set fail2ban
	[ "$(set_field fail2ban entries)" = 0 ]
	[ -z "$(xf_cli block list | awk 'NR > 1')" ]
}
