#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdpfwd top (issue 18): in a real terminal (tmux), as one text frame (--once) and as JSON
# lines, against an instance under a UDP flood from two blocked sources on the veth peer:
# 198.18.0.3 at FAST datagrams/s and 198.18.0.4 at SLOW/s. What top shows is compared with
# what the senders actually sent (tests/lib/flood.py records it), never with absolute times.

bats_require_minimum_version 1.5.0
load ../lib/xf

FAST=4000
SLOW=100

setup() {
	xf_setup
	xf_static_neigh
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.3 198.18.0.4 198.18.0.5 >/dev/null
	TMUX_SOCK=xftop-$XF_ID
}

teardown() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	xf_teardown
}

# Both floods for SECONDS (bounded by flood.py: rate and time), in the background, in XF_PIDS.
flood_start() {
	local secs=$1
	nsenter --net="/run/netns/$NS_S" timeout $((secs + 5)) "$XF_PYTHON" "$XF_LIB/flood.py" \
		198.18.0.3 198.18.0.1 9000 "$FAST" "$secs" "$XF_TMP/flood.fast" 3>&- &
	XF_PIDS+=($!)
	nsenter --net="/run/netns/$NS_S" timeout $((secs + 5)) "$XF_PYTHON" "$XF_LIB/flood.py" \
		198.18.0.4 198.18.0.1 9000 "$SLOW" "$secs" "$XF_TMP/flood.slow" 3>&- &
	XF_PIDS+=($!)
	# Under way, and top's first samples inside the steady part.
	sleep 1.5
}

