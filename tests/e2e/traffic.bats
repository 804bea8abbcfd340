#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Real UDP and ping through a veth pair, IPv4 and IPv6: what the blocklist and the
# allowlist let through. The neighbour entries are static, so the only frames that
# reach the protected side are the test's and every per-entry counter is exact.
#
# xf_round sends from each source in turn and then from a barrier source nothing
# blocks; once all of the barrier's datagrams are in, none of the others is still on
# its way, so a 0 is a real 0.

load ../lib/xf

N=20
XF_N=$N

setup() {
	xf_setup_traffic
	xf_daemon --iface "$IF_P"
}

@test "nothing blocked: every UDP datagram and ping arrives, IPv4 and IPv6" {
	run xf_round 198.18.0.2 198.18.0.3 2001:2::2 2001:2::3
	[ "$output" = "198.18.0.2=$N 198.18.0.3=$N 2001:2::2=$N 2001:2::3=$N" ]
	[ "$(xf_ping 198.18.0.2 10)" = 10 ]
	[ "$(xf_ping 2001:2::2 10)" = 10 ]
	[ "$(xf_json 'j["packets"]["drop"]["blocklist"]' xf_cli status --json)" = 0 ]
}

@test "block add drops one IPv4 source, counts it exactly, block del lets it through again" {
	xf_cli block add 198.18.0.2
	run xf_round 198.18.0.2 198.18.0.3
	[ "$output" = "198.18.0.2=0 198.18.0.3=$N" ]
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	[ "$(xf_json 'j["packets"]["drop"]["blocklist"]' xf_cli status --json)" = "$N" ]

	xf_cli block del 198.18.0.2
	run xf_round 198.18.0.2 198.18.0.3
	[ "$output" = "198.18.0.2=$N 198.18.0.3=$N" ]
	[ "$(xf_json 'j["packets"]["drop"]["blocklist"]' xf_cli status --json)" = "$N" ]
}

@test "block add drops one IPv6 source, block del lets it through again" {
	xf_cli block add 2001:2::2
	run xf_round 2001:2::2 2001:2::3
	[ "$output" = "2001:2::2=0 2001:2::3=$N" ]
	[ "$(xf_entry_packets 2001:2::2)" = "$N" ]

	xf_cli block del 2001:2::2
	run xf_round 2001:2::2 2001:2::3
	[ "$output" = "2001:2::2=$N 2001:2::3=$N" ]
}

@test "ping from a blocked source gets no reply, IPv4 and IPv6; another source's pings all do" {
	xf_cli block add 198.18.0.2 2001:2::2
	[ "$(xf_ping 198.18.0.2 10)" = 0 ]
	[ "$(xf_ping 2001:2::2 10)" = 0 ]
	[ "$(xf_ping 198.18.0.3 10)" = 10 ]
	[ "$(xf_ping 2001:2::3 10)" = 10 ]
	[ "$(xf_entry_packets 198.18.0.2)" = 10 ]
	[ "$(xf_entry_packets 2001:2::2)" = 10 ]

	xf_cli block del 198.18.0.2 2001:2::2
	[ "$(xf_ping 198.18.0.2 10)" = 10 ]
	[ "$(xf_ping 2001:2::2 10)" = 10 ]
}

@test "IPv4 prefix: 198.18.0.0/30 blocks .2 and .3 but not .4 or .5" {
	xf_cli block add 198.18.0.0/30
	run xf_round 198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5
	[ "$output" = "198.18.0.2=0 198.18.0.3=0 198.18.0.4=$N 198.18.0.5=$N" ]
	[ "$(xf_entry_packets 198.18.0.0/30)" = $((2 * N)) ]
	[ "$(xf_json 'j["blocklist"]["prefixes"]' xf_cli status --json)" = 1 ]
}

@test "IPv6 prefix: 2001:2::/126 blocks ::2 and ::3 but not ::4 or ::5" {
	# The prefix also covers the protected side's own 2001:2::1: only arriving sources count.
	xf_cli block add 2001:2::/126
	run xf_round 2001:2::2 2001:2::3 2001:2::4 2001:2::5
	[ "$output" = "2001:2::2=0 2001:2::3=0 2001:2::4=$N 2001:2::5=$N" ]
	[ "$(xf_entry_packets 2001:2::/126)" = $((2 * N)) ]
	# Replies from 2001:2::1 leave through the same interface untouched.
	[ "$(xf_ping 2001:2::4 5)" = 5 ]
}

