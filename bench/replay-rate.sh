#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xdpfwd replay's rate on a synthetic capture (bench/replay_capture.py): FRAMES frames (default
# 1,000,000), ROUNDS rounds (default 5), each round running 1 thread, one per CPU, and one per
# CPU with --verbose (a verdict per frame: one more syscall each) side by side, so load from
# elsewhere hits all three alike. Prints frames/s per run and the median of each. Root.
# Usage: bench/replay-rate.sh [FRAMES [ROUNDS]]
set -eu
XDPFWD=${XDPFWD:-build/xdpfwd}
frames=${1:-1000000}
rounds=${2:-5}
dir=$(mktemp -d /tmp/xdpfwd-replay-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 "$(dirname "$0")/replay_capture.py" "$frames" "$dir/c.pcap" "$dir/block"
mkdir "$dir/state"
rate() {
	# the first line's "(N frames/s)"; with --verbose the summary follows the frame lines
	"$XDPFWD" replay "$dir/c.pcap" --blocklist-file "$dir/block" --state-dir "$dir/state" --top 0 "$@" \
		2>/dev/null | sed -n 's/^capture .*(\([0-9]*\) frames\/s)$/\1/p'
}
for r in $(seq "$rounds"); do
	echo "$(rate --threads 1) $(rate) $(rate --verbose)"
done | tee "$dir/rates"
echo "median frames/s: 1 thread, one per CPU ($(nproc) CPUs), one per CPU with --verbose"
for c in 1 2 3; do
	cut -d' ' -f"$c" "$dir/rates" | sort -n | sed -n "$(((rounds + 1) / 2))p"
done | paste -sd' '
