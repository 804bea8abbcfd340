#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The XDP program alone, this build's against another build's, side by side: BPF_PROG_TEST_RUN
# (xfbench progcost, runs interleaved) on the hit, pass and miss paths, without the daemons that
# make bench's BENCH_VARIANTS needs, so it also works while the user-space code does not build.
#
#   make build/xdpfwd.bpf.o build/bench/xfbench && bench/progcost-ab.sh [GIT_REF [RUNS [REPEAT]]]
#
# GIT_REF (default main): its bpf/ and include/ are built in a scratch folder with this Makefile's
# flags; or a path ending in .o, an object already built. NEW_OBJ=FILE.o puts another object in
# place of this build's (bench/hit-variants.sh's prototypes against this build: REF
# build/xdpfwd.bpf.o, NEW_OBJ the variant). Table A also shows the bare one-lookup program
# (ref.bpf.c's xfb_hash, the same two keys) as the hit rows' bound. Both objects get the clock their daemon would give them (ns_per_jiffy from the kernel's
# HZ). The tables: A with exact entries only (hit; pass: no entry, empty tries), L as A with this
# build's flood defense on (limits: action ban, keys /32 and /128, a rate every frame conforms to,
# so the pass rows are metered passes), beside the bare contender xfb_bucket (ref.bpf.c: a token
# bucket per source in an LRU hash, nothing else), B with a prefix
# in each block trie (miss: a source in no list pays the trie lookup; prefix hits). Entries are
# written with bpftool, in set manual (an all-zero value; layout 3 needs meta to enforce manual).
# SET=N (1..31): a layout-3 build's exact entries are in set N instead, enforced and counted under
# it, as a feed's or fail2ban's are (manual's hits are not counted per set: see set_count()).
# Output: CSV rows on stdout (phase,progcost,program,frame,run,ns,verdict), a summary on stderr.
# The progcost runs are taken at SCHED_FIFO on CPU 1, so other work on the machine does not
# preempt them (a few seconds per table).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REF=${1:-main}
RUNS=${2:-21}
REPEAT=${3:-200000}
XFB=$ROOT/build/bench/xfbench
NEW=${NEW_OBJ:-$ROOT/build/xdpfwd.bpf.o}
PINS=/sys/fs/bpf/xdpfwd-bench-ab-$$
TMP=$(mktemp -d)
trap 'rm -rf "$PINS" "$TMP"' EXIT

[ -x "$XFB" ] && [ -s "$NEW" ] || { echo "progcost-ab: build first: make build/xdpfwd.bpf.o build/bench/xfbench" >&2; exit 1; }
if [[ $REF == *.o ]]; then
	# An object already built (a prototype variant, or this build against NEW_OBJ=variant.o).
	cp "$REF" "$TMP/ref.bpf.o"
	REF=$(basename "$REF")
else
	git -C "$ROOT" archive "$REF" bpf include | tar -x -C "$TMP"
	tail_merge=$(clang -target bpf -mllvm -enable-tail-merge=false -x c -c /dev/null -o /dev/null 2>/dev/null &&
		     echo -mllvm -enable-tail-merge=false || true)
	(cd "$TMP" && clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror -Ibpf -Iinclude $tail_merge \
		-c bpf/xdpfwd.bpf.c -o ref.tmp.o && bpftool gen object ref.bpf.o ref.tmp.o)
fi

hz=$( { cat "/boot/config-$(uname -r)" 2>/dev/null || zcat /proc/config.gz 2>/dev/null; } |
	sed -n 's/^CONFIG_HZ=//p')
nsj=$([ -n "$hz" ] && echo $((1000000000 / hz)) || echo 0)
mkdir -p "$PINS"
"$XFB" load xdpfwd "$TMP/ref.bpf.o" "$PINS/ref" "$nsj"
"$XFB" load xdpfwd "$NEW" "$PINS/new" "$nsj"
"$XFB" load ref "$PINS/base"

