#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdpfwd replay: captures through the program on a private copy of the lists. Real traffic
# recorded with tcpdump replays to the counts the live firewall counted; crafted frames
# (tests/e2e/replay_frames.py) get the reference model's verdicts (tests/model, through
# $REPLAY_MODEL), frame by frame; pcapng, nanosecond pcap and cooked captures are read; a
# corrupt capture is refused naming the byte offset; nothing live changes.

load ../lib/xf

bats_require_minimum_version 1.5.0

REPLAY_MODEL=${REPLAY_MODEL:-$(cd "$XF_LIB/../.." && pwd)/build/tests/replay_model}
FRAMES_PY=$BATS_TEST_DIRNAME/replay_frames.py

setup() {
	xf_setup
	printf '198.18.0.2\n198.18.1.0/24\n2001:2::2\n2001:2:0:1::/64\n' >"$XF_TMP/block.list"
	printf '198.18.1.7\n' >"$XF_TMP/allow.list"
	mkdir -p "$XF_TMP/state"
}

# replay with the test's list files; no instance involved.
replay_files() {
	xf_p "$XDPFWD" replay "$@" --blocklist-file "$XF_TMP/block.list" --allowlist-file "$XF_TMP/allow.list" \
		--state-dir "$XF_TMP/state" 3>&-
}

crafted() {
	"$XF_PYTHON" "$FRAMES_PY" "$1" "$2" 2>/dev/null
}

# "ACTION REASON" per frame from replay's JSON lines.
replay_verdicts() {
	replay_files "$@" --json --verbose 2>/dev/null |
		"$XF_PYTHON" -c 'import json, sys
for l in sys.stdin:
    j = json.loads(l)
    if "frame" in j: print(j["action"], j["reason"])'
}

# tcpdump on the sender's side of the veth, outgoing only: every frame the protected side received.
# --immediate-mode: without it frames wait in a ring block that tcpdump does not drain when
# stopped (the last ones sent, the VLAN frames, went missing about one run in two).
record_start() {
	: >"$XF_TMP/tcpdump.err"
	nsenter --net="/run/netns/$NS_S" tcpdump -i "$IF_S" -Q out -U --immediate-mode -n -w "$1" \
		>/dev/null 2>"$XF_TMP/tcpdump.err" 3>&- &
	XF_PIDS+=($!)
	TCPDUMP_PID=$!
	xf_wait_lines 'listening on' 1 "$XF_TMP/tcpdump.err" 5
}

# Stops tcpdump once FILE holds WANT frames matching FILTER (at most 5 s: the last frames sent
# may still be on their way through tcpdump's buffers).
record_stop() {
	local file=$1 filter=$2 want=$3 i
	for i in $(seq 50); do
		[ "$(tcpdump -r "$file" -n "$filter" 2>/dev/null | wc -l)" -ge "$want" ] && break
		sleep 0.1
	done
	sleep 0.3
	kill -INT "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" || true
}

@test "crafted frames (truncated, IPv6, VLAN, QinQ, IHL errors): replay's verdicts are the model's, frame by frame" {
	crafted pcap "$XF_TMP/c.pcap"
	replay_verdicts "$XF_TMP/c.pcap" >"$XF_TMP/replay.txt"
	"$REPLAY_MODEL" "$XF_TMP/c.pcap" "$XF_TMP/block.list" "$XF_TMP/allow.list" >"$XF_TMP/model.txt"
	[ "$(wc -l <"$XF_TMP/model.txt")" -ge 21 ]
	diff "$XF_TMP/model.txt" "$XF_TMP/replay.txt"
	# Both verdicts occur, and every kind of reason the frames were made for.
	for v in "drop blocklist" "pass allowlist" "pass no_match" "pass malformed" "pass vlan_depth" \
		"pass not_ip" "refused too_short"; do
		grep -qx "$v" "$XF_TMP/replay.txt"
	done

	replay_verdicts "$XF_TMP/c.pcap" --drop-malformed >"$XF_TMP/replay.txt"
	"$REPLAY_MODEL" "$XF_TMP/c.pcap" "$XF_TMP/block.list" "$XF_TMP/allow.list" --drop-malformed \
		>"$XF_TMP/model.txt"
	diff "$XF_TMP/model.txt" "$XF_TMP/replay.txt"
	grep -qx "drop malformed" "$XF_TMP/replay.txt"
}

