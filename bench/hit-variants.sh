#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 16's hit-path prototypes: copies of this tree's bpf/ and include/ with one change each to
# what an exact hit does with its entry, built as the Makefile builds the program. Bench variants
# only (never the shipped program); BENCHMARKS.md, "Capacity (issue 16)", has their figures.
#
#   bench/hit-variants.sh OUTDIR        # OUTDIR/{nocount,pcpu,arr,noread}.o
#   NEW_OBJ=OUTDIR/nocount.o bench/progcost-ab.sh build/xdpfwd.bpf.o 31 200000
#   CAP_VARIANTS="nocount=OUTDIR/nocount.o noread=OUTDIR/noread.o" sudo bench/capacity.sh
#
# nocount  the entry's packets, bytes and last-hit time not written (the bound of moving them)
# pcpu     those three in a per-CPU array indexed from the entry (its pad read as a 16-bit index)
# arr      the same in a plain array
# noread   a hit reads and writes nothing of its entry: verdict counters only (gives up features)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?usage: hit-variants.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
tail_merge=$(clang -target bpf -mllvm -enable-tail-merge=false -x c -c /dev/null -o /dev/null 2>/dev/null &&
	     echo -mllvm -enable-tail-merge=false || true)

for v in nocount pcpu arr noread; do
	mkdir -p "$TMP/$v"
	cp -r "$ROOT/bpf" "$ROOT/include" "$TMP/$v/"
	python3 - "$TMP/$v/bpf/xdpfwd.bpf.c" "$v" <<'PY'
import sys
path, v = sys.argv[1], sys.argv[2]
s = open(path).read()
hit = """	__u64 now = clock_ns();

	e->packets++;
	e->bytes += len;
	e->last_hit_ns = now;
	return now;
}"""
fast = """		if (!__x && !trie_may_match(&net)) {						\\
			__r = no_match_fast((ctx), (st), __h, (fam), __len);			\\
		} else if"""
anchor = "struct {\n\t__uint(type, BPF_MAP_TYPE_HASH);\n\t__uint(map_flags, BPF_F_NO_PREALLOC);\n\t__uint(max_entries, XDPFWD_MAX_ADDRS);\n\t__type(key, struct xdpfwd_v4_key);"
for needle in (hit, fast, anchor):
    if needle not in s:
        sys.exit(f"hit-variants: {v}: the program changed; this prototype no longer applies")
if v == "nocount":
    s = s.replace(hit, "\t(void)e;\n\t(void)len;\n\treturn clock_ns();\n}")
elif v in ("pcpu", "arr"):
    t = "BPF_MAP_TYPE_PERCPU_ARRAY" if v == "pcpu" else "BPF_MAP_TYPE_ARRAY"
    s = s.replace(anchor, f"""struct xfb_entry_ctr {{
	__u64 packets;
	__u64 bytes;
	__u64 last_hit_ns;
}};

struct {{
	__uint(type, {t});
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct xfb_entry_ctr);
}} entry_ctr SEC(".maps");

""" + anchor, 1)
    s = s.replace(hit, """	__u64 now = clock_ns();
	__u32 idx = *(__u16 *)e->pad;
	struct xfb_entry_ctr *c = bpf_map_lookup_elem(&entry_ctr, &idx);

	if (c) {
		c->packets++;
		c->bytes += len;
		c->last_hit_ns = now;
	}
	return now;
}""")
elif v == "noread":
    s = s.replace(fast, fast[:-len("} else if")] + """} else if (__x) {								\\
			count((st), XDPFWD_ACT_DROP, XDPFWD_R_BLOCKLIST, __len);		\\
			__r = XDP_DROP;								\\
		} else if""")
open(path, "w").write(s)
PY
	# shellcheck disable=SC2086
	(cd "$TMP/$v" && clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror -Ibpf -Iinclude \
		$tail_merge -c bpf/xdpfwd.bpf.c -o tmp.o && bpftool gen object "$OUT/$v.o" tmp.o)
	echo "$OUT/$v.o"
done
