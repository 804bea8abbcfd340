#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Edits and counts with a million entries (BENCHMARKS.md, "Edits and counts with a million
# entries"): the wall time of one `block add` and one `block del` of an address, of `status
# --json` and of `metrics`, each the median [min..max] of RUNS runs, with an empty blocklist and
# with bench/gen-lists.py's 1,000,000 entries; the bpf(2) calls of one run (strace); and the
# daemon's CPU time while it idles IDLE seconds (its expiry sweep runs every 5 s).
#
# Usage (root): bench/edits.sh [XDPFWD [RUNS [IDLE]]]   (defaults: build/xdpfwd, 11, 20)
# It touches nothing it did not create: one network namespace with a veth pair, the pin dir
# /sys/fs/bpf/xdpfwd-bench-edits-$$, a temporary directory; all removed on exit.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
XDPFWD=$(realpath "${1:-$ROOT/build/xdpfwd}")
RUNS=${2:-11}
IDLE=${3:-20}
ID=$$
NS=xfed-$ID
IF=xfed$ID
PIN=/sys/fs/bpf/xdpfwd-bench-edits-$ID
TMP=$(mktemp -d /tmp/xdpfwd-bench-edits.XXXXXX)
DAEMON=

cleanup() {
	[ -z "$DAEMON" ] || { kill "$DAEMON" 2>/dev/null; wait "$DAEMON" 2>/dev/null || true; }
	nsenter --net="/run/netns/$NS" "$XDPFWD" detach --all --pin-dir "$PIN" >/dev/null 2>&1 || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$PIN" "$TMP"
}
trap cleanup EXIT

x() {
	nsenter --net="/run/netns/$NS" "$XDPFWD" "$@" --pin-dir "$PIN"
}

# Prints one run's wall time in microseconds.
us() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}

# "median [min..max] ms" of microsecond figures on stdin.
summary() {
	sort -n | awk '{ v[NR] = $1 } END {
		printf "%.1f ms [%.1f..%.1f]", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }'
}

# Each of RUNS runs adds an address that is not there (and deletes it again, untimed).
add_times() {
	for _ in $(seq "$RUNS"); do
		us x block add 198.18.0.9
		x block del 198.18.0.9 >/dev/null 2>&1
	done | summary
}

del_times() {
	for _ in $(seq "$RUNS"); do
		x block add 198.18.0.9 >/dev/null 2>&1
		us x block del 198.18.0.9
	done | summary
}

timed() {
	for _ in $(seq "$RUNS"); do
		us "$@"
	done | summary
}

bpf_calls() {
	nsenter --net="/run/netns/$NS" strace -f -qq -e trace=bpf -o "$TMP/strace" "$XDPFWD" "$@" \
		--pin-dir "$PIN" >/dev/null 2>&1
	grep -c 'bpf(' "$TMP/strace"
}

# The daemon's user + system CPU time (ms) over IDLE seconds.
idle_cpu() {
	local a b tck
	tck=$(getconf CLK_TCK)
	a=$(awk '{ print $14 + $15 }' "/proc/$DAEMON/stat")
	sleep "$IDLE"
	b=$(awk '{ print $14 + $15 }' "/proc/$DAEMON/stat")
	echo $(((b - a) * 1000 / tck))
}

# One row per measurement, for the list state named by $1.
measure() {
	local what=$1
	echo "| block add of one address, $what | $(add_times) | $(bpf_calls block add 198.18.0.9) |"
	echo "| block del of one address, $what | $(del_times) | $(bpf_calls block del 198.18.0.9) |"
	echo "| status --json, $what | $(timed x status --json) | $(bpf_calls status --json) |"
	echo "| metrics, $what | $(timed x metrics) | $(bpf_calls metrics) |"
	echo "| daemon CPU time over ${IDLE} s idle, $what | $(idle_cpu) ms | |"
}

python3 "$ROOT/bench/gen-lists.py" "$TMP/lists" >/dev/null
ip netns add "$NS"
ip -n "$NS" link add "$IF" type veth peer name "${IF}b"
ip -n "$NS" link set "$IF" up
ip -n "$NS" link set "${IF}b" up
nsenter --net="/run/netns/$NS" "$XDPFWD" --iface "$IF" --pin-dir "$PIN" --no-log >"$TMP/daemon.log" 2>&1 &
DAEMON=$!
for _ in $(seq 100); do
	grep -q 'attached program' "$TMP/daemon.log" && break
	sleep 0.1
done
grep -q 'attached program' "$TMP/daemon.log" || { cat "$TMP/daemon.log" >&2; exit 1; }

echo "xdpfwd: $XDPFWD ($("$XDPFWD" --version)), $RUNS runs each, $(nproc) CPUs, $(uname -r)"
echo
echo "| measurement | wall time, median [min..max] | bpf(2) calls |"
echo "| --- | --- | --- |"
measure "empty blocklist"
t0=$(date +%s%N)
x block load "$TMP/lists/1m.txt" >/dev/null 2>&1
echo "| block load of bench/gen-lists.py's 1m.txt (1,000,000 entries) | $((($(date +%s%N) - t0) / 1000000)) ms (once) | |"
measure "1,000,000 entries"
