#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where each contender's nanoseconds go: perf cpu-clock samples taken on the generator CPU during
a second run of the one-source IPv4 scenario (bench/run.sh, profile pass), assigned to the slot
they fell in by their CLOCK_MONOTONIC time, and converted to ns per packet:

    ns/packet in X = samples in X during a contender's slots x sample period / packets in those slots

Only samples of the generator thread (by tid) and ksoftirqd count (the receiver runs in their softirqs);
other processes' turns on the CPU are left out, as in the rate. For xdpfwd the samples inside the
JIT image are also mapped to source lines (xfbench jitlines). The VM has no hardware counters, so
this is timer sampling: attribution to a line can be off by an instruction or two (skid).

Usage: profile.py RESULTS_DIR [REPO_ROOT]   (reads prof.csv, perf.txt, jit-*.tsv; writes profile.md;
source text the BTF does not carry is taken from REPO_ROOT/bpf/)
"""
import bisect
import csv
import collections
import os
import sys

PERIOD_NS = 100000
GROUPS = (
    ("program", lambda s: s.startswith("bpf_prog_") and not s.endswith("_xfb_gen")),
    ("map lookups", lambda s: any(k in s for k in ("htab_map", "lookup_nulls_elem", "memcmp", "trie_lookup",
                                                     "longest_prefix", "percpu_array"))),
    ("clock helpers", lambda s: "ktime" in s or "jiffies" in s),
    ("ring buffer, wakeups", lambda s: any(k in s for k in ("ringbuf", "irq_work", "ipi", "IPI", "apic",
                                                              "wake_up", "try_to_wake"))),
    ("nftables, skb, GRO", lambda s: any(k in s for k in ("nft", "nf_", "skb", "gro", "netif_receive",
                                                            "__netif", "kmem_cache", "kfree", "slab"))),
)
REST = "generator, veth, page pool"


def group(sym):
    for name, match in GROUPS:
        if match(sym):
            return name
    return REST


def load_slots(path):
    slots = []
    with open(path) as f:
        for r in csv.DictReader(f):
            t0 = int(r["start_ns"])
            slots.append((t0, t0 + int(r["wall_ns"]), r["contender"], int(r["packets"]), r["gen_tid"]))
    slots.sort()
    return slots


def source_line(root, fn, ln):
    path = os.path.join(root, "bpf", fn) if root else ""
    try:
        with open(path) as f:
            return f.read().splitlines()[ln - 1].strip()
    except (OSError, IndexError):
        return ""


def load_jit(res, name, root):
    path = os.path.join(res, f"jit-{name}.tsv")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        _, base, length = f.readline().split()
        rows = []
        for line in f:
            off, ln, fn, src = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
            ln = int(ln)
            rows.append((int(off, 16), ln, fn, src.strip() or (source_line(root, fn, ln) if ln else "")))
    rows.sort()
    return int(base, 16), int(length), rows


def main():
    res = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else None
    slots = load_slots(os.path.join(res, "prof.csv"))
    starts = [s[0] for s in slots]
    packets = collections.Counter()
    for s in slots:
        packets[s[2]] += s[3]
    per_group = collections.defaultdict(collections.Counter)
    jit = load_jit(res, "xdpfwd", root)
    lines = collections.Counter()
    with open(os.path.join(res, "perf.txt")) as f:
        for line in f:
            # "comm tid [cpu] time: ip sym"
            parts = line.split()
            if len(parts) < 5:
                continue
            comm, tid = parts[0], parts[1]
            try:
                t = int(round(float(parts[3].rstrip(":")) * 1e9))
                ip = int(parts[4], 16)
            except ValueError:
                continue
            sym = parts[5] if len(parts) > 5 else "[unknown]"
            i = bisect.bisect_right(starts, t) - 1
            if i < 0 or t >= slots[i][1]:
                continue
            if tid != slots[i][4] and not comm.startswith("ksoftirqd"):
                continue
            who = slots[i][2]
            per_group[who][group(sym)] += 1
            if jit and who == "xdpfwd" and jit[0] <= ip < jit[0] + jit[1]:
                rows = jit[2]
                off = ip - jit[0]
                k = bisect.bisect_right([r[0] for r in rows], off) - 1
                # A timer sample points past the instruction that took the time: on a line boundary,
                # charge the line before.
                if k > 0 and rows[k][0] == off:
                    k -= 1
                while k > 0 and rows[k][1] == 0:
                    k -= 1
                if k >= 0:
                    lines[(rows[k][2], rows[k][1], rows[k][3])] += 1

    names = [g for g, _ in GROUPS] + [REST]
    order = sorted(per_group, key=lambda c: sum(per_group[c].values()) / max(packets[c], 1))
    out = ["| contender | " + " | ".join(names) + " | total |", "| --- |" + " ---: |" * (len(names) + 1)]
    for c in order:
        ns = {g: per_group[c][g] * PERIOD_NS / max(packets[c], 1) for g in names}
        out.append(f"| {c} | " + " | ".join(f"{ns[g]:.1f}" for g in names) + f" | {sum(ns.values()):.1f} |")
    if lines:
        out += ["", "xdpfwd (default logging), its own code by source line (ns/packet; lines under 0.5 ns "
                "omitted; helper and map-lookup time is in the columns above, not here):", "",
                "| ns/packet | line | source |", "| ---: | --- | --- |"]
        pk = max(packets["xdpfwd"], 1)
        for (fn, ln, src), n in sorted(lines.items(), key=lambda x: -x[1]):
            ns = n * PERIOD_NS / pk
            if ns < 0.5:
                break
            out.append(f"| {ns:.1f} | {fn}:{ln} | `{src[:90]}` |")
    with open(os.path.join(res, "profile.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
