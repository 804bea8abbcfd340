#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The flood defense end to end (issue 14): a UDP flood from one veth peer address over the limit is
# banned by the program itself (block set auto, with time left) while another address keeps
# flowing; the ban ends by itself; the limits change at run time (SIGHUP, `xdpfwd limit set`,
# `xdpfwd limit off`) with the same program attached; action drop drops the excess only; audit
# drops nothing and logs; --limit-key /24 bans the whole /24; status and metrics show the counts.

load ../lib/xf

setup() {
	xf_setup_traffic
}

# FIELD of `xdpfwd limit --json` as a Python expression over j (e.g. 'j["bans"]["made"]').
limit_field() {
	xf_json "$1" xf_cli limit --json
}

# expires_in of ENTRY in `block list --set auto --json` ("" if it is not listed there).
auto_left() {
	xf_cli block list --set auto --json | "$XF_PYTHON" -c '
import json, sys
for e in json.load(sys.stdin):
    if e["entry"] == sys.argv[1]:
        print(e["expires_in"])' "$1"
}

# A flood from SRC: N datagrams, 1 ms apart (about 1000 per second, far over the tests' limits).
flood() {
	xf_udp_send "$1" "${2:-300}" "" 9000 1
}

@test "a flood over --limit-pps is banned in set auto with time left while another source keeps flowing; the ban ends by itself" {
	xf_daemon --iface "$IF_P" --limit-pps 50 --limit-ban 3s
	[ "$(limit_field 'j["action"]')" = ban ]
	flood 198.18.0.2 300 &
	local f=$!
	# 20 pings at 20 per second: under the limit, from another address, all through the flood.
	[ "$(xf_ping 198.18.0.3 20 50)" = 20 ]
	wait "$f"
	# At most the burst (50) and what refilled arrived; the rest met the limit or the ban.
	local got
	got=$(xf_recv_count 198.18.0.2)
	[ "$got" -ge 50 ] && [ "$got" -lt 150 ]
	local left
	left=$(auto_left 198.18.0.2)
	[ -n "$left" ] && [ "$left" -ge 1 ] && [ "$left" -le 3 ]
	[ "$(xf_entries block)" = 198.18.0.2 ]
	[ "$(limit_field 'j["bans"]["made"]')" = 1 ]
	# Banned: nothing of a round passes (the barrier, IPv6, is another source).
	[ "$(XF_N=10 XF_BARRIER=2001:2::9 xf_round 198.18.0.2)" = "198.18.0.2=0" ]
	# The event said it once, with the ban's length.
	xf_wait_lines 'drop rate_limit src=198\.18\.0\.2 .* set=auto banned_for=3$' 1
	# After the ban, the source passes again (its bucket refilled meanwhile).
	sleep 3.2
	[ -z "$(auto_left 198.18.0.2)" ]
	[ "$(XF_N=10 XF_BARRIER=2001:2::9 xf_round 198.18.0.2)" = "198.18.0.2=10" ]
}

