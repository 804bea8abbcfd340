#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What one host's xdpfwd costs, for docs/FLEET.md: map memory (bpftool's memlock of every pinned
# map) and the memory cgroup's charge, empty and with bench/gen-lists.py's 1,000,000 entries;
# the daemon's RSS; the wall time of `block load` of the 1M list, of applying it as a --sets-dir
# file on SIGHUP, of one /metrics scrape and one `status`; and the bytes per entry of list files
# in the formats feeds use (random public-looking addresses, never loaded anywhere).
#
# Usage (root): bench/fleet-cost.sh [XDPFWD]   (default build/xdpfwd)
# It touches nothing it did not create: one network namespace with a veth pair, the pin dir
# /sys/fs/bpf/xdpfwd-bench-fleet-$$, a child memory cgroup of this shell's (when cgroup v1's or
# v2's memory controller lets us make one), a temporary directory; all removed on exit.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
XDPFWD=$(realpath "${1:-$ROOT/build/xdpfwd}")
ID=$$
NS=xffc-$ID
IF=xffc$ID
PIN=/sys/fs/bpf/xdpfwd-bench-fleet-$ID
PORT=19740
TMP=$(mktemp -d /tmp/xdpfwd-bench-fleet.XXXXXX)
DAEMON=
CG=

cleanup() {
	[ -z "$DAEMON" ] || { kill "$DAEMON" 2>/dev/null; wait "$DAEMON" 2>/dev/null || true; }
	nsenter --net="/run/netns/$NS" "$XDPFWD" detach --all --pin-dir "$PIN" >/dev/null 2>&1 || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$PIN" "$TMP"
	[ -z "$CG" ] || rmdir "$CG" 2>/dev/null || true
}
trap cleanup EXIT

x() {
	nsenter --net="/run/netns/$NS" "$XDPFWD" "$@" --pin-dir "$PIN"
}

ms_of() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# The memlock bpftool reports for every map pinned in the instance (the kernel's own account of
# each map's memory: preallocated hashes at capacity, the tries per node), summed.
memlock() {
	local f sum=0 b
	for f in "$PIN"/*; do
		b=$(bpftool -j map show pinned "$f" 2>/dev/null | python3 -c \
			'import json,sys; print(json.load(sys.stdin).get("bytes_memlock", 0))' 2>/dev/null) || continue
		sum=$((sum + b))
	done
	echo "$sum"
}

per_map() {
	local f
	for f in "$PIN"/*; do
		bpftool -j map show pinned "$f" 2>/dev/null | python3 -c \
			'import json,sys; m=json.load(sys.stdin); print("%-16s %-14s max %9d  %12d B" % (sys.argv[1], m["type"], m["max_entries"], m.get("bytes_memlock", 0)))' \
			"${f##*/}" 2>/dev/null || true
	done
}

