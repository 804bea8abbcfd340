#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/capacity.sh's tables (issue 16): extra ns/packet over XDP_DROP per contender, side by side,
and the ratios the issue sets bounds on, with a bootstrap 90% interval of each ratio."""
import os
import random
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import load_live, summarize  # noqa: E402

# (scenario, contender, base contender, bound)
RATIOS = [
    ("v4-65536", "xf-64k", "bare-64k", 1.2),
    ("v4-65536", "xf-256k", "bare-64k", 1.2),
    ("v4-65536", "xf-1m", "bare-64k", 1.2),
    ("v4-65536", "xf-2m", "bare-64k", 1.2),
    ("v4-65536", "bare-1m", "bare-64k", None),
    ("v4-65536", "xf-64k", "bare-256k", None),
    ("v4-65536", "xf-1m", "bare-1m", None),
    ("v6-1m", "xf-1m", "bare-1m", 1.2),
    ("v6-1m", "xf-2m", "bare-1m", 1.2),
    ("v6-1m", "xf-2m", "bare-2m", None),
    ("v6-1m", "bare-2m", "bare-1m", None),
    ("v4-1src", "xf-1mlist", "xf-small", 1.15),
    ("v4-1src", "xf-1mlist-2m", "xf-small", 1.15),
    ("v4-1src", "xf-small", "bare-small", 1.3),
    ("v6-1src", "xf-1mlist", "xf-small", 1.15),
    ("v6-1src", "xf-1mlist-2m", "xf-small", 1.15),
    ("v6-1src", "xf-small", "bare-small", 1.3),
]


def boot(a, b, rng):
    out = []
    for _ in range(2000):
        x = statistics.median(rng.choices(a, k=len(a)))
        y = statistics.median(rng.choices(b, k=len(b)))
        if y > 0:
            out.append(x / y)
    out.sort()
    return out[int(0.05 * len(out))], out[int(0.95 * len(out)) - 1]


def main():
    res = sys.argv[1]
    summ = summarize(load_live(os.path.join(res, "live.csv")))
    rng = random.Random(16)
    scns = []
    for scn, _ in summ:
        if scn not in scns:
            scns.append(scn)
    for scn in scns:
        print(f"\n{scn}\n\n| contender | slots | rate Mpps, median [min..max] | extra ns/packet, median [min..max] |")
        print("| --- | ---: | ---: | ---: |")
        for (s, c), v in summ.items():
            if s != scn:
                continue
            r, e = v["rate"], v["extra"]
            print(f"| {c} | {v['n']} | {r[0]:.2f} [{r[1]:.2f}..{r[2]:.2f}] | "
                  f"{e[0]:.1f} [{e[1]:.1f}..{e[2]:.1f}] |")
    print("\n| scenario | ratio of extra ns | value | 90% CI | bound |")
    print("| --- | --- | ---: | ---: | ---: |")
    for scn, a, b, bound in RATIOS:
        if (scn, a) not in summ or (scn, b) not in summ:
            continue
        x, y = summ[(scn, a)]["extra"][0], summ[(scn, b)]["extra"][0]
        lo, hi = boot(summ[(scn, a)]["extras"], summ[(scn, b)]["extras"], rng)
        print(f"| {scn} | {a} / {b} | {x / y:.2f}x ({x:.1f} / {y:.1f} ns) | {lo:.2f}..{hi:.2f} | "
              f"{'<= %sx' % bound if bound else '-'} |")


if __name__ == "__main__":
    main()
