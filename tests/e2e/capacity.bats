#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Capacity (issue 16): the exact hashes are made --capacity big, the block tries --capacity-prefix
# big; they grow when a load needs room (the hashes) or the daemon finds them past 75% full, and
# `xdpfwd resize` grows or shrinks them. A growth keeps every entry with its sets, counters and
# deadline, swaps the program in place (a new id, never detached), and the daemon takes the new
# maps and program for its own.

load ../lib/xf

bats_require_minimum_version 1.5.0

N=20

setup() {
	xf_setup_traffic
}

# "entries max" of a list map, from status --json.
map_fill() {
	xf_json "'%d %d' % (j['maps']['$1']['entries'], j['maps']['$1']['max'])" xf_cli status --json
}

# The id of the pinned map NAME.
pinned_id() {
	bpftool map show pinned "$PIN/$1" -j | xf_json 'j["id"]'
}

# Succeeds when the program attached to $IF_P uses map id $1.
prog_uses_map() {
	bpftool prog show id "$(xf_prog_id)" -j | xf_json "int($1 in j.get('map_ids', []))" | grep -qx 1
}

# N addresses 198.19.x.y (none of them a sender's), one a line.
gen_v4() {
	"$XF_PYTHON" -c 'import sys
for i in range(int(sys.argv[1])): print("198.19.%d.%d" % (i >> 8, i & 255))' "$1"
}

# N prefixes 198.19.x.0/24, 198.20.x.0/24, ... (none of them a sender's), one a line.
gen_v4_nets() {
	"$XF_PYTHON" -c 'import sys
for i in range(int(sys.argv[1])): print("198.%d.%d.0/24" % (19 + (i >> 8), i & 255))' "$1"
}

# The expires_in of ENTRY in `block list --json`.
expires_in() {
	xf_cli block list -j | xf_json "[e for e in j if e['entry'] == '$1'][0]['expires_in']"
}

# bpftool batch lines adding A.B.x.y (N of them) to block_v4_addr, all-zero values (set manual).
bpftool_adds() {
	"$XF_PYTHON" -c 'import sys
pin, a, b, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for i in range(n):
    print("map update pinned %s/block_v4_addr key %s %s %d %d value %s" % (pin, a, b, i >> 8, i & 255, " ".join(["0"] * 56)))' "$PIN" "$@"
}

# Addresses 198.18.0.FIRST..LAST on the sender's veth, a source each.
add_sources() {
	local i
	for i in $(seq "$1" "$2"); do
		ip -n "$NS_S" addr add "198.18.0.$i/24" dev "$IF_S"
	done
}

# carried_over MAP BANS RESIZE-OPTION DAEMON-ARGS...: `xdpfwd resize RESIZE-OPTION 1k` while
# sources 198.18.0.10-69 get themselves banned one after another, 20 ms apart (about 1.2 s): 10
# datagrams each, so each is banned at its sixth; the resize starts 0.3 s in and takes longer than
# that (the new program's load). Some bans fall between the copy and the swap: they are carried
# over, and all BANS are in the new MAP (1024 entries) with their deadline.
carried_over() {
	local map=$1 bans=$2 opt=$3
	shift 3
	add_sources 10 69
	xf_daemon --iface "$IF_P" "$@" --limit-pps 5 --limit-burst 5 --limit-ban 1h
	xf_s timeout 20 "$XF_PYTHON" -c '
import socket, time
for i in range(10, 70):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("198.18.0.%d" % i, 0))
    for _ in range(10):
        s.sendto(b"x" * 16, ("198.18.0.1", 9000))
    s.close()
    time.sleep(0.02)' &
	local sender=$!
	sleep 0.3
	run -0 xf_cli resize "$opt" 1k -j
	wait "$sender"
	echo "$output"
	echo "# $map: bans carried over: $(xf_json 'j["late"]' <<<"$output") of $bans, resize took $(xf_json 'j["ms"]' <<<"$output") ms" >&3
	[ "$(xf_json 'j["late"]' <<<"$output")" -ge 1 ]
	[ "$(xf_json "j['maps']['$map']['to']" <<<"$output")" = 1024 ]
	# Every ban is in the new map (the books may lag: the list walks the map).
	[ "$(xf_cli block list --set auto | awk 'NR > 1' | wc -l)" -eq "$bans" ]
	[ "$(bpftool map dump pinned "$PIN/$map" -j | xf_json 'len(j)')" -eq "$bans" ]
	[ "$(xf_cli block list --set auto -j | xf_json 'min(e["expires_in"] for e in j)')" -gt 3500 ]
}

