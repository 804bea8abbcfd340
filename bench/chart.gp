# SPDX-License-Identifier: GPL-2.0
# The chart in BENCHMARKS.md: extra ns per packet over XDP_DROP, one bar per contender and scenario,
# log scale (nftables costs ten times what the XDP contenders do). report.py passes datafile,
# outfile, nrows, xmax and yticks; data columns: row, median, min, max, family, label.
set terminal pngcairo size 1100, 60 + nrows * 17 font "DejaVu Sans,9"
set output outfile
set title "Extra ns per packet over XDP\\_DROP (median of the slots; whiskers: min..max)"
set logscale x 10
set xrange [1:xmax]
set xlabel "ns per packet (log scale)"
set yrange [nrows:-1]
eval "set ytics (" . yticks . ")"
set ytics nomirror scale 0
set grid xtics mxtics
set key off
# The legend, in the empty bottom-left corner under the row labels.
set label "xdpfwd" at screen 0.01, screen 0.045 textcolor rgb "#d62728" font ",9"
set label "bare hash" at screen 0.09, screen 0.045 textcolor rgb "#7f7f7f" font ",9"
set label "xdp-filter" at screen 0.01, screen 0.015 textcolor rgb "#1f77b4" font ",9"
set label "nftables" at screen 0.09, screen 0.015 textcolor rgb "#2ca02c" font ",9"
set label "other" at screen 0.17, screen 0.015 textcolor rgb "#bcbd22" font ",9"
set style fill solid 0.8 noborder
set lmargin 30
# xdpfwd, bare hash, xdp-filter, nftables, other
set palette defined (0 "#d62728", 1 "#7f7f7f", 2 "#1f77b4", 3 "#2ca02c", 4 "#bcbd22")
set cbrange [0:4]
unset colorbox
plot datafile using (sqrt($2)):1:(1):2:($1-0.38):($1+0.38):5 with boxxyerror lc palette, \
     datafile using 2:1:3:4 with xerrorbars lc rgb "black" pt -1, \
     datafile using ($4*1.15):1:6 with labels left font ",8"
