#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 16: how long `xdpfwd block load` of a big list takes and what it costs in memory, for an
# xdpfwd built with larger exact maps (the stock build holds 1,048,576 addresses per family; a
# scratch build with a bigger XDPFWD_MAX_ADDRS in include/xdpfwd.h holds more).
#
#   sudo bench/load-big.sh XDPFWD_BINARY N        # N IPv6 /128s in 2001:2:0:1000::/104 (N <= 2^24)
#
# No traffic: one namespace with one veth pair the daemon attaches to, its pins under
# /sys/fs/bpf/xfbbig-$ID; all removed on exit. Reports: load wall time and the CLI's maximum
# RSS (/usr/bin/time), the daemon's RSS before and after, each exact map's memlock (bpftool),
# and the kernel's Slab and VmallocUsed before and after (what the entries really take).
set -Eeuo pipefail

XDPFWD=${1:?usage: load-big.sh XDPFWD_BINARY N}
N=${2:?usage: load-big.sh XDPFWD_BINARY N}
ID=$(printf '%05x' $(($$ % 0xfffff)))
NS=xfbig-$ID
PIN=/sys/fs/bpf/xfbbig-$ID
TMP=$(mktemp -d /tmp/xfbbig.XXXXXX)
DPID=

cleanup() {
	set +e
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[ -e "/run/netns/$NS" ] && nsenter --net="/run/netns/$NS" "$XDPFWD" detach --all --pin-dir "$PIN" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	rm -rf "$PIN" "$TMP"
}
trap cleanup EXIT

[ "$N" -le 16777216 ] || { echo "load-big: N <= 16777216 (2001:2:0:1000::/104)" >&2; exit 2; }
python3 -c '
import sys
n, w = int(sys.argv[1]), sys.stdout.write
for hi in range((n + 65535) // 65536):
    w("".join(f"2001:2:0:1000::{hi:x}:{lo:x}\n" for lo in range(min(65536, n - hi * 65536))))
' "$N" >"$TMP/list.txt"
meminfo() { awk -v k="$1" '$1 == k ":" { print $2 }' /proc/meminfo; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

ip netns add "$NS"
ip -n "$NS" link add xfbig0 type veth peer name xfbig1
ip -n "$NS" link set xfbig0 up
ip -n "$NS" link set xfbig1 up
nsenter --net="/run/netns/$NS" "$XDPFWD" --iface xfbig0 --pin-dir "$PIN" --no-log >/dev/null 2>"$TMP/d.err" &
DPID=$!
for _ in $(seq 400); do grep -qs 'attached program' "$TMP/d.err" && break; sleep 0.05; done
grep -qs 'attached program' "$TMP/d.err" || { cat "$TMP/d.err" >&2; exit 1; }
sleep 1
echo "entries,$N"
echo "daemon_rss_kib_before,$(rss "$DPID")"
slab0=$(meminfo Slab) vm0=$(meminfo VmallocUsed)
t0=$(date +%s%N)
/usr/bin/time -f '%M' -o "$TMP/time" "$XDPFWD" block load "$TMP/list.txt" --pin-dir "$PIN" >/dev/null 2>"$TMP/load.err" ||
	{ cat "$TMP/load.err" >&2; exit 1; }
t1=$(date +%s%N)
echo "load_ms,$(((t1 - t0) / 1000000))"
echo "cli_maxrss_kib,$(tail -1 "$TMP/time")"
echo "cli_said,$(grep -v '^[0-9]*$' "$TMP/load.err" | tail -1)"
sleep 2
echo "daemon_rss_kib_after,$(rss "$DPID")"
echo "slab_kib_delta,$(($(meminfo Slab) - slab0))"
echo "vmalloc_used_kib_delta,$(($(meminfo VmallocUsed) - vm0))"
for m in block_v4_addr block_v6_addr; do
	bpftool -j map show pinned "$PIN/$m" |
		python3 -c 'import json,sys; j = json.load(sys.stdin); print(sys.argv[1], "max_entries", j["max_entries"], "memlock", j.get("bytes_memlock"), sep=",")' "$m"
done