SET=${SET:-0}
[[ $SET =~ ^([0-9]|[12][0-9]|3[01])$ ]] || { echo "progcost-ab: SET=$SET: give a set id 0..31" >&2; exit 2; }
zeros() { local i; for ((i = 0; i < $1; i++)); do printf '0 '; done; }
le32() { printf '%d %d %d %d' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
value_size() { bpftool -j map show pinned "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes_value"])'; }
# An entry of set manual: all zero, and in layout 3 plen1 (byte 53) for a trie entry.
entry() {
	local size=$1 plen1=${2:-0}
	if [ "$size" -ge 56 ] && [ "$plen1" -gt 0 ]; then echo "$(zeros 53) $plen1 0 0";
	elif [ "$size" -ge 56 ] && [ "$SET" -gt 0 ]; then
		# Both generations: set SET alone (stored XOR manual's bit), counted under it.
		local sets=$(((1 << SET) ^ 1))
		echo "$(zeros 40) $(le32 $sets) $(le32 $sets) $(zeros 4) $SET 0 0 0"
	else zeros "$size"; fi
}
for v in ref new; do
	# Layout 3 (a 32-byte meta): set manual enforced, as a daemon's first start writes it.
	if [ "$(value_size "$PINS/$v/meta")" -ge 32 ]; then
		bpftool map update pinned "$PINS/$v/meta" key 0 0 0 0 \
			value 0x66 0x70 0x64 0x78 3 0 0 0 $(zeros 8) $(le32 $((1 | 1 << SET))) $(zeros 12)
	fi
	size=$(value_size "$PINS/$v/block_v4_addr")
	bpftool map update pinned "$PINS/$v/block_v4_addr" key 198 18 10 1 value $(entry "$size")
	bpftool map update pinned "$PINS/$v/block_v6_addr" key 0x20 0x01 0 2 0 0 0 0x10 $(zeros 7) 1 \
		value $(entry "$size")
done

# The bare one-lookup program with the same two hot keys: the hit path's bound (issue 16).
bpftool map update pinned "$PINS/base/hash_v4" key 198 18 10 1 value $(zeros 8)
bpftool map update pinned "$PINS/base/hash_v6" key 0x20 0x01 0 2 0 0 0 0x10 $(zeros 7) 1 value $(zeros 8)
progs=(--prog "xdp-drop=$PINS/base/xfb_drop" --prog "$REF=$PINS/ref/xdpfwd_xdp" --prog "this=$PINS/new/xdpfwd_xdp")
run() {
	local phase=$1
	shift
	chrt -f 50 taskset -c 1 "$XFB" progcost --repeat "$REPEAT" --runs "$RUNS" "${progs[@]}" "$@" |
		sed "s/^/$phase,/"
}
progs_a=("${progs[@]}")
progs+=(--prog "bare-hash=$PINS/base/xfb_hash")
run A --case v4-hit=198.18.10.1 --case v4-pass=198.18.20.1 --case v6-hit=2001:2:0:10::1 \
	--case v6-pass=2001:2:0:20::1 --case v4-vlan-hit=198.18.10.1/vlan1 | tee "$TMP/out.csv"
progs=("${progs_a[@]}")

# struct xdpfwd_limits, little-endian: action ban, /32, /128, auto_set 1, pps 1e12, burst 1e10,
# no bit limit, ban 600 s, generation 1, the meter's seeds all zero; then all zero (off) again.
le64() { python3 -c 'import struct,sys; print(" ".join(str(b) for b in struct.pack("<Q", int(sys.argv[1]))))' "$1"; }
limits_on="2 0 0 0 32 128 1 0 $(le64 1000000000000) $(le64 10000000000) $(zeros 16) $(le64 600000000000) $(le64 1) $(zeros 32)"
if [ -e "$PINS/new/limits" ]; then
	bpftool map update pinned "$PINS/new/limits" key 0 0 0 0 value $limits_on
	progs_a=("${progs[@]}")
	progs+=(--prog "bucket=$PINS/base/xfb_bucket")
	run L --case v4-pass=198.18.20.1 --case v6-pass=2001:2:0:20::1 --case v4-hit=198.18.10.1 |
		tee -a "$TMP/out.csv"
	progs=("${progs_a[@]}")
	bpftool map update pinned "$PINS/new/limits" key 0 0 0 0 value $(zeros 88)
