#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Named sets from the command line (issue 13): block|allow add|del|list|flush|load|save --set NAME,
# flush --all-sets, add --mask4/--mask6, the set's default timeout, `xdpfwd sets` and its add/del,
# the sets in status, --persist per set. Bad input: exit 2 (or 1 where the instance refuses), one
# line, and nothing changed.

load cli_helpers

setup() {
	cli_setup
	xf_daemon --iface "$IF_P"
}

teardown() {
	cli_teardown
}

# "ENTRY SETS" lines of a list, from the text output (SETS is the last column).
entry_sets() {
	xf_cli "${1:-block}" list "${@:2}" | awk 'NR == 1 { if ($NF != "SETS") exit 1; next } { print $1, $NF }'
}

# The named sets as "KIND NAME MODE SCOPE TIMEOUT ENTRIES" lines, from `xdpfwd sets --json`.
sets_lines() {
	xf_cli sets --json | "$XF_PYTHON" -c '
import json, sys
for s in json.load(sys.stdin):
    print(s["kind"], s["name"], s["mode"], s["scope"] or "-", s["timeout"] or "-", s["entries"])'
}

# Runs xdpfwd ARGS in NS_P, expecting exit STATUS and one message line matching REGEX on stderr.
refused() {
	local status=$1 regex=$2
	shift 2
	echo "# xdpfwd $*" >&2
	run "-$status" --separate-stderr xf_cli "$@"
	echo "# $stderr" >&2
	[[ $stderr =~ $regex ]]
}

@test "sets: a new instance has set manual of both kinds, enforce, no scope, no timeout" {
	run -0 sets_lines
	[ "$output" = "$(printf '%s\n' 'block manual enforce - - 0' 'allow manual enforce - - 0')" ]
	run -0 xf_cli sets
	[[ ${lines[0]} =~ ^KIND\ +NAME\ +MODE\ +SCOPE\ +TIMEOUT\ +ENTRIES\ +PACKETS\ +BYTES\ +UPDATED\ +SOURCE ]]
	[ "${#lines[@]}" -eq 3 ]
}

@test "add --set creates the set; list shows each entry's sets (text column, JSON array); --set filters" {
	run -0 xf_cli block add 198.18.0.2 198.18.7.0/24
	run -0 xf_cli block add --set fail2ban 198.18.0.2 2001:2::5
	[[ $output == *"blocklist set fail2ban: added 2, 0 already present"* ]]
	run -0 entry_sets
	[ "$output" = "$(printf '%s\n' '198.18.0.2 manual,fail2ban' '198.18.7.0/24 manual' '2001:2::5 fail2ban')" ]
	run -0 xf_json '[e["sets"] for e in j]' xf_cli block list --json
	[ "$output" = "[['manual', 'fail2ban'], ['manual'], ['fail2ban']]" ]
	run -0 entry_sets block --set fail2ban
	[ "$output" = "$(printf '%s\n' '198.18.0.2 manual,fail2ban' '2001:2::5 fail2ban')" ]
	run -0 xf_json '[e["entry"] for e in j]' xf_cli block list --set manual --json
	[ "$output" = "['198.18.0.2', '198.18.7.0/24']" ]
	run -0 sets_lines
	[[ $output == *"block fail2ban enforce - - 2"* ]]
	[[ $output == *"block manual enforce - - 2"* ]]
	# One entry per prefix, whatever the sets holding it.
	[ "$(cli_map_entries block_v4_addr)" = 198.18.0.2 ]
	# The allowlist has its own sets.
	run -0 xf_cli allow add --set office 198.18.0.3
	run -0 entry_sets allow
	[ "$output" = "198.18.0.3 office" ]
	refused 1 'block set office does not exist' block list --set office
}

@test "an address in two sets stays blocked until it has left both" {
	run -0 xf_cli block add 198.18.0.2
	run -0 xf_cli block add --set fail2ban 198.18.0.2
	cli_blocked 198.18.0.2 3
	run -0 xf_cli block del 198.18.0.2
	[[ $output == *"blocklist: removed 1, 0 not present"* ]]
	run -0 entry_sets
	[ "$output" = "198.18.0.2 fail2ban" ]
	cli_blocked 198.18.0.2 3
	# Not in manual any more: a second del there removes nothing.
	run -0 xf_cli block del 198.18.0.2
	[[ $output == *"removed 0, 1 not present"* ]]
	run -0 xf_cli block del --set fail2ban 198.18.0.2
	run -0 xf_entries block
	[ -z "$output" ]
	[ -z "$(cli_map_entries block_v4_addr)" ]
	cli_arrives 198.18.0.2 3
}

