#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdpfwd block|allow add|del|list|flush: IPv4 and IPv6, addresses and prefixes, text and JSON
# output, where each entry lands, counters kept on re-add, and all of it with no daemon running.

load cli_helpers

setup() {
	cli_setup
}

@test "block: add, list, del and flush IPv4 and IPv6 addresses and prefixes" {
	xf_daemon --iface "$IF_P"
	run -0 xf_cli block add 198.18.1.0/24 2001:2::5 198.18.0.2 2001:2:1::/48 10.1.0.0/16
	[[ $output == *"added 5"* ]]

	# One line per entry after the header, sorted by family, address, length.
	run -0 xf_entries block
	[ "$output" = "$(printf '%s\n' 10.1.0.0/16 198.18.0.2 198.18.1.0/24 2001:2::5 2001:2:1::/48)" ]
	run -0 xf_cli block list
	[ "${#lines[@]}" -eq 6 ]

	run -0 xf_cli block del 198.18.1.0/24 2001:2::5
	[[ $output == *"removed 2"* ]]
	run -0 xf_entries block
	[ "$output" = "$(printf '%s\n' 10.1.0.0/16 198.18.0.2 2001:2:1::/48)" ]

	run -0 xf_cli block flush
	run -0 xf_cli block list
	[ "${#lines[@]}" -eq 1 ]
	run -0 xf_cli block list --json
	[ "$(echo "$output" | xf_json 'len(j)')" -eq 0 ]
	[ -z "$(cli_map_entries block_v4_addr)$(cli_map_entries block_v4_net)" ]
	[ -z "$(cli_map_entries block_v6_addr)$(cli_map_entries block_v6_net)" ]
}

@test "allow: add, list, del and flush IPv4 and IPv6 addresses and prefixes" {
	xf_daemon --iface "$IF_P"
	run -0 xf_cli allow add 198.18.0.3 198.18.2.0/24 2001:2::3 2001:2:2::/64
	[[ $output == *"added 4"* ]]
	run -0 xf_entries allow
	[ "$output" = "$(printf '%s\n' 198.18.0.3 198.18.2.0/24 2001:2::3 2001:2:2::/64)" ]

	run -0 xf_cli allow del 198.18.2.0/24 2001:2::3
	run -0 xf_entries allow
	[ "$output" = "$(printf '%s\n' 198.18.0.3 2001:2:2::/64)" ]

	run -0 xf_cli allow flush
	run -0 xf_cli allow list
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$(cli_map_entries allow_v4)$(cli_map_entries allow_v6)" ]
	# The blocklist was never touched.
	run -0 xf_cli block list --json
	[ "$(echo "$output" | xf_json 'len(j)')" -eq 0 ]
}

@test "list --json: entry, family, prefixlen, packets, bytes, last_hit; /32 and /128 print as plain addresses" {
	xf_daemon --iface "$IF_P"
	run -0 xf_cli block add 198.18.0.2/32 198.18.4.0/22 2001:2::5/128 2001:2:3::/56
	xf_cli block list --json >"$XF_TMP/block.json"
	python3 - "$XF_TMP/block.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
want = [("198.18.0.2", 4, 32), ("198.18.4.0/22", 4, 22), ("2001:2::5", 6, 128), ("2001:2:3::/56", 6, 56)]
assert [(e["entry"], e["family"], e["prefixlen"]) for e in j] == want, j
for e in j:
    assert set(e) >= {"entry", "family", "prefixlen", "packets", "bytes", "last_hit"}, e
    assert e["packets"] == 0 and e["bytes"] == 0 and e["last_hit"] is None, e
EOF
	run -0 xf_entries block
	[ "$output" = "$(printf '%s\n' 198.18.0.2 198.18.4.0/22 2001:2::5 2001:2:3::/56)" ]

	# After traffic: counters and last_hit (a string) on the hit entry only.
	cli_blocked 198.18.0.2 3
	xf_cli block list --json >"$XF_TMP/block.json"
	python3 - "$XF_TMP/block.json" <<'EOF'
import json, sys
j = {e["entry"]: e for e in json.load(open(sys.argv[1]))}
hit = j["198.18.0.2"]
assert hit["packets"] >= 3 and hit["bytes"] > 0 and isinstance(hit["last_hit"], str), hit
assert j["198.18.4.0/22"]["packets"] == 0 and j["198.18.4.0/22"]["last_hit"] is None
EOF

	# An expiring entry next to permanent ones: still one valid JSON array.
	run -0 xf_cli block add --timeout 1h 198.18.0.7
	xf_cli block list --json >"$XF_TMP/block.json"
	python3 - "$XF_TMP/block.json" <<'EOF'
import json, sys
j = {e["entry"]: e for e in json.load(open(sys.argv[1]))}
assert len(j) == 5, j
assert 3500 <= j["198.18.0.7"]["expires_in"] <= 3600, j["198.18.0.7"]
EOF

	run -0 xf_cli allow add 198.18.0.3/32 2001:2::3/128
	run -0 xf_cli allow list --json
	[ "$(echo "$output" | xf_json '" ".join(e["entry"] for e in j)')" = "198.18.0.3 2001:2::3" ]
	# -j is --json.
	[ "$(xf_cli allow list -j)" = "$output" ]
	[ "$(echo "$output" | xf_json '" ".join(str(e["prefixlen"]) for e in j)')" = "32 128" ]
}

