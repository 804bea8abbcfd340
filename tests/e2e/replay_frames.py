#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted captures for tests/e2e/replay.bats: every way the program parses a frame.
Usage: replay_frames.py FORMAT OUT   (FORMAT: pcap, nano, pcapng, sll, sll2, clock)
Sources in 198.18.0.0/15 and 2001:2::/48; the test's lists block 198.18.0.2, 198.18.1.0/24,
2001:2::2 and 2001:2:0:1::/64, and allow 198.18.1.7."""
import sys
from decimal import Decimal
from scapy.all import (ARP, ICMP, IP, UDP, TCP, Dot1AD, Dot1Q, Ether, IPv6, CookedLinux, CookedLinuxV2, Raw,
                       PcapWriter, PcapNgWriter, wrpcap)

fmt, out = sys.argv[1], sys.argv[2]
E = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
v4 = lambda s, **kw: IP(src=s, dst="198.18.0.1", **kw)
v6 = lambda s: IPv6(src=s, dst="2001:2::1")
frames = [
    E / v4("198.18.0.2") / UDP(dport=53),                    # exact block
    E / v4("198.18.0.3") / UDP(dport=53),                    # no match
    E / v4("198.18.1.5") / TCP(dport=22),                    # prefix block
    E / v4("198.18.1.7") / ICMP(),                           # allowlisted inside a blocked prefix
    E / v6("2001:2::2") / UDP(dport=53),                     # exact block, IPv6
    E / v6("2001:2:0:1::9") / UDP(dport=53),                 # prefix block, IPv6
    E / v6("2001:2::3") / UDP(dport=53),                     # no match, IPv6
    E / Dot1Q(vlan=10) / v4("198.18.0.2") / UDP(),           # VLAN
    E / Dot1AD(vlan=20) / Dot1Q(vlan=10) / v4("198.18.0.2") / UDP(),   # QinQ
    E / Dot1AD(vlan=20) / Dot1Q(vlan=10) / v6("2001:2::2") / UDP(),    # QinQ, IPv6
    E / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / v4("198.18.0.2") / UDP(),  # too deep
    E / v4("198.18.0.2", ihl=4) / UDP(),                     # IHL below 5
    E / v4("198.18.0.3", ihl=3) / UDP(),
    E / v4("198.18.0.2", ihl=15) / UDP(),                    # options longer than the frame
    E / v4("198.18.0.2", version=6) / UDP(),                 # IPv4 ethertype, version 6
    E / ARP(psrc="198.18.0.2"),                              # not IP
    Ether(bytes(E / v4("198.18.0.2") / UDP())[:30]),         # truncated IPv4 header
    Ether(bytes(E / v6("2001:2::2") / UDP())[:40]),          # truncated IPv6 header
    Ether(bytes(E / Dot1Q(vlan=5) / v4("198.18.0.2"))[:16]), # truncated VLAN tag
    Ether(bytes(E)[:14]),                                    # Ethernet header alone, no type payload
    Raw(bytes(E)[:10]),                                      # shorter than an Ethernet header
]
for i, f in enumerate(frames):
    f.time = Decimal("1700000000.123456789") + i
if fmt == "clock":
    # The capture's clock: a blocked source every 2 s (5 frames: each may log, 1 s per source), then
    # a source in no list every 50 ms (100 frames, 4.95 s: a 10/s limit with burst 10 lets 10 + 49 by).
    t = Decimal("1700000000")
    clock = []
    for i in range(5):
        clock.append(E / v4("198.18.0.2") / UDP(dport=53))
        clock[-1].time = t + 2 * i
    for i in range(100):
        clock.append(E / v4("198.18.0.77") / UDP(dport=53))
        clock[-1].time = t + 10 + Decimal("0.05") * i
    wrpcap(out, clock)
elif fmt == "sll":
    # tcpdump -i any: the same IP frames behind a cooked header
    cooked = [CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00\x02\x00\x00",
                          proto=0x0800) / v4("198.18.0.2") / UDP(),
              CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00\x02\x00\x00",
                          proto=0x86dd) / v6("2001:2::3") / UDP()]
    wrpcap(out, cooked, linktype=113)
elif fmt == "sll2":
    cooked = [CookedLinuxV2(proto=0x0800, ifindex=2, lladdrtype=1, pkttype=0, lladdrlen=6,
                            src=b"\x02\x00\x00\x00\x00\x02\x00\x00") / v4("198.18.0.2") / UDP(),
              CookedLinuxV2(proto=0x86dd, ifindex=2, lladdrtype=1, pkttype=0, lladdrlen=6,
                            src=b"\x02\x00\x00\x00\x00\x02\x00\x00") / v6("2001:2::3") / UDP()]
    wrpcap(out, cooked, linktype=276)
elif fmt == "pcapng":
    w = PcapNgWriter(out)
    for f in frames:
        w.write(f)
    w.close()
else:
    w = PcapWriter(out, nano=(fmt == "nano"), linktype=1)
    for f in frames:
        w.write(f)
    w.close()