@test "del and flush --set of a set that does not exist: one notice, exit 0, no set made" {
	local state=$XF_TMP/state
	run -0 xf_cli block add 198.18.0.2
	run -0 --separate-stderr xf_cli block del --set gone 198.18.0.2 2001:2::5
	[ -z "$output" ]
	[ "$stderr" = "xdpfwd: blocklist set gone: removed 0, 2 not present (the set does not exist)" ]
	run -0 --separate-stderr xf_cli allow del --set gone 198.18.0.2
	[[ $stderr == *"allowlist set gone: removed 0, 1 not present (the set does not exist)" ]]
	run -0 --separate-stderr xf_cli block flush --set gone
	[ "$stderr" = "xdpfwd: blocklist set gone: removed all 0 entries (the set does not exist)" ]
	# Nothing made, nothing else touched.
	run -0 sets_lines
	[ "$output" = "$(printf '%s\n' 'block manual enforce - - 1' 'allow manual enforce - - 0')" ]
	run -0 entry_sets
	[ "$output" = "198.18.0.2 manual" ]
	# --persist: a file the set left behind loses the entry; none is made for a set without one.
	mkdir -m 0755 "$state"
	run -0 xf_cli block add --set gone --persist --state-dir "$state" 198.18.0.3 198.18.0.4
	run -0 xf_cli sets del block gone
	[ -e "$state/blocklist.gone" ]
	run -0 xf_cli block del --set gone --persist --state-dir "$state" 198.18.0.3
	[ "$(grep -v '^#' "$state/blocklist.gone")" = 198.18.0.4 ]
	run -0 xf_cli block del --set never --persist --state-dir "$state" 198.18.0.3
	[ ! -e "$state/blocklist.never" ]
	run -0 sets_lines
	[ "$output" = "$(printf '%s\n' 'block manual enforce - - 1' 'allow manual enforce - - 0')" ]
	# A bad set name is still bad input.
	refused 2 'set name' block del --set 'Bad!' 198.18.0.2
}

@test "load --set replaces that set alone; the file becomes the set's source" {
	run -0 xf_cli block add 198.18.0.2 198.18.9.0/24
	run -0 xf_cli block add --set feed 198.18.0.3 198.18.9.0/24 2001:2::7
	printf '# feed v2\n198.18.0.4\n198.18.9.0/24\n' >"$XF_TMP/feed.list"
	run -0 xf_cli block load --set feed "$XF_TMP/feed.list"
	[[ $output == *"blocklist set feed: replaced with the 2 entries of"* ]]
	run -0 entry_sets
	[ "$output" = "$(printf '%s\n' '198.18.0.2 manual' '198.18.0.4 feed' '198.18.9.0/24 manual,feed')" ]
	run -0 xf_json '[s["source"] for s in j if s["name"] == "feed"][0]' xf_cli sets --json
	[ "$output" = "$XF_TMP/feed.list" ]
	cli_blocked 198.18.0.4 3
	cli_arrives 198.18.0.3 3
	# load creates a set too, and an empty file empties just that set.
	: >"$XF_TMP/empty.list"
	run -0 xf_cli block load --set feed "$XF_TMP/empty.list"
	run -0 entry_sets
	[ "$output" = "$(printf '%s\n' '198.18.0.2 manual' '198.18.9.0/24 manual')" ]
	printf '198.18.0.5\n' | xf_p "$XDPFWD" block load --set other - --pin-dir "$PIN"
	run -0 entry_sets block --set other
	[ "$output" = "198.18.0.5 other" ]
	run -0 xf_json '[s["source"] for s in j if s["name"] == "other"][0]' xf_cli sets --json
	[ "$output" = stdin ]
	# A bad file changes nothing, not even the set's existence.
	printf '198.18.0.6\n198.18.0.300\n' >"$XF_TMP/bad.list"
	cli_snapshot "$XF_TMP/before"
	refused 2 'bad.list:2:.*nothing was changed' block load --set brandnew "$XF_TMP/bad.list"
	cli_snapshot "$XF_TMP/after"
	diff "$XF_TMP/before" "$XF_TMP/after"
	run -0 sets_lines
	[[ $output != *brandnew* ]]
}