# Datagrams per second the senders sent over their last 2 s (their progress lines, 0.1 s apart):
# the progress files given, else both floods'.
flood_rate() {
	[ $# -gt 0 ] || set -- "$XF_TMP/flood.fast" "$XF_TMP/flood.slow"
	"$XF_PYTHON" - "$@" <<'EOF'
import sys
total = 0.0
for path in sys.argv[1:]:
    rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
    t1, n1 = rows[-1]
    t0, n0 = next(r for r in reversed(rows) if t1 - r[0] >= 2.0)
    total += (n1 - n0) / (t1 - t0)
print("%.0f" % total)
EOF
}

# Succeeds when $1 is within 20% of $2.
within_20() {
	"$XF_PYTHON" -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(not (b > 0 and abs(a - b) <= 0.2 * b))' "$1" "$2" ||
		{ echo "top said $1, the senders sent $2 per second" >&2; return 1; }
}

# The table's first row and the header's total drops/s, from a frame of text on stdin.
frame_top_row() {
	awk '/^ENTRY +SET +PKT\/s/ { getline; print $1, $3; exit }'
}

frame_total_drops() {
	awk '$1 == "total" { print $4; exit }'
}

# top --json in the background; its second object (the first with rates) in $XF_TMP/one.
# nsenter execs top, so $! is top itself and teardown stops it (a function in the background
# would be a subshell, a timeout its parent: killing either would leave top running).
top_json_second() {
	local i
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" top --json --pin-dir "$PIN" >"$XF_TMP/json" 3>&- &
	XF_PIDS+=($!)
	for i in $(seq 50); do
		[ "$(wc -l <"$XF_TMP/json")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(wc -l <"$XF_TMP/json")" -ge 2 ]
	sed -n 2p "$XF_TMP/json" >"$XF_TMP/one"
}

pane() {
	tmux -L "$TMUX_SOCK" capture-pane -p
}

# Waits (at most 5 s) until the pane's last non-empty line is the shell's prompt.
wait_prompt() {
	local i
	for i in $(seq 50); do
		[ "$(pane | grep -v '^$' | tail -1)" = 'READY$' ] && return 0
		sleep 0.1
	done
	echo "no prompt; the pane:" >&2
	pane >&2
	return 1
}

# A shell in a 120x40 tmux terminal with a known prompt; its stty settings in $XF_TMP/stty.before.
tmux_shell() {
	tmux -L "$TMUX_SOCK" new-session -d -x 120 -y 40 "env -i PATH=$PATH TERM=screen LANG=C.UTF-8 bash --norc --noprofile -i"
	tmux -L "$TMUX_SOCK" send-keys "PS1='READY\$ '; stty -g >$XF_TMP/stty.before; clear" Enter
	wait_prompt
}

tmux_top() {
	tmux -L "$TMUX_SOCK" send-keys "nsenter --net=/run/netns/$NS_P $XDPFWD top --pin-dir $PIN" Enter
	# The frame after three samples: two intervals of rates.
	sleep 3.5
	pane >"$XF_TMP/frame"
	grep -q '^xdpfwd top ' "$XF_TMP/frame" || { cat "$XF_TMP/frame" >&2; return 1; }
}

# After top: the prompt is back, the screen is the shell's again and stty is as before.
terminal_restored() {
	wait_prompt
	pane >"$XF_TMP/after"
	xf_lacks '^xdpfwd top |^ENTRY ' "$XF_TMP/after"
	tmux -L "$TMUX_SOCK" send-keys "stty -g >$XF_TMP/stty.after" Enter
	sleep 0.3
	cmp "$XF_TMP/stty.before" "$XF_TMP/stty.after"
}

@test "top in a terminal: the flooding source on top, the drop rate as sent, q restores the terminal" {
	tmux_shell
	flood_start 10
	tmux_top
	cat "$XF_TMP/frame"
	read -r entry rate < <(frame_top_row <"$XF_TMP/frame")
	[ "$entry" = 198.18.0.3 ]
	[ "$rate" -gt 0 ]
	within_20 "$(frame_total_drops <"$XF_TMP/frame")" "$(flood_rate)"
	# The second-busiest source is listed below it.
	grep -qE '^198\.18\.0\.4 ' "$XF_TMP/frame"

	# s cycles the sort, p pauses: the title says so.
	tmux -L "$TMUX_SOCK" send-keys s
	sleep 0.3
	pane | grep -q '^xdpfwd top .* sort: total'
	tmux -L "$TMUX_SOCK" send-keys p
	sleep 0.3
	pane | grep -q '\[paused\]'

	tmux -L "$TMUX_SOCK" send-keys q
	terminal_restored
}

@test "top in a terminal: a resize redraws at the new size, Ctrl-C restores the terminal" {
	tmux_shell
	flood_start 8
	tmux_top
	tmux -L "$TMUX_SOCK" resize-window -x 70 -y 30
	sleep 0.5
	pane >"$XF_TMP/small"
	cat "$XF_TMP/small"
	grep -q '^xdpfwd top ' "$XF_TMP/small"
	# Drawn for 30 lines: the key line is the last one (drawn for 40, it would be off the screen).
	[[ "$(grep -v '^$' "$XF_TMP/small" | tail -1)" == "q quit"* ]]
	[ "$(wc -l <"$XF_TMP/small")" = 30 ]

	tmux -L "$TMUX_SOCK" send-keys C-c
	terminal_restored
}

@test "top --once: one frame of text with the same figures" {
	flood_start 6
	run xf_cli top --once
	[ "$status" = 0 ]
	echo "$output"
	[[ "$output" =~ "rates over "[0-9.]+" s" ]]
	read -r entry rate < <(frame_top_row <<<"$output")
	[ "$entry" = 198.18.0.3 ]
	[ "$rate" -gt 0 ]
	within_20 "$(frame_total_drops <<<"$output")" "$(flood_rate)"
}

@test "top --json: one object per interval with the same figures" {
	flood_start 6
	top_json_second
	[ "$(xf_json 'j["top"][0]["entry"]' <"$XF_TMP/one")" = 198.18.0.3 ]
	[ "$(xf_json 'j["top"][0]["pps"] > 0 and j["rates_valid"]' <"$XF_TMP/one")" = True ]
	[ "$(xf_json 'j["interfaces"][0]["name"]' <"$XF_TMP/one")" = "$IF_P" ]
	[ "$(xf_json 'len(j["history_drop_pps"])' <"$XF_TMP/one")" = 2 ]
	within_20 "$(xf_json 'j["total"]["drop_pps"]' <"$XF_TMP/one")" "$(flood_rate)"
}

@test "top --json among 500,000 entries: a small slice at rest, a source that starts flooding is found in a few samples" {
	# 500,000 IPv6 /128s, the flooding source among them: its place in the hash's order is
	# anyone's, so only a slice that grows (or a walk every sample) finds it soon.
	"$XF_PYTHON" -c 'import ipaddress; b = int(ipaddress.IPv6Address("2001:2:0:f000::"))
print("\n".join(str(ipaddress.IPv6Address(b + i)) for i in range(500000)))' >"$XF_TMP/big.list"
	xf_cli block load "$XF_TMP/big.list" >/dev/null
	xf_cli block add 2001:2::4 198.18.0.3 >/dev/null
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" top --json --interval 0.5 --pin-dir "$PIN" >"$XF_TMP/json" 3>&- &
	XF_PIDS+=($!)
	local i from
	for i in $(seq 100); do
		[ "$(wc -l <"$XF_TMP/json")" -ge 4 ] && break
		sleep 0.1
	done
	# At rest: the smallest slice, far from a walk of every entry per sample.
	[ "$(tail -1 "$XF_TMP/json" | xf_json 'j["scan"]["entries_per_sample"]')" = 16384 ]
	from=$(wc -l <"$XF_TMP/json")
	nsenter --net="/run/netns/$NS_S" timeout 15 "$XF_PYTHON" "$XF_LIB/flood.py" \
		2001:2::4 2001:2::1 9000 2000 10 "$XF_TMP/flood.v6" 3>&- &
	XF_PIDS+=($!)
	sleep 6
	run "$XF_PYTHON" - "$XF_TMP/json" "$from" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]]