@test "SIGHUP re-reads --limits-file and xdpfwd limit set / off change the running limits, the program id unchanged" {
	printf '# test\nlimit-pps = 5000\nlimit-action=drop\n' >"$XF_TMP/limits.conf"
	xf_daemon --iface "$IF_P" --limits-file "$XF_TMP/limits.conf"
	local id gen
	id=$(xf_prog_id)
	[ -n "$id" ]
	[ "$(limit_field '"%s %s" % (j["pps"], j["action"])')" = "5000 drop" ]
	# Far under 5000 pps: all pass.
	flood 198.18.0.2 200
	[ "$(xf_recv_wait 198.18.0.2 200)" = 200 ]
	gen=$(limit_field 'j["generation"]')

	printf 'limit-pps=50\nlimit-action=drop\n' >"$XF_TMP/limits.conf"
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines 'flood defense \(SIGHUP\): pps=50 ' 1 "$XF_TMP/daemon.err"
	[ "$(limit_field 'j["pps"]')" = 50 ]
	[ "$(limit_field 'j["generation"]')" = $((gen + 1)) ]
	[ "$(xf_prog_id)" = "$id" ]
	flood 198.18.0.3 300
	local got
	got=$(xf_recv_count 198.18.0.3)
	[ "$got" -ge 50 ] && [ "$got" -lt 150 ]

	# A bad file keeps the running limits and says where.
	printf 'limit-pps=fast\n' >"$XF_TMP/limits.conf"
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines "limits.conf:1: limit-pps 'fast'" 1 "$XF_TMP/daemon.err"
	[ "$(limit_field 'j["pps"]')" = 50 ]

	run xf_cli limit set --pps 10k
	[ "$status" -eq 0 ]
	[ "$(limit_field '"%s %s" % (j["pps"], j["action"])')" = "10000 drop" ]
	[ "$(xf_prog_id)" = "$id" ]
	flood 198.18.0.4 200
	[ "$(xf_recv_wait 198.18.0.4 200)" = 200 ]

	run xf_cli limit off
	[ "$status" -eq 0 ]
	[ "$(limit_field 'j["action"]')" = off ]
	[ "$(xf_prog_id)" = "$id" ]
	# The same attachment all along (bpftool agrees with ip link).
	bpftool prog show id "$id" | grep -q xdpfwd_xdp
}

@test "--limit-action drop drops the excess only: no ban, the source passes again at once" {
	xf_daemon --iface "$IF_P" --limit-pps 50 --limit-action drop
	flood 198.18.0.2 300
	local got
	got=$(xf_recv_count 198.18.0.2)
	[ "$got" -ge 50 ] && [ "$got" -lt 150 ]
	[ "$(limit_field 'j["bans"]["made"]')" = 0 ]
	[ "$(limit_field 'j["rate_limited"]["drop"]["packets"]')" -ge 150 ]
	[ -z "$(xf_entries block)" ]
	# Under the rate right after: nothing holds it back.
	sleep 1
	[ "$(XF_N=10 XF_BARRIER=2001:2::9 xf_round 198.18.0.2)" = "198.18.0.2=10" ]
}

@test "--limit-action audit passes everything and logs rate_limit as audit, with the ban it would have made" {
	xf_daemon --iface "$IF_P" --limit-pps 50 --limit-action audit --log-format json
	flood 198.18.0.2 300
	[ "$(xf_recv_wait 198.18.0.2 300)" = 300 ]
	[ "$(limit_field 'j["rate_limited"]["audit"]["packets"]')" -ge 150 ]
	[ "$(limit_field 'j["rate_limited"]["drop"]["packets"]')" = 0 ]
	[ -z "$(xf_entries block)" ]
	xf_wait_lines '"action":"audit","reason":"rate_limit","would_ban_for":600,"set":"auto"' 1
	xf_lacks '"action":"drop"' "$XF_TMP/daemon.out"
}

@test "--limit-key /24,/64 bans the source's /24: its neighbours are blocked too, other networks are not" {
	xf_daemon --iface "$IF_P" --limit-pps 50 --limit-key /24,/64 --log-format json
	flood 198.18.0.2 300
	[ -n "$(auto_left 198.18.0.0/24)" ]
	# The ban's event, once: the source that crossed the limit, the ban's length, its set.
	xf_wait_lines '"action":"drop","reason":"rate_limit","banned_for":600,"set":"auto","src":"198\.18\.0\.2"' 1
	[ "$(xf_count_lines '"banned_for"' "$XF_TMP/daemon.out")" = 1 ]
	[ "$(XF_N=10 XF_BARRIER=2001:2::9 xf_round 198.18.0.3)" = "198.18.0.3=0" ]
	[ "$(XF_N=10 xf_round 2001:2::3)" = "2001:2::3=10" ]
}