@test "allowlist wins over the blocklist: allow .2 inside a blocked /24, IPv4 and IPv6" {
	xf_cli block add 198.18.0.0/24 2001:2::/64
	xf_cli allow add 198.18.0.2 2001:2::2
	# The blocked /24 and /64 hold the barrier addresses too: the allowed source is the barrier.
	XF_BARRIER=2001:2::2 run xf_round 198.18.0.3 2001:2::3 198.18.0.2 2001:2::2
	[ "$output" = "198.18.0.3=0 2001:2::3=0 198.18.0.2=$N 2001:2::2=$N" ]
	[ "$(xf_entry_packets 198.18.0.2 allow)" = "$N" ]
	[ "$(xf_entry_packets 198.18.0.0/24)" = "$N" ]
	[ "$(xf_json 'j["packets"]["pass"]["allowlist"]' xf_cli status --json)" = $((2 * N)) ]

	xf_cli allow del 198.18.0.2
	XF_BARRIER=2001:2::2 run xf_round 198.18.0.2 2001:2::2
	[ "$output" = "198.18.0.2=0 2001:2::2=$N" ]
}

@test "the allowlist is consulted only for blocked sources: an allowlisted source in no block entry is no_match" {
	xf_cli block add 198.18.0.3 198.18.0.4
	xf_cli allow add 198.18.0.2 198.18.0.4
	XF_BARRIER=198.18.0.2 run xf_round 198.18.0.3 198.18.0.4 198.18.0.2
	[ "$output" = "198.18.0.3=0 198.18.0.4=$N 198.18.0.2=$N" ]
	# The rescued source counts under allowlist and on its allow entry, not on its block entry.
	[ "$(xf_entry_packets 198.18.0.4 allow)" = "$N" ]
	[ "$(xf_entry_packets 198.18.0.4)" = 0 ]
	[ "$(xf_entry_packets 198.18.0.3)" = "$N" ]
	[ "$(xf_json 'j["packets"]["pass"]["allowlist"]' xf_cli status --json)" = "$N" ]
	# No block entry covers .2: it passes as no_match and its allow entry stays at 0.
	[ "$(xf_entry_packets 198.18.0.2 allow)" = 0 ]
	[ "$(xf_json 'j["packets"]["pass"]["no_match"] >= '"$N" xf_cli status --json)" = True ]
}

@test "block list --json, allow list --json and status --json are valid JSON with the counters" {
	xf_cli block add 198.18.0.2 2001:2::/64
	xf_cli allow add 2001:2::3
	[ "$(xf_round 198.18.0.2 198.18.0.3)" = "198.18.0.2=0 198.18.0.3=$N" ]
	xf_cli block list --json >"$XF_TMP/block.json"
	xf_cli allow list --json >"$XF_TMP/allow.json"
	xf_cli status --json >"$XF_TMP/status.json"
	"$XF_PYTHON" - "$XF_TMP" "$N" <<-'EOF' || { head "$XF_TMP"/*.json; false; }
		import json, sys
		d, n = sys.argv[1], int(sys.argv[2])
		block = {e["entry"]: e for e in json.load(open(d + "/block.json"))}
		assert set(block) == {"198.18.0.2", "2001:2::/64"}, block
		e = block["198.18.0.2"]
		assert (e["family"], e["prefixlen"], e["packets"], e["bytes"]) == (4, 32, n, n * 58), e
		assert isinstance(e["last_hit"], str), e
		assert block["2001:2::/64"]["last_hit"] is None and block["2001:2::/64"]["packets"] == 0, block
		for e in block.values():
		    assert e.get("expires_in") is None, e  # permanent entries
		allow = json.load(open(d + "/allow.json"))
		assert [(a["entry"], a["family"], a["prefixlen"]) for a in allow] == [("2001:2::3", 6, 128)], allow
		st = json.load(open(d + "/status.json"))
		assert st["packets"]["drop"]["blocklist"] == n, st
		assert st["blocklist"] == {"addresses": 1, "prefixes": 1} or \
		    (st["blocklist"]["addresses"], st["blocklist"]["prefixes"]) == (1, 1), st
		assert st["allowlist"]["entries"] == 1, st
	EOF
}