@test "flush: manual by default, --set one set, --all-sets every set of the kind" {
	run -0 xf_cli block add 198.18.0.2 198.18.0.3
	run -0 xf_cli block add --set a 198.18.0.3 198.18.0.4
	run -0 xf_cli block add --set b 198.18.0.5
	run -0 xf_cli allow add 198.18.0.9
	run -0 xf_cli block flush
	run -0 entry_sets
	[ "$output" = "$(printf '%s\n' '198.18.0.3 a' '198.18.0.4 a' '198.18.0.5 b')" ]
	run -0 xf_cli block flush --set a
	run -0 entry_sets
	[ "$output" = "198.18.0.5 b" ]
	run -0 xf_cli block add 198.18.0.2
	run -0 xf_cli block flush --all-sets
	[[ $output == *"removed all"*"of every set"* ]]
	run -0 xf_entries block
	[ -z "$output" ]
	# The sets stay defined, and the allowlist was not touched.
	run -0 sets_lines
	[[ $output == *"block a enforce - - 0"* ]]
	run -0 xf_entries allow
	[ "$output" = 198.18.0.9 ]
	refused 2 'give --set NAME or --all-sets, not both' block flush --set a --all-sets
	refused 2 '--all-sets goes with flush' block list --all-sets
}

# The packets `xdpfwd sets --json` counts for block set $1.
set_packets() {
	xf_cli sets --json | xf_json "[s['packets'] for s in j if s['kind'] == 'block' and s['name'] == '$1'][0]"
}

@test "sets add changes what a set's members' packets do at once (mode, scope); xdpfwd sets counts them" {
	run -0 xf_cli sets add block rehearse --mode audit
	run -0 xf_cli block add --set rehearse 198.18.0.2
	cli_arrives 198.18.0.2 5
	[ "$(set_packets rehearse)" -ge 5 ]
	run -0 xf_json 'j["packets"]["audit"]["blocklist"] >= 5' xf_cli status --json
	[ "$output" = True ]
	run -0 xf_cli sets add block rehearse --mode enforce
	cli_blocked 198.18.0.2 3

	# Scoped to another port: the datagrams to port 9000 pass; scoped to it: dropped.
	run -0 xf_cli sets add block dns --scope udp:53
	run -0 xf_cli block add --set dns 198.18.0.3
	cli_arrives 198.18.0.3 3
	[ "$(set_packets dns)" = 0 ]
	run -0 xf_cli sets add block dns --scope tcp:9000
	cli_arrives 198.18.0.3 3
	run -0 xf_cli sets add block dns --scope udp:22,9000
	cli_blocked 198.18.0.3 3
	[ "$(set_packets dns)" -ge 3 ]
	run -0 xf_cli sets add block dns --scope none
	cli_blocked 198.18.0.3 3
}

# The bytes `xdpfwd sets --json` counts for block set $1, and its id.
set_bytes() {
	xf_cli sets --json | xf_json "[s['bytes'] for s in j if s['kind'] == 'block' and s['name'] == '$1'][0]"
}
set_id() {
	xf_cli sets --json | xf_json "[s['id'] for s in j if s['kind'] == 'block' and s['name'] == '$1'][0]"
}