@test "status and metrics count what was limited and banned; block del --set auto lifts a ban, flush lifts all" {
	xf_daemon --iface "$IF_P" --limit-pps 50 --limit-ban 10m
	flood 198.18.0.2 300
	flood 198.18.0.3 300
	[ "$(xf_json 'j["limits"]["bans"]["made"]' xf_cli status --json)" = 2 ]
	# Not counted yet: the books do not have the program's bans, and say so (live + unbooked).
	[ "$(xf_json '"%s %s" % (j["limits"]["bans"]["live"], j["limits"]["bans"]["unbooked"])' xf_cli status --json)" = "0 2" ]
	xf_cli sets | grep -qE '^block +auto +enforce +- +- +0\+ '
	[ "$(xf_cli sets --json | "$XF_PYTHON" -c 'import json, sys; print([s["unbooked"] for s in json.load(sys.stdin) if s["name"] == "auto"][0])')" = 2 ]
	# Counted afresh on demand (the daemon catches up within 10 s by itself).
	[ "$(xf_json '"%s %s" % (j["limits"]["bans"]["live"], j["limits"]["bans"]["unbooked"])' xf_cli status --json --recount)" = "2 0" ]
	run xf_cli status
	[[ $output == *"limits     pps=50 bps=off burst=50 "*"action=ban ban=10m"* ]]
	[[ $output == *"bans: made 2, failed 0 (blocklist full), live 2"* ]]
	xf_cli sets | grep -qE '^block +auto +enforce +- +- +2 '
	run xf_cli metrics
	[[ $output == *'xdpfwd_bans_total 2'* ]]
	[[ $output == *'xdpfwd_bans_live 2'* ]]
	[[ $output == *'xdpfwd_limit_pps 50'* ]]
	[[ $output == *'xdpfwd_limit_action{action="ban"} 1'* ]]
	[[ $output == *'xdpfwd_packets_total{action="drop",reason="rate_limit"} '* ]]
	[[ $(grep -o 'xdpfwd_rate_limited_packets_total{action="drop"} [0-9]*' <<<"$output") =~ \ ([0-9]+)$ ]]
	# The frames over the limit until each ban; later ones met the ban (reason blocklist).
	[ "${BASH_REMATCH[1]}" -ge 2 ]
	run xf_cli block del --set auto 198.18.0.2
	[ "$status" -eq 0 ]
	[ "$(XF_N=10 XF_BARRIER=2001:2::9 xf_round 198.18.0.2)" = "198.18.0.2=10" ]
	[ "$(xf_entries block)" = 198.18.0.3 ]
	run xf_cli block flush --set auto
	[ "$status" -eq 0 ]
	[ -z "$(xf_entries block)" ]
	[ "$(xf_json 'j["limits"]["bans"]["live"]' xf_cli status --json)" = 0 ]
}

@test "the daemon books the program's bans by itself within 10 s and removes the expired ones from the map" {
	xf_daemon --iface "$IF_P" --limit-pps 50 --limit-ban 2s
	flood 198.18.0.2 300
	[ "$(xf_json 'j["limits"]["bans"]["unbooked"]' xf_cli status --json)" = 1 ]
	# The ban is in the hash until the daemon's catch-up (at most XDPFWD_BAN_RECOUNT_S = 10 s after
	# its start) walks the blocklist; by then it has expired, so the walk deletes it.
	[ "$(bpftool map dump pinned "$PIN/block_v4_addr" -j | xf_json 'len(j)')" = 1 ]
	local i
	for i in $(seq 150); do
		[ "$(bpftool map dump pinned "$PIN/block_v4_addr" -j | xf_json 'len(j)')" = 0 ] && break
		sleep 0.1
	done
	[ "$(bpftool map dump pinned "$PIN/block_v4_addr" -j | xf_json 'len(j)')" = 0 ]
	xf_wait_lines 'blocklist: removed 1 expired entry \(bans included\)' 1 "$XF_TMP/daemon.err"
	[ "$(xf_json '"%s %s %s" % (j["limits"]["bans"]["made"], j["limits"]["bans"]["live"], j["limits"]["bans"]["unbooked"])' xf_cli status --json)" = "1 0 0" ]
}