fi
for v in ref new; do
	size=$(value_size "$PINS/$v/block_v4_net")
	bpftool map update pinned "$PINS/$v/block_v4_net" key 24 0 0 0 198 18 30 0 value $(entry "$size" 25)
	bpftool map update pinned "$PINS/$v/block_v6_net" key 64 0 0 0 0x20 0x01 0 2 0 0 0 0x30 $(zeros 8) \
		value $(entry "$size" 65)
done
run B --case v4-miss=198.18.20.1 --case v6-miss=2001:2:0:20::1 --case v4-hit=198.18.10.1 \
	--case v4-prefix-hit=198.18.30.5 --case v6-prefix-hit=2001:2:0:30::5 | tee -a "$TMP/out.csv"

python3 - "$TMP/out.csv" "$REF" >&2 <<'PY'
import collections, csv, statistics as st, sys
runs = collections.defaultdict(dict)
for phase, _, prog, frame, run, ns, ret in csv.reader(open(sys.argv[1])):
    runs[(phase, frame)].setdefault(prog, {})[int(run)] = (int(ns), int(ret))
ref = sys.argv[2]
print(f"| table | frame | xdp-drop | {ref} | this | this - {ref}, median of rounds | ratio over xdp-drop | "
      f"over bare-hash: {ref}, this |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for (phase, frame), p in runs.items():
    if phase == "L":
        continue
    med = {k: st.median(v[0] for v in p[k].values()) for k in p}
    lo = {k: min(v[0] for v in p[k].values()) for k in p}
    verdict = lambda k: "DROP" if next(iter(p[k].values()))[1] == 1 else "PASS"
    diff = st.median(p["this"][r][0] - p[ref][r][0] for r in p[ref])
    ratio = (med["this"] - med["xdp-drop"]) / max(med[ref] - med["xdp-drop"], 1)
    # Extra ns over xdp-drop against the bare program's, on the rows where both drop.
    bare = "-"
    if "bare-hash" in med and verdict("bare-hash") == "DROP":
        b = max(med["bare-hash"] - med["xdp-drop"], 1)
        bare = f"{(med[ref] - med['xdp-drop']) / b:.2f}x, {(med['this'] - med['xdp-drop']) / b:.2f}x"
    print(f"| {phase} | {frame} | {med['xdp-drop']:.0f} | {med[ref]:.0f} (min {lo[ref]}) {verdict(ref)} | "
          f"{med['this']:.0f} (min {lo['this']}) {verdict('this')} | {diff:+.1f} | {ratio:.2f}x | {bare} |")
lrows = [(f, p) for (ph, f), p in runs.items() if ph == "L"]
if lrows:
    print()
    print(f"Flood defense on (this) against the bare token bucket and {ref} (no limits), extra ns over xdp-drop, medians:")
    print(f"| frame | xdp-drop | bucket | {ref} | this, limits on | this - {ref} | (this - drop) / (bucket - drop) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for frame, p in lrows:
        med = {k: st.median(v[0] for v in p[k].values()) for k in p}
        diff = st.median(p["this"][r][0] - p[ref][r][0] for r in p[ref])
        ratio = (med["this"] - med["xdp-drop"]) / max(med["bucket"] - med["xdp-drop"], 1)
        print(f"| {frame} | {med['xdp-drop']:.0f} | {med['bucket']:.0f} | {med[ref]:.0f} | {med['this']:.0f} | "
              f"{diff:+.1f} | {ratio:.2f}x |")
PY