@test "a deleted set's packets go with it: manual keeps its own, a set reusing the id starts from zero" {
	local id manual_bytes
	run -0 xf_cli block add 198.18.0.2
	run -0 xf_cli block add --set feed 198.18.0.3
	cli_blocked 198.18.0.2 2
	cli_blocked 198.18.0.3 4
	# Manual's figures are derived (the program does not count them): exactly its own.
	[ "$(set_packets manual)" = 2 ]
	[ "$(set_packets feed)" = 4 ]
	manual_bytes=$(set_bytes manual)
	[ "$manual_bytes" -gt 0 ]
	[ "$(set_bytes feed)" = $((manual_bytes * 2)) ]
	id=$(set_id feed)
	run -0 xf_cli sets del block feed
	[ "$(set_packets manual)" = 2 ]
	[ "$(set_bytes manual)" = "$manual_bytes" ]
	run -0 xf_cli block add --set other 198.18.0.3
	[ "$(set_id other)" = "$id" ]
	[ "$(set_packets other)" = 0 ]
	[ "$(set_bytes other)" = 0 ]
	cli_blocked 198.18.0.3 1
	[ "$(set_packets other)" = 1 ]
	[ "$(set_packets manual)" = 2 ]
	# The totals keep every packet, the deleted set's too.
	run -0 xf_json 'j["packets"]["drop"]["blocklist"]' xf_cli status --json
	[ "$output" = 7 ]
	# The metrics say the same.
	run -0 xf_cli metrics
	[[ $output == *'xdpfwd_set_packets_total{kind="block",set="manual"} 2'* ]]
	[[ $output == *'xdpfwd_set_packets_total{kind="block",set="other"} 1'* ]]
	[[ $output != *'set="feed"'* ]]
}

@test "set names are checked: exit 2, one line, nothing changed" {
	run -0 xf_cli block add 198.18.0.2
	cli_snapshot "$XF_TMP/before"
	local name
	for name in Fail2ban 'a b' a.b ../etc 'a/b' '' 'x@y' abcdefghijklmnopqrstuvwxyz0123456; do
		refused 2 "set name .*is not valid: use 1 to 32 of a-z, 0-9, '_' and '-'" \
			block add --set "$name" 198.18.0.3
		refused 2 "is not valid" block load --set "$name" /dev/null
		refused 2 "is not valid" sets add block "$name"
	done
	cli_snapshot "$XF_TMP/after"
	diff "$XF_TMP/before" "$XF_TMP/after"
	run -0 sets_lines
	[ "${#lines[@]}" -eq 2 ]
	# The longest name there is works.
	run -0 xf_cli block add --set abcdefghijklmnopqrstuvwxyz012345 198.18.0.3
}

@test "32 sets per kind; the 33rd is refused with one line and changes nothing" {
	local i
	for i in $(seq 1 31); do
		xf_cli sets add block "s$i" >/dev/null 2>&1
	done
	run -0 xf_json 'len([s for s in j if s["kind"] == "block"])' xf_cli sets --json
	[ "$output" = 32 ]
	cli_snapshot "$XF_TMP/before"
	refused 1 '^xdpfwd: creating block set s32 failed: all 32 block sets are in use; delete one with `xdpfwd sets del block NAME`$' \
		block add --set s32 198.18.0.2
	refused 1 'all 32 block sets are in use' sets add block s32
	refused 1 'all 32 block sets are in use' block load --set s32 /dev/null
	cli_snapshot "$XF_TMP/after"
	diff "$XF_TMP/before" "$XF_TMP/after"
	# The allowlist has 32 of its own; deleting a block set frees an id.
	run -0 xf_cli allow add --set s32 198.18.0.3
	run -0 xf_cli sets del block s5
	run -0 xf_cli block add --set s32 198.18.0.2
	run -0 entry_sets
	[ "$output" = "198.18.0.2 s32" ]
}

@test "sets add: mode, scope and timeout; a change keeps the options not given; sets del" {
	run -0 xf_cli sets add block ssh --scope tcp:22,443 --timeout 1h
	[[ $output == *"block set ssh: created (mode enforce, scope tcp:22,443, timeout 1h)"* ]]
	run -0 xf_cli sets add block feed --mode audit
	run -0 sets_lines
	[[ $output == *"block ssh enforce tcp:22,443 3600 0"* ]]
	[[ $output == *"block feed audit - - 0"* ]]
	run -0 xf_cli sets add block ssh --mode audit
	[[ $output == *"changed (mode audit, scope tcp:22,443, timeout 1h)"* ]]
	run -0 xf_cli sets add block ssh --scope none --timeout none --mode enforce
	run -0 sets_lines
	[[ $output == *"block ssh enforce - - 0"* ]]
	run -0 xf_cli sets add block dns --scope tcp,udp:53
	run -0 xf_cli sets
	[[ $output =~ block\ +dns\ +enforce\ +tcp,udp:53\ + ]]
	refused 2 'scope .*more than 8 ports' sets add block x --scope tcp:1,2,3,4,5,6,7,8,9
	refused 2 "unknown protocol 'icmp'" sets add block x --scope icmp
	refused 2 "'0' is not a port" sets add block x --scope udp:0
	refused 2 "--mode 'drop': use enforce or audit" sets add block x --mode drop
	run -0 sets_lines
	[[ $output != *"block x "* ]]

	# del: the set's entries go (an entry another set holds stays), the id is free again.
	run -0 xf_cli block add --set dns 198.18.0.2 198.18.0.3
	run -0 xf_cli block add 198.18.0.3
	run -0 xf_cli sets del block dns
	run -0 entry_sets
	[ "$output" = "198.18.0.3 manual" ]
	run -0 sets_lines
	[[ $output != *dns* ]]
	refused 1 'block set manual cannot be deleted' sets del block manual
	refused 1 'block set nosuch does not exist' sets del block nosuch
	refused 2 "'filter' is not a list: use block or allow" sets add filter x
}