# N datagrams from each source: all of PASSING's arrive, none of the BLOCKED ones'.
only_passes() {
	local passing=$1 src
	shift
	for src in "$@" "$passing"; do
		xf_udp_send "$src" "$N"
	done
	[ "$(xf_recv_wait "$passing" "$N")" = "$N" ]
	for src in "$@"; do
		[ "$(xf_recv_count "$src")" = 0 ]
	done
}

@test "--capacity 1k: a load of 5000 grows block_v4_addr first; entries, counters, deadline kept; program swapped in place" {
	xf_daemon --iface "$IF_P" --capacity 1k
	[ "$(map_fill block_v4_addr)" = "0 1024" ]
	[ "$(map_fill block_v6_addr)" = "0 1024" ]
	xf_cli block add --timeout 1h 198.18.0.2
	xf_udp_send 198.18.0.2 "$N"
	[ "$(xf_wait_entry_packets 198.18.0.2 "$N")" = "$N" ]
	local before_prog before_exp
	before_prog=$(xf_prog_id)
	before_exp=$(xf_cli block list -j | xf_json '[e for e in j if e["entry"] == "198.18.0.2"][0]["expires_in"]')
	[ "$before_exp" -gt 3500 ]

	{ gen_v4 5000; echo 198.18.0.3; } >"$XF_TMP/feed.list"
	run -0 xf_cli block load --set feed "$XF_TMP/feed.list"
	[[ $output == *"grew block_v4_addr from 1024 to 8192 entries first"* ]]
	[ "$(map_fill block_v4_addr)" = "5002 8192" ]
	xf_cli status | grep -qx 'maps       block_v4_addr  5002 of 8192 (61%)'
	# The IPv6 hash was not touched.
	[ "$(map_fill block_v6_addr)" = "0 1024" ]

	# Swapped in place: another program, attached all along (the daemon saw nothing to repair).
	local after_prog
	after_prog=$(xf_prog_id)
	[ -n "$after_prog" ] && [ "$after_prog" != "$before_prog" ]
	prog_uses_map "$(pinned_id block_v4_addr)"
	# The daemon takes the new program and maps; the old program is freed with the old hashes.
	xf_wait_lines "this daemon's program is now $after_prog \(was $before_prog\)" 1 "$XF_TMP/daemon.err" 5
	xf_lacks 'detached behind its back|re-attached' "$XF_TMP/daemon.err"
	run bpftool prog show id "$before_prog"
	[ "$status" -ne 0 ]

	# Every entry is there and enforced; the counter and the deadline came along.
	[ "$(xf_cli block list --set feed | awk 'NR > 1' | wc -l)" -eq 5001 ]
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	local after_exp
	after_exp=$(xf_cli block list -j | xf_json '[e for e in j if e["entry"] == "198.18.0.2"][0]["expires_in"]')
	[ "$after_exp" -le "$before_exp" ] && [ "$after_exp" -gt $((before_exp - 60)) ]
	only_passes 198.18.0.4 198.18.0.2 198.18.0.3
	[ "$(xf_wait_entry_packets 198.18.0.2 $((2 * N)))" = $((2 * N)) ]
	# The metrics say the same.
	xf_cli metrics | grep -qx 'xdpfwd_entries_max{kind="block",map="block_v4_addr"} 8192'
}

@test "the daemon grows a hash past 75% full by itself (entries written with bpftool), and says so" {
	xf_daemon --iface "$IF_P" --capacity 1k
	# 800 of 1024 (78%) behind the CLI's back: an all-zero value is a member of set manual.
	bpftool_adds 198 19 800 >"$XF_TMP/batch"
	bpftool batch file "$XF_TMP/batch" >/dev/null
	xf_cli status --recount >/dev/null
	xf_wait_lines 'block_v4_addr grown from 1024 to 4096 entries \(800 entries kept' 1 "$XF_TMP/daemon.err" 5
	[ "$(map_fill block_v4_addr)" = "800 4096" ]
	[ "$(map_fill block_v6_addr)" = "0 1024" ]
	xf_udp_send 198.18.0.4 "$N"
	[ "$(xf_recv_wait 198.18.0.4 "$N")" = "$N" ]
	# --no-grow: a daemon that does not.
	xf_daemon_stop
	bpftool_adds 198 20 2400 >"$XF_TMP/batch2"
	bpftool batch file "$XF_TMP/batch2" >/dev/null
	xf_daemon --iface "$IF_P" --no-grow
	xf_cli status --recount >/dev/null
	sleep 2.5
	[ "$(map_fill block_v4_addr)" = "3200 4096" ]
	[ "$(xf_count_lines 'grown from' "$XF_TMP/daemon.err")" -eq 1 ]
}

