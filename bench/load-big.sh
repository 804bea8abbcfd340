#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 16: how long `xdpfwd block load` of a big list takes and what it costs in memory. The
# daemon starts at its default capacity (or DAEMON_ARGS, e.g. "--capacity 32M"); each load grows
# the hash first as it needs. A list file is at most 256 MiB, so N > 8,388,608 goes in parts of
# that many, one set each (big0, big1), loaded one after the other.
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
PART=8388608
python3 -c '
import sys
n, part, tmp = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for p in range((n + part - 1) // part):
    with open(f"{tmp}/list{p}.txt", "w") as f:
        for hi in range(p * part // 65536, min(n, (p + 1) * part) // 65536 + (min(n, (p + 1) * part) % 65536 > 0)):
            f.write("".join(f"2001:2:0:1000::{hi:x}:{lo:x}\n" for lo in range(min(65536, n - hi * 65536))))
' "$N" "$PART" "$TMP"
meminfo() { awk -v k="$1" '$1 == k ":" { print $2 }' /proc/meminfo; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

ip netns add "$NS"
ip -n "$NS" link add xfbig0 type veth peer name xfbig1
ip -n "$NS" link set xfbig0 up
ip -n "$NS" link set xfbig1 up
# shellcheck disable=SC2086 # DAEMON_ARGS: words
nsenter --net="/run/netns/$NS" "$XDPFWD" --iface xfbig0 --pin-dir "$PIN" --no-log ${DAEMON_ARGS:-} >/dev/null 2>"$TMP/d.err" &
DPID=$!
for _ in $(seq 400); do grep -qs 'attached program' "$TMP/d.err" && break; sleep 0.05; done
grep -qs 'attached program' "$TMP/d.err" || { cat "$TMP/d.err" >&2; exit 1; }
sleep 1
echo "entries,$N"
echo "daemon_rss_kib_before,$(rss "$DPID")"
slab0=$(meminfo Slab) vm0=$(meminfo VmallocUsed)
for f in "$TMP"/list*.txt; do
	p=$(basename "$f" .txt)
	p=${p#list}
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$TMP/time" nsenter --net="/run/netns/$NS" "$XDPFWD" block load --set "big$p" "$f" --pin-dir "$PIN" >/dev/null \
		2>"$TMP/load.err" || { cat "$TMP/load.err" >&2; exit 1; }
	t1=$(date +%s%N)
	echo "load_ms_big$p,$(((t1 - t0) / 1000000))"
	echo "cli_maxrss_kib_big$p,$(tail -1 "$TMP/time")"
	grep -v '^[0-9]*$' "$TMP/load.err" | sed "s/^/cli_said_big$p,/"
done
sleep 2
echo "daemon_rss_kib_after,$(rss "$DPID")"
echo "slab_kib_delta,$(($(meminfo Slab) - slab0))"
echo "vmalloc_used_kib_delta,$(($(meminfo VmallocUsed) - vm0))"
for m in block_v4_addr block_v6_addr; do
	bpftool -j map show pinned "$PIN/$m" |
		python3 -c 'import json,sys; j = json.load(sys.stdin); print(sys.argv[1], "max_entries", j["max_entries"], "memlock", j.get("bytes_memlock"), sep=",")' "$m"
done