@test "allow sets refuse --mode audit and --scope with one line" {
	refused 2 '^xdpfwd sets: allow set trusted: an allow set cannot be in audit mode \(only block sets can\); leave out --mode$' \
		sets add allow trusted --mode audit
	refused 2 'an allow set cannot have a scope' sets add allow trusted --scope tcp:22
	run -0 sets_lines
	[[ $output != *trusted* ]]
	run -0 xf_cli sets add allow trusted --timeout 1d
	run -0 sets_lines
	[[ $output == *"allow trusted enforce - 86400 0"* ]]
	refused 2 'an allow set cannot be in audit mode' sets add allow trusted --mode audit
}

@test "the set's default timeout applies to add without --timeout; --timeout wins" {
	run -0 xf_cli sets add block f2b --timeout 10m
	run -0 xf_cli block add --set f2b 198.18.0.2
	[[ $output == *"the set's default timeout"* ]]
	run -0 xf_cli block add --set f2b --timeout 2h 198.18.0.3
	run -0 xf_cli block add 198.18.0.4
	run -0 xf_json '{e["entry"]: e["expires_in"] for e in j}' xf_cli block list --json
	echo "# $output" >&3
	run -0 xf_json 'j[0]["expires_in"] > 500 and j[0]["expires_in"] <= 600' xf_cli block list --json
	[ "$output" = True ]
	run -0 xf_json 'j[1]["expires_in"] > 7000 and j[1]["expires_in"] <= 7200' xf_cli block list --json
	[ "$output" = True ]
	run -0 xf_json 'j[2]["expires_in"]' xf_cli block list --json
	[ "$output" = None ]
}

@test "save --set writes a file load --set reads back to the same set (timed entries too)" {
	run -0 xf_cli block add --set feed 198.18.0.2 198.18.4.0/22 2001:2::5 2001:2:9::/48
	run -0 xf_cli block add --set feed --timeout 2h 198.18.0.3
	run -0 xf_cli block add 198.18.0.4
	run -0 xf_cli block save --set feed "$XF_TMP/feed.saved"
	[[ $output == *"block set feed: saved 5 entries to"* ]]
	cat "$XF_TMP/feed.saved" >&3
	grep -q '^# xdpfwd-set: kind=block mode=enforce$' "$XF_TMP/feed.saved"
	grep -qE '^198\.18\.0\.3 until=[0-9]+$' "$XF_TMP/feed.saved"
	[ "$(grep -vc '^#' "$XF_TMP/feed.saved")" -eq 5 ]
	# stdout is the default and says the same (a deadline a second later if the clock ticked between).
	run -0 --separate-stderr xf_cli block save --set feed
	diff <(grep -v '^#' "$XF_TMP/feed.saved" | sed 's/ until=.*//') \
		<(printf '%s\n' "$output" | grep -v '^#' | sed 's/ until=.*//')
	run -0 xf_json '[(e["entry"], e["expires_in"] is None) for e in j]' xf_cli block list --set feed --json
	local before=$output
	run -0 xf_cli block flush --set feed
	run -0 xf_cli block load --set feed "$XF_TMP/feed.saved"
	run -0 xf_json '[(e["entry"], e["expires_in"] is None) for e in j]' xf_cli block list --set feed --json
	[ "$output" = "$before" ]
	run -0 xf_json '[e["expires_in"] for e in j if e["entry"] == "198.18.0.3"][0] > 7000' xf_cli block list --json
	[ "$output" = True ]
	# Into another set and kind alike; manual was never part of it.
	run -0 xf_cli allow load --set copy "$XF_TMP/feed.saved"
	run -0 xf_json 'len(j)' xf_cli allow list --json
	[ "$output" = 5 ]
	run -0 entry_sets block --set manual
	[ "$output" = "198.18.0.4 manual" ]
	# A set that does not exist: one line, no file.
	refused 1 'block set nosuch does not exist' block save --set nosuch "$XF_TMP/nosuch"
	[ ! -e "$XF_TMP/nosuch" ]
}

