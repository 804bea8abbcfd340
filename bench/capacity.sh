#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 16: what the exact hashes' capacity costs per packet, live frames, side by side in one run.
# xdpfwd's program is loaded by the harness (no daemon) with its exact hashes sized before load
# (xfbench load xdpfwd ... CAPACITY), beside the bare one-lookup program with its hashes sized the
# same way (xfbench load ref DIR CAPACITY). Scenarios:
#   v4-65536   65,536 rotating blocked IPv4 sources (198.19.0.0/16) held in every contender
#   v6-1m      1,048,576 rotating blocked IPv6 sources (2001:2:0:100::/108) held in the big ones
#   v4-1src, v6-1src  one blocked source, 34 entries at capacity 65,536 against the 1M list at 1M
#
#   make bench-build && sudo bench/capacity.sh        (BENCH_ROUNDS, BENCH_SLOT_MS, BENCH_SCENARIOS)
#
# CAP_VARIANTS="NAME=OBJECT ...": prototype builds of the program (bench variants, same maps), each
# at capacity 131,072 with the rotating IPv4 sources and the small list, joining v4-65536 and the
# one-source scenarios.
#
# Like run.sh it touches nothing it did not create: two namespaces and their veth pair, pins under
# /sys/fs/bpf/xfbcap-$ID; traffic bounded by xfbench live's --rounds, --max-seconds and packet limit.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_OUT=${BENCH_OUT:-$ROOT/build/bench}
XFBENCH=${XFBENCH:-$BENCH_OUT/xfbench}
OBJ=${XDPFWD_OBJ:-$ROOT/build/xdpfwd.bpf.o}
ROUNDS=${BENCH_ROUNDS:-20}
SLOT_MS=${BENCH_SLOT_MS:-200}
GEN_CPU=1
CTL_CPU=0
ID=$(printf '%05x' $(($$ % 0xfffff)))
NS_G=xfc-$ID-g
NS_R=xfc-$ID-r
IF_G=xfcg$ID
IF_R=xfcr$ID
PINS=/sys/fs/bpf/xfbcap-$ID
RES=$BENCH_OUT/capacity
LISTS=$BENCH_OUT/lists
TMP=$(mktemp -d /tmp/xfbcap.XXXXXX)

log() { printf 'capacity: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	ip netns del "$NS_G" 2>/dev/null
	ip netns del "$NS_R" 2>/dev/null
	rm -rf "$PINS" "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$XFBENCH" ] && [ -s "$OBJ" ] || die "build first: make bench-build"
[ "$(sysctl -n kernel.bpf_stats_enabled)" = 0 ] || die "kernel.bpf_stats_enabled is on: sysctl kernel.bpf_stats_enabled=0"
mkdir -p "$RES" "$LISTS"
[ -s "$LISTS/1m.txt" ] || python3 "$ROOT/bench/gen-lists.py" "$LISTS"
cp "$OBJ" "$TMP/xdpfwd.bpf.o"

python3 -c 'import ipaddress; [print(ipaddress.IPv4Address("198.19.0.0") + i) for i in range(65536)]' >"$TMP/rot4.txt"
python3 -c 'import ipaddress; b = ipaddress.IPv6Address("2001:2:0:100::")
print("\n".join(str(b + i) for i in range(1 << 20)))' >"$TMP/rot6.txt"
cat "$TMP/rot4.txt" "$TMP/rot6.txt" >"$TMP/rot46.txt"

ip netns add "$NS_G"
ip netns add "$NS_R"
ip link add "$IF_G" netns "$NS_G" type veth peer name "$IF_R" netns "$NS_R"
ip -n "$NS_G" addr add 198.18.0.2/24 dev "$IF_G"
ip -n "$NS_R" addr add 198.18.0.1/24 dev "$IF_R"
ip -n "$NS_R" addr add 2001:2::1/64 dev "$IF_R" nodad
ip -n "$NS_G" link set "$IF_G" up
ip -n "$NS_R" link set "$IF_R" up

zeros() { local i; for ((i = 0; i < $1; i++)); do printf '0 '; done; }
hz=$( { cat "/boot/config-$(uname -r)" 2>/dev/null || zcat /proc/config.gz 2>/dev/null; } | sed -n 's/^CONFIG_HZ=//p')
nsj=$([ -n "$hz" ] && echo $((1000000000 / hz)) || echo 0)
mkdir -p "$PINS"