first = next((i + 1 for i, j in enumerate(lines) if j["top"] and j["top"][0]["entry"] == "2001:2::4"), None)
grew = max(j["scan"]["entries_per_sample"] for j in lines)
print("found after %s of %d samples, largest slice %d" % (first, len(lines), grew))
sys.exit(not (first is not None and first <= 6 and grew > 16384))
EOF
	echo "$output"
	[ "$status" = 0 ]
}

@test "top --json ends, saying why, when its instance goes" {
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" top --json --pin-dir "$PIN" >"$XF_TMP/json" 2>"$XF_TMP/json.err" 3>&- &
	local pid=$! i rc=0
	XF_PIDS+=($pid)
	for i in $(seq 50); do
		[ -s "$XF_TMP/json" ] && break
		sleep 0.1
	done
	xf_cli detach --all
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "top still runs 5 s after its instance went" >&2
		return 1
	fi
	wait "$pid" || rc=$?
	[ "$rc" = 1 ]
	grep -q "the instance at $PIN is gone" "$XF_TMP/json.err"
}

@test "top without an instance: one line saying so, exit 1, in every form" {
	local none=/sys/fs/bpf/xdpfwd-test-$XF_ID-none opt
	for opt in --once --json ""; do
		run nsenter --net="/run/netns/$NS_P" "$XDPFWD" top $opt --pin-dir "$none"
		[ "$status" = 1 ]
		[ "${#lines[@]}" = 1 ]
		[[ "$output" == *"no xdpfwd instance at $none"* ]]
	done
}

@test "top without a terminal and without --once or --json: says what to use, exit 1" {
	run xf_cli top </dev/null
	[ "$status" = 1 ]
	[[ "$output" == *"needs a terminal"*"--once"*"--json"* ]]
}

@test "top: a bad --interval or --once with --json is refused, exit 2" {
	local args
	for args in "--interval 0" "--interval 61" "--interval 1x" "--interval -1" "--once --json" "extra"; do
		# shellcheck disable=SC2086 # word splitting wanted
		run -2 --separate-stderr xf_cli top $args
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -ge 1 ]
	done
	run -0 xf_cli top --once --interval 0.2
	[[ "$output" =~ "rates over 0."[0-9]+" s" ]]
}

@test "top --json counts the flood defense's drops: a source over its limit, dropped as rate_limit" {
	# 198.18.0.3 unblocked: only the limit drops it, the excess over 500 packets a second.
	xf_cli block del 198.18.0.3 >/dev/null
	xf_cli limit set --pps 500 --action drop >/dev/null
	nsenter --net="/run/netns/$NS_S" timeout 11 "$XF_PYTHON" "$XF_LIB/flood.py" \
		198.18.0.3 198.18.0.1 9000 "$FAST" 6 "$XF_TMP/flood.fast" 3>&- &
	XF_PIDS+=($!)
	sleep 1.5
	local sent
	top_json_second
	sent=$(flood_rate "$XF_TMP/flood.fast")
	# Dropped: what was sent above the limit; the same figure is the rate limit's, and the interface's.
	within_20 "$(xf_json 'j["total"]["drop_pps"]' <"$XF_TMP/one")" $((sent - 500))
	within_20 "$(xf_json 'j["total"]["rate_limit_pps"]' <"$XF_TMP/one")" $((sent - 500))
	within_20 "$(xf_json 'j["interfaces"][0]["drop_pps"]' <"$XF_TMP/one")" $((sent - 500))
	within_20 "$(xf_json 'j["total"]["in_pps"]' <"$XF_TMP/one")" "$sent"
	# No entry dropped anything: the table is empty.
	[ "$(xf_json 'len(j["top"])' <"$XF_TMP/one")" = 0 ]
}

@test "top --json follows a growth of the hash: the flooding source keeps its rate on the new maps" {
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" top --json --interval 0.5 --pin-dir "$PIN" >"$XF_TMP/json" 3>&- &
	XF_PIDS+=($!)
	flood_start 9
	# 50,000 more entries pass 75% of the 65,536 default: the load grows the hash first, and the
	# program that counts the flood is a new one over new maps.
	"$XF_PYTHON" -c 'print("\n".join("198.19.%d.%d" % (i >> 8, i & 255) for i in range(50000)))' >"$XF_TMP/big.list"
	run -0 xf_cli block load --set big "$XF_TMP/big.list"
	[[ $output == *"grew block_v4_addr from 65536 to 262144 entries first"* ]]
	local from
	from=$(wc -l <"$XF_TMP/json")
	sleep 3
	run "$XF_PYTHON" - "$XF_TMP/json" "$from" "$(flood_rate "$XF_TMP/flood.fast")" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) + 1:]]
sent = float(sys.argv[3])
tops = [(j["top"][0]["entry"], j["top"][0]["pps"]) if j["top"] else (None, 0) for j in lines]
print("after the growth:", tops, "sent/s", sent)
ok = len(tops) >= 3 and all(e == "198.18.0.3" and abs(p - sent) <= 0.2 * sent for e, p in tops[-3:])
sys.exit(not ok)
PY
	echo "$output"
	[ "$status" = 0 ]
}