@test "--mask6 64 and --mask4 24 ban the address's network; without them host bits are refused" {
	run -0 xf_cli block add --set f2b --mask6 64 2001:2::5
	run -0 xf_cli block add --set f2b --mask4 24 --mask6 64 198.19.7.9 2001:3:0:1:aaaa::1
	run -0 entry_sets block
	[ "$output" = "$(printf '%s\n' '198.19.7.0/24 f2b' '2001:2::/64 f2b' '2001:3:0:1::/64 f2b')" ]
	cli_blocked 2001:2::3 3
	cli_arrives 198.18.0.3 3
	# A prefix shorter than the mask stays as it is; del takes the same masks.
	run -0 xf_cli block add --mask4 24 198.20.0.0/16
	run -0 entry_sets block --set manual
	[ "$output" = "198.20.0.0/16 manual" ]
	run -0 xf_cli block del --set f2b --mask6 64 2001:2::5
	run -0 entry_sets block --set f2b
	[ "$output" = "$(printf '%s\n' '198.19.7.0/24 f2b' '2001:3:0:1::/64 f2b')" ]
	cli_snapshot "$XF_TMP/before"
	refused 2 "'2001:2::5/64' has host bits set" block add 2001:2::5/64
	refused 2 "'2001:2::5/64' has host bits set" block add --mask6 64 2001:2::5/64
	refused 2 "--mask6 '129': use a prefix length 1..128" block add --mask6 129 2001:2::5
	refused 2 "--mask4 '0': use a prefix length 1..32" block add --mask4 0 198.18.0.2
	refused 2 '--mask4 and --mask6 go with add or del' block list --mask4 24
	cli_snapshot "$XF_TMP/after"
	diff "$XF_TMP/before" "$XF_TMP/after"
}

@test "an entry written with plain bpftool (all-zero value) is in set manual" {
	local zeros
	zeros=$(printf '0 %.0s' $(seq "$(bpftool map show pinned "$PIN/block_v4_addr" -j | xf_json 'j["bytes_value"]')"))
	# shellcheck disable=SC2086
	bpftool map update pinned "$PIN/block_v4_addr" key 198 18 0 2 value $zeros
	run -0 entry_sets
	[ "$output" = "198.18.0.2 manual" ]
	cli_blocked 198.18.0.2 3
	run -0 xf_cli block add --set f2b 198.18.0.2
	run -0 entry_sets
	[ "$output" = "198.18.0.2 manual,f2b" ]
	run -0 xf_cli block del 198.18.0.2
	run -0 entry_sets
	[ "$output" = "198.18.0.2 f2b" ]
}

@test "load --format, --min-score and --skip-invalid" {
	printf '; Spamhaus DROP List 2026/12/02\n198.18.4.0/22 ; SBL000001\n2001:2:8::/48 ; SBL000002\n' \
		>"$XF_TMP/drop.txt"
	run -0 xf_cli block load --set spamhaus "$XF_TMP/drop.txt"
	run -0 entry_sets block --set spamhaus
	[ "$output" = "$(printf '%s\n' '198.18.4.0/22 spamhaus' '2001:2:8::/48 spamhaus')" ]
	printf '# ipsum\n198.18.0.2\t5\n198.18.0.3\t1\n198.18.0.4\t3\n' >"$XF_TMP/ipsum.txt"
	run -0 xf_cli block load --set ipsum --format ipsum --min-score 3 "$XF_TMP/ipsum.txt"
	run -0 entry_sets block --set ipsum
	[ "$output" = "$(printf '%s\n' '198.18.0.2 ipsum' '198.18.0.4 ipsum')" ]
	printf '198.18.0.5\nnot-an-address\n198.18.0.6\n' >"$XF_TMP/junk.txt"
	refused 2 'junk.txt:2:.*nothing was changed' block load --set junk "$XF_TMP/junk.txt"
	run -0 --separate-stderr xf_cli block load --set junk --skip-invalid "$XF_TMP/junk.txt"
	[[ $stderr == *"junk.txt:2:"* ]]
	[[ $stderr == *"skipped 1 invalid line (--skip-invalid)"* ]]
	run -0 entry_sets block --set junk
	[ "$output" = "$(printf '%s\n' '198.18.0.5 junk' '198.18.0.6 junk')" ]
	refused 2 "--format: " block load --format csv "$XF_TMP/junk.txt"
	refused 2 "--min-score 'x': use 1..1000000" block load --format ipsum --min-score x "$XF_TMP/ipsum.txt"
	refused 2 '--format, --min-score and --skip-invalid go with load' block add --skip-invalid 198.18.0.2
}