@test "xdpfwd resize: refuses a size the entries would fill past 75%, shrinks when they fit, and grows" {
	xf_daemon --iface "$IF_P" --capacity 4k
	gen_v4 2000 >"$XF_TMP/feed.list"
	xf_cli block load --set feed "$XF_TMP/feed.list"
	xf_cli block add 198.18.0.2 2001:2::3
	[ "$(map_fill block_v4_addr)" = "2001 4096" ]

	# 2001 entries in 2048 would be 97% full: refused, one line, nothing changed.
	run -1 --separate-stderr xf_cli resize --capacity 2k
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"block_v4_addr holds 2001 entries"*"give at least 2668"*"nothing was changed"* ]]
	[ "$(map_fill block_v4_addr)" = "2001 4096" ]

	# Grows both; then, the feed gone, shrinks to 1k with the two entries left.
	run -0 xf_cli resize --capacity 16k
	[[ $output == *"block_v4_addr: 4096 -> 16384 entries (holds 2001)"* ]]
	[ "$(map_fill block_v6_addr)" = "1 16384" ]
	xf_cli block flush --set feed
	run -0 xf_cli resize --capacity 1k -j
	[ "$(xf_json '(j["resized"], j["maps"]["block_v4_addr"]["to"], j["maps"]["block_v6_addr"]["entries"])' <<<"$output")" = "(True, 1024, 1)" ]
	[ "$(map_fill block_v4_addr)" = "1 1024" ]
	[ "$(xf_entries | sort | tr '\n' ' ')" = "198.18.0.2 2001:2::3 " ]
	only_passes 198.18.0.4 198.18.0.2 2001:2::3
	# Asking for the sizes there are: nothing to do.
	run -0 xf_cli resize --capacity 1k
	[[ $output == *"nothing to do"* ]]
	# A bad size is a usage error.
	run -2 xf_cli resize --capacity 12x
	[[ $output == *"--capacity '12x'"* ]]
}

@test "an instance's pins keep their size: a restart with another --capacity reuses them" {
	xf_daemon --iface "$IF_P" --capacity 2k
	xf_cli block add 198.18.0.2
	xf_daemon_stop
	xf_daemon --iface "$IF_P" --capacity 64k
	[ "$(map_fill block_v4_addr)" = "1 2048" ]
	only_passes 198.18.0.4 198.18.0.2
}

# Sources 198.18.0.10..LAST (added here) send 20 datagrams each, 4 times the burst of a daemon
# started with ARGS, a 5 pps limit and hour-long bans: KEYS keys are banned into MAP (64 entries),
# past 75%, and the daemon grows it to 256; every ban kept with its deadline, and blocking.
bans_grow() {
	local map=$1 last=$2 keys=$3 i r
	shift 3
	add_sources 10 "$last"
	xf_daemon --iface "$IF_P" "$@" --limit-pps 5 --limit-burst 5 --limit-ban 1h
	for i in $(seq 10 "$last"); do
		xf_udp_send "198.18.0.$i" 20 "" 9000 0
	done
	xf_wait_lines "$map grown from 64 to 256 entries" 1 "$XF_TMP/daemon.err" 15
	[ "$(xf_json "j['maps']['$map']['max']" xf_cli status --json)" = 256 ]
	[ "$(xf_cli block list --set auto | awk 'NR > 1' | wc -l)" -eq "$keys" ]
	[ "$(xf_cli block list --set auto -j | xf_json 'min(e["expires_in"] for e in j)')" -gt 3500 ]
	# Under the barrier's own limit (5): 4 each.
	r=$(XF_N=4 XF_BARRIER=2001:2::9 xf_round 198.18.0.10 "198.18.0.$last")
	echo "round: $r"
	[ "$r" = "198.18.0.10=0 198.18.0.$last=0" ]
}