@test "entries land in the right maps: /32 in block_v4_addr, prefixes in block_v*_net, allow in allow_v*" {
	xf_daemon --iface "$IF_P"
	run -0 xf_cli block add 198.18.0.2 198.18.1.0/24 2001:2::5 2001:2:1::/48
	run -0 xf_cli allow add 198.18.0.3 198.18.2.0/24 2001:2::3 2001:2:2::/64

	[ "$(cli_map_entries block_v4_addr)" = "198.18.0.2" ]
	[ "$(cli_map_entries block_v4_net)" = "198.18.1.0/24" ]
	[ "$(cli_map_entries block_v6_addr)" = "2001:2::5" ]
	[ "$(cli_map_entries block_v6_net)" = "2001:2:1::/48" ]
	# The allowlist is one trie per family, exact addresses as full-length prefixes.
	[ "$(cli_map_entries allow_v4)" = "$(printf '%s\n' 198.18.0.3/32 198.18.2.0/24)" ]
	[ "$(cli_map_entries allow_v6)" = "$(printf '%s\n' 2001:2:2::/64 2001:2::3/128)" ]

	# The raw -j output carries BTF-formatted keys too.
	bpftool map dump pinned "$PIN/block_v4_net" -j | xf_json 'j[0]["formatted"]["key"]' |
		grep -q "'prefixlen': 24"
}

@test "re-adding an entry keeps it and its counters and says it is already present" {
	xf_daemon --iface "$IF_P"
	run -0 xf_cli block add 198.18.0.2 2001:2::2
	cli_blocked 198.18.0.2 4
	# The text listing, so this test does not depend on the JSON one.
	xf_cli block list >"$XF_TMP/before"
	read -r _ packets bytes last_hit _ < <(grep '^198\.18\.0\.2 ' "$XF_TMP/before")
	[ "$packets" -ge 4 ]
	[ "$bytes" -gt 0 ]
	[ "$last_hit" != - ]

	run -0 xf_cli block add 198.18.0.2 2001:2::2 198.18.0.9
	[[ $output == *"already present"* ]]
	[[ $output == *"added 1, 2 already present"* ]]
	xf_cli block list >"$XF_TMP/after"
	# Same entries with the same counters and last hit; only the new one is added.
	diff <(grep -v '^198\.18\.0\.9 ' "$XF_TMP/after") "$XF_TMP/before"
	grep -qE '^198\.18\.0\.9 +0 +0 +- ' "$XF_TMP/after"

	run -0 xf_cli allow add 198.18.0.4
	run -0 xf_cli allow add 198.18.0.4
	[[ $output == *"added 0, 1 already present"* ]]
	run -0 xf_entries allow
	[ "$output" = "198.18.0.4" ]
}

@test "del of an absent entry warns and exits 0; present ones in the same command are removed" {
	xf_daemon --iface "$IF_P"
	run -0 xf_cli block add 198.18.0.2 2001:2::5
	run -0 xf_cli block del 198.18.0.77
	[[ $output == *198.18.0.77* ]]
	[[ $output =~ not\ (in|present) ]]
	run -0 xf_cli block del 2001:2::5 198.18.0.0/24
	[[ $output == *198.18.0.0/24* ]]
	[[ $output == *"removed 1, 1 not present"* ]]
	run -0 xf_entries block
	[ "$output" = "198.18.0.2" ]

	run -0 xf_cli allow del 2001:2::77
	[[ $output == *2001:2::77* ]]
	[[ $output =~ not\ (in|present) ]]
}