@test "--persist keeps one state file per set; del --persist takes the entry out of that set's file" {
	local state=$XF_TMP/state
	mkdir -m 0755 "$state"
	run -0 xf_cli block add --persist --state-dir "$state" 198.18.0.2
	run -0 xf_cli block add --set f2b --persist --state-dir "$state" 198.18.0.3 198.18.0.2
	ls -la "$state" >&3
	[ "$(grep -v '^#' "$state/blocklist")" = 198.18.0.2 ]
	local f2b
	f2b=$(ls "$state" | grep -v '^blocklist$')
	[ "$(echo "$f2b" | wc -l)" -eq 1 ]
	[[ $f2b == blocklist?f2b ]]
	[ "$(grep -v '^#' "$state/$f2b")" = "$(printf '%s\n' 198.18.0.2 198.18.0.3)" ]
	run -0 xf_cli block del --set f2b --persist --state-dir "$state" 198.18.0.2
	[ "$(grep -v '^#' "$state/$f2b")" = 198.18.0.3 ]
	[ "$(grep -v '^#' "$state/blocklist")" = 198.18.0.2 ]
}

@test "sets del puts the set's --persist file aside: the set does not come back after a reboot" {
	local state=$XF_TMP/state
	mkdir -m 0755 "$state"
	run -0 xf_cli block add --set x --persist --state-dir "$state" 198.18.0.2
	run -0 xf_cli block add --set y --persist --state-dir "$state" 198.18.0.3
	[ -e "$state/blocklist.x" ]
	run -0 xf_cli sets del block x --state-dir "$state"
	[[ $output == *"block set x: its persisted entries are kept aside as $state/.blocklist.x.removed"* ]]
	[ ! -e "$state/blocklist.x" ]
	grep -qx 198.18.0.2 "$state/.blocklist.x.removed"
	# A reboot empties bpffs: detach (removes the pins), then start again.
	xf_daemon_stop
	run -0 xf_cli detach --iface "$IF_P"
	xf_daemon --iface "$IF_P" --state-dir "$state"
	run -0 sets_lines
	[[ $output != *"block x "* ]]
	[[ $output == *"block y enforce - - 1"* ]]
	run -0 entry_sets
	[ "$output" = "198.18.0.3 y" ]
	refused 2 '--state-dir goes with del' sets add block z --state-dir "$state"
}

@test "status shows the sets: how many per kind, entries per set in JSON" {
	run -0 xf_cli block add 198.18.0.2
	run -0 xf_cli block add --set f2b 198.18.0.2 198.18.0.3
	run -0 xf_cli allow add --set office 198.18.0.9
	run -0 xf_cli status
	[[ $output == *"sets       2 block, 2 allow"* ]]
	run -0 xf_json 'j["sets"]' xf_cli status --json
	[ "$output" = "{'block': {'manual': 1, 'f2b': 2}, 'allow': {'manual': 0, 'office': 1}}" ]
}

@test "usage errors of the set options: one line, exit 2" {
	refused 2 '--timeout goes with add' block load --timeout 1h /dev/null
	refused 2 '--json goes with list' block add --json 198.18.0.2
	refused 2 '--mode, --scope and --timeout go with add' sets del block x --mode audit
	refused 2 'say which set' sets add block
	refused 2 "unknown command 'show-all'" sets show-all
	refused 2 "unknown command 'export'" block export
}