# bare NAME CAPACITY LIST / xdpfwd NAME CAPACITY LIST: a contender, its exact hashes sized, filled.
bare() {
	"$XFBENCH" load ref "$PINS/$1" "$2"
	"$XFBENCH" fill bare "$PINS/$1" "$3" >>"$RES/fill.csv"
}
xdpfwd() {
	"$XFBENCH" load xdpfwd "${4:-$TMP/xdpfwd.bpf.o}" "$PINS/$1" "$nsj" "$2"
	# Layout 3's meta: sets manual and 1 enforced (as run.sh's flood contenders); entries are all-zero: manual.
	bpftool map update pinned "$PINS/$1/meta" key 0 0 0 0 \
		value 0x66 0x70 0x64 0x78 3 0 0 0 $(zeros 8) 3 0 0 0 $(zeros 12)
	"$XFBENCH" fill xdpfwd "$PINS/$1" "$3" >>"$RES/fill.csv"
}
mem() { bpftool -j map show pinned "$PINS/$1/$2" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("bytes_memlock", "?"))'; }

rm -f "$RES/fill.csv"
"$XFBENCH" load ref "$PINS/floor"
log "loading and filling the contenders"
bare bare-64k 65536 "$TMP/rot4.txt"
bare bare-256k 262144 "$TMP/rot4.txt"
bare bare-1m 1048576 "$TMP/rot46.txt"
bare bare-2m 2097152 "$TMP/rot46.txt"
xdpfwd xf-64k 65536 "$TMP/rot4.txt"
xdpfwd xf-256k 262144 "$TMP/rot4.txt"
xdpfwd xf-1m 1048576 "$TMP/rot46.txt"
xdpfwd xf-2m 2097152 "$TMP/rot46.txt"
bare bare-small 65536 "$LISTS/small.txt"
xdpfwd xf-small 65536 "$LISTS/small.txt"
xdpfwd xf-1mlist 1048576 "$LISTS/1m.txt"
xdpfwd xf-1mlist-2m 2097152 "$LISTS/1m.txt"
read -r -a CAPV <<<"${CAP_VARIANTS:-}"
VNAMES=()
for v in "${CAPV[@]}"; do
	cp "${v#*=}" "$TMP/v-${v%%=*}.o"
	xdpfwd "xf-${v%%=*}" 131072 "$TMP/rot4.txt" "$TMP/v-${v%%=*}.o"
	"$XFBENCH" fill xdpfwd "$PINS/xf-${v%%=*}" "$LISTS/small.txt" >>"$RES/fill.csv"
	VNAMES+=("xf-${v%%=*}")
done
# The stock program at 131,072 with the same two lists, for the variants to be set against.
if [ ${#VNAMES[@]} -gt 0 ]; then
	xdpfwd xf-128k-both 131072 "$TMP/rot4.txt"
	"$XFBENCH" fill xdpfwd "$PINS/xf-128k-both" "$LISTS/small.txt" >>"$RES/fill.csv"
	VNAMES=(xf-128k-both "${VNAMES[@]}")
fi
for c in bare-64k bare-1m xf-64k xf-256k xf-1m xf-2m; do
	m=hash_v4; [[ $c == xf-* ]] && m=block_v4_addr
	echo "memlock,$c,$m,$(mem "$c" "$m")" >>"$RES/fill.csv"
done

spec() {
	case $1 in
	bare-*) echo "$1=xdp:$PINS/$1/xfb_hash" ;;
	xf-*) echo "$1=xdp:$PINS/$1/xdpfwd_xdp" ;;
	esac
}
scenario() {
	local name=$1 src=$2 nsrc=$3 c args=()
	shift 3
	[ -n "${BENCH_SCENARIOS:-}" ] && [[ " $BENCH_SCENARIOS " != *" $name "* ]] && return 0
	for c in "$@"; do args+=(--contender "$(spec "$c")"); done
	log "scenario $name: $# contenders x $ROUNDS rounds of ${SLOT_MS} ms slots; load: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "load,$name,$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" >>"$RES/fill.csv"
	taskset -c "$CTL_CPU" "$XFBENCH" live --scenario "$name" --gen-ns "$NS_G" --gen-if "$IF_G" \
		--rx-ns "$NS_R" --rx-if "$IF_R" --cpu "$GEN_CPU" --src "$src" --nsrc "$nsrc" \
		--slot-ms "$SLOT_MS" --rounds "$ROUNDS" --max-seconds 300 --floor "xdp-drop=xdp:$PINS/floor/xfb_drop" \
		"${args[@]}" --out "$RES/live.csv"
}
echo "scenario,round,seq,contender,role,packets,frames,cpu_ns,wall_ns,start_ns,gen_tid" >"$RES/live.csv"
scenario v4-65536 198.19.0.0 65536 bare-64k bare-256k bare-1m xf-64k xf-256k xf-1m xf-2m "${VNAMES[@]}"
scenario v6-1m 2001:2:0:100:: 1048576 bare-1m bare-2m xf-1m xf-2m
scenario v4-1src 198.18.10.1 1 bare-small xf-small xf-1mlist xf-1mlist-2m "${VNAMES[@]}"
scenario v6-1src 2001:2:0:10::1 1 bare-small xf-small xf-1mlist xf-1mlist-2m "${VNAMES[@]}"
python3 "$ROOT/bench/capacity.py" "$RES"