@test "the list commands work with no daemon running, and what they add is enforced" {
	xf_daemon --iface "$IF_P"
	xf_daemon_stop
	[ "$XF_DAEMON_RC" -eq 0 ]

	run -0 xf_cli block add 198.18.0.2 2001:2::2 198.18.9.0/24
	run -0 xf_cli allow add 198.18.0.4
	run -0 xf_entries block
	[ "$output" = "$(printf '%s\n' 198.18.0.2 198.18.9.0/24 2001:2::2)" ]
	cli_blocked 198.18.0.2 4
	cli_blocked 2001:2::2 4
	cli_arrives 198.18.0.3 4

	run -0 xf_cli block del 198.18.0.2
	cli_arrives 198.18.0.2 4
	run -0 xf_cli block flush
	run -0 xf_cli allow flush
	run -0 xf_cli block list --json
	[ "$(echo "$output" | xf_json 'len(j)')" -eq 0 ]
	cli_arrives 2001:2::2 4
}

# Runs the Python statements in $1 with j = the JSON on stdin.
json_assert() {
	python3 -c "import json, sys; j = json.load(sys.stdin)
$1"
}

@test "--timeout at the maximum the error names (3650d) lasts ten years, in list and in the program" {
	local max=315360000
	xf_daemon --iface "$IF_P"
	# One past it: refused, and the message names the maximum in days and seconds.
	run -2 --separate-stderr xf_cli block add --timeout 3651d 198.18.0.2
	[[ $stderr == *"at most 3650d = $max seconds"* ]]
	# The old maximum, 2^64 ns in seconds, and a value that wrapped after a day of uptime.
	run -2 --separate-stderr xf_cli block add --timeout 18446744073 198.18.0.2
	run -2 --separate-stderr xf_cli block add --timeout 213503d 198.18.0.2
	run -0 xf_cli block list --json
	[ "$(xf_json 'len(j)' <<<"$output")" -eq 0 ]

	run -0 xf_cli block add --timeout "$max" 198.18.0.2
	run -0 xf_cli block add --timeout 3650d 2001:2::2
	run -0 xf_cli block list --json
	json_assert '
assert len(j) == 2, j
for e in j:
    assert '"$max"' - 60 <= e["expires_in"] <= '"$max"', e' <<<"$output"
	run -0 xf_cli block list
	[[ $output =~ 198\.18\.0\.2\ .*\ (3649d23h|3650d00h) ]]
	cli_blocked 198.18.0.2 3
	cli_blocked 2001:2::2 3
	# Expiry runs and leaves them alone.
	sleep 1.5
	run -0 xf_cli block list --json
	[ "$(xf_json 'len(j)' <<<"$output")" -eq 2 ]
}

@test "block load: until= far away (2^64-1) is held to ten years; timeout= past the maximum is refused" {
	local max=315360000
	xf_daemon --iface "$IF_P"
	printf '198.18.0.2 until=18446744073709551615\n2001:2::2 until=99999999999\n' >"$XF_TMP/far.list"
	run -0 xf_cli block load "$XF_TMP/far.list"
	run -0 xf_cli block list --json
	json_assert '
assert sorted(e["entry"] for e in j) == ["198.18.0.2", "2001:2::2"], j
for e in j:
    assert '"$max"' - 60 <= e["expires_in"] <= '"$max"', e' <<<"$output"
	cli_blocked 198.18.0.2 3
	cli_blocked 2001:2::2 3
	printf '198.18.0.3\n198.18.0.4 timeout=3651d\n' >"$XF_TMP/over.list"
	run -2 --separate-stderr xf_cli block load "$XF_TMP/over.list"
	[[ $stderr == *"over.list:2: duration '3651d' is too long (at most 3650d"*"nothing was changed"* ]]
	run -0 xf_cli block list --json
	[ "$(xf_json 'len(j)' <<<"$output")" -eq 2 ]
}

@test "block load: an entry repeated with another timeout warns naming both lines; the longer one applies" {
	xf_daemon --iface "$IF_P"
	printf '198.18.0.2 timeout=1h\n# a comment\n198.18.0.3\n198.18.0.2 timeout=2h\n198.18.0.3\n' >"$XF_TMP/rep.list"
	run -0 --separate-stderr xf_cli block load "$XF_TMP/rep.list"
	[ "$(grep -c warning <<<"$stderr")" -eq 1 ]
	[[ $stderr == *"rep.list:4: warning: 198.18.0.2 is also on line 1 with another expiry; the longer one applies"* ]]
	run -0 xf_cli block list --json
	json_assert '
e = {e["entry"]: e["expires_in"] for e in j}
assert 7000 <= e["198.18.0.2"] <= 7200 and e["198.18.0.3"] is None, e' <<<"$output"
}