@test "bans of the flood defense fill a 64-entry hash: the daemon grows it, every ban kept with its deadline" {
	# 60 sources, 60 bans (93%).
	bans_grow block_v4_addr 69 60 --capacity 64
}

@test "/31-keyed bans of the flood defense fill a 64-entry trie: the daemon grows it, every ban kept" {
	# 100 sources, 50 /31 keys (78%); the exact hash is not touched.
	bans_grow block_v4_net 109 50 --capacity-prefix 64 --limit-key /31,/127
	[ "$(xf_json 'j["maps"]["block_v4_addr"]["max"]' xf_cli status --json)" = 65536 ]
}

@test "bans the old program makes while a resize copies are carried over to the new hash" {
	carried_over block_v4_addr 60 --capacity-v4 --capacity 256
}

# Polls status until list map $1 reads "$2" (entries max), for 5 s.
wait_fill() {
	local i
	for i in $(seq 50); do
		[ "$(map_fill "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "$1: $(map_fill "$1"), expected $2" >&2
	return 1
}

@test "a fresh start makes the hashes big enough for the daemon's own list file (--capacity 1k, 5000 entries)" {
	{ gen_v4 5000; echo 198.18.0.3; } >"$XF_TMP/big.list"
	xf_daemon --iface "$IF_P" --capacity 1k --blocklist-file "$XF_TMP/big.list"
	# 5001 need 8192 (61%): both families are made that size (one --capacity for both).
	[ "$(map_fill block_v4_addr)" = "5001 8192" ]
	[ "$(map_fill block_v6_addr)" = "0 8192" ]
	xf_lacks 'full' "$XF_TMP/daemon.err"
	only_passes 198.18.0.4 198.18.0.3
}

@test "the daemon's own list file grows small pins first: at a restart, and on SIGHUP (program adopted, enforced)" {
	echo 198.18.0.3 >"$XF_TMP/list"
	xf_daemon --iface "$IF_P" --capacity 1k --blocklist-file "$XF_TMP/list"
	[ "$(map_fill block_v4_addr)" = "1 1024" ]
	xf_cli block add 198.18.0.2
	xf_udp_send 198.18.0.2 "$N"
	[ "$(xf_wait_entry_packets 198.18.0.2 "$N")" = "$N" ]
	xf_daemon_stop

	# The restart finds the 1024-entry pins and a file that outgrows them: grown before it applies.
	{ gen_v4 5000; echo 198.18.0.3; } >"$XF_TMP/list"
	xf_daemon --iface "$IF_P" --blocklist-file "$XF_TMP/list"
	xf_wait_lines 'block_v4_addr grown from 1024 to 8192 entries to take the list files \(2 entries kept' 1 \
		"$XF_TMP/daemon.err" 5
	[ "$(map_fill block_v4_addr)" = "5002 8192" ]
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	xf_lacks 'full' "$XF_TMP/daemon.err"

	# SIGHUP with a file that outgrows them again: grown first, the program adopted, enforced.
	local before
	before=$(xf_prog_id)
	{ gen_v4 12000; echo 198.18.0.3; } >"$XF_TMP/list"
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines 'block_v4_addr grown from 8192 to 32768 entries to take the list files' 1 "$XF_TMP/daemon.err" 10
	wait_fill block_v4_addr "12002 32768"
	[ "$(xf_prog_id)" != "$before" ]
	xf_wait_lines "this daemon's program is now $(xf_prog_id)" 1 "$XF_TMP/daemon.err" 5
	xf_lacks 'full|re-attached' "$XF_TMP/daemon.err"
	only_passes 198.18.0.4 198.18.0.2 198.18.0.3
	[ "$(xf_wait_entry_packets 198.18.0.2 $((2 * N)))" = $((2 * N)) ]
}

@test "a sets dir file that outgrows the hash grows it first; --no-grow leaves the set as it ran, saying full" {
	mkdir -p "$XF_TMP/sets.d"
	echo 198.18.0.3 >"$XF_TMP/sets.d/feed.list"
	xf_daemon --iface "$IF_P" --capacity 1k --sets-dir "$XF_TMP/sets.d"
	[ "$(map_fill block_v4_addr)" = "1 1024" ]
	{ gen_v4 3000; echo 198.18.0.3; } >"$XF_TMP/feed.tmp"
	mv "$XF_TMP/feed.tmp" "$XF_TMP/sets.d/feed.list"
	xf_wait_lines 'block_v4_addr grown from 1024 to 4096 entries to take the list files' 1 "$XF_TMP/daemon.err" 10
	wait_fill block_v4_addr "3001 4096"
	only_passes 198.18.0.4 198.18.0.3
	xf_daemon_stop

	# --no-grow: the bigger file does not fit, its set keeps what it had, the others are untouched.
	xf_daemon --iface "$IF_P" --no-grow --sets-dir "$XF_TMP/sets.d"
	{ gen_v4 5000; echo 198.18.0.3; } >"$XF_TMP/feed.tmp"
	mv "$XF_TMP/feed.tmp" "$XF_TMP/sets.d/feed.list"
	xf_wait_lines 'loading block set feed failed: .*a map is full' 1 "$XF_TMP/daemon.err" 10
	[ "$(xf_count_lines 'to take the list files' "$XF_TMP/daemon.err")" -eq 1 ]
	[ "$(map_fill block_v4_addr)" = "3001 4096" ]
}

@test "--capacity-prefix 256: a CIDR load past 75% grows block_v4_net first; sets, counters, deadline kept; a blocked prefix dropped throughout" {
	xf_daemon --iface "$IF_P" --capacity-prefix 256
	[ "$(map_fill block_v4_net)" = "0 256" ]
	[ "$(map_fill block_v6_net)" = "0 256" ]
	xf_cli block add --timeout 1h 198.18.0.2/31
	xf_cli block add 2001:2::2/127
	xf_udp_send 198.18.0.3 "$N"
	[ "$(xf_wait_entry_packets 198.18.0.2/31 "$N")" = "$N" ]
	local before_prog before_exp
	before_prog=$(xf_prog_id)
	before_exp=$(expires_in 198.18.0.2/31)
	[ "$before_exp" -gt 3500 ]

	# 200 datagrams from inside the blocked /31, 10 ms apart (2 s or more), across the growth.
	xf_udp_send 198.18.0.3 200 "" 9000 10 &
	local sender=$!
	# 201 of 256 (78%): the load grows the trie first.
	gen_v4_nets 200 >"$XF_TMP/nets.list"
	run -0 xf_cli block load --set feed "$XF_TMP/nets.list"
	[[ $output == *"grew block_v4_net from 256 to 1024 entries first (1 kept, "* ]]
	wait "$sender"
	[ "$(map_fill block_v4_net)" = "201 1024" ]
	xf_cli status | grep -qE '^ +block_v4_net +201 of 1024 \(19%\)$'
	# Only that trie: the other block maps keep their size.
	[ "$(map_fill block_v6_net)" = "1 256" ]
	[ "$(map_fill block_v4_addr)" = "0 65536" ]

	# Swapped in place; the daemon took the new program and the new trie (its log reads the sizes from its own maps).
	local after_prog
	after_prog=$(xf_prog_id)
	[ -n "$after_prog" ] && [ "$after_prog" != "$before_prog" ]
	prog_uses_map "$(pinned_id block_v4_net)"
	xf_wait_lines "block_v4_net 1024, block_v6_net 256 entries\): this daemon's program is now $after_prog \(was $before_prog\)" \
		1 "$XF_TMP/daemon.err" 5
	xf_lacks 'detached behind its back|re-attached' "$XF_TMP/daemon.err"

	# Every prefix kept its sets; the /31 its deadline and every packet counted, the 200 sent
	# across the growth too, none of which arrived.
	[ "$(xf_cli block list --set feed | awk 'NR > 1' | wc -l)" -eq 200 ]
	[ "$(xf_sets_of 198.19.7.0/24)" = feed ]
	[ "$(xf_sets_of 198.18.0.2/31)" = manual ]
	[ "$(xf_sets_of 2001:2::2/127)" = manual ]
	[ "$(xf_wait_entry_packets 198.18.0.2/31 $((N + 200)))" = $((N + 200)) ]
	[ "$(xf_recv_count 198.18.0.3)" = 0 ]
	local after_exp
	after_exp=$(expires_in 198.18.0.2/31)
	[ "$after_exp" -le "$before_exp" ] && [ "$after_exp" -gt $((before_exp - 60)) ]
	only_passes 198.18.0.4 198.18.0.2 2001:2::3
	[ "$(xf_wait_entry_packets 198.18.0.2/31 $((2 * N + 200)))" = $((2 * N + 200)) ]
	xf_cli metrics | grep -qx 'xdpfwd_entries_max{kind="block",map="block_v4_net"} 1024'
}

@test "xdpfwd resize --capacity-prefix: refuses a size past 75% (nothing changed), grows and shrinks the tries only" {
	xf_daemon --iface "$IF_P" --capacity-prefix 1k --capacity 2k
	gen_v4_nets 300 >"$XF_TMP/nets.list"
	xf_cli block load --set feed "$XF_TMP/nets.list"
	xf_cli block add 198.18.0.2/31 2001:2::2/127 198.18.0.5
	[ "$(map_fill block_v4_net)" = "301 1024" ]
	local prog
	prog=$(xf_prog_id)

	# 301 prefixes in 256 would be 117% full: refused, one line, nothing changed.
	run -1 --separate-stderr xf_cli resize --capacity-prefix 256
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"block_v4_net holds 301 entries"*"give at least 402"*"nothing was changed"* ]]
	[ "$(map_fill block_v4_net)" = "301 1024" ]
	[ "$(map_fill block_v6_net)" = "1 1024" ]
	[ "$(xf_prog_id)" = "$prog" ]

	# Grows both tries, one program swap; the hashes keep their size.
	run -0 xf_cli resize --capacity-prefix 4k -j
	echo "$output"
	[ "$(xf_json '(j["resized"], j["maps"]["block_v4_net"]["from"], j["maps"]["block_v4_net"]["to"], j["maps"]["block_v4_net"]["entries"], j["maps"]["block_v6_net"]["to"], j["maps"]["block_v4_addr"]["to"])' <<<"$output")" = "(True, 1024, 4096, 301, 4096, 2048)" ]
	[ "$(map_fill block_v4_net)" = "301 4096" ]
	[ "$(map_fill block_v6_net)" = "1 4096" ]
	[ "$(map_fill block_v4_addr)" = "1 2048" ]
	local grown
	grown=$(xf_prog_id)
	[ "$grown" != "$prog" ]
	xf_wait_lines "block_v4_net 4096, block_v6_net 4096 entries\): this daemon's program is now $grown" 1 "$XF_TMP/daemon.err" 5

	# The feed gone, shrinks to 64 with the one prefix left of each family.
	xf_cli block flush --set feed
	run -0 xf_cli resize --capacity-prefix 64
	[[ $output == *"block_v4_net: 4096 -> 64 entries (holds 1)"* ]]
	[[ $output == *"block_v4_addr: 2048 -> 2048 entries (holds 1)"* ]]
	[ "$(map_fill block_v4_net)" = "1 64" ]
	[ "$(map_fill block_v6_net)" = "1 64" ]
	xf_wait_lines "block_v4_net 64, block_v6_net 64 entries\): this daemon's program is now $(xf_prog_id)" 1 "$XF_TMP/daemon.err" 5
	[ "$(xf_entries | sort | tr '\n' ' ')" = "198.18.0.2/31 198.18.0.5 2001:2::2/127 " ]
	only_passes 198.18.0.4 198.18.0.3 2001:2::3 198.18.0.5
	# Without a size, a trie past 75% grows as the daemon would grow it (the daemon is told not
	# to). 60 /31s written with bpftool (a CLI load would grow the trie first): 61 of 64.
	xf_daemon_stop
	xf_daemon --iface "$IF_P" --no-grow
	"$XF_PYTHON" -c 'import sys
for i in range(60):
    print("map update pinned %s/block_v4_net key 31 0 0 0 198 19 %d %d value %s" % (sys.argv[1], (2 * i) >> 8, (2 * i) & 255, " ".join(["0"] * 56)))' "$PIN" >"$XF_TMP/batch"
	bpftool batch file "$XF_TMP/batch" >/dev/null
	xf_cli status --recount >/dev/null
	[ "$(map_fill block_v4_net)" = "61 64" ]
	run -0 xf_cli resize -j
	[ "$(xf_json '(j["maps"]["block_v4_net"]["to"], j["maps"]["block_v6_net"]["to"])' <<<"$output")" = "(256, 64)" ]
	# A bad size is a usage error.
	run -2 xf_cli resize --capacity-prefix 1x
	[[ $output == *"--capacity-prefix '1x'"* ]]
}

@test "/31-keyed bans the old program makes while a resize copies are carried over to the new trie" {
	# 30 bans, one /31 per pair of sources.
	carried_over block_v4_net 30 --capacity-prefix --capacity-prefix 256 --limit-key /31,/128
}