@test "pcapng, nanosecond pcap and Linux cooked captures (tcpdump -i any: SLL, SLL2) are read" {
	crafted pcap "$XF_TMP/c.pcap"
	crafted pcapng "$XF_TMP/c.pcapng"
	crafted nano "$XF_TMP/c.nano"
	crafted sll "$XF_TMP/c.sll"
	replay_verdicts "$XF_TMP/c.pcap" >"$XF_TMP/pcap.txt"
	replay_verdicts "$XF_TMP/c.pcapng" >"$XF_TMP/pcapng.txt"
	replay_verdicts "$XF_TMP/c.nano" >"$XF_TMP/nano.txt"
	diff "$XF_TMP/pcap.txt" "$XF_TMP/pcapng.txt"
	diff "$XF_TMP/pcap.txt" "$XF_TMP/nano.txt"
	[ "$(replay_files "$XF_TMP/c.pcapng" --json 2>/dev/null | xf_json 'j["capture"]["format"]')" = pcapng ]
	# Nanoseconds survive: the first frame was stamped 1700000000.123456789.
	run replay_files "$XF_TMP/c.nano" --verbose
	[ "$status" = 0 ]
	[[ "$output" == *"frame 1 1700000000.123456789 len 42 src 198.18.0.2 drop blocklist"* ]]
	# Cooked frames are given an Ethernet header: an IPv4 frame of a blocked source, an IPv6 one of none.
	[ "$(replay_verdicts "$XF_TMP/c.sll" | paste -sd,)" = "drop blocklist,pass no_match" ]
	crafted sll2 "$XF_TMP/c.sll2"
	[ "$(replay_verdicts "$XF_TMP/c.sll2" | paste -sd,)" = "drop blocklist,pass no_match" ]
	# Other link types are refused, saying which and what to record instead.
	"$XF_PYTHON" -c 'import sys; from scapy.all import IP, wrpcap; wrpcap(sys.argv[1], [IP()], linktype=101)' \
		"$XF_TMP/raw.pcap" 2>/dev/null
	run --separate-stderr replay_files "$XF_TMP/raw.pcap"
	[ "$status" = 2 ]
	[[ "$stderr" == *"has link type RAW"*"record on the interface itself"* ]]
}