rss() { awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$DAEMON/status"; }

cg_mem() {
	[ -n "$CG" ] || { echo 0; return; }
	if [ -e "$CG/memory.current" ]; then cat "$CG/memory.current"; else cat "$CG/memory.usage_in_bytes"; fi
}

cg_peak() {
	[ -n "$CG" ] || { echo 0; return; }
	if [ -e "$CG/memory.peak" ]; then cat "$CG/memory.peak"; else cat "$CG/memory.max_usage_in_bytes"; fi
}

report() {
	printf '%-8s map memlock %s; cgroup charge %s (peak %s); daemon RSS %s\n' "$1" \
		"$(mib "$(memlock)")" "$(mib "$(cg_mem)")" "$(mib "$(cg_peak)")" "$(mib "$(rss)")"
}

# A memory cgroup of our own, beside nothing: BPF maps are charged to the cgroup that creates them.
self=$(awk -F: '$2 == "memory" || ($1 == "0" && $2 == "") { print $3; exit }' /proc/self/cgroup)
for base in "/sys/fs/cgroup/memory$self" "/sys/fs/cgroup$self"; do
	if [ -e "$base/memory.usage_in_bytes" ] || [ -e "$base/memory.current" ]; then
		mkdir "$base/xdpfwd-fleet-$ID" 2>/dev/null && CG=$base/xdpfwd-fleet-$ID
		break
	fi
done
[ -n "$CG" ] || echo "no memory cgroup of our own: the cgroup figures read 0"

python3 "$ROOT/bench/gen-lists.py" "$TMP/lists" >/dev/null
ip netns add "$NS"
ip link add "$IF" type veth peer name "${IF}p"
ip link set "${IF}p" netns "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link set "${IF}p" up
ip link set "$IF" up
mkdir -p "$TMP/sets" "$TMP/state"

t0=$(date +%s%N)
# shellcheck disable=SC2016
sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
	nsenter --net="/run/netns/$NS" "$XDPFWD" --iface "${IF}p" --pin-dir "$PIN" --sets-dir "$TMP/sets" \
	--state-dir "$TMP/state" --metrics-listen "127.0.0.1:$PORT" --no-log >/dev/null 2>"$TMP/daemon.err" &
DAEMON=$!
for _ in $(seq 300); do
	nsenter --net="/run/netns/$NS" curl -fsS -o /dev/null "http://127.0.0.1:$PORT/metrics" 2>/dev/null && break
	sleep 0.05
done
t1=$(date +%s%N)
echo "start to first scrape answered: $(((t1 - t0) / 1000000)) ms (empty lists)"
report empty
per_map

echo "block load of 1,000,000 entries: $(ms_of x block load --set bench "$TMP/lists/1m.txt") ms"
report loaded
per_map
echo "status: $(ms_of x status) ms; metrics scrape: $(ms_of nsenter --net="/run/netns/$NS" curl -fsS \
	"http://127.0.0.1:$PORT/metrics") ms"
x block flush --set bench >/dev/null 2>&1 || x sets del block bench >/dev/null
sleep 6 # the daemon's sweep deletes entries no set holds every 5 s
report flushed

# The same list as a --sets-dir file applied on SIGHUP: what a node's feed timer triggers.
cp "$TMP/lists/1m.txt" "$TMP/sets/feed.list"
n0=$(grep -c 'block set feed' "$TMP/daemon.err" || true)
t0=$(date +%s%N)
kill -HUP "$DAEMON"
for _ in $(seq 600); do
	[ "$(grep -c 'block set feed' "$TMP/daemon.err" || true)" -gt "$n0" ] && break
	sleep 0.02
done
t1=$(date +%s%N)
echo "sets-dir file of 1,000,000 entries applied on SIGHUP: $(((t1 - t0) / 1000000)) ms ($(grep 'block set feed' "$TMP/daemon.err" | tail -1))"
report sighup

# A set as large as a ConfigMap holds (1 MiB of plain IPv4 /32s: 73,539 lines, see below), the
# way a ConfigMap update reaches the daemon: its file replaced, then applied. Once as a new set,
# then again with a tenth of its entries replaced by others.
apply_file() {
	local name=$1 n0 t0 t1
	n0=$(grep -c "block set $name:" "$TMP/daemon.err" || true)
	t0=$(date +%s%N)
	kill -HUP "$DAEMON"
	for _ in $(seq 600); do
		[ "$(grep -c "block set $name:" "$TMP/daemon.err" || true)" -gt "$n0" ] && break
		sleep 0.01
	done
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000000)) ms ($(grep "block set $name:" "$TMP/daemon.err" | tail -1))"
}
# The 1M set goes first (its file removed), and the sweep deletes its entries, so the
# ConfigMap-sized set is timed alone.
rm -f "$TMP/sets/feed.list"
kill -HUP "$DAEMON"
for _ in $(seq 600); do
	grep -q 'feed.list is gone\|block set feed: its file' "$TMP/daemon.err" && break
	sleep 0.02
done
sleep 8
report removed
awk '!/^#/ && !/:/ && n++ < 73539' "$TMP/lists/1m.txt" >"$TMP/cm.txt"
cp "$TMP/cm.txt" "$TMP/sets/cm.list"
echo "ConfigMap-sized set (73,539 IPv4 entries), new: $(apply_file cm)"
{ tail -n +7355 "$TMP/cm.txt"; awk '!/^#/ && !/:/' "$TMP/lists/1m.txt" | tail -n 7354; } >"$TMP/sets/cm.list"
echo "ConfigMap-sized set, a tenth changed: $(apply_file cm)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

python3 - <<'EOF'
# Bytes per entry of list files shaped like real feeds: random public-looking addresses.
import ipaddress, random
rnd = random.Random(17)
def v4():
    while True:
        a = ipaddress.IPv4Address(rnd.getrandbits(32))
        if a.is_global:
            return a
def v6():
    return ipaddress.IPv6Address((0x2 << 124) | rnd.getrandbits(125) >> 3)
N = 100000
shapes = {
    "plain IPv4 /32 (one address a line)": [f"{v4()}\n" for _ in range(N)],
    "ipsum (ADDR<TAB>COUNT)": [f"{v4()}\t{rnd.randint(1, 9)}\n" for _ in range(N)],
    "spamhaus DROP (PREFIX ; SBLnnnnnn)": [f"{ipaddress.IPv4Network((int(v4()) >> 12 << 12, 20))} ; SBL{rnd.randint(100000, 699999)}\n" for _ in range(N)],
    "IPv6 /64 prefixes": [f"{ipaddress.IPv6Network((int(v6()) >> 64 << 64, 64))}\n" for _ in range(N)],
    "IPv6 /128 addresses": [f"{v6()}\n" for _ in range(N)],
    "plain /32 with timeout=7d": [f"{v4()} timeout=7d\n" for _ in range(N)],
}
mix = shapes["plain IPv4 /32 (one address a line)"][: N * 8 // 10] + shapes["IPv6 /128 addresses"][: N * 2 // 10]
shapes["mix: 80% IPv4 /32, 20% IPv6 /128"] = mix
cm = 1048576
for name, lines in shapes.items():
    b = sum(len(l) for l in lines) / len(lines)
    print(f"{name:40s} {b:5.1f} B/entry  {int(cm // b):>7,} entries per 1 MiB ConfigMap")
EOF
