#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What `xdpfwd top` costs with the benchmark's 1M-entry list loaded and a UDP flood on
# (BENCHMARKS.md, "xdpfwd top"). Everything is measured in one run, side by side:
#   - CPU of `top --json` and of the full-screen view (in tmux) over SECONDS, from
#     /proc/PID/stat (utime + stime), as % of one CPU;
#   - what walking every list map once costs (`xdpfwd block list`, which reads every entry):
#     the price per second of a top that walked the maps each second;
#   - how many samples the bounded scan needs to find a source that starts flooding while
#     top runs (its entry among the 1M, not among the candidates).
# The bed is the tests' (tests/lib: two namespaces, a veth pair, addresses from 198.18.0.0/15
# and 2001:2::/48); everything goes on exit. Traffic is bounded by flood.py (rate and time).
# Usage: bench/top-cost.sh [SECONDS]   (XDPFWD: the binary, default build/xdpfwd)
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
XDPFWD=${XDPFWD:-$ROOT/build/xdpfwd}
SECS=${1:-30}
RATE=5000
TMUX_SOCK=xftopbench-$$
# shellcheck source=../tests/lib/xf.bash
source "$ROOT/tests/lib/xf.bash"

cleanup() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	xf_teardown
}
trap cleanup EXIT

ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# CPU % of one CPU that PID used over SECS seconds.
cpu_pct() {
	local pid=$1 t0 t1
	t0=$(ticks "$pid")
	sleep "$SECS"
	t1=$(ticks "$pid")
	awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$SECS" 'BEGIN { printf "%.2f", 100 * d / hz / s }'
}

flood() {
	nsenter --net="/run/netns/$NS_S" timeout $(($2 + 5)) "$XF_PYTHON" "$XF_LIB/flood.py" \
		"$1" 198.18.0.1 9000 "$RATE" "$2" "$XF_TMP/flood.$1" 2>/dev/null 3>&- &
	XF_PIDS+=($!)
}

xf_setup
xf_static_neigh
xf_daemon --iface "$IF_P"
"$XF_PYTHON" "$ROOT/bench/gen-lists.py" "$XF_TMP" >/dev/null
xf_cli block load "$XF_TMP/1m.txt" >/dev/null
xf_cli block add 198.18.0.3 198.18.0.4 >/dev/null
echo "entries: $(xf_json 'j["blocklist"]["addresses"] + j["blocklist"]["prefixes"]' xf_cli status --json)"

# A walk of every entry, as `block list` does it: what a top walking the maps every second would pay.
t0=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$XF_TMP/walk.time" nsenter --net="/run/netns/$NS_P" "$XDPFWD" block list \
	--pin-dir "$PIN" >/dev/null
t1=$(date +%s.%N)
read -r wu ws <"$XF_TMP/walk.time"
echo "block list (every entry once): $(awk -v u="$wu" -v s="$ws" 'BEGIN { printf "%.2f", u + s }') CPU-s, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"

flood 198.18.0.3 $((SECS + 25))
sleep 1

# top --once: the first sample reads every entry (a full pass), then one interval.
/usr/bin/time -f "%U %S %e" -o "$XF_TMP/once.time" nsenter --net="/run/netns/$NS_P" "$XDPFWD" top --once \
	--pin-dir "$PIN" >"$XF_TMP/once.txt"
read -r ou os oe <"$XF_TMP/once.time"
echo "top --once (full pass + one interval): $(awk -v u="$ou" -v s="$os" 'BEGIN { printf "%.2f", u + s }') CPU-s, ${oe} s"

# top --json in the steady state, then a second source starts flooding: samples until it is on top.
nsenter --net="/run/netns/$NS_P" "$XDPFWD" top --json --pin-dir "$PIN" >"$XF_TMP/json" 3>&- &
XF_PIDS+=($!)
json_pid=$!
sleep 5
echo "top --json, ${SECS} s with a ${RATE}/s flood: $(cpu_pct "$json_pid") % of one CPU"
from=$(wc -l <"$XF_TMP/json")
RATE=$((2 * RATE)) flood 198.18.0.4 20
t0=$(ticks "$json_pid")
sleep 15
echo "top --json, the 15 s after the new source started: $(awk -v d=$(($(ticks "$json_pid") - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", 100 * d / hz / 15 }') % of one CPU"
"$XF_PYTHON" - "$XF_TMP/json" "$from" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]
for i, l in enumerate(lines):
    j = json.loads(l)
    if j["top"] and j["top"][0]["entry"] == "198.18.0.4":
        print("new flooding source on top after %d samples (scan slice then %d entries a sample, "
              "%d candidates)" % (i + 1, j["scan"]["entries_per_sample"], j["scan"]["candidates"]))
        break
else:
    print("new flooding source not found in %d samples" % len(lines))
last = json.loads(lines[-1])
print("steady state after it: slice %d entries a sample, full pass %s s" %
      (last["scan"]["entries_per_sample"], last["scan"]["pass_s"]))
EOF
kill "$json_pid"

# The full-screen view in a terminal, under a flood again.
flood 198.18.0.3 $((SECS + 10))
tmux -L "$TMUX_SOCK" new-session -d -x 120 -y 40 \
	"nsenter --net=/run/netns/$NS_P $XDPFWD top --pin-dir $PIN"
sleep 5
tui_pid=$(pgrep -f -n "xdpfwd top --pin-dir $PIN\$" || true)
[ -n "$tui_pid" ] && echo "top (full screen, tmux), ${SECS} s: $(cpu_pct "$tui_pid") % of one CPU"
tmux -L "$TMUX_SOCK" capture-pane -p | head -20
