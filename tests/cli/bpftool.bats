#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The pins and the bpftool recipes the README documents, run exactly as written there
# (with $PIN for the pin dir): permissions, BTF field names, entries added and removed with
# bpftool that xdpfwd lists and the program enforces, prog and net show.

# The recipes below are the README's, character for character (unquoted $PIN included);
# value $(printf '0 %.0s' $(seq 56)) is a 56-byte all-zero struct xdpfwd_entry (set manual alone).
# shellcheck disable=SC2046,SC2086

load cli_helpers

setup() {
	cli_setup_daemon
}

@test "pin dir is 0700 and every pin 0600, all owned by root" {
	[ "$(stat -c %a "$PIN")" = 700 ]
	[ "$(stat -c %u "$PIN")" = 0 ]
	local f n=0
	for f in "$PIN"/*; do
		echo "# $f $(stat -c '%a %u' "$f")" >&2
		[ "$(stat -c %a "$f")" = 600 ]
		[ "$(stat -c %u "$f")" = 0 ]
		n=$((n + 1))
	done
	# The daemon runs in NS_P, not the initial namespace: its ring's name carries the namespace.
	for f in prog meta clock books stats "events_$IF_P@$(stat -L -c %i "/run/netns/$NS_P")" ifaces $CLI_LIST_MAPS \
		limits meter limit_stats ban_books; do
		[ -e "$PIN/$f" ]
	done
	[ "$n" -ge 12 ]
}

@test "bpftool map dump prints BTF field names" {
	run -0 xf_cli block add 198.18.0.2 198.18.3.0/24
	run -0 bpftool map dump pinned "$PIN/block_v4_addr"
	local f
	for f in '"addr"' '"packets"' '"bytes"' '"last_hit_ns"' '"last_log_ns"' '"expires_ns"' '"sets"' '"timed"' '"count_set"' '"plen1"'; do
		[[ $output == *"$f"* ]]
	done
	[[ $output =~ \"addr\":\ \[198,18,0,2 ]]
	run -0 bpftool map dump pinned "$PIN/block_v4_net"
	[[ $output == *'"prefixlen": 24'* ]]
	run -0 bpftool map dump pinned "$PIN/stats"
	[[ $output == *'"packets"'* ]]
	[[ $output == *'"ev_eligible"'* ]]
	run -0 bpftool map dump pinned "$PIN/clock"
	[[ $output == *'"ns_per_jiffy"'* ]]
	[[ $output == *'"mono_offset_ns"'* ]]
}

@test "recipe: block an exact address with bpftool map update, unblock with map delete" {
	cli_arrives 198.18.0.2 3

	bpftool map update pinned $PIN/block_v4_addr key 198 18 0 2 value $(printf '0 %.0s' $(seq 56))
	run -0 xf_cli block list
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} =~ ^198\.18\.0\.2\  ]]
	cli_blocked 198.18.0.2 5
	cli_arrives 198.18.0.3 5
	# The program counts into the bpftool-made entry like any other.
	[ "$(xf_cli block list | awk '$1 == "198.18.0.2" { print $2 }')" -ge 5 ]

	bpftool map delete pinned $PIN/block_v4_addr key 198 18 0 2
	run -0 xf_cli block list
	[ "${#lines[@]}" -eq 1 ]
	cli_arrives 198.18.0.2 5
}

@test "recipe: block a prefix with bpftool (LPM key: prefixlen as 4 bytes little-endian, then the address)" {
	# Works without a daemon running too.
	xf_daemon_stop
	bpftool map update pinned $PIN/block_v4_net key 24 0 0 0 198 18 0 0 value $(printf '0 %.0s' $(seq 56))
	run -0 xf_cli block list
	[[ ${lines[1]} =~ ^198\.18\.0\.0/24\  ]]
	[ "$(cli_map_entries block_v4_net)" = 198.18.0.0/24 ]
	cli_blocked 198.18.0.3 5
	cli_blocked 198.18.0.5 5
	cli_arrives 2001:2::3 5

	bpftool map delete pinned $PIN/block_v4_net key 24 0 0 0 198 18 0 0
	cli_arrives 198.18.0.3 5
	run -0 xf_cli block list
	[ "${#lines[@]}" -eq 1 ]
}

@test "recipe: block an IPv6 address with bpftool (key in hex)" {
	bpftool map update pinned $PIN/block_v6_addr key hex 20 01 00 02 00 00 00 00 00 00 00 00 00 00 00 02 value $(printf '0 %.0s' $(seq 56))
	run -0 xf_cli block list
	[[ ${lines[1]} =~ ^2001:2::2\  ]]
	cli_blocked 2001:2::2 5
	cli_arrives 2001:2::3 5
	bpftool map delete pinned $PIN/block_v6_addr key hex 20 01 00 02 00 00 00 00 00 00 00 00 00 00 00 02
	cli_arrives 2001:2::2 5
}

@test "recipe: bpftool prog show pinned prog names xdpfwd_xdp; bpftool net show lists it on the interface" {
	run -0 bpftool prog show pinned $PIN/prog
	[[ $output =~ ^([0-9]+):\ xdp\ +name\ xdpfwd_xdp ]]
	local id=${BASH_REMATCH[1]}
	run -0 xf_p bpftool net show
	echo "$output" >&2
	[[ $output =~ $IF_P\([0-9]+\)\ (driver|generic)\ id\ [0-9]+ ]]
	if [ "$(xf_cli status --json | xf_json 'j["interfaces"][0]["dispatcher"]')" = False ]; then
		[[ $output =~ $IF_P\([0-9]+\)\ driver\ id\ $id ]]
	fi
}

# Block addresses, block prefixes and allow entries as status --json counts them, e.g. "2 1 0".
status_counts() {
	xf_cli status --json "$@" | xf_json '"%d %d %d" % (j["blocklist"]["addresses"], j["blocklist"]["prefixes"], j["allowlist"]["entries"])'
}

# The same from `xdpfwd metrics` (xdpfwd_entries), as "block-address block-prefix allow-all".
metrics_counts() {
	xf_cli metrics | awk '$1 ~ /^xdpfwd_entries\{/ {
		if ($1 ~ /list="block"/ && $1 ~ /kind="address"/) ba = $2
		else if ($1 ~ /list="block"/) bp = $2
		else al += $2
	} END { printf "%d %d %d\n", ba, bp, al }'
}

@test "a /32 that bpftool wrote into the prefix trie is listed once, re-added in place, and removed by block del" {
	bpftool map update pinned $PIN/block_v4_net key 32 0 0 0 198 18 0 4 value $(printf '0 %.0s' $(seq 56))
	run -0 xf_cli block list
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} =~ ^198\.18\.0\.4\  ]]
	cli_blocked 198.18.0.4 5
	# Found where it lives: adding it again does not put a second copy into the hash.
	run -0 xf_cli block add 198.18.0.4
	[[ $output == *"added 0, 1 already present"* ]]
	[ "$(cli_map_entries block_v4_addr)" = "" ]
	[ "$(status_counts --recount)" = "1 0 0" ]

	run -0 xf_cli block del 198.18.0.4
	[[ $output != *"not in the blocklist"* ]]
	[[ $output == *"removed 1, 0 not present"* ]]
	[ "$(cli_map_entries block_v4_net)" = "" ]
	cli_arrives 198.18.0.4 5
	[ "$(status_counts)" = "0 0 0" ]

	# In both maps at once (bpftool again): listed once, and del removes both.
	run -0 xf_cli block add 198.18.0.5
	bpftool map update pinned $PIN/block_v4_net key 32 0 0 0 198 18 0 5 value $(printf '0 %.0s' $(seq 56))
	run -0 xf_cli block list
	[ "${#lines[@]}" -eq 2 ]
	run -0 xf_cli block del 198.18.0.5
	[ "$(cli_map_entries block_v4_addr)" = "" ]
	[ "$(cli_map_entries block_v4_net)" = "" ]
	cli_arrives 198.18.0.5 5
}

@test "block load treats a /32 that bpftool wrote into the trie as an entry of the old set" {
	bpftool map update pinned $PIN/block_v4_net key 32 0 0 0 198 18 0 4 value $(printf '0 %.0s' $(seq 56))
	bpftool map update pinned $PIN/block_v4_net key 32 0 0 0 198 18 0 5 value $(printf '0 %.0s' $(seq 56))
	cli_blocked 198.18.0.5 3
	printf '198.18.0.5\n198.18.3.0/24\n' >"$XF_TMP/new.txt"
	run -0 xf_cli block load "$XF_TMP/new.txt"
	# .4 is gone with the old set; .5 stays, now where xdpfwd keeps addresses, with its counters.
	[ "$(xf_cli block list | awk 'NR > 1 { print $1 }')" = "198.18.0.5"$'\n'"198.18.3.0/24" ]
	[ "$(cli_map_entries block_v4_net)" = 198.18.3.0/24 ]
	[ "$(cli_map_entries block_v4_addr)" = 198.18.0.5 ]
	[ "$(xf_cli block list | awk '$1 == "198.18.0.5" { print $2 }')" -ge 3 ]
	cli_arrives 198.18.0.4 5
	cli_blocked 198.18.0.5 5
	[ "$(status_counts)" = "1 1 0" ]
	[ "$(metrics_counts)" = "1 1 0" ]
}

@test "after bpftool edits status --recount counts what list shows, and so does the next daemon start" {
	run -0 xf_cli block add 198.18.0.2 198.18.3.0/24
	run -0 xf_cli allow add 198.18.0.3
	[ "$(status_counts)" = "1 1 1" ]
	bpftool map update pinned $PIN/block_v4_addr key 198 18 0 4 value $(printf '0 %.0s' $(seq 56))
	bpftool map update pinned $PIN/block_v4_net key 16 0 0 0 198 19 0 0 value $(printf '0 %.0s' $(seq 56))
	bpftool map delete pinned $PIN/allow_v4 key 32 0 0 0 198 18 0 3
	# Edits behind xdpfwd's back are not in the books (README, "bpftool") until they are
	# counted afresh: on demand,
	[ "$(status_counts --recount)" = "2 2 0" ]
	[ "$(metrics_counts)" = "2 2 0" ]
	[ "$(xf_cli block list | awk 'NR > 1' | wc -l)" = 4 ]
	# or by the next daemon start.
	bpftool map update pinned $PIN/block_v4_addr key 198 18 0 5 value $(printf '0 %.0s' $(seq 56))
	xf_daemon_stop TERM
	xf_daemon --iface "$IF_P"
	[ "$(status_counts)" = "3 2 0" ]
	[ "$(metrics_counts)" = "3 2 0" ]
}

@test "an instance without the books pin (made by an older build): the CLI counts by walking, the daemon creates it" {
	run -0 xf_cli block add 198.18.0.2 198.18.3.0/24 2001:2::2
	xf_daemon_stop
	rm "$PIN/books"
	run -0 xf_cli block add 198.18.0.4
	run -0 xf_cli block del 198.18.0.2
	[ "$(status_counts)" = "2 1 0" ]
	[ "$(metrics_counts)" = "2 1 0" ]
	[ ! -e "$PIN/books" ]
	xf_daemon --iface "$IF_P"
	[ -e "$PIN/books" ]
	[ "$(stat -c %a "$PIN/books")" = 600 ]
	[ "$(status_counts)" = "2 1 0" ]
	run -0 xf_cli block add 198.18.0.5
	[ "$(status_counts)" = "3 1 0" ]
}