@test "a corrupt capture: one line naming the byte offset of the bad record, exit 2, no output file left" {
	crafted pcap "$XF_TMP/c.pcap"
	# Offsets of the records, from their headers: 24-byte file header, 16-byte record headers.
	read -r off3 off5 < <("$XF_PYTHON" -c 'import struct, sys
b = open(sys.argv[1], "rb").read(); o = 24; offs = []
while o < len(b):
    offs.append(o); o += 16 + struct.unpack_from("<I", b, o + 8)[0]
print(offs[2], offs[4])
open(sys.argv[2], "wb").write(b[:offs[4] + 21])
c = bytearray(b); struct.pack_into("<I", c, offs[2] + 8, 0x7fffffff); open(sys.argv[3], "wb").write(c)' \
		"$XF_TMP/c.pcap" "$XF_TMP/cut.pcap" "$XF_TMP/caplen.pcap")
	run --separate-stderr replay_files "$XF_TMP/cut.pcap" --write-dropped "$XF_TMP/out.pcap"
	[ "$status" = 2 ]
	[[ "$stderr" == *"cut.pcap failed at byte offset $off5 (after 4 frames)"* ]]
	[ ! -e "$XF_TMP/out.pcap" ]
	run --separate-stderr replay_files "$XF_TMP/caplen.pcap"
	[ "$status" = 2 ]
	[[ "$stderr" == *"caplen.pcap failed at byte offset $off3 (after 2 frames)"* ]]
	head -c 10 "$XF_TMP/c.pcap" >"$XF_TMP/head.pcap"
	run --separate-stderr replay_files "$XF_TMP/head.pcap"
	[ "$status" = 2 ]
	[[ "$stderr" == *"failed at byte offset 0"* ]]
}

@test "recorded traffic (UDP, ping, VLAN-tagged frames; blocked and allowed sources): replay counts what the live firewall counted" {
	xf_static_neigh
	xf_recv_start
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2 2001:2::2
	xf_cli block add --set feed 198.18.0.0/24
	xf_cli allow add 198.18.0.3
	before=$(xf_cli status --json)
	record_start "$XF_TMP/live.pcap"
	XF_N=10 xf_round 198.18.0.2 198.18.0.3 198.18.0.4 2001:2::2 2001:2::3 >/dev/null
	xf_ping 198.18.0.2 5 >/dev/null
	xf_ping 198.18.0.5 5 >/dev/null
	# VLAN-tagged frames, crafted: the veth carries the tags to XDP as they are.
	xf_raw_udp_send 198.18.0.2 10 5 >/dev/null
	xf_raw_udp_send 198.18.0.4 10 7 >/dev/null
	record_stop "$XF_TMP/live.pcap" vlan 20
	after=$(xf_cli status --json)
	live=$("$XF_PYTHON" -c 'import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({k: {x: {r: a[k][x][r] - b[k][x][r] for r in a[k][x]} for x in a[k]} for k in ("packets", "bytes")}, sort_keys=True))' \
		"$before" "$after")
	replayed=$(xf_cli replay "$XF_TMP/live.pcap" --json --write-dropped "$XF_TMP/dropped.pcap" |
		xf_json 'json.dumps({k: j[k] for k in ("packets", "bytes")}, sort_keys=True)')
	echo "live:     $live"
	echo "replayed: $replayed"
	[ "$live" = "$replayed" ]
	# Something was dropped, and the dropped frames' file is a capture tcpdump reads, with just them.
	dropped=$(xf_json 'sum(j["packets"]["drop"].values())' <<<"$replayed")
	[ "$dropped" -ge 60 ]
	[ "$(tcpdump -r "$XF_TMP/live.pcap" -n vlan 2>/dev/null | wc -l)" = 20 ]
	[ "$(tcpdump -r "$XF_TMP/dropped.pcap" -n 2>/dev/null | wc -l)" = "$dropped" ]
	[ "$(tcpdump -r "$XF_TMP/dropped.pcap" -n 'src 198.18.0.3 or src 2001:2::3' 2>/dev/null | wc -l)" = 0 ]
}

# status, block list and sets of the live instance, less the pass/no_match counters: the
# namespaces' own IPv6 chatter (MLD, neighbour solicitation) may pass at any time.
live_state() {
	xf_cli status --json | xf_json 'json.dumps([[c[k]["pass"].pop("no_match") for c in [j] + j["interfaces"]
		for k in ("packets", "bytes")], j], sort_keys=True)' | sed 's/^\[\[[^]]*\], //'
	xf_cli block list --json
	xf_cli sets --json
}

@test "a replay while the daemon runs changes nothing live: counters, entries, events (status before = after)" {
	xf_static_neigh
	xf_recv_start
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2 2001:2::2
	XF_N=5 xf_round 198.18.0.2 198.18.0.3 >/dev/null
	crafted pcap "$XF_TMP/c.pcap"
	before=$(live_state)
	lines_before=$(wc -l <"$XF_TMP/daemon.out")
	run xf_cli replay "$XF_TMP/c.pcap" --json
	[ "$status" = 0 ]
	# The copy's own counters moved...
	[ "$(xf_json 'j["packets"]["drop"]["blocklist"]' <<<"$output")" -ge 5 ]
	[ "$(xf_json 'j["top_entries"][0]["entry"]' <<<"$output")" = 198.18.0.2 ]
	sleep 0.3
	# ...the live instance's did not, and its daemon logged nothing of the replay's frames.
	after=$(live_state)
	diff <(echo "$before") <(echo "$after")
	[ "$(wc -l <"$XF_TMP/daemon.out")" = "$lines_before" ]
}

@test "without root: a clear message, and nothing is read or loaded" {
	crafted pcap "$XF_TMP/c.pcap"
	chmod 0755 "$XF_TMP"
	chmod 0644 "$XF_TMP/c.pcap"
	run --separate-stderr xf_p setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$XDPFWD" replay "$XF_TMP/c.pcap" --blocklist-file "$XF_TMP/block.list" \
		--write-dropped "$XF_TMP/never.pcap"
	[ "$status" = 1 ]
	[[ "$stderr" == *"xdpfwd replay needs root (CAP_BPF"* ]]
	[ -z "$output" ]
	[ ! -e "$XF_TMP/never.pcap" ]
}

@test "frames run at their capture times: the per-source log limit and the instance's rate limit follow the capture" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	# Limits on in the live instance: action drop, key /32 and /128, 10 a second, burst 10.
	xf_cli limit set --pps 10 --burst 10 --action drop >/dev/null
	crafted clock "$XF_TMP/clock.pcap"
	run xf_cli replay "$XF_TMP/clock.pcap" --json
	echo "$output"
	[ "$status" = 0 ]
	# 100 frames of a source in no list 50 ms apart: the full bucket's 10, then one every 100 ms:
	# 59 pass, 41 over the limit (on the kernel's clock the run takes milliseconds: 10 would pass).
	[ "$(xf_json 'j["rate_limit"]["packets"]["drop"]' <<<"$output")" = 41 ]
	[ "$(xf_json 'j["packets"]["pass"]["no_match"]' <<<"$output")" = 59 ]
	# Events, one per source per second: each of the 5 blocked frames (2 s apart), and 5 of the
	# 41 limited ones (4.95 s); on the kernel's clock, one of each.
	[ "$(xf_json '[j["events"][k] for k in ("eligible", "sent", "suppressed_source", "logged")]' \
		<<<"$output")" = "[46, 10, 36, 10]" ]
	[ "$(xf_json '[s["source"] for s in j["top_dropped_sources"]]' <<<"$output")" = "['198.18.0.77', '198.18.0.2']" ]
	# The live instance metered nothing of it.
	[ "$(xf_cli status --json | xf_json 'j["packets"]["drop"]["blocklist"]')" = 0 ]
}

@test "--limit-* options: the replay runs with the limits given (over the instance's), the live ones unchanged" {
	crafted clock "$XF_TMP/clock.pcap"
	# From files, no instance: the same 41 over the limit as the instance's limits above.
	run --separate-stderr replay_files "$XF_TMP/clock.pcap" --json --limit-pps 10 --limit-burst 10 --limit-action drop
	echo "$output"
	[ "$status" = 0 ]
	[ "$(xf_json 'j["rate_limit"]["packets"]["drop"]' <<<"$output")" = 41 ]
	[ "$(xf_json 'j["packets"]["pass"]["no_match"]' <<<"$output")" = 59 ]
	[[ "$(xf_json 'j["limits"]' <<<"$output")" == "pps=10 "*"action=drop"* ]]
	# Ban: the first frame over the limit (the 20th: the bucket refills one every other frame)
	# bans the source (set auto, 10 minutes): the 80 after it are the blocklist's, entry auto's.
	run --separate-stderr replay_files "$XF_TMP/clock.pcap" --json --limit-pps 10 --limit-burst 10
	echo "$output"
	[ "$status" = 0 ]
	[ "$(xf_json 'j["rate_limit"]["bans"]' <<<"$output")" = 1 ]
	[ "$(xf_json 'j["rate_limit"]["packets"]["drop"]' <<<"$output")" = 1 ]
	[ "$(xf_json 'j["packets"]["pass"]["no_match"]' <<<"$output")" = 19 ]
	[ "$(xf_json 'j["packets"]["drop"]["blocklist"]' <<<"$output")" = 85 ]
	[ "$(xf_json '[(e["entry"], e["sets"], e["frames"]) for e in j["top_entries"]][0]' <<<"$output")" = "('198.18.0.77', 'auto', 80)" ]
	# A limits file, as the daemon reads it; a bad one is refused before anything runs.
	printf 'limit-pps=10\nlimit-burst=10\nlimit-action=audit\n' >"$XF_TMP/limits.conf"
	run --separate-stderr replay_files "$XF_TMP/clock.pcap" --json --limits-file "$XF_TMP/limits.conf"
	[ "$status" = 0 ]
	[ "$(xf_json 'j["rate_limit"]["packets"]["audit"]' <<<"$output")" = 41 ]
	printf 'limit-pps=ten\n' >"$XF_TMP/limits.conf"
	run replay_files "$XF_TMP/clock.pcap" --limits-file "$XF_TMP/limits.conf"
	[ "$status" != 0 ]
	[[ "$output" == *limit-pps* ]]
	[[ "$output" != *frames* ]]
	# Over a live instance's limits (off there), which stay off.
	xf_daemon --iface "$IF_P"
	run --separate-stderr xf_cli replay "$XF_TMP/clock.pcap" --json --limit-pps 10 --limit-burst 10 --limit-action drop
	[ "$status" = 0 ]
	[ "$(xf_json 'j["rate_limit"]["packets"]["drop"]' <<<"$output")" = 41 ]
	[ "$(xf_cli limit --json | xf_json 'j["action"]')" = off ]
}
